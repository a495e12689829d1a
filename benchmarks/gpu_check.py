"""GPU check: dtypes on CUDA agree with CPU float32, ``explorer.run`` against hand-written
transformers code on the same GPU, and a checkpoint larger than a ``max_memory`` cap split across
GPU + CPU.

    python benchmarks/gpu_check.py [--repeats 50] [--json out.json]

Never a test dependency: on a machine without CUDA it prints "no CUDA device" and exits 0. Exit 1
when a check fails (results disagree, or the timing is over the 1.1× goal).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

# Zoo entries whose results are labels with scores (or token candidates).
ZOO = ("text-classification", "token-classification", "fill-mask", "image-classification",
       "audio-classification", "zero-shot-image-classification")
DTYPES = ("float32", "float16", "bfloat16")
TOLERANCE = {"float32": 1e-4, "float16": 1e-2, "bfloat16": 3e-2}
"""Largest score difference allowed against CPU float32 (probabilities)."""
GOAL = 1.1
"""explorer.run may take at most this times the hand-written code's time."""
TEXT = ("the explorer should not add more than a tenth to what the model itself costs, "
        "so this sentence is long enough for the forward pass to matter")


def summary(result: Any) -> dict[str, list]:
    """Labels in order and their scores, whatever the result type."""
    data = result.to_dict()
    rows = data.get("labels") or data.get("candidates") or data.get("entities") or []
    return {"labels": [r.get("label", r.get("token")) for r in rows],
            "scores": [float(r["score"]) for r in rows]}


def agree(cpu: dict[str, list], other: dict[str, list], tolerance: float) -> bool:
    """Same scores per label within ``tolerance``, and the same best label unless the CPU's two
    best were closer than the tolerance (a near-tie may flip at lower precision)."""
    if set(cpu["labels"]) != set(other["labels"]) or not cpu["labels"]:
        return cpu["labels"] == other["labels"]
    theirs = dict(zip(other["labels"], other["scores"]))
    if any(abs(score - theirs[label]) > tolerance
           for label, score in zip(cpu["labels"], cpu["scores"])):
        return False
    near_tie = len(cpu["scores"]) > 1 and cpu["scores"][0] - cpu["scores"][1] < tolerance
    return near_tie or cpu["labels"][0] == other["labels"][0]


def best_of(fn: Callable[[], Any], repeats: int) -> float:
    """Median seconds of ``fn`` after two warm-up calls (the result is read back to the CPU by
    ``fn`` itself, which synchronises the GPU)."""
    fn(), fn()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return sorted(times)[len(times) // 2]


def check_dtypes(zoo: Path) -> list[dict[str, Any]]:
    import explorer

    manifest = json.loads((zoo / "zoo.json").read_text())["entries"]
    from explorer.zoo import example_kwargs

    rows = []
    for name in ZOO:
        if name not in manifest:
            continue
        kwargs = example_kwargs(manifest[name]["example"])
        cpu = summary(explorer.run(f"zoo:{name}", name, device="cpu", dtype="float32", **kwargs))
        for dtype in DTYPES:
            try:
                got = summary(explorer.run(f"zoo:{name}", name, device="cuda", dtype=dtype,
                                           **kwargs))
                ok = agree(cpu, got, TOLERANCE[dtype])
                diff = max((abs(a - dict(zip(got["labels"], got["scores"])).get(lab, 9))
                            for lab, a in zip(cpu["labels"], cpu["scores"])), default=0.0)
            except Exception as exc:  # noqa: BLE001 - report every failing pair, then go on
                ok, diff = False, f"{type(exc).__name__}: {str(exc)[:120]}"
            rows.append({"checkpoint": name, "dtype": dtype, "agree": ok, "max_diff": diff})
    return rows


def build_big(folder: Path) -> Path:
    """A ~200 MB BERT classifier (random weights) with a tokenizer."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification

    from explorer.zoo.common import bert_tokenizer

    config = BertConfig(hidden_size=768, num_hidden_layers=4, num_attention_heads=12,
                        intermediate_size=3072, vocab_size=30522, num_labels=3)
    torch.manual_seed(0)
    BertForSequenceClassification(config).save_pretrained(folder)
    bert_tokenizer(model_max_length=128).save_pretrained(folder)
    return folder


def check_speed(checkpoint: str, repeats: int) -> dict[str, Any]:
    """Warm ``explorer.run`` against the same model called by hand, both on cuda."""
    import torch
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    import explorer

    location = explorer.resolve(checkpoint).location
    tokenizer = AutoTokenizer.from_pretrained(location)
    model = AutoModelForSequenceClassification.from_pretrained(location).eval().to("cuda")

    def by_hand() -> Any:
        inputs = tokenizer(TEXT, truncation=True, return_tensors="pt").to("cuda")
        with torch.inference_mode():
            logits = model(**inputs).logits
        return logits.softmax(-1)[0].cpu().tolist()

    def with_explorer() -> Any:
        return explorer.run(checkpoint, "text-classification", text=TEXT, device="cuda")

    hand, ours = best_of(by_hand, repeats), best_of(with_explorer, repeats)
    return {"checkpoint": checkpoint, "hand_ms": hand * 1e3, "explorer_ms": ours * 1e3,
            "ratio": ours / hand, "goal": GOAL, "ok": ours / hand <= GOAL}


def check_split(checkpoint: str) -> dict[str, Any]:
    """Load with a GPU cap far below the model's size: modules go to GPU and CPU."""
    import explorer

    cpu = summary(explorer.run(checkpoint, text=TEXT, device="cpu", dtype="float32"))
    loaded = explorer.load(checkpoint, max_memory={0: "60MiB", "cpu": "4GiB"})
    split = summary(explorer.run(checkpoint, text=TEXT, max_memory={0: "60MiB", "cpu": "4GiB"}))
    devices = sorted({device for _, device, _ in loaded.report.placement})
    return {"checkpoint": checkpoint, "devices": devices,
            "on_gpu_mib": sum(s for _, d, s in loaded.report.placement if d.startswith("cuda"))
            / 2**20, "agree": agree(cpu, split, TOLERANCE["float32"]),
            "ok": "cuda:0" in devices and "cpu" in devices and agree(cpu, split, 1e-4)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--json", help="also write the results to this file")
    args = parser.parse_args(argv)
    import torch

    if not torch.cuda.is_available():
        print("no CUDA device: nothing to check (the script is ready for a machine with one)")
        return 0
    import os

    from explorer.zoo import build_zoo

    work = Path(tempfile.mkdtemp(prefix="gpu-check-"))
    os.environ["EXPLORER_ZOO"] = str(work / "zoo")
    build_zoo(work / "zoo", only=list(ZOO))
    big = str(build_big(work / "bert-200mb"))
    report = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__,
              "dtypes": check_dtypes(work / "zoo"),
              "speed": [check_speed("zoo:text-classification", args.repeats),
                        check_speed(big, args.repeats)],
              "split": check_split(big)}
    print(json.dumps(report, indent=2, default=str))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, default=str))
    failed = [r for r in report["dtypes"] if not r["agree"]]
    failed += [r for r in report["speed"][1:] if not r["ok"]]  # the tiny model is overhead only
    failed += [] if report["split"]["ok"] else [report["split"]]
    print(f"{len(failed)} check(s) failed" if failed else "all checks passed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
