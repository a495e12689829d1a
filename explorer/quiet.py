"""Keep transformers' own logging and progress bars out of the explorer's output: the explorer
reports what matters (load report, notes) itself, and `--json` output must stay one document."""

from __future__ import annotations


def quiet_transformers() -> None:
    from transformers.utils import logging

    from explorer.hub import one_line_per_retry

    logging.set_verbosity_error()
    logging.disable_progress_bar()
    one_line_per_retry()
