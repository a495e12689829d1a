"""What a snippet prints for each result type, read off the explorer's own result
(``Result.to_dict()``, the ``explorer run --json`` document), and how to compare the two.

Texts (generated text) are printed as they are; every other answer is one Python literal (a dict
or list) on the last lines of the output.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from typing import Any


def _labels(d: dict) -> dict[str, float]:
    return {x["label"]: x["score"] for x in d["labels"]}


def _answer(d: dict) -> dict[str, Any]:
    out = {"answer": d["answer"], "score": d["score"]}
    if d.get("alternatives"):
        out["alternatives"] = _labels({"labels": d["alternatives"]})
    return out


def _keypoints(d: dict) -> Any:
    points = d["keypoints"]
    if points and points[0].get("label"):
        return [(p["label"], p["x"], p["y"], p["score"]) for p in points]
    return {"keypoints": len(points), "best": [(p["x"], p["y"], p["score"]) for p in points[:5]]}


def _audio(d: dict) -> dict[str, Any]:
    return {"shape": d["shape"], "sampling_rate": d["sampling_rate"]}


ANSWERS: dict[str, Callable[[dict], Any]] = {
    "classification": _labels,
    "tokens": lambda d: [(e["text"], e["label"], e["score"]) for e in d["entities"]],
    "answer": _answer,
    "fill_mask": lambda d: [(c["token"], c["score"]) for c in d["candidates"]],
    "generation": lambda d: d["text"],
    "embedding": lambda d: {"shape": [len(d["vectors"]), len(d["vectors"][0])],
                            "first values": [v[:4] for v in d["vectors"]]},
    "detection": lambda d: [(o["label"], o["score"], o["box"]) for o in d["objects"]],
    "segmentation": lambda d: [(s["label"], s["area"], s["score"]) for s in d["segments"]],
    "depth": lambda d: {"shape": d["shape"], "min": d["min"], "max": d["max"]},
    "keypoints": _keypoints,
    "transcript": lambda d: {"text": d["text"],
                             "chunks": [(c["text"], c["start"], c["end"]) for c in d["chunks"]]},
    "frames": lambda d: [(s["label"], s["start"], s["end"], s["score"]) for s in d["spans"]],
    "feature_maps": lambda d: d["shapes"],
    "image": lambda d: {"shape": d["shape"]},
    "audio": _audio,
    "recognition": lambda d: {"text": d["text"], "score": d["score"]},
    "raw": lambda d: d["outputs"],
}


def expected(result: dict) -> Any:
    """The answer a snippet prints for this result (a ``to_dict()`` document)."""
    return ANSWERS[result["type"]](result)


def parse(printed: str, like: Any) -> Any:
    """A snippet's printed answer: the text itself when ``like`` is a text, else the Python
    literal on its last lines."""
    printed = printed.rstrip("\n")
    if isinstance(like, str):
        return printed
    lines = printed.splitlines()
    for first in range(len(lines) - 1, -1, -1):  # the shortest tail that is a literal
        try:
            return ast.literal_eval("\n".join(lines[first:]))
        except (SyntaxError, ValueError):
            continue
    raise ValueError(f"no Python literal at the end of the output: {printed[-200:]!r}")


def differences(want: Any, got: Any, where: str = "answer", tolerance: float = 1e-4) -> list[str]:
    """Where ``got`` differs from ``want``: texts and labels must be equal, numbers within
    ``tolerance`` (relative for large values such as box coordinates, which get 1e-3)."""
    if isinstance(want, dict) and isinstance(got, dict):
        found = [] if list(map(str, want)) == list(map(str, got)) else \
            [f"{where}: keys {list(got)} != {list(want)}"]
        return found + [d for k in want if k in got
                        for d in differences(want[k], got[k], f"{where}[{k!r}]", tolerance)]
    if isinstance(want, (list, tuple)) and isinstance(got, (list, tuple)):
        if len(want) != len(got):
            return [f"{where}: {len(got)} items != {len(want)}"]
        box = len(want) == 4 and all(isinstance(v, (int, float)) for v in want) and \
            any(abs(v) > 1 for v in want)
        return [d for i, (a, b) in enumerate(zip(want, got))
                for d in differences(a, b, f"{where}[{i}]", 1e-3 if box else tolerance)]
    if isinstance(want, bool) or isinstance(got, bool) or want is None or got is None:
        return [] if want == got else [f"{where}: {got!r} != {want!r}"]
    if isinstance(want, (int, float)) and isinstance(got, (int, float)):
        ok = math.isclose(want, got, rel_tol=tolerance, abs_tol=tolerance)
        return [] if ok else [f"{where}: {got!r} != {want!r}"]
    return [] if want == got else [f"{where}: {got!r} != {want!r}"]


__all__ = ["ANSWERS", "differences", "expected", "parse"]
