"""Time to interactive of the Voila dashboard against a bare ipywidgets page, in a real browser.

    python benchmarks/bench_ui.py [--loads 3] [--zoo DIR]      (make bench-ui)

Two Voila servers start side by side, both from the repository root so both read the shipped
voila.json (preheated kernels, culling): one serves notebooks/dashboard.ipynb, the other a notebook
with one ipywidgets button. Debian's chromium (Playwright) then loads each page ``--loads`` times,
alternately, each load on an idle machine (every kernel quiet), and prints the median time to
interactive of each and their ratio. It also prints the resident memory of a dashboard kernel
(idle, then after one Run) and how many of the dashboard's kernels are alive once the pages are
closed and culled (culling shortened to a few seconds here).

The helpers (``voila``, ``kernel_pids``, ``rss_mb``, ``wait_quiet``) serve tests/test_dashboard_browser.py too.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DASHBOARD = REPO / "notebooks" / "dashboard.ipynb"
CHROMIUM = Path("/usr/bin/chromium")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"]
# Culling shortened so a run of the benchmark (or a test) sees it; the rest is voila.json.
SHORT_CULL = ["--MappingKernelManager.cull_idle_timeout=15",
              "--MappingKernelManager.cull_interval=2"]
DASHBOARD_READY = ("button.ae-task.ae-selected", "button.ae-run:not([disabled])")
BARE_READY = ("button.widget-button:not([disabled])",)
PAGE_TIMEOUT_MS = 300_000


# ---------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def wait_listening(port: int, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    """Wait until the server ``proc`` (logging to ``log``) accepts connections on ``port``."""
    deadline = time.monotonic() + timeout
    while not _listening(port):
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"the server did not start: {log.read_text()[-2000:]}")
        time.sleep(0.2)


@contextmanager
def voila(notebook: Path, env: dict[str, str], log: Path,
          extra: tuple[str, ...] = ()) -> Iterator[tuple[str, int]]:
    """Voila serving ``notebook`` from the repository root (so it reads voila.json); yields
    ``(url, pid)``."""
    port = free_port()
    cmd = [sys.executable, "-m", "voila", str(notebook), f"--port={port}", "--no-browser",
           "--Voila.ip=127.0.0.1", *extra]
    with served(cmd, port, REPO, env, log) as pid:
        yield f"http://127.0.0.1:{port}/", pid


@contextmanager
def served(cmd: list[str], port: int, cwd: Path, env: dict[str, str],
           log: Path) -> Iterator[int]:
    """Run a server command until it listens on ``port`` (output to ``log``); yields its pid and
    stops it afterwards."""
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    try:
        wait_listening(port, proc, log)
        yield proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


def kernel_pids(parent: int) -> list[int]:
    """ipykernel processes below ``parent`` (Voila starts one per page, plus its preheated pool)."""
    children: dict[int, list[int]] = {}
    commands: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            commands[int(entry.name)] = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [parent]
    while todo:
        for child in children.get(todo.pop(), []):
            todo.append(child)
            if "ipykernel" in commands.get(child, ""):
                found.append(child)
    return sorted(found)


def rss_mb(pid: int) -> float:
    """Resident memory of a process in MB (0 when it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _cpu_ticks(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
        except OSError:
            continue
    return total


def wait_quiet(parents: list[int], timeout: float = 240, window: float = 1.0,
               need_kernels: bool = True) -> float:
    """Wait until (with ``need_kernels``) at least one kernel runs below every server in
    ``parents`` and no kernel used more than 5% of a core over ``window`` seconds (preheated
    notebooks have finished running). Returns the seconds waited."""
    ticks = os.sysconf("SC_CLK_TCK")
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        groups = [kernel_pids(p) for p in parents]
        pids = [pid for group in groups for pid in group]
        before = _cpu_ticks(pids)
        time.sleep(window)
        if (all(groups) or not need_kernels) and \
                (_cpu_ticks(pids) - before) / ticks < 0.05 * window:
            return time.monotonic() - started
    raise TimeoutError(f"kernels still busy after {timeout:.0f} s")


def bare_notebook(folder: Path) -> Path:
    """A notebook that shows one ipywidgets button: the floor for time to interactive."""
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(
        "import ipywidgets as w\nw.Button(description='Bare button')")]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    path = folder / "bare.ipynb"
    nbformat.write(notebook, path)
    return path


def time_to_interactive(browser: Any, url: str, ready: tuple[str, ...]) -> tuple[Any, float]:
    """Open ``url`` in a new tab; seconds until every ``ready`` selector is on the page."""
    tab = browser.new_page(viewport={"width": 1400, "height": 1000})
    started = time.perf_counter()
    tab.goto(url, timeout=PAGE_TIMEOUT_MS)
    for selector in ready:
        tab.wait_for_selector(selector, timeout=PAGE_TIMEOUT_MS)
    return tab, time.perf_counter() - started


# ---------------------------------------------------------------------------- the benchmark


def _run_once(tab: Any) -> None:
    """Click Run on the dashboard's first task and wait for its outcome."""
    tab.locator("button.ae-run").click()
    tab.wait_for_function(
        """() => { const s = document.querySelector('.ae-run-status');
                   return s && (s.innerText.includes('finished') || s.querySelector('.ae-error')); }""",
        timeout=PAGE_TIMEOUT_MS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loads", type=int, default=3, help="page loads of each page (median)")
    parser.add_argument("--zoo", default=os.environ.get("EXPLORER_ZOO"),
                        help="the demo zoo folder (default: EXPLORER_ZOO or the user's cache)")
    parser.add_argument("--voila-arg", action="append", default=[],
                        help="an extra Voila option for both servers, e.g. "
                             "--voila-arg=--VoilaConfiguration.preheat_kernel=False")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "MPLBACKEND": "Agg",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    if args.zoo:
        env["EXPLORER_ZOO"] = args.zoo
    folder = Path(tempfile.mkdtemp(prefix="bench-ui-"))
    bare = bare_notebook(folder)
    times: dict[str, list[float]] = {"dashboard": [], "bare": []}
    extra = (*SHORT_CULL, *args.voila_arg)
    with voila(DASHBOARD, env, folder / "dashboard.log", extra) as (app_url, app_pid), \
            voila(bare, env, folder / "bare.log", extra) as (bare_url, bare_pid), \
            sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=BROWSER_ARGS)
        wait_quiet([app_pid, bare_pid], need_kernels=not args.voila_arg)
        pool = kernel_pids(app_pid)
        idle_rss = rss_mb(pool[0]) if pool else 0.0
        tabs = []
        for load in range(args.loads):
            for name, url, ready in (("bare", bare_url, BARE_READY),
                                     ("dashboard", app_url, DASHBOARD_READY)):
                wait_quiet([app_pid, bare_pid], need_kernels=bool(pool))
                tab, seconds = time_to_interactive(browser, url, ready)
                times[name].append(seconds)
                tabs.append(tab)
                print(f"load {load + 1}: {name:9s} {seconds:5.2f} s", flush=True)
                if name == "dashboard" and load == 0:
                    _run_once(tab)  # the first page got the kernel measured idle above
                    run_rss = rss_mb(kernel_pids(app_pid)[0])
        peak = max(rss_mb(pid) for pid in kernel_pids(app_pid))
        for tab in tabs:
            tab.close(run_before_unload=False)
        deadline = time.monotonic() + 90
        while len(kernel_pids(app_pid)) > 1 and time.monotonic() < deadline:
            time.sleep(1)
        left = len(kernel_pids(app_pid))
        browser.close()
    app, floor = statistics.median(times["dashboard"]), statistics.median(times["bare"])
    print(f"\ntime to interactive (median of {args.loads}): dashboard {app:.2f} s, bare ipywidgets "
          f"page {floor:.2f} s, ratio {app / floor:.2f}x (goal <= 1.5x)")
    print(f"RSS of a dashboard kernel: {idle_rss:.0f} MB preheated and idle (0: none), "
          f"{run_rss:.0f} MB "
          f"after one run, {peak:.0f} MB the largest of its kernels")
    print(f"dashboard kernels alive after closing the pages and culling: {left} "
          "(with preheating: the one waiting for the next page)")
    return 0 if app / floor <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
