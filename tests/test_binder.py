"""The dashboard's deployment files agree: Binder's environment with the root one, the notebook
Voila serves, voila.json's kernel culling, and the Makefile's dashboard target."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = "notebooks/dashboard.ipynb"


def _pip_lines(path: Path) -> list[str]:
    text = path.read_text()
    block = text.split("- pip:", 1)[1]
    return [line.strip()[2:].strip() for line in block.splitlines()
            if line.strip().startswith("- ")]


def test_binder_environment_matches_the_root_environment() -> None:
    root = _pip_lines(REPO / "environment.yml")
    binder = _pip_lines(REPO / "binder" / "environment.yml")
    # Binder takes PyTorch's CPU-only builds of the same versions from PyTorch's own index (PyPI's
    # torch is a multi-GB CUDA build)...
    cpu_index = "--extra-index-url https://download.pytorch.org/whl/cpu"
    assert binder[0] == cpu_index
    binder = [line.removesuffix("+cpu") for line in binder[1:]]
    for name in ("torch==", "torchvision=="):
        assert any(line.startswith(name) for line in root)
        assert f"{next(l for l in root if l.startswith(name))}+cpu" in \
            _pip_lines(REPO / "binder" / "environment.yml")
    # ...and otherwise the same list: "-e ." is relative to the environment file; Binder's
    # postBuild installs from the root.
    assert binder == [line for line in root if line != "-e ."]
    for text in ((REPO / "environment.yml").read_text(),
                 (REPO / "binder" / "environment.yml").read_text()):
        assert "python=3.11" in text


def test_binder_post_build_installs_builds_the_zoo_and_sets_culling() -> None:
    post_build = REPO / "binder" / "postBuild"
    assert os.access(post_build, os.X_OK)
    text = post_build.read_text()
    assert "pip install --no-deps -e ." in text
    assert "explorer zoo" in text
    assert "voila.json" in text and "jupyter_server_config.json" in text


def test_dashboard_notebook_is_one_cell_that_shows_the_app() -> None:
    notebook = json.loads((REPO / NOTEBOOK).read_text())
    code = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert len(code) == 1
    source = "".join(code[0]["source"])
    assert "import explorer" in source and source.strip().endswith("explorer.app()")
    assert not code[0]["outputs"]


def test_voila_culls_the_kernels_of_closed_pages() -> None:
    config = json.loads((REPO / "voila.json").read_text())
    culling = config["MappingKernelManager"]
    assert culling["cull_idle_timeout"] > 0 and culling["cull_interval"] > 0
    assert culling["cull_connected"] is False  # open pages keep their kernel
    assert config["Voila"]["ip"] == "127.0.0.1"
    assert config["VoilaConfiguration"]["show_tracebacks"] is False


def test_make_dashboard_serves_the_notebook_on_loopback() -> None:
    makefile = (REPO / "Makefile").read_text()
    target = re.search(r"^dashboard:.*?(?=^\S)", makefile + "\nend:", flags=re.M | re.S).group(0)
    assert f"voila {NOTEBOOK}" in target and "127.0.0.1" in target and "$(PORT)" in target
    assert "EXPLORER_ZOO=$(ZOO)" in target and "zoo" in target.splitlines()[0]


def test_readme_binder_link_opens_the_dashboard() -> None:
    readme = (REPO / "README.md").read_text()
    for link in re.findall(r"https://mybinder\.org/v2/\S+", readme):
        assert f"urlpath=voila/render/{NOTEBOOK}" in link.replace("%2F", "/")
