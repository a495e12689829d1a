"""The Code tab: for every runnable zoo task, the snippet is plain transformers code that prints
the answer the explorer's result holds.

All snippets run in ONE fresh interpreter (a subprocess that never imports the explorer: one
import of torch and transformers for all of them); what each prints is compared with the
explorer's own result, ``explorer run --json``'s document (``Result.to_dict()``): labels and texts
equal, scores within 1e-4, boxes within 1e-3.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import explorer
from explorer.snippets import snippet
from explorer.snippets.answers import differences, expected, parse
from explorer.zoo import example_kwargs

INPUT_KEYS = ("text", "text_pair", "question", "context", "labels", "image", "audio", "table")

# Runs each snippet file with its stdout captured; refuses to have imported the explorer.
RUNNER = r'''
import contextlib, io, json, sys, traceback
results = {}
for path in sys.argv[2:]:
    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(open(path).read(), path, "exec"), {"__name__": "__main__"})
        results[path] = {"stdout": out.getvalue()}
    except Exception:
        results[path] = {"error": traceback.format_exc(limit=3)[-1500:]}
results["explorer imported"] = any(m.split(".")[0] == "explorer" for m in sys.modules)
open(sys.argv[1], "w").write(json.dumps(results))
'''


def _split(example: dict) -> tuple[dict, dict]:
    kwargs = example_kwargs(example)
    options = dict(kwargs.pop("options", None) or {})
    inputs = {k: v for k, v in kwargs.items() if k in INPUT_KEYS}
    options.update({k: v for k, v in kwargs.items() if k not in INPUT_KEYS})
    return inputs, options


def _start(codes: dict[str, str], folder: Path) -> tuple[subprocess.Popen, dict[str, Path]]:
    files = {}
    for name, code in codes.items():
        files[name] = folder / f"{name}.py"
        files[name].write_text(code)
    process = subprocess.Popen([sys.executable, "-c", RUNNER, str(folder / "report.json"),
                                *map(str, files.values())], cwd=folder)
    return process, files


def _finish(process: subprocess.Popen, files: dict[str, Path], folder: Path) -> dict[str, dict]:
    assert process.wait(timeout=600) == 0
    found = json.loads((folder / "report.json").read_text())
    assert found.pop("explorer imported") is False, "a snippet imported the explorer"
    return {name: found[str(path)] for name, path in files.items()}


# Non-default options (top_k, pooling, max_new_tokens) must reach the snippet's numbers too.
OPTION_CASES = {"text-classification": {"top_k": 1}, "feature-extraction": {"pooling": "cls"},
                "text-generation": {"max_new_tokens": 5}, "fill-mask": {"top_k": 2}}


@pytest.fixture(scope="module")
def runs(manifest: dict, tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple]:
    """``{case: (expected answer, what the snippet printed)}`` for every runnable zoo entry
    (its example) and the option cases: snippets built first and started in the subprocess,
    the explorer's runs done meanwhile."""
    cases: dict[str, tuple[str, str, dict, dict]] = {}
    for name, entry in sorted(manifest.items()):
        spec = explorer.get_task(entry["auto_class"])
        if spec.runner is not None:
            cases[name] = (name, spec.task, *_split(entry["example"]))
    for name, options in OPTION_CASES.items():
        task, (inputs, _) = cases[name][1], cases[name][2:]
        cases[f"{name} {options}"] = (name, task, inputs, options)
    codes = {case: snippet(f"zoo:{name}", task, inputs, options)
             for case, (name, task, inputs, options) in cases.items()}
    folder = tmp_path_factory.mktemp("snippets")
    process, files = _start({f"case{i}": code for i, code in enumerate(codes.values())}, folder)
    wanted = {case: expected(explorer.run(f"zoo:{name}", task, **inputs, options=options)
                             .to_dict()) for case, (name, task, inputs, options) in cases.items()}
    printed = _finish(process, files, folder)
    return {case: (wanted[case], printed[f"case{i}"]) for i, case in enumerate(cases)}


def _wrong(runs: dict[str, tuple], cases: list[str]) -> list[str]:
    wrong = []
    for case in cases:
        want, printed = runs[case]
        if "error" in printed:
            wrong.append(f"{case}: the snippet failed: {printed['error']}")
            continue
        found = differences(want, parse(printed["stdout"], want))
        if found:
            wrong.append(f"{case}: {'; '.join(found[:3])}")
    return wrong


def test_every_zoo_snippet_prints_the_explorers_answer(runs: dict[str, tuple]) -> None:
    zoo_cases = [c for c in runs if " " not in c]
    assert len(zoo_cases) >= 44
    wrong = _wrong(runs, zoo_cases)
    assert not wrong, f"{len(zoo_cases) - len(wrong)} / {len(zoo_cases)} match:\n" + \
        "\n".join(wrong)


def test_options_change_the_snippet_like_the_run(runs: dict[str, tuple]) -> None:
    cases = [c for c in runs if " " in c]
    assert len(cases) == len(OPTION_CASES)
    assert not _wrong(runs, cases)
    assert len(runs["text-classification {'top_k': 1}"][0]) == 1


def test_option_defaults_are_the_runners(manifest: dict) -> None:
    from explorer.options import default

    inputs, _ = _split(manifest["object-detection"]["example"])
    code = snippet("zoo:object-detection", "object-detection", inputs, {})
    assert f"threshold={default('threshold', 'AutoModelForObjectDetection')}" in code
    assert f"[:{default('top_k', 'AutoModelForObjectDetection')}]" in code


def test_load_options_appear_in_the_snippet(manifest: dict) -> None:
    inputs, _ = _split(manifest["text-classification"]["example"])
    code = snippet("zoo:text-classification", "text-classification", inputs, {},
                   dtype="float32", output_attentions=True)
    assert "dtype=torch.float32" in code and "output_attentions=True" in code
    assert "inputs = inputs.to(model.device)" in code
    namespace: dict[str, Any] = {}
    exec(code, namespace)  # noqa: S102 - our own output
    assert set(namespace["scores"]) <= {"negative", "positive"}


def test_zoo_names_become_their_folders(manifest: dict, zoo: Path) -> None:
    code = snippet("zoo:fill-mask", "fill-mask", {"text": "paris is the [MASK] of france"})
    assert f"checkpoint = {str(zoo / 'fill-mask')!r}  # zoo:fill-mask" in code


def test_a_task_the_explorer_cannot_run_has_no_snippet(manifest: dict) -> None:
    from explorer.errors import NotRunnable

    with pytest.raises(NotRunnable):
        snippet("zoo:text-classification", "AutoModelForDecision", {"text": "x"})


def test_explorer_code_prints_the_snippet(manifest: dict, capsys: pytest.CaptureFixture,
                                          examples: Path) -> None:
    from explorer.cli import main

    image = examples / "shapes.png"
    assert main(["code", "zoo:object-detection", "--image", str(image),
                 "--option", "threshold=0.2", "--option", "top_k=3"]) == 0
    printed = capsys.readouterr().out
    assert printed == snippet("zoo:object-detection", "object-detection", {"image": str(image)},
                              {"threshold": 0.2, "top_k": 3})
    assert "threshold=0.2" in printed and "import explorer" not in printed


def test_every_runnable_task_has_a_snippet_body() -> None:
    from explorer.catalog import tasks
    from explorer.snippets import BODIES

    missing = [s.auto_class for s in tasks() if s.runner is not None and s.auto_class not in BODIES]
    assert not missing, f"runnable tasks without a Code-tab body: {missing}"
