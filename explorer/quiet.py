"""Keep transformers' own logging and progress bars out of the explorer's output: the explorer
reports what matters (load report, notes) itself, and `--json` output must stay one document."""

from __future__ import annotations


def quiet_transformers() -> None:
    from transformers.utils import logging

    logging.set_verbosity_error()
    logging.disable_progress_bar()
