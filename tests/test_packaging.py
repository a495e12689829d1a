"""The project's install files agree with each other and with the README."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _names(requirements: list[str]) -> dict[str, str]:
    out = {}
    for req in requirements:
        match = re.match(r"\s*([A-Za-z0-9_.-]+)\s*(.*)", req)
        if match and not req.strip().startswith("-"):
            out[match.group(1).lower().replace("_", "-")] = match.group(2).replace(" ", "")
    return out


def test_environment_yml_matches_pyproject() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = _names(project["dependencies"] + project["optional-dependencies"]["app"])
    env = (REPO / "environment.yml").read_text()
    pip_block = env.split("- pip:", 1)[1]
    pip_lines = re.findall(r"^\s+- (.+)$", pip_block, flags=re.M)
    assert _names(pip_lines) == wanted
    assert "python=3.11" in env


def test_torch_and_torchvision_are_pinned_to_the_same_pair_everywhere() -> None:
    """The users' stack (torch + torchvision + timm), pinned to the pair these machines carry."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    deps = _names(project["dependencies"])
    torch, vision = deps["torch"], deps["torchvision"]
    assert torch.startswith("==") and vision.startswith("==") and "timm" in deps
    makefile = (REPO / "Makefile").read_text()
    assert f"torch{torch} torchvision{vision}" in makefile


def test_ci_runs_the_readme_test_command() -> None:
    readme = (REPO / "README.md").read_text()
    ci = (REPO / ".ci" / "run").read_text()
    assert "make test" in readme and "make dashboard" in readme
    assert re.search(r"^make test$", ci, flags=re.M)
