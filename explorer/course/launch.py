"""The launch line at the top of each lesson: the notebook in JupyterLab on Binder, the dashboard
in Voila on Binder, and the local commands.

The repository is written once, as ``Repository`` under ``[project.urls]`` in ``pyproject.toml``.
A fork changes that URL and runs ``python -m explorer.course.launch``, which rewrites every
lesson's launch line and the README's Binder links from it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DASHBOARD = "notebooks/dashboard.ipynb"
LAUNCH_PREFIX = "**Launch:**"
_BINDER = re.compile(r"https://mybinder\.org/v2/gh/[^/\s)]+/[^/\s)]+/HEAD")


def repository(pyproject: Path = REPO / "pyproject.toml") -> str:
    """The GitHub URL in ``[project.urls] Repository``, without a trailing slash or ``.git``."""
    urls = tomllib.loads(pyproject.read_text())["project"].get("urls", {})
    url = str(urls.get("Repository", "")).rstrip("/").removesuffix(".git")
    if not re.fullmatch(r"https://github\.com/[\w.-]+/[\w.-]+", url):
        raise ValueError(f"{pyproject}: [project.urls] Repository must be a GitHub repository URL "
                         f"(https://github.com/OWNER/NAME), not {url!r}")
    return url


def binder(repository_url: str) -> str:
    """Binder's address for the repository's default branch."""
    owner, name = repository_url.removeprefix("https://github.com/").split("/")
    return f"https://mybinder.org/v2/gh/{owner}/{name}/HEAD"


def launch_line(notebook: str, repository_url: str) -> str:
    """The markdown line that opens ``notebooks/<notebook>`` and the dashboard on Binder."""
    base = binder(repository_url)
    return (f"{LAUNCH_PREFIX} [JupyterLab on Binder]({base}?urlpath=lab/tree/notebooks/{notebook})"
            f" · [the dashboard (Voila) on Binder]({base}?urlpath=voila/render/{DASHBOARD})"
            " · locally: `jupyter lab notebooks/` and `make dashboard`.")


def rewrite(repo: Path = REPO) -> list[Path]:
    """Point every lesson's launch line and the README's Binder links at pyproject's repository;
    return the files changed."""
    import nbformat

    url = repository(repo / "pyproject.toml")
    changed = []
    for path in sorted((repo / "notebooks").glob("*.ipynb")):
        if path.name == Path(DASHBOARD).name:
            continue
        nb = nbformat.read(path, as_version=4)
        first = nb.cells[0]
        lines = first.source.split("\n")
        index = next((i for i, line in enumerate(lines) if line.startswith(LAUNCH_PREFIX)), None)
        line = launch_line(path.name, url)
        if index is None:
            lines[1:1] = ["", line]  # under the title
        elif lines[index] != line:
            lines[index] = line
        else:
            continue
        first.source = "\n".join(lines)
        nbformat.write(nb, path)
        changed.append(path)
    readme = repo / "README.md"
    text = readme.read_text()
    new = _BINDER.sub(binder(url), text)
    if new != text:
        readme.write_text(new)
        changed.append(readme)
    return changed


if __name__ == "__main__":
    for path in rewrite():
        print("rewrote", path.relative_to(REPO))
