"""User-facing errors: each carries one line that says what went wrong and what to do.

The CLI prints ``error: <message>`` and exits 2; the widgets show the message in the panel.
Anything that is *not* an ``ExplorerError`` is a bug in the explorer.
"""

from __future__ import annotations


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
    """The estimated memory needed is over the configured budget."""


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
