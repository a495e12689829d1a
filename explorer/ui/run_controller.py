"""Panel 5: the Run button, step-by-step progress, and one-line errors.

A run happens in a worker thread so the kernel keeps answering the page (progress updates, clicks).
Clicks that arrive while a run is in flight are ignored: ``busy`` is set before the thread starts,
and the buttons are disabled until it ends. Every exception becomes one line (``explain``) in the
status line of the section that asked for the work (``submit(..., status=...)``). ``blocked`` holds
why Run cannot start (e.g. no usable checkpoint): Run stays disabled with that reason as its tooltip.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable
from typing import Any

import ipywidgets as w
from traitlets import Bool, HasTraits, Int, Unicode

from explorer.ui.runs import STEPS, one_line
from explorer.ui.style import message

log = logging.getLogger("explorer.ui")

Job = Callable[[Callable[[int, str], None]], Any]
"""``job(step)`` does the work and reports progress with ``step(index, name)``."""


class RunController(HasTraits):
    busy = Bool(False)
    runs = Int(0)
    """Runs started so far (shown in the status line)."""
    error = Unicode("")
    """The last run's one-line error ("" when it succeeded)."""
    blocked = Unicode("")
    """Why Run cannot start now ("" when it can)."""

    def __init__(self, threaded: bool = True,
                 explain: Callable[[BaseException], str] = one_line) -> None:
        super().__init__()
        self.threaded = threaded
        self.explain = explain
        self.button = w.Button(description="Run", icon="play", button_style="primary",
                               tooltip="Resolve, load and run the checkpoint on the input")
        self.button.add_class("ae-run")
        self.progress = w.IntProgress(value=0, min=0, max=len(STEPS), bar_style="info",
                                      layout=w.Layout(width="180px", display="none"))
        self.status = w.HTML()
        self.status.add_class("ae-run-status")
        self.last_traceback = ""
        """The full traceback of the last unexpected error, for debugging (never shown)."""
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._guarded: list[w.Button] = [self.button]
        self._blockable: list[w.Button] = [self.button]
        self._tooltips = {id(self.button): self.button.tooltip}
        self._status = self.status
        self.observe(self._on_busy_change, "busy")
        self.observe(self._on_busy_change, "blocked")

    def guard(self, *buttons: w.Button, blockable: bool = False) -> None:
        """Disable these buttons too while a run is in flight (and, when ``blockable``, while
        ``blocked`` says why nothing can run)."""
        self._guarded += list(buttons)
        if blockable:
            self._blockable += list(buttons)
            self._tooltips.update({id(b): b.tooltip for b in buttons})

    def submit(self, job: Job, on_done: Callable[[Any], str | None], label: str = "run",
               status: w.HTML | None = None) -> bool:
        """Start ``job`` unless one is in flight; ``on_done(outcome)`` gets its return value and
        may return a line to show instead of "finished". Progress and errors go to ``status``
        (default: the Run section's). Returns False (and does nothing) when busy."""
        with self._lock:
            if self.busy:
                return False
            self.busy = True
        self.runs += 1
        self.error = ""
        number = self.runs
        self._status = status or self.status
        if self.threaded:
            self._thread = threading.Thread(target=self._work, args=(job, on_done, number, label),
                                            daemon=True, name=f"explorer-run-{number}")
            self._thread.start()
        else:
            self._work(job, on_done, number, label)
        return True

    def wait(self, timeout: float | None = 120) -> None:
        """Block until the run in flight (if any) is over (tests, scripts)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    def fail(self, text: str, status: w.HTML | None = None) -> None:
        """Show a one-line error without running anything (e.g. no checkpoint selected)."""
        self.error = text
        (status or self.status).value = message(text, "error")

    # ------------------------------------------------------------------ the worker

    def _work(self, job: Job, on_done: Callable[[Any], str | None], number: int, label: str) -> None:
        import time

        started = time.perf_counter()
        status = self._status
        try:
            outcome = job(self._step)
            note = on_done(outcome)
            seconds = time.perf_counter() - started
            done = f"{label} #{number} finished in {seconds:.2f} s"
            status.value = message(f"{done}; {note}" if note else done, "info" if note else "done")
        except BaseException as exc:  # noqa: BLE001 - every failure must become one line
            self.last_traceback = traceback.format_exc()
            log.debug("run %s failed:\n%s", number, self.last_traceback)
            self.error = self.explain(exc)
            status.value = message(self.error, "error")
        finally:
            self.busy = False

    def _step(self, index: int, name: str) -> None:
        self.progress.value = index
        self._status.value = message(f"{name}…", "busy")

    def _on_busy_change(self, _change: dict) -> None:
        for button in self._guarded:
            button.disabled = self.busy or (button in self._blockable and bool(self.blocked))
        for button in self._blockable:
            button.tooltip = self.blocked or self._tooltips[id(button)]
        self.progress.layout.display = "" if self.busy else "none"
        if not self.busy:
            self.progress.value = 0
