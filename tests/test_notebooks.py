"""The course notebooks run top to bottom offline, fast, without errors, and are committed clean.

Every ``notebooks/*.ipynb`` except the dashboard (tested by its own browser test) is executed
headless with nbclient, in a kernel that uses this interpreter, with the hub switched off and
``EXPLORER_ZOO`` pointing at the session zoo. A notebook added later is picked up by the glob.
"""

from __future__ import annotations

import ast
import os
import sys
import time
from pathlib import Path

import nbformat
import pytest

from explorer import teaching

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


def _execute(name: str, env: dict[str, str]) -> tuple[nbformat.NotebookNode, float]:
    from nbclient import NotebookClient

    nb = _read(name)
    client = NotebookClient(nb, timeout=SECONDS_PER_NOTEBOOK, kernel_name="python3",
                            allow_errors=True, resources={"metadata": {"path": str(NOTEBOOK_DIR)}},
                            kernel_manager_class=_this_python_kernel())
    started = time.perf_counter()
    client.execute(env=env)
    return nb, time.perf_counter() - started


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


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_offline_without_errors(name: str, zoo: Path,
                                              tmp_path: Path) -> None:
    nb, seconds = _execute(name, _kernel_env(zoo, tmp_path))
    assert _errors(nb) == [], f"{name} has error outputs"
    assert seconds <= SECONDS_PER_NOTEBOOK, f"{name} took {seconds:.0f} s"
    # Each result a cell ends with is drawn by the explorer's renderers (HTML or a PNG figure).
    shown = [c for c in nb.cells if c.cell_type == "code" and _shows_a_result(c)]
    assert shown, f"{name} never shows an explorer result"
    for cell in shown:
        kinds = {key for out in cell.outputs for key in out.get("data", {})}
        assert kinds & {"text/html", "image/png"}, f"no rendered view for: {cell.source[:80]}"
    # Exercise solutions ran and passed.
    printed = "".join(out.get("text", "") for c in nb.cells for out in c.get("outputs", []))
    assert "✗" not in printed, f"{name}: a solution cell's check failed"
    solutions = [c for c in nb.cells if "solution" in c.get("metadata", {}).get("tags", [])]
    assert printed.count("✓ correct") >= len(solutions)


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


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_follows_the_course_conventions(name: str) -> None:
    nb = _read(name)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "By the end of this notebook you can" in markdown  # learning goals at the top
    first_code = next(c for c in nb.cells if c.cell_type == "code").source
    assert "ONLINE = False" in first_code, "the first code cell switches real / zoo checkpoints"
    assert "teaching.checkpoints(" in first_code, "the first code cell builds / finds the zoo"
    solutions = [c for c in nb.cells if "solution" in c.get("metadata", {}).get("tags", [])]
    assert 2 <= len(solutions) <= 4, f"{name}: 2-3 exercises, each with a solution cell"
    for cell in solutions:
        assert cell.cell_type == "code"
        assert cell.metadata.get("jupyter", {}).get("source_hidden") is True


# ---------------------------------------------------------------------------- teaching helpers


def test_checkpoints_online_are_the_real_ids_and_offline_are_zoo_folders(zoo: Path) -> None:
    real = {"fill-mask": "google-bert/bert-base-uncased"}
    assert teaching.checkpoints(real, online=True) == real
    offline = teaching.checkpoints(real)
    assert Path(offline["fill-mask"]) == zoo / "fill-mask"
    assert (Path(offline["fill-mask"]) / "config.json").is_file()
    assert teaching.short(offline["fill-mask"]) == "zoo:fill-mask"
    with pytest.raises(KeyError, match="no zoo entry for not-a-task"):
        teaching.checkpoints({"not-a-task": "x/y"})


def test_check_reports_unanswered_right_and_wrong(zoo: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    teaching.check("01.gpt2-qa-class", None)
    assert "not answered yet" in capsys.readouterr().out
    teaching.check("01.gpt2-qa-class", "GPT2ForQuestionAnswering")
    assert "✓ correct" in capsys.readouterr().out
    teaching.check("01.gpt2-qa-class", "BertForQuestionAnswering")
    assert "✗" in capsys.readouterr().out
    assert teaching.is_correct("03.new-token-head", ["classifier.weight", "classifier.bias"])
    assert not teaching.is_correct("03.new-token-head", {"classifier.weight"})
    with pytest.raises(KeyError, match="no exercise"):
        teaching.check("99.nope", 1)


def test_every_exercise_id_used_in_a_notebook_exists() -> None:
    import re

    used = {m for name in NOTEBOOKS for c in _read(name).cells
            for m in re.findall(r'teaching\.check\("([^"]+)"', c.source)}
    assert used, "the notebooks use teaching.check"
    assert used == set(teaching.EXPECTED), "an exercise check without a notebook, or the reverse"


def test_views_render_html(zoo: Path) -> None:
    from transformers import AutoTokenizer

    import explorer

    path = teaching.checkpoints({"fill-mask": ""})["fill-mask"]
    trace = teaching.show_trace(explorer.resolve(path, "text-classification"))
    assert "BertForSequenceClassification" in trace and "<ol" in trace._repr_html_()
    report = teaching.show_report(explorer.load(path, "text-classification"))
    assert "classifier.weight" in report  # newly initialised weights are listed
    tokens = teaching.show_tokens(AutoTokenizer.from_pretrained(path), "the cat", "a dog")
    assert tokens.count("<span") >= 6 and "[SEP]" in tokens and "token_type_ids = 1" in tokens
