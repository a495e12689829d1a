"""The trained toy checkpoints' quality: the figures stored at training time, and the same
figures re-measured now on held-out data generated afresh from the same held-out seeds (never
the training seeds): a check that the committed weights still measure what the manifest says.

    python benchmarks/toy_quality.py [NAME ...] [--count N]

Generic over every training recipe (``explorer.zoo.training.train_recipes()``): a recipe with an
``evaluate`` hook is re-measured; one without shows its stored figures only.
"""

from __future__ import annotations

import argparse
import os
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main(argv: list[str] | None = None) -> int:
    from explorer.quiet import quiet_transformers
    from explorer.zoo.training import TRAINED_DIR, read_manifest, train_recipes

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="recipes to show (default: all committed)")
    parser.add_argument("--count", type=int, default=200, help="held-out examples to re-measure on")
    args = parser.parse_args(argv)
    quiet_transformers()
    manifest = read_manifest()
    below = 0
    print(f"{'checkpoint':32} {'architecture':34} {'steps':>6} {'train s':>8} {'KB':>6}  "
          f"{'metric':12} {'stored':>6} {'now':>6} {'target':>6}")
    for recipe in train_recipes():
        if (args.names and recipe.name not in args.names) or recipe.name not in manifest:
            continue
        entry = manifest[recipe.name]
        stored = entry["metrics"][recipe.headline]
        started = time.perf_counter()
        now = recipe.evaluate(TRAINED_DIR / recipe.name, args.count)[recipe.headline] \
            if recipe.evaluate else None
        seconds = time.perf_counter() - started
        figure = now if now is not None else stored
        below += figure < recipe.target
        shown = f"{now:6.3f}" if now is not None else "     -"
        print(f"{recipe.name:32} {entry['architecture']:34} {entry['steps']:6d} "
              f"{entry['seconds']:8.1f} {entry['bytes'] / 1024:6.0f}  {recipe.headline:12} "
              f"{stored:6.3f} {shown} {recipe.target:6.2f}"
              f"{'  BELOW TARGET' if figure < recipe.target else ''}  ({seconds:.1f} s)")
    missing = [r.name for r in train_recipes() if r.name not in manifest]
    if missing:
        print(f"not trained yet: {', '.join(missing)}")
    return 1 if below else 0


if __name__ == "__main__":
    raise SystemExit(main())
