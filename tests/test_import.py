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
