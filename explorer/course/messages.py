"""Let transformers speak in a teaching cell: its warnings and LOAD REPORT are the lesson there,
whatever verbosity the rest of the kernel uses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def library_messages() -> Iterator[None]:
    """Show transformers' warnings (LOAD REPORT, deprecations) inside the ``with`` block, then put
    the previous verbosity back. Progress bars stay off: they carry no lesson."""
    from transformers.utils import logging

    before = logging.get_verbosity()
    logging.set_verbosity_warning()
    try:
        yield
    finally:
        logging.set_verbosity(before)
