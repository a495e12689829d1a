"""Coverage sweep (not a test; minutes): does the explorer run what plain transformers runs?

    python benchmarks/architecture_coverage.py [--sample N] [--classes AutoModel,AutoModelForCTC]
                                  [--timeout 60] [--json out.json]

For every runnable Auto class in the catalog and every model type its ``MODEL_FOR_*_MAPPING``
names (or ``--sample N`` of them, spread over the mapping), it builds a tiny random checkpoint
offline (``AutoConfig.for_model`` shrunk to a few layers of width 32; the preprocessors the model
type's Auto preprocessor mappings name, built from defaults and a tiny trained tokenizer), then:

- runs it through plain transformers as a user would (preprocessor → forward, or ``generate``);
- runs it through ``explorer.run`` with the task's example inputs;
- checks that ``resolve(folder)`` with no task picks the class the checkpoint was saved from.

Per Auto class it prints: pairs in mapping / built / plain ok / explorer ok / clean error /
internal error ("bug") / crash, then the overall figures and the most frequent failure messages.
Each pair runs in a worker process with a timeout, one at a time (the machine is shared).
"""

from __future__ import annotations

import argparse
import collections
import inspect
import json
import multiprocessing
import os
import re
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
# This file's name would shadow the `coverage` package (numba imports it): drop its folder.
_HERE = Path(__file__).resolve().parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_HERE.parent))

from benchmarks.tiny_checkpoints import build, example_inputs  # noqa: E402, I001


# ---------------------------------------------------------------------------- plain transformers


def _load_preprocessor(folder: Path) -> Any:
    import transformers

    for auto in ("AutoProcessor", "AutoTokenizer", "AutoImageProcessor", "AutoFeatureExtractor"):
        try:
            return getattr(transformers, auto).from_pretrained(folder)
        except Exception:  # the next Auto preprocessor may fit
            continue
    return None


