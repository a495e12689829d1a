"""The course notebooks run top to bottom offline, fast, without errors, and are committed clean.

Every ``notebooks/*.ipynb`` except the dashboard (tested by its own browser test) is executed
headless with nbclient, in a kernel that uses this interpreter, with the hub switched off and
``EXPLORER_ZOO`` pointing at the session zoo. A notebook added later is picked up by the glob.
Run All leaves every exercise unanswered (no solution runs, no "✓"); the test then runs each
folded solution in the same kernel and expects its check to pass.
"""

from __future__ import annotations

import ast
import os
import re
import sys
import time
from pathlib import Path

import nbformat
import pytest

from explorer import course
from explorer.course import launch

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK_DIR = REPO / "notebooks"
EXCLUDED = {"dashboard.ipynb"}  # the Voila app: tests/test_dashboard_browser.py drives it
NOTEBOOKS = sorted(p.name for p in NOTEBOOK_DIR.glob("*.ipynb") if p.name not in EXCLUDED)
SECONDS_PER_NOTEBOOK = 60


def _read(name: str) -> nbformat.NotebookNode:
    return nbformat.read(NOTEBOOK_DIR / name, as_version=4)


def _kernel_env(zoo: Path, scratch: Path) -> dict[str, str]:
    (scratch / "tmp").mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env.update(HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", EXPLORER_ZOO=str(zoo),
               # notebook 8 runs "remote code" and the notebooks write scratch checkpoints:
               # keep both in pytest's tmp_path
               HF_MODULES_CACHE=str(scratch / "modules"), TMPDIR=str(scratch / "tmp"),
               MPLBACKEND="Agg", PYDEVD_DISABLE_FILE_VALIDATION="1")
    # The kernel must import this checkout's explorer with this interpreter's packages.
    paths = [p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]
    env["PYTHONPATH"] = os.pathsep.join([str(REPO)] + paths)
    return env


def _solution_code(cell: nbformat.NotebookNode) -> str:
    """The Python in a folded solution (a markdown ``<details>`` cell tagged ``solution``)."""
    blocks = re.findall(r"```python\n(.*?)```", cell.source, flags=re.DOTALL)
    assert "<details>" in cell.source and len(blocks) == 1, cell.source[:120]
    return blocks[0]


