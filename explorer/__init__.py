"""AutoClass Explorer: see what the transformers Auto classes do.

    import explorer
    explorer.tasks()                                  # the catalog
    explorer.resolve("path/or/hub-id")                # what it is, which classes apply, and why
    explorer.run("path/or/hub-id", task="object-detection", image="cat.jpg")
    explorer.estimate("path/or/hub-id")               # memory per dtype, before loading

Importing this package is cheap: torch and transformers load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> module that defines it (loaded on first attribute access)
_LAZY = {
    "tasks": "explorer.catalog",
    "get_task": "explorer.catalog",
    "TaskSpec": "explorer.catalog",
    "CATEGORIES": "explorer.catalog",
    "resolve": "explorer.resolution",
    "Resolution": "explorer.resolution",
    "load": "explorer.loading",
    "Loaded": "explorer.loading",
    "LoadReport": "explorer.loading",
    "clear_cache": "explorer.loading",
    "LoadOptions": "explorer.load_options",
    "estimate": "explorer.memory",
    "MemoryEstimate": "explorer.memory",
    "run": "explorer.runner",
    "run_loaded": "explorer.runner",
    "make_inputs": "explorer.inputs",
    "Inputs": "explorer.inputs",
    "build_zoo": "explorer.zoo",
    "ExplorerError": "explorer.errors",
    "app": "explorer.ui",
}

__all__ = sorted(_LAZY)

if TYPE_CHECKING:
    from explorer.catalog import CATEGORIES, TaskSpec, get_task, tasks
    from explorer.errors import ExplorerError
    from explorer.inputs import Inputs, make_inputs
    from explorer.load_options import LoadOptions
    from explorer.loading import Loaded, LoadReport, clear_cache, load
    from explorer.memory import MemoryEstimate, estimate
    from explorer.resolution import Resolution, resolve
    from explorer.runner import run, run_loaded
    from explorer.ui import app
    from explorer.zoo import build_zoo


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'explorer' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
