"""Benchmarks that print figures (not timed tests): explorer vs hand-written transformers code.

    python benchmarks/bench.py [--repeat N]

For a few zoo checkpoints and the real MiniLM it prints, in the same run:
- warm ``explorer.run`` / hand-written transformers code for the same input (model already loaded),
- cached re-run / cold run (the LRU cache saves the load),
- ``import explorer`` / ``import transformers`` wall time (fresh interpreters).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def best(fn: Callable[[], Any], repeat: int) -> float:
    """Median seconds of ``repeat`` calls after one warm-up."""
    fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def hand_written(path: str, task: str, kwargs: dict) -> Callable[[], Any]:
    """What a user would write with plain transformers for the same input."""
    import torch
    import transformers
    from PIL import Image

    auto = getattr(transformers, task)
    model = auto.from_pretrained(path).eval()
    if task == "AutoModelForImageClassification":
        processor = transformers.AutoImageProcessor.from_pretrained(path)
        image = Image.open(kwargs["image"]).convert("RGB")

        def call() -> Any:
            with torch.inference_mode():
                logits = model(**processor(images=image, return_tensors="pt")).logits
            return logits.softmax(-1).topk(min(5, logits.shape[-1]))
        return call
    tokenizer = transformers.AutoTokenizer.from_pretrained(path)
    if task == "AutoModel":
        def call() -> Any:
            batch = tokenizer(kwargs["text"], padding=True, truncation=True, return_tensors="pt")
            with torch.inference_mode():
                hidden = model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1)
            return (hidden * mask).sum(1) / mask.sum(1)
        return call
    if task == "AutoModelForMaskedLM":
        def call() -> Any:
            batch = tokenizer(kwargs["text"], return_tensors="pt")
            with torch.inference_mode():
                logits = model(**batch).logits
            position = (batch["input_ids"][0] == tokenizer.mask_token_id).nonzero()[0, 0]
            return logits[0, position].softmax(-1).topk(5)
        return call

    def call() -> Any:  # sequence classification
        with torch.inference_mode():
            logits = model(**tokenizer(kwargs["text"], truncation=True, return_tensors="pt")).logits
        return logits.softmax(-1).topk(min(5, logits.shape[-1]))
    return call


def import_time(module: str, repeat: int = 3) -> float:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout) for _ in range(repeat)]
    return min(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    import torch

    import explorer
    from explorer.loading import clear_cache
    from explorer.zoo import example_kwargs

    torch.set_num_threads(1)  # steadier timings on a shared 2-core machine
    zoo = Path(os.environ.get("EXPLORER_ZOO") or tempfile.mkdtemp(prefix="bench-zoo-"))
    manifest = explorer.build_zoo(zoo)["entries"]
    cases = [n for n in ("text-classification", "fill-mask", "image-classification",
                         "all-MiniLM-L6-v2") if n in manifest]

    print(f"torch {torch.__version__}, {torch.get_num_threads()} thread(s), repeat={args.repeat}")
    print(f"{'checkpoint':24} {'explorer ms':>12} {'plain ms':>10} {'ratio':>7} "
          f"{'cached ms':>10} {'cold ms':>9} {'cached/cold':>12}")
    for name in cases:
        entry = manifest[name]
        path, task = str(zoo / name), entry["auto_class"]
        kwargs = example_kwargs(entry["example"])
        ours = best(lambda: explorer.run(path, task, **kwargs), args.repeat)
        plain = best(hand_written(path, task, kwargs), args.repeat)

        def cold() -> Any:
            clear_cache()
            return explorer.run(path, task, **kwargs)
        cold_s = best(cold, max(3, args.repeat // 4))
        print(f"{name:24} {ours * 1e3:12.2f} {plain * 1e3:10.2f} {ours / plain:7.2f} "
              f"{ours * 1e3:10.2f} {cold_s * 1e3:9.1f} {ours / cold_s:12.3f}")

    ex, tr = import_time("explorer"), import_time("transformers")
    print(f"import explorer {ex * 1e3:.0f} ms / import transformers {tr * 1e3:.0f} ms "
          f"= {ex / tr:.3f}")


if __name__ == "__main__":
    main()
