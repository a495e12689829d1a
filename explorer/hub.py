"""Can the Hugging Face hub be reached? One bounded probe, remembered for a minute.

Without a network, huggingface_hub retries each request with back-off (about a minute and a
dozen log lines per call); asking this first lets the explorer fail in one line within seconds,
without switching the hub off for the whole process.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
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

    endpoint = urlparse(constants.ENDPOINT)
    host = endpoint.hostname or "huggingface.co"
    port = endpoint.port or (80 if endpoint.scheme == "http" else 443)
    cached = _PROBE.get(host)
    if cached and time.monotonic() - cached[0] < _PROBE_SECONDS:
        return cached[1]
    answer: list[bool] = []

    def probe() -> None:
        try:
            socket.create_connection((host, port), timeout=timeout).close()
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


def mark_unreachable() -> None:
    """Remember (for a minute) that the hub failed a request: later steps read the cache only."""
    from huggingface_hub import constants

    _PROBE[urlparse(constants.ENDPOINT).hostname or "huggingface.co"] = (time.monotonic(), False)


def network_failure(exc: BaseException) -> str | None:
    """A one-line reason when ``exc`` is the hub failing (timeout, dropped connection, HTTP 408 /
    429 / 5xx, after huggingface_hub's retries); None when the hub answered (missing file, gated
    repo, ...)."""
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    seen: BaseException | None = exc
    while seen is not None:
        # By name: huggingface_hub 1.x raises httpx's classes, 2.x httpx2's (same names).
        kinds = {kind.__name__ for kind in type(seen).__mro__}
        if "TimeoutException" in kinds:
            return "the hub did not answer in time"
        if kinds & {"NetworkError", "RemoteProtocolError"}:
            return f"the connection to the hub failed ({type(seen).__name__})"
        if isinstance(seen, HfHubHTTPError) and seen.response is not None:
            code = seen.response.status_code
            if code in (408, 429) or code >= 500:
                return f"the hub answered HTTP {code}"
        seen = seen.__cause__ or seen.__context__
    # The request failed and nothing is cached; with the hub switched off, the file is simply
    # not in the cache (an optional file this checkpoint does not have).
    if isinstance(exc, LocalEntryNotFoundError) and not offline_forced():
        return "the hub could not be reached"
    return None


class _OneLinePerRetry(logging.Filter):
    """huggingface_hub logs two lines per retry (the error with the full URL, then "Retrying in
    Ns [Retry i/n]"): keep one, saying what failed and when the next try comes."""

    def __init__(self) -> None:
        super().__init__()
        self.failure = "the request failed"

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        thrown = re.match(r"(?:HTTP Error (\d+)|'(.*)') thrown while requesting (\w+) (\S+)",
                          message, re.S)
        if thrown:
            code, error, _, url = thrown.groups()
            what = f"HTTP {code}" if code else (error.strip() or "no answer").splitlines()[0]
            self.failure = f"hub request for {_short_url(url)} failed ({what})"
            return False
        retry = re.search(r"(Waiting|Retrying in) ([\d.]+)s.*\[Retry (\d+)/(\d+)\]", message)
        if retry:
            _, wait, tried, most = retry.groups()
            record.msg, record.args = (f"{self.failure}; retry {tried}/{most} in "
                                       f"{float(wait):g} s"), ()
        return True


def _short_url(url: str) -> str:
    """``org/name/config.json`` for a hub file URL (the endpoint and revision dropped)."""
    path = urlparse(url).path.strip("/")
    repo, _, rest = path.partition("/resolve/")
    return f"{repo}/{rest.partition('/')[2]}" if rest else path


@contextmanager
def one_line_per_retry() -> Iterator[None]:
    """Inside the block, huggingface_hub's retry messages are one clear line per retry (a nested
    block reuses the filter already on)."""
    logger = logging.getLogger("huggingface_hub.utils._http")
    if any(isinstance(f, _OneLinePerRetry) for f in logger.filters):
        yield
        return
    added = _OneLinePerRetry()
    logger.addFilter(added)
    try:
        yield
    finally:
        logger.removeFilter(added)
