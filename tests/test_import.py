"""`import explorer` stays cheap: torch and transformers load only when used."""

from __future__ import annotations

import subprocess
import sys


def test_import_explorer_does_not_import_torch_or_transformers() -> None:
    code = ("import sys, explorer; print('torch' in sys.modules, 'transformers' in sys.modules, "
            "callable(explorer.run))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False", "True"]


def test_public_names_resolve_lazily() -> None:
    import explorer

    for name in explorer.__all__:
        assert getattr(explorer, name) is not None


def test_listing_the_catalog_imports_no_runner_loader_or_torch() -> None:
    """The catalog is data: listing and looking up tasks loads no head, runner or loader."""
    code = ("import sys, explorer; explorer.tasks(); explorer.get_task('fill-mask'); "
            "print(sorted(m for m in sys.modules if m.startswith(('explorer.heads', "
            "'explorer.runner', 'explorer.loading', 'torch'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_every_runnable_task_has_its_registered_runner() -> None:
    """Each family's data (explorer/catalog/<family>.py) and runners (explorer/heads/<family>.py)
    name the same Auto classes."""
    import importlib

    from explorer.catalog import FAMILIES

    for family in FAMILIES:
        declared = {s.auto_class for s in importlib.import_module(f"explorer.catalog.{family}").SPECS}
        registered = [t.auto_class for t in importlib.import_module(f"explorer.heads.{family}").TASKS]
        assert declared == set(registered), family
        assert len(registered) == len(set(registered)), f"{family}: an Auto class registered twice"
    import explorer

    for spec in explorer.tasks():
        if spec.runner is not None:
            assert callable(spec.runner.resolve()), spec.auto_class


def test_resolving_and_loading_give_transformers_logging_back(zoo) -> None:  # type: ignore[no-untyped-def]
    """The explorer quiets transformers only around its own calls, not for the whole process."""
    from transformers.utils import logging

    import explorer

    before, bars = logging.get_verbosity(), logging.is_progress_bar_enabled()
    logging.set_verbosity_info()
    logging.enable_progress_bar()
    try:
        explorer.load(str(zoo / "text-classification"))
        assert logging.get_verbosity() == logging.INFO
        assert logging.is_progress_bar_enabled()
    finally:
        logging.set_verbosity(before)
        if not bars:
            logging.disable_progress_bar()
