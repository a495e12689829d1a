"""Keep transformers' own logging and progress bars out of the explorer's output: the explorer
reports what matters (load report, notes) itself, and `--json` output must stay one document.

Library code quiets only its own calls, ``with quiet_transformers(): ...``, and gives the caller's
logging settings back afterwards; a script may call ``quiet_transformers()`` bare to stay quiet
for the rest of the process.
"""

from __future__ import annotations

from types import TracebackType


class quiet_transformers:  # noqa: N801  (used like a function: a context manager)
    """transformers' verbosity at error level and its progress bars off, from now until the
    ``with`` block ends (then the settings before come back)."""

    def __init__(self) -> None:
        from transformers.utils import logging

        from explorer.hub import one_line_per_retry

        self._verbosity = logging.get_verbosity()
        self._bars = logging.is_progress_bar_enabled()
        logging.set_verbosity_error()
        logging.disable_progress_bar()
        self._retries = one_line_per_retry()
        self._retries.__enter__()

    def __enter__(self) -> quiet_transformers:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        from transformers.utils import logging

        logging.set_verbosity(self._verbosity)
        if self._bars:
            logging.enable_progress_bar()
        self._retries.__exit__(kind, error, trace)