def plain_run(auto_class: str, folder: Path, example: dict[str, Any]) -> None:
    """What a user would write with transformers alone; raises when it cannot run."""
    import numpy as np
    import torch
    from PIL import Image

    from explorer.catalog import get_task
    from explorer.inputs import load_audio
    from explorer.loading import _backbone_class

    spec = get_task(auto_class)
    loader = _backbone_class(__import__("transformers").AutoConfig.from_pretrained(folder)) \
        if auto_class == "AutoBackbone" else spec.auto
    model = loader.from_pretrained(folder).eval()
    pre = _load_preprocessor(folder)
    if pre is None:
        raise RuntimeError("no preprocessor loads")
    tok = getattr(pre, "tokenizer", None) or (pre if hasattr(pre, "convert_ids_to_tokens") else None)
    if auto_class in ("AutoModelForImageTextToText", "AutoModelForMultimodalLM") and \
            "images" not in inspect.signature(type(pre).__call__).parameters:
        # Only a tokenizer loads (the image processor was saved apart, or none): the image would
        # be left out, which is no run of a task about the image.
        raise RuntimeError(f"{type(pre).__name__} takes no images")
    if tok is not None and not (folder / "tokenizer_config.json").is_file():
        # transformers 5 builds an empty default tokenizer (a handful of special tokens) for a
        # folder without one: that is no tokenizer a user could run text through.
        tok = None
        if any(k in example for k in ("text", "question", "context")) and "image" not in example:
            raise RuntimeError("no tokenizer saved (AutoTokenizer built an empty default)")
    kw: dict[str, Any] = {}
    if "image" in example:
        kw["images"] = Image.open(example["image"]).convert("RGB")
    if auto_class == "AutoModelForVideoClassification":  # the clip, at the model's length
        from explorer.heads.vision import _frame_count, sample_frames
        from explorer.inputs import read_clip

        clip = read_clip(example["image"]) or (kw["images"],)
        kw["images"] = sample_frames(clip, _frame_count(model.config))
    if "audio" in example:
        wave, rate = load_audio(example["audio"])
        fe = getattr(pre, "feature_extractor", None) or pre
        target = getattr(fe, "sampling_rate", rate)
        if target != rate:
            from explorer.inputs import resample

            wave = resample(wave, rate, target)
        kw["audio" if hasattr(pre, "feature_extractor") else "raw_speech"] = np.asarray(wave)
        kw["sampling_rate"] = target
    if auto_class == "AutoModelForMultipleChoice":
        enc = tok([example["text"]] * len(example["labels"]), list(example["labels"]),
                  padding=True, return_tensors="pt")
        batch = {k: v.unsqueeze(0) for k, v in enc.items()}
    elif "question" in example and "context" in example and "image" not in example:
        batch = tok(example["question"], example["context"], return_tensors="pt")
    elif "labels" in example:
        batch = pre(text=list(example["labels"]), padding=True, return_tensors="pt", **kw)
    elif "text" in example or "question" in example:
        text = example.get("text") or example.get("question")
        if "images" in kw or "audio" in kw:
            batch = pre(text=text, return_tensors="pt", **kw)
        else:
            batch = tok(text, text_pair=example.get("text_pair"), return_tensors="pt") \
                if isinstance(text, str) else tok(text[0], return_tensors="pt")
    elif "raw_speech" in kw:
        batch = pre(kw.pop("raw_speech"), return_tensors="pt", **kw)
    else:
        batch = pre(return_tensors="pt", **kw)
    batch = dict(batch)
    if spec.result in ("generation", "transcript") and tok is None:
        raise RuntimeError("no tokenizer to turn the predicted ids into text")
    with torch.inference_mode():
        if spec.result in ("generation", "transcript") and hasattr(model, "generate"):
            model.generate(**batch, max_new_tokens=3)
            return
        if getattr(model.config, "is_encoder_decoder", False) and "decoder_input_ids" not in batch:
            start = getattr(model.config, "decoder_start_token_id", None)
            batch["decoder_input_ids"] = torch.tensor([[start if isinstance(start, int) else 0]])
        outputs = model(**batch)
    if spec.result == "classification" and not any("logits" in key for key in outputs.keys()):
        raise RuntimeError(f"{type(model).__name__} returns no logits (no classification head)")
    if spec.result == "detections" and hasattr(pre, "post_process_object_detection"):
        image = kw["images"]  # boxes are what a detector gives (some post-process with OpenCV)
        threshold = (example.get("options") or {}).get("threshold", 0.5)
        pre.post_process_object_detection(outputs, threshold=threshold,
                                          target_sizes=[(image.height, image.width)])


# ---------------------------------------------------------------------------- one pair


def first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0][:200] if text else ''}"


def check_pair(auto_class: str, model_type: str) -> dict[str, Any]:
    """Build, run plain, run explorer, resolve: one record for the table."""
    import torch

    import explorer
    from explorer.errors import ExplorerError
    from explorer.loading import clear_cache
    from explorer.quiet import quiet_transformers
    from explorer.resolution import resolve
    from explorer.results import Result

    torch.set_num_threads(1)
    quiet_transformers()
    out: dict[str, Any] = {"auto_class": auto_class, "model_type": model_type}
    with tempfile.TemporaryDirectory(prefix="coverage-") as tmp:
        folder = Path(tmp)
        try:
            out.update(build(auto_class, model_type, folder))
        except Exception as exc:
            return {**out, "status": "not built", "message": first_line(exc)}
        example = example_inputs(auto_class, folder)
        try:
            plain_run(auto_class, folder, example)
            out["plain"] = "ok"
        except Exception as exc:
            out["plain"] = first_line(exc)
        try:
            res = resolve(str(folder))
            out["default_ok"] = res.model_class == out["class"]
            # A saved model_type that no Auto class maps (a sub-model config such as
            # mllama_text_model): no Auto class can load the folder, plain transformers neither.
            out["no_auto_class"] = res.auto_class is None and not res.auto_classes
            out["default"] = f"{res.task} → {res.model_class}"
        except Exception as exc:
            out["default_ok"], out["default"] = False, first_line(exc)
        options = example.pop("options", None) or {}
        try:
            result = explorer.run(str(folder), auto_class, options=options, **example)
            out["status"] = "ok" if isinstance(result, Result) else "crash"
            out["message"] = "" if out["status"] == "ok" else f"returned {type(result).__name__}"
        except ExplorerError as exc:
            internal = type(exc).__name__ == "InternalError" or "check the inputs match" in str(exc)
            out["status"] = "bug" if internal else "clean error"
            out["message"] = f"{type(exc).__name__}: {str(exc)[:200]}"
        except Exception as exc:
            out["status"], out["message"] = "crash", first_line(exc)
            out["traceback"] = traceback.format_exc()[-2000:]
        finally:
            clear_cache()
    return out


