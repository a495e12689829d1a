"""Test setup: offline, no network, and one demo zoo built per session.

Set EXPLORER_TEST_ZOO=/some/dir to reuse a zoo between runs while developing (entries that exist
are kept; delete the folder after changing a recipe).
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.setdefault("MPLBACKEND", "Agg")
# Tiny models run faster on one thread than on two contending ones (and so do subprocesses).
os.environ.setdefault("OMP_NUM_THREADS", "1")

_real_connect = socket.socket.connect


def _loopback_only(self: socket.socket, address) -> None:  # type: ignore[no-untyped-def]
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and (host in ("localhost", "::1") or host.startswith("127.")
                                  or self.family == socket.AF_UNIX):
        return _real_connect(self, address)
    raise RuntimeError(f"test tried to reach the network ({address!r}); tests must run offline")


socket.socket.connect = _loopback_only  # type: ignore[method-assign]

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def zoo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo zoo, built once per session; also exported as EXPLORER_ZOO for `zoo:<name>`."""
    from explorer.zoo import build_zoo

    root = Path(os.environ.get("EXPLORER_TEST_ZOO") or tmp_path_factory.mktemp("zoo"))
    build_zoo(root)
    os.environ["EXPLORER_ZOO"] = str(root)
    return root


@pytest.fixture(scope="session")
def manifest(zoo: Path) -> dict:
    import json

    return json.loads((zoo / "zoo.json").read_text())["entries"]


@pytest.fixture
def examples() -> Path:
    """Example inputs shipped with the package (images, audio, tables)."""
    return REPO / "explorer" / "examples"