def _solutions(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [c for c in nb.cells if "solution" in c.get("metadata", {}).get("tags", [])]


def _execute(name: str, env: dict[str, str]) -> tuple[nbformat.NotebookNode, float, int]:
    """Run the notebook, then its solutions in the same kernel; return the executed notebook, the
    seconds the notebook itself took (kernel start included, solutions not), and the index of
    the first appended solution cell."""
    from nbclient import NotebookClient

    nb = _read(name)
    first_solution = len(nb.cells)
    nb.cells += [nbformat.v4.new_code_cell(_solution_code(c)) for c in _solutions(nb)]
    finished: list[float] = []

    def on_cell_executed(cell_index: int, **_: object) -> None:
        if cell_index == first_solution - 1:
            finished.append(time.perf_counter())

    client = NotebookClient(nb, timeout=SECONDS_PER_NOTEBOOK, kernel_name="python3",
                            allow_errors=True, resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
                            kernel_manager_class=_this_python_kernel(),
                            on_cell_executed=on_cell_executed)
    started = time.perf_counter()
    client.execute(env=env)
    return nb, (finished or [time.perf_counter()])[0] - started, first_solution


def _this_python_kernel() -> type:
    """A kernel manager that starts ipykernel with *this* interpreter (the venv's), whichever
    ``python3`` kernelspec jupyter finds first on the machine."""
    from jupyter_client import AsyncKernelManager

    class ThisPython(AsyncKernelManager):
        @property
        def kernel_spec(self):  # type: ignore[no-untyped-def]
            spec = super().kernel_spec
            spec.argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
            return spec

    return ThisPython


def _errors(nb: nbformat.NotebookNode) -> list[str]:
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.output_type == "error":
                found.append(f"cell {index}: {output.ename}: {output.evalue[:300]}")
    return found


def _is_result_call(node: ast.AST) -> bool:
    """``explorer.run(...)`` or ``<something>.render(...)``."""
    if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
        return False
    func = node.func
    return func.attr == "render" or (
        func.attr == "run" and isinstance(func.value, ast.Name) and func.value.id == "explorer")


def _shows_a_result(cell: nbformat.NotebookNode) -> bool:
    """The cell ends with ``explorer.run(...)``, ``....render(...)``, or a name the cell assigned
    from ``explorer.run(...)``: Jupyter displays that value, so a renderer must have drawn it."""
    try:
        tree = ast.parse(cell.source)
    except SyntaxError:
        return False
    last = tree.body[-1] if tree.body else None
    if not isinstance(last, ast.Expr):
        return False
    if _is_result_call(last.value):
        return True
    results = {target.id for node in ast.walk(tree) if isinstance(node, ast.Assign)
               and _is_result_call(node.value) for target in node.targets
               if isinstance(target, ast.Name)}
    return isinstance(last.value, ast.Name) and last.value.id in results


def _printed(cells: list[nbformat.NotebookNode]) -> str:
    return "".join(out.get("text", "") for c in cells for out in c.get("outputs", []))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_offline_without_errors(name: str, zoo: Path,
                                              tmp_path: Path) -> None:
    nb, seconds, first_solution = _execute(name, _kernel_env(zoo, tmp_path))
    print(f"{name}: {seconds:.1f} s headless")
    assert _errors(nb) == [], f"{name} has error outputs"
    assert seconds <= SECONDS_PER_NOTEBOOK, f"{name} took {seconds:.0f} s"
    lesson, appended = nb.cells[:first_solution], nb.cells[first_solution:]
    # Each result a cell ends with is drawn by the explorer's renderers (HTML or a PNG figure).
    shown = [c for c in lesson if c.cell_type == "code" and _shows_a_result(c)]
    assert shown, f"{name} never shows an explorer result"
    for cell in shown:
        kinds = {key for out in cell.outputs for key in out.get("data", {})}
        assert kinds & {"text/html", "image/png"}, f"no rendered view for: {cell.source[:80]}"
    # Run All answers nothing: every check says "not answered yet", none passes or fails.
    printed = _printed(lesson)
    assert "✓" not in printed and "✗" not in printed, f"{name}: Run All gave a verdict"
    assert printed.count("not answered yet") == len(appended)
    # Each folded solution, run after the notebook, passes its check.
    for cell in appended:
        out = _printed([cell])
        assert "✓ correct" in out and "✗" not in out, f"{name}: solution failed:\n{cell.source}\n{out}"


def test_every_notebook_file_is_tested() -> None:
    on_disk = {str(p.relative_to(NOTEBOOK_DIR)) for p in NOTEBOOK_DIR.rglob("*.ipynb")
               if ".ipynb_checkpoints" not in p.parts}
    assert on_disk - EXCLUDED == set(NOTEBOOKS), \
        "a notebook is not executed by test_notebook_runs_offline_without_errors (only " \
        "notebooks/*.ipynb are; move it there or add it to EXCLUDED with a reason)"
    assert len(NOTEBOOKS) >= 9


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_notebook_has_no_outputs(name: str) -> None:
    nb = _read(name)
    nbformat.validate(nb)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{name} cell {index} has outputs: strip them"
            assert cell.execution_count is None, f"{name} cell {index} has an execution_count"


def _minutes_at_least(nb: nbformat.NotebookNode) -> float:
    """A floor for a lesson's time: its prose read at 150 words a minute, half a minute per code
    cell (read, run, look), five minutes per exercise. The stated figures also count the quiz
    and reading the code (about 120 words a minute, 0.75 min a cell + 6 s a line, 6 min an
    exercise, 4 min the quiz, rounded to 5): the floor catches a lesson that grew past them."""
    lesson = [c for c in nb.cells if "solution" not in c.get("metadata", {}).get("tags", [])]
    words = sum(len(re.findall(r"\w+", c.source)) for c in lesson if c.cell_type == "markdown")
    code = sum(c.cell_type == "code" for c in lesson)
    return words / 150 + 0.5 * code + 5 * len(_solutions(nb))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_follows_the_course_conventions(name: str) -> None:
    nb = _read(name)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "By the end of this notebook you can" in markdown  # learning goals at the top
    first_code = next(c for c in nb.cells if c.cell_type == "code").source
    assert "ONLINE = False" in first_code, "the first code cell switches real / zoo checkpoints"
    assert "course.checkpoints(" in first_code, "the first code cell builds / finds the zoo"
    solutions = _solutions(nb)
    assert 2 <= len(solutions) <= 4, f"{name}: 2-4 exercises, each with a folded solution"
    for cell in solutions:
        assert cell.cell_type == "markdown" and "<details>" in cell.source  # shown on demand
        _solution_code(cell)
    sources = "\n".join(c.source for c in nb.cells)
    stated = re.search(r"\*About (\d+) minutes\.\*", markdown)
    assert stated, "a time estimate"
    assert int(stated.group(1)) >= _minutes_at_least(nb), f"{name}: the time estimate is too low"
    quiz = re.findall(r'course\.quiz\("([^"]+)"', sources)
    assert len(quiz) == 1 and quiz[0] in course.QUIZZES, f"{name} ends with its quiz"
    last_code = [c for c in nb.cells if c.cell_type == "code"][-1].source
    assert "course.quiz(" in last_code, "the quiz is the lesson's last code cell"


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_opens_with_the_launch_line_of_pyprojects_repository(name: str) -> None:
    title = _read(name).cells[0].source.split("\n")
    line = launch.launch_line(name, launch.repository())
    assert line in title, f"{name}: the launch line under the title is missing or stale: run " \
                          "`python -m explorer.course.launch`"
    assert f"urlpath=lab/tree/notebooks/{name}" in line
    assert "urlpath=voila/render/notebooks/dashboard.ipynb" in line


def test_the_repository_is_named_once_in_pyproject_and_the_readme_follows_it() -> None:
    url = launch.repository()
    assert url == "https://github.com/autoclass-explorer/autoclass-explorer"
    readme = (REPO / "README.md").read_text()
    links = re.findall(r"https://mybinder\.org/v2/\S+", readme)
    assert links and all(link.startswith(launch.binder(url) + "?") for link in links)
    everything = readme + "".join((NOTEBOOK_DIR / n).read_text() for n in NOTEBOOKS)
    assert "OWNER" not in everything, "a placeholder is left in a launch link"


def test_a_fork_changes_one_url_and_the_launch_lines_follow(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(NOTEBOOK_DIR, tmp_path / "notebooks")
    shutil.copy(REPO / "README.md", tmp_path / "README.md")
    pyproject = (REPO / "pyproject.toml").read_text()
    fork = "https://github.com/a-teacher/autoclass-explorer"
    (tmp_path / "pyproject.toml").write_text(pyproject.replace(launch.repository(), fork))
    changed = launch.rewrite(tmp_path)
    assert {p.name for p in changed} == set(NOTEBOOKS) | {"README.md"}
    for name in NOTEBOOKS:
        first = nbformat.read(tmp_path / "notebooks" / name, as_version=4).cells[0].source
        assert launch.launch_line(name, fork) in first.split("\n")
        assert "gh/autoclass-explorer/" not in first
    assert "mybinder.org/v2/gh/a-teacher/autoclass-explorer/HEAD?" in (tmp_path / "README.md").read_text()
    assert launch.rewrite(tmp_path) == []  # a second run has nothing to change
    (tmp_path / "pyproject.toml").write_text(pyproject.replace(launch.repository(), "OWNER/x"))
    with pytest.raises(ValueError, match="Repository must be a GitHub repository URL"):
        launch.repository(tmp_path / "pyproject.toml")
