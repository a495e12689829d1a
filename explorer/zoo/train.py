"""Retrain the toy checkpoints: ``python -m explorer.zoo.train [NAME ...] [--steps N]``.

Seeded and CPU-only unless CUDA is present; writes explorer/zoo/trained/ (see training.py).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from explorer.zoo.training import TRAINED_DIR, train, train_recipes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m explorer.zoo.train",
                                     description="train the toy-world checkpoints")
    parser.add_argument("names", nargs="*", help="recipes to train (default: all); "
                        f"known: {', '.join(r.name for r in train_recipes())}")
    parser.add_argument("--steps", type=int, default=None, help="override each recipe's steps")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=TRAINED_DIR)
    args = parser.parse_args(argv)
    entries = train(args.names or None, seed=args.seed, steps=args.steps, out=args.out)
    for name in args.names or sorted(entries):
        entry = entries[name]
        value = entry["metrics"][entry["headline"]]
        mark = "ok" if value >= entry["target"] else "BELOW TARGET"
        print(f"{name:32} {entry['architecture']:40} {entry['headline']} {value:.3f} "
              f"(target {entry['target']}) {mark}  {entry['steps']} steps {entry['seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