# ---------------------------------------------------------------------------- sweep


def pairs(classes: list[str] | None, sample: int | None) -> list[tuple[str, str]]:
    from explorer.catalog import tasks

    found = []
    for spec in tasks():
        if spec.runner is None or (classes and spec.auto_class not in classes):
            continue
        types = sorted(spec.model_types)
        if sample and len(types) > sample:
            step = len(types) / sample
            types = [types[int(i * step)] for i in range(sample)]
        found += [(spec.auto_class, t) for t in types]
    return found


def sweep(todo: list[tuple[str, str]], timeout: float,
          save: Path | None = None) -> list[dict[str, Any]]:
    """Each pair in a forked worker (a hang or a hard crash costs one pair, not the sweep)."""
    ctx = multiprocessing.get_context("fork")
    pool = ctx.Pool(1, maxtasksperchild=20)
    records = []
    for i, (auto_class, model_type) in enumerate(todo):
        started = time.perf_counter()
        job = pool.apply_async(check_pair, (auto_class, model_type))
        try:
            record = job.get(timeout)
        except multiprocessing.TimeoutError:
            pool.terminate()
            pool = ctx.Pool(1, maxtasksperchild=20)
            record = {"auto_class": auto_class, "model_type": model_type, "status": "crash",
                      "message": f"timeout after {timeout:.0f} s"}
        except Exception as exc:  # the worker died (segfault, out of memory)
            pool.terminate()
            pool = ctx.Pool(1, maxtasksperchild=20)
            record = {"auto_class": auto_class, "model_type": model_type, "status": "crash",
                      "message": f"worker died: {first_line(exc)}"}
        record["seconds"] = round(time.perf_counter() - started, 2)
        records.append(record)
        if save is not None:  # kept up to date: a sweep cut short still leaves its records
            save.write_text(json.dumps(records, indent=1))
        print(f"[{i + 1}/{len(todo)}] {auto_class} {model_type}: {record['status']} "
              f"{record.get('message', '')[:120]}", file=sys.stderr, flush=True)
    pool.terminate()
    return records


def _normalise(message: str) -> str:
    """Group messages that differ only by names and numbers."""
    return re.sub(r"\d+", "N", re.sub(r"/tmp/coverage-\w+", "<ckpt>", message))[:150]


def _unreadable(record: dict[str, Any]) -> bool:
    """A record (from a sweep before ``build`` checked it) whose saved config does not reload:
    the tiny sizes broke the architecture's own validation, so the pair was never built."""
    default = str(record.get("default", ""))
    return "cannot read the config" in default or "StrictDataclass" in default


