"""Trained toy checkpoints: recipes that teach a tiny model the toy world, and where they live.

A ``TrainRecipe`` trains one tiny model through the real Auto classes and ``save_pretrained``,
then measures it on freshly generated held-out data (a different seed than training). The trained
folders are committed under ``explorer/zoo/trained/<name>/`` with a ``manifest.json`` (task,
architecture, steps, seed, seconds, quality figures); ``explorer zoo`` copies them instead of
building the random recipe of the same name. Retrain with::

    python -m explorer.zoo.train [NAME ...] [--steps N] [--seed S] [--out DIR]

Recipes live in the modules named by ``TRAIN_MODULES``; each exposes ``TRAIN_RECIPES``.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

TOY_KEY = "explorer_toy"
"""Config attribute of a trained toy checkpoint: ``{"world", "headline", "metrics", "steps",
"seed"}``; results and views show its headline instead of a random-weights badge."""
TRAINED_DIR = Path(__file__).resolve().parent / "trained"
TRAINED_MANIFEST = "manifest.json"
TRAIN_MODULES = (
    "explorer.zoo.train_vision",
    "explorer.zoo.train_text",
    "explorer.zoo.train_audio",
    "explorer.zoo.train_multimodal",
    "explorer.zoo.train_zero_shot_detection",
    "explorer.zoo.train_masks",
    "explorer.zoo.train_documents",
    "explorer.zoo.train_instances",
    "explorer.zoo.train_captions",
)

Progress = Callable[[int, int], None]
"""``progress(done, total)``: called by a recipe as its training steps advance."""


@dataclass(frozen=True)
class TrainOutcome:
    """What a recipe's training reports: the steps it took and its held-out quality figures."""

    steps: int
    metrics: dict[str, float]


class TrainFunction(Protocol):
    def __call__(self, out: Path, *, seed: int, steps: int | None,
                 progress: Progress) -> TrainOutcome:
        """Train, ``save_pretrained`` model and preprocessor(s) into ``out``, evaluate on held-out
        data generated with another seed, and report. ``steps=None`` means the recipe's default;
        a small number (the tests use a handful) must still save a loadable checkpoint."""
        ...


@dataclass(frozen=True)
class TrainRecipe:
    """How to train one toy checkpoint."""

    name: str
    """Zoo name (``zoo:<name>``): the hub task tag for a task's default checkpoint; a second
    architecture for the same task gets its own name (``object-detection-yolos``)."""
    auto_class: str
    train: TrainFunction = field(repr=False)
    world: str
    """Which toy world it learned: ``shapes``, ``text`` or ``speech``."""
    headline: str
    """The metric key shown on results, e.g. ``recall@0.5``."""
    describe: str
    """How the headline reads, e.g. ``box recall at IoU 0.5 on held-out scenes``."""
    target: float
    """The quality the tests and the benchmark hold the headline to."""
    summary: str = ""
    example: dict | None = None
    """Inputs for a good first run (``explorer.run`` keywords; files in explorer/examples)."""
    evaluate: Callable[[Path, int], dict[str, float]] | None = field(default=None, repr=False)
    """``evaluate(directory, count)``: re-measures a saved checkpoint on ``count`` freshly
    generated held-out examples (the figures of ``TrainOutcome.metrics``); what the tests and
    ``benchmarks/toy_quality.py`` call."""


def train_recipes() -> list[TrainRecipe]:
    import importlib

    found: list[TrainRecipe] = []
    for module in TRAIN_MODULES:
        try:
            found += importlib.import_module(module).TRAIN_RECIPES
        except ModuleNotFoundError as exc:
            if exc.name != module:  # a recipe module that exists but fails to import is a bug
                raise
    return found


def headline_text(recipe: TrainRecipe, metrics: dict[str, float]) -> str:
    return (f"toy model, trained on the {recipe.world} world "
            f"({recipe.describe} {metrics[recipe.headline]:.2f})")


def mark_trained(directory: Path, recipe: TrainRecipe, outcome: TrainOutcome, seed: int) -> None:
    """Write the toy facts into the saved ``config.json`` (what resolve() reads)."""
    path = directory / "config.json"
    config = json.loads(path.read_text())
    config.pop("explorer_random_weights", None)
    config[TOY_KEY] = {"world": recipe.world, "headline": headline_text(recipe, outcome.metrics),
                       "metrics": outcome.metrics, "steps": outcome.steps, "seed": seed}
    path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")


def read_manifest(directory: Path = TRAINED_DIR) -> dict[str, dict]:
    path = directory / TRAINED_MANIFEST
    return json.loads(path.read_text())["entries"] if path.is_file() else {}


def train(names: list[str] | None = None, *, seed: int = 0, steps: int | None = None,
          out: Path = TRAINED_DIR, show_progress: bool = True) -> dict[str, dict]:
    """Train the named recipes (all by default) into ``out`` and update its manifest."""
    from tqdm.auto import tqdm

    from explorer.errors import ExplorerError

    recipes = train_recipes()
    wanted = [r for r in recipes if not names or r.name in names]
    unknown = sorted(set(names or ()) - {r.name for r in wanted})
    if unknown:
        raise ExplorerError(f"no training recipe named {', '.join(unknown)}; known: "
                            f"{', '.join(r.name for r in recipes)}")
    out.mkdir(parents=True, exist_ok=True)
    entries = read_manifest(out)
    for recipe in wanted:
        bar = tqdm(desc=recipe.name, unit="step", disable=not show_progress)

        def progress(done: int, total: int, bar: tqdm = bar) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        tmp = out / f".{recipe.name}.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        started = time.perf_counter()
        outcome = recipe.train(tmp, seed=seed, steps=steps, progress=progress)
        seconds = time.perf_counter() - started
        bar.close()
        mark_trained(tmp, recipe, outcome, seed)
        target = out / recipe.name
        shutil.rmtree(target, ignore_errors=True)
        tmp.rename(target)
        architecture = json.loads((target / "config.json").read_text())["architectures"][0]
        entries[recipe.name] = {
            "auto_class": recipe.auto_class, "architecture": architecture, "world": recipe.world,
            "steps": outcome.steps, "seed": seed, "seconds": round(seconds, 1),
            "metrics": outcome.metrics, "headline": recipe.headline, "target": recipe.target,
            "summary": recipe.summary, "example": recipe.example or {},
            "bytes": sum(f.stat().st_size for f in target.iterdir()),
        }
        (out / TRAINED_MANIFEST).write_text(
            json.dumps({"entries": dict(sorted(entries.items()))}, indent=2) + "\n")
    return entries
