"""The interactive explorer: ipywidgets panels for notebooks and the Voila dashboard.

    import explorer
    explorer.app()                                   # the whole app, in a notebook cell
    explorer.app(task="fill-mask")                   # start on a task
    explorer.app(checkpoint="zoo:object-detection")  # ... or with a checkpoint

Modules: ``catalog_panel`` (category → tasks), ``checkpoint_panel`` + ``checkpoints`` (which
checkpoints can serve the task), ``options_panel``, ``inputs_panel``, ``run_controller`` (Run,
progress, one-line errors), ``result_tabs``, ``compare``; ``layout`` places them and
``application`` wires them. Model work happens only through the explorer API (``runs.execute``).
``kernels`` is the kernel manager voila.json gives Voila (preheated kernels, culling).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from explorer.ui.application import ExplorerApp


def app(category: str | None = None, task: str | None = None, checkpoint: str | None = None,
        **kwargs: Any) -> ExplorerApp:
    """The explorer dashboard: pick a category, task, checkpoint and input; run; compare.

    ``task`` (a hub tag or Auto class) and ``checkpoint`` (a zoo name, hub id or local folder)
    preselect; with neither it opens on the first NLP task and its zoo checkpoint.
    """
    from explorer.ui.application import ExplorerApp

    if task is None and checkpoint is not None:
        task = _task_of(checkpoint)
    return ExplorerApp(category=category, task=task, checkpoint=checkpoint, **kwargs)


def _task_of(checkpoint: str) -> str | None:
    """The task a checkpoint was saved for, when it can be found without the network."""
    from explorer.errors import ExplorerError
    from explorer.resolution import resolve

    try:
        return resolve(checkpoint).auto_class
    except ExplorerError:
        return None


__all__ = ["app"]
