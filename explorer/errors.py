"""User-facing errors: each carries one line that says what went wrong and what to do.

The CLI prints ``error: <message>`` and exits 2; the widgets show the message in the panel.
An ``InternalError`` (or anything that is not an ``ExplorerError``) is a bug in the explorer:
its one line says so and where the full traceback was logged.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
import traceback
from pathlib import Path
from typing import Any


class ExplorerError(Exception):
    """Base class: the message is a single line meant for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(message.split()))


class UnknownTask(ExplorerError):
    """The task name is neither an Auto class nor a hub task tag we know."""


class IncompatibleTask(ExplorerError):
    """The checkpoint's config has no class registered for the requested Auto class."""


class CheckpointNotFound(ExplorerError):
    """No local directory, cache entry or reachable hub repo by that name."""


class UnsafeCheckpoint(ExplorerError):
    """Only pickle weights, or custom code that would have to be trusted."""


class OverBudget(ExplorerError):
    """The estimated memory needed is over the configured budget; ``offload`` holds the
    ``LoadOptions`` that would load it anyway (placing what does not fit on disk)."""

    def __init__(self, message: str, offload: Any = None) -> None:
        super().__init__(message)
        self.offload = offload


class BadInput(ExplorerError):
    """An input (image, audio, text, table, option) is missing or cannot be used."""


class MissingInput(BadInput):
    """The task needs input kinds that were not given (``kinds``, e.g. ``("text",)``), so a GUI
    can name its own fields instead of the CLI flags the message names."""

    def __init__(self, message: str, task: str = "", kinds: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.task, self.kinds = task, tuple(kinds)


class BadOption(BadInput):
    """A run option's value has the wrong type: ``option`` (its name), ``value`` and ``expected``
    (``"a whole number"``, ``"a number"``, ...), so a GUI can name its own control."""

    def __init__(self, option: str, value: object, expected: str) -> None:
        super().__init__(f"option {option}={value!r} should be {expected}")
        self.option, self.value, self.expected = option, value, expected


class NotRunnable(ExplorerError):
    """The catalog knows the Auto class but the explorer has no runner for it yet."""


class InternalError(ExplorerError):
    """The explorer failed on input it should handle: a bug, not the user's mistake.

    The message says so in one line and names the log file that keeps the full traceback.
    """

    def __init__(self, message: str, log_file: str | None = None) -> None:
        super().__init__(message)
        self.log_file = log_file


def missing_library(exc: BaseException, who: str) -> NotRunnable | None:
    """A ``NotRunnable`` naming the optional library ``who`` needs, when ``exc`` is transformers
    (or Python) saying one is not installed (post-processing that needs OpenCV, ...); else None."""
    if not isinstance(exc, ImportError):
        return None
    text = str(exc)
    named = re.search(r"requires the (.+?) librar(?:y|ies)", text)
    if named is None and not exc.name:
        return None
    library = named.group(1) if named else exc.name
    command = re.search(r"pip install ([\w.\-\[\]]+)", text)
    how = f"`pip install {command.group(1)}`" if command else "install it"
    return NotRunnable(f"{who} needs the {library} library, which is not installed here; {how} "
                       "and run again")


def log_dir() -> Path:
    """Where internal errors' tracebacks go: ``$EXPLORER_LOG_DIR``, else a folder in the system's
    temp directory (never the home folder, so tests and read-only homes are safe)."""
    default = Path(tempfile.gettempdir()) / "autoclass-explorer-logs"
    return Path(os.environ.get("EXPLORER_LOG_DIR") or default).expanduser()


def internal_error(action: str, exc: BaseException) -> InternalError:
    """An ``InternalError`` for ``exc`` (raised while the explorer did ``action``), its traceback
    appended to ``log_dir()/errors.log``. ``action`` reads like "run BertModel on zoo:fill-mask"."""
    text = str(exc).strip()
    first = text.splitlines()[0][:300] if text else ""
    where: str | None = None
    try:
        folder = log_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "errors.log"
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f"--- {time.strftime('%Y-%m-%d %H:%M:%S')} could not {action}\n")
            fh.write("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))
        where = str(path)
    except OSError:  # an unwritable log folder must not hide the error itself
        pass
    details = f"details in {where}" if where else "set EXPLORER_DEBUG=1 for the traceback"
    error = InternalError(f"the explorer could not {action}: {type(exc).__name__}"
                          f"{': ' + first if first else ''}; this is a bug — {details}",
                          log_file=where)
    error.__cause__ = exc
    return error
