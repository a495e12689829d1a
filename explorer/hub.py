"""Can the Hugging Face hub be reached? One bounded probe, remembered for a minute.

Without a network, huggingface_hub retries each request with back-off (about a minute and a
dozen log lines per call); asking this first lets the explorer fail in one line within seconds,
without switching the hub off for the whole process.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from urllib.parse import urlparse

_PROBE: dict[str, tuple[float, bool]] = {}
_PROBE_SECONDS = 60.0


def offline_forced() -> bool:
    """True when the user switched the hub off (``HF_HUB_OFFLINE=1``)."""
    value = os.environ.get("HF_HUB_OFFLINE", "").strip().upper()
    if value in ("1", "ON", "YES", "TRUE"):
        return True
    try:
        from huggingface_hub import constants

        return bool(constants.HF_HUB_OFFLINE)
    except ImportError:
        return True


def hub_online(timeout: float = 1.5) -> bool:
    """Whether the hub can be reached: never when ``HF_HUB_OFFLINE=1``; else a TCP connection to
    the hub endpoint, bounded by ``timeout`` (DNS included) and remembered for a minute."""
    if offline_forced():
        return False
    from huggingface_hub import constants

    host = urlparse(constants.ENDPOINT).hostname or "huggingface.co"
    cached = _PROBE.get(host)
    if cached and time.monotonic() - cached[0] < _PROBE_SECONDS:
        return cached[1]
    answer: list[bool] = []

    def probe() -> None:
        try:
            socket.create_connection((host, 443), timeout=timeout).close()
            answer.append(True)
        except Exception:  # DNS failure, refused, firewalled, or a test's network guard
            answer.append(False)

    # getaddrinfo ignores socket timeouts; a daemon thread bounds the whole probe.
    thread = threading.Thread(target=probe, daemon=True)
    thread.start()
    thread.join(timeout + 0.5)
    online = bool(answer and answer[0])
    _PROBE[host] = (time.monotonic(), online)
    return online


def forget_probe() -> None:
    """Probe the hub again on the next ``hub_online()`` call."""
    _PROBE.clear()
