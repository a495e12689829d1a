"""One run as data: what the panels ask (``RunRequest``) and what comes back (``RunOutcome``).

``execute`` only calls the explorer API (make_inputs → resolve → load → run_loaded → render), so
it is the same path a notebook user takes; the widgets just collect a request and show the
outcome.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

STEPS = ("reading the inputs", "resolving the classes", "loading the model", "running",
         "rendering")


@dataclass(frozen=True)
class RunRequest:
    """Everything a run needs, as the panels collected it."""

    checkpoint: str
    task: str
    inputs: dict[str, Any] = field(default_factory=dict)
    """``explorer.make_inputs`` keywords (file inputs are paths)."""
    options: dict[str, Any] = field(default_factory=dict)
    """Run options that apply to the task (top_k, threshold, ...)."""
    load: dict[str, Any] = field(default_factory=dict)
    """``explorer.load`` keywords: ``LoadOptions`` fields (dtype, device, revision, device_map,
    max_memory, offload_folder, quantization) and output_attentions."""

    def with_checkpoint(self, checkpoint: str) -> RunRequest:
        return replace(self, checkpoint=checkpoint)


@dataclass(frozen=True)
class RunOutcome:
    request: RunRequest
    loaded: Any
    """The ``explorer.Loaded`` (resolution, load report)."""
    result: Any
    html: str
    """The rendered view (``explorer.render.to_html``)."""
    seconds: float


def load_kwargs(request: RunRequest) -> dict[str, Any]:
    """``explorer.load`` keywords: the load options, attentions as a config override."""
    kwargs = {k: v for k, v in request.load.items() if v not in (None, "")}
    if not kwargs.pop("output_attentions", False):
        return kwargs
    return {**kwargs, "output_attentions": True}


def result_html(result: Any) -> str:
    """The rendered result view (self-contained HTML: figures inline, no scripts)."""
    from explorer.render import to_html

    return to_html(result)


def execute(request: RunRequest, step: Callable[[int, str], None] | None = None) -> RunOutcome:
    """Run ``request`` through the explorer API, reporting each step as ``step(index, name)``."""
    import explorer

    step = step or (lambda index, name: None)
    started = time.perf_counter()
    step(0, STEPS[0])
    inputs = explorer.make_inputs(**request.inputs)
    step(1, STEPS[1])
    revision = request.load.get("revision") or None
    explorer.resolve(request.checkpoint, request.task, revision=revision)
    step(2, STEPS[2])
    loaded = explorer.load(request.checkpoint, request.task, **load_kwargs(request))
    step(3, STEPS[3])
    result = explorer.run_loaded(loaded, inputs, request.options)
    step(4, STEPS[4])
    html = result_html(result)
    return RunOutcome(request, loaded, result, html, time.perf_counter() - started)


def one_line(exc: BaseException) -> str:
    """What the panel shows for an error: the explorer's own line, or the first line of anything
    else (never a traceback)."""
    from explorer.errors import ExplorerError

    if isinstance(exc, ExplorerError):
        return " ".join(str(exc).split())
    first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"unexpected error ({type(exc).__name__}{': ' + first[:300] if first else ''})"