def report(records: list[dict[str, Any]], seconds: float) -> str:
    records = [{**r, "status": "not built", "message": r["default"]} if _unreadable(r) else r
               for r in records]
    lines = [(f"{'Auto class':40} {'map':>4} {'built':>5} {'plain':>5} {'ok':>4} {'clean':>5} "
              f"{'bug':>4} {'crash':>5} {'dflt':>5}")]
    by_class: dict[str, list[dict]] = collections.defaultdict(list)
    for r in records:
        by_class[r["auto_class"]].append(r)
    totals = collections.Counter()
    for auto_class, rs in by_class.items():
        built = [r for r in rs if r["status"] != "not built"]
        plain = [r for r in built if r.get("plain") == "ok"]
        row = {"map": len(rs), "built": len(built), "plain": len(plain),
               "ok": sum(r["status"] == "ok" for r in plain),
               "clean": sum(r["status"] == "clean error" for r in plain),
               "bug": sum(r["status"] == "bug" for r in plain),
               "crash": sum(r["status"] == "crash" for r in built),
               "dflt": sum(bool(r.get("default_ok")) for r in built),
               "loadable": sum(not r.get("no_auto_class") for r in built)}
        totals.update(row)
        lines.append(f"{auto_class:40} {row['map']:>4} {row['built']:>5} {row['plain']:>5} "
                     f"{row['ok']:>4} {row['clean']:>5} {row['bug']:>4} {row['crash']:>5} "
                     f"{row['dflt']:>5}")
    t = totals
    lines.append(f"{'TOTAL':40} {t['map']:>4} {t['built']:>5} {t['plain']:>5} {t['ok']:>4} "
                 f"{t['clean']:>5} {t['bug']:>4} {t['crash']:>5} {t['dflt']:>5}")
    lines.append(f"explorer ok where plain transformers runs: {t['ok']}/{t['plain']} = "
                 f"{100 * t['ok'] / max(1, t['plain']):.1f} %; crashes (all built pairs): "
                 f"{t['crash']}; default task agrees: {t['dflt']}/{t['built']} = "
                 f"{100 * t['dflt'] / max(1, t['built']):.1f} %, and {t['dflt']}/{t['loadable']} = "
                 f"{100 * t['dflt'] / max(1, t['loadable']):.1f} % of the folders some Auto class can "
                 f"load; sweep took {seconds:.0f} s")
    failures = collections.Counter(
        _normalise(r.get("message", "")) for r in records
        if r.get("plain") == "ok" and r["status"] not in ("ok",) or r["status"] == "crash")
    lines.append("top failure messages (explorer, where plain runs):")
    lines += [f"  {n:>3}  {m}" for m, n in failures.most_common(15)]
    wrong = collections.Counter(f"{r['class']} → {r.get('default')}" for r in records
                                if "class" in r and r["status"] != "not built"
                                and not r.get("default_ok"))
    lines.append("default task differs from the saved class:")
    lines += [f"  {m}" for m, _ in wrong.most_common(15)]
    unbuilt = collections.Counter(_normalise(r["message"]) for r in records
                                  if r["status"] == "not built")
    lines.append("not built (top reasons):")
    lines += [f"  {n:>3}  {m}" for m, n in unbuilt.most_common(8)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sample", type=int, help="at most N model types per Auto class")
    parser.add_argument("--classes", help="comma-separated Auto classes (default: all runnable)")
    parser.add_argument("--types", help="comma-separated model types (default: all)")
    parser.add_argument("--timeout", type=float, default=90, help="seconds per pair")
    parser.add_argument("--json", help="write every record here (updated after each pair)")
    parser.add_argument("--report", help="print the table of a --json file and exit")
    parser.add_argument("--again", help="rerun only the pairs of a --json file where plain "
                        "transformers ran or the explorer crashed (a quick before/after)")
    parser.add_argument("--failed", help="rerun only the pairs of a --json file that plain "
                        "transformers ran and the explorer did not, or that crashed")
    args = parser.parse_args(argv)
    if args.report:
        print(report(json.loads(Path(args.report).read_text()), float("nan")))
        return 0
    # Imported once before forking, so workers start warm; librosa's lazy loader also breaks
    # when first used inside a forked worker.
    import librosa.core.audio  # noqa: F401
    import torch  # noqa: F401
    import transformers  # noqa: F401

    import explorer  # noqa: F401

    todo = pairs(args.classes.split(",") if args.classes else None, args.sample)
    if args.types:
        todo = [p for p in todo if p[1] in args.types.split(",")]
    if args.again:
        earlier = json.loads(Path(args.again).read_text())
        wanted = {(r["auto_class"], r["model_type"]) for r in earlier
                  if r.get("plain") == "ok" or r["status"] == "crash"}
        todo = [p for p in todo if p in wanted]
    if args.failed:
        earlier = json.loads(Path(args.failed).read_text())
        wanted = {(r["auto_class"], r["model_type"]) for r in earlier
                  if r.get("plain") == "ok" and r["status"] != "ok" or r["status"] == "crash"}
        todo = [p for p in todo if p in wanted]
    started = time.perf_counter()
    records = sweep(todo, args.timeout, Path(args.json) if args.json else None)
    seconds = time.perf_counter() - started
    print(report(records, seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
