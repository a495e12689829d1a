"""The Voila dashboard in a real browser: Debian's chromium driven by Playwright.

Voila serves notebooks/dashboard.ipynb from the repository root (so it reads voila.json) on a free
loopback port, with the session zoo and the hub switched off. For one task of every category the
test picks category → task → zoo checkpoint → example input → Run and waits for the rendered
result; it checks that rapid clicks start one run, that closed pages' kernels are culled, and
prints the time to interactive of the dashboard and of a bare one-button ipywidgets page.

Screenshots go to artifacts/screenshots/. Skips only when /usr/bin/chromium is missing outside CI.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")
SHOTS = REPO / "artifacts" / "screenshots"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
# Short culling for the test; everything else comes from the shipped voila.json.
CULL = ["--MappingKernelManager.cull_idle_timeout=3", "--MappingKernelManager.cull_interval=1"]
# One task per category, most telling first; the first runnable one with a zoo entry is used.
PREFERRED = {
    "nlp": ("text-classification", "fill-mask"),
    "vision": ("object-detection", "image-classification"),
    "audio": ("automatic-speech-recognition", "ctc", "audio-classification"),
    "multimodal": ("zero-shot-image-classification", "visual-question-answering"),
    "base": ("feature-extraction", "backbone"),
}
PAGE_TIMEOUT_MS = 300_000
RUN_TIMEOUT_MS = 180_000

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium; "
           "`make test` installs it when run as root)")


# ---------------------------------------------------------------------------- servers


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


@contextmanager
def voila(notebook: Path, env: dict[str, str], log: Path) -> Iterator[tuple[str, int]]:
    """Voila serving ``notebook`` from the repository root; yields ``(url, pid)``."""
    port = _free_port()
    cmd = [sys.executable, "-m", "voila", str(notebook), f"--port={port}", "--no-browser",
           "--Voila.ip=127.0.0.1", *CULL]
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        while not _listening(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"voila did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/", proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


def kernel_pids(parent: int) -> list[int]:
    """ipykernel processes below ``parent`` (Voila starts one per page)."""
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
    return found


@pytest.fixture(scope="module")
def server_env(zoo: Path) -> dict[str, str]:
    return {**os.environ, "EXPLORER_ZOO": str(zoo), "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1", "MPLBACKEND": "Agg"}


@pytest.fixture(scope="module")
def dashboard(server_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory):
    log = tmp_path_factory.mktemp("voila") / "dashboard.log"
    with voila(REPO / "notebooks" / "dashboard.ipynb", server_env, log) as (url, pid):
        yield url, pid


@pytest.fixture(scope="module")
def bare(server_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory):
    """A notebook that shows one ipywidgets button: the floor for time to interactive."""
    import nbformat

    folder = tmp_path_factory.mktemp("bare")
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(
        "import ipywidgets as w\nw.Button(description='Bare button')")]
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    path = folder / "bare.ipynb"
    nbformat.write(notebook, path)
    with voila(path, server_env, folder / "voila.log") as (url, pid):
        yield url, pid


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


TIMINGS: dict[str, float] = {}


@pytest.fixture(scope="module")
def page(browser, dashboard):
    """One dashboard page, kept open for the module; its time to interactive is recorded."""
    url, _ = dashboard
    SHOTS.mkdir(parents=True, exist_ok=True)
    tab = browser.new_page(viewport={"width": 1400, "height": 2600})
    started = time.perf_counter()
    tab.goto(url, timeout=PAGE_TIMEOUT_MS)
    _wait_interactive(tab)
    TIMINGS["dashboard"] = time.perf_counter() - started
    tab.screenshot(path=str(SHOTS / "dashboard-start.png"))
    yield tab
    tab.close()


def _wait_interactive(tab) -> None:
    """The app is usable: a task is selected and the Run button is enabled."""
    tab.wait_for_selector("button.ae-task.ae-selected", timeout=PAGE_TIMEOUT_MS)
    tab.wait_for_selector("button.ae-run:not([disabled])", timeout=PAGE_TIMEOUT_MS)


# ---------------------------------------------------------------------------- helpers


def _manifest(zoo: Path) -> dict:
    return json.loads((zoo / "zoo.json").read_text())["entries"]


def _pick_task(category: str, zoo: Path) -> str | None:
    import explorer

    runnable = {s.task for s in explorer.tasks(category) if s.runner is not None}
    built = set(_manifest(zoo))
    for task in PREFERRED[category]:
        if task in runnable and task in built:
            return task
    return next((t for t in sorted(runnable) if t in built), None)


def _status(tab) -> str:
    return tab.locator(".ae-run-status").inner_text()


def _runs_done(tab) -> int:
    found = re.search(r"run #(\d+) finished", _status(tab))
    return int(found.group(1)) if found else 0


def _wait_done(tab, number: int) -> None:
    tab.wait_for_function(
        f"""() => {{ const s = document.querySelector('.ae-run-status');
                    return s && (s.innerText.includes('run #{number} finished')
                                 || s.querySelector('.ae-error') !== null); }}""",
        timeout=RUN_TIMEOUT_MS)
    errors = tab.locator(".ae-run-status .ae-error")
    assert errors.count() == 0, f"the run failed in the page: {errors.inner_text()}"


def _select_task(tab, label: str, task: str) -> str:
    """Category → task, then wait for the task card and the zoo checkpoint the picker selects
    first (ipywidgets writes option labels with non-breaking spaces); returns its zoo name."""
    tab.get_by_role("button", name=label, exact=True).click()
    tab.get_by_role("button", name=task, exact=True).click()
    tab.wait_for_function(
        f"""() => {{ const h = document.querySelector('.ae-task-card h3');
                    return h && h.innerText.trim() === {json.dumps(task)}; }}""",
        timeout=RUN_TIMEOUT_MS)
    # The picker selects the first zoo choice: a real checkpoint built for the task's head, else
    # the task's own zoo entry.
    from explorer.catalog import get_task
    from explorer.ui.checkpoints import zoo_choices

    first = zoo_choices(get_task(task))[0]
    tab.wait_for_function(
        f"""() => {{ const s = document.querySelector('.ae-card-checkpoint select');
                    return s && s.selectedIndex >= 0 &&
                           s.options[s.selectedIndex].text.replace(/\u00a0/g, ' ')
                            === {json.dumps(first.label)};}}""",
        timeout=RUN_TIMEOUT_MS)
    return first.checkpoint.removeprefix("zoo:")


# ---------------------------------------------------------------------------- tests


@pytest.mark.parametrize("category", list(PREFERRED))
def test_every_category_runs_in_the_browser(page, zoo: Path, category: str) -> None:
    from explorer.catalog import CATEGORIES

    task = _pick_task(category, zoo)
    if task is None:
        pytest.skip(f"no runnable {category} task has a zoo checkpoint yet")
    entry = _select_task(page, CATEGORIES[category], task)
    example = _manifest(zoo)[entry]["example"]
    # The zoo entry's example input is filled in (the kernel sends it right after the picker).
    for kind in ("image", "audio"):
        if kind in example:
            page.wait_for_function(
                f"""() => {{ const s = document.querySelector('.ae-card-inputs select');
                            return s && s.selectedIndex >= 0 && s.options[s.selectedIndex].text
                                   .replace(/\\u00a0/g, ' ') === {json.dumps(example[kind])}; }}""",
                timeout=RUN_TIMEOUT_MS)
    if "text" in example:
        first = example["text"][0] if isinstance(example["text"], list) else example["text"]
        page.wait_for_function(
            f"""() => {{ const t = document.querySelector('.ae-card-inputs textarea');
                        return t && t.value.includes({json.dumps(first)}); }}""",
            timeout=RUN_TIMEOUT_MS)
    before = _runs_done(page)
    page.locator("button.ae-run").click()
    _wait_done(page, before + 1)
    view = page.locator(".ae-result .explorer-result")
    view.wait_for(timeout=RUN_TIMEOUT_MS)
    assert task in view.inner_text()
    assert view.locator("img").count() > 0 or len(view.inner_text()) > 40
    page.screenshot(path=str(SHOTS / f"run-{category}-{task}.png"))
    page.get_by_role("tab", name="Why this class").click()
    assert "How the Auto class was resolved" in page.locator(".ae-why").inner_text()
    page.locator(".ae-card-result").screenshot(path=str(SHOTS / f"why-{category}-{task}.png"))
    page.get_by_role("tab", name="Code").click()
    code = page.locator("pre.ae-code").inner_text()
    assert "from transformers import" in code and "import explorer" not in code
    page.locator(".ae-card-result").screenshot(path=str(SHOTS / f"code-{category}-{task}.png"))
    page.get_by_role("tab", name="Result").click()


def test_rapid_clicks_start_one_run(page, zoo: Path) -> None:
    _select_task(page, "NLP", "token-classification")
    before = _runs_done(page)
    # Five clicks in one burst, before the kernel can disable the button.
    page.locator("button.ae-run").evaluate("b => { for (let i = 0; i < 5; i++) b.click(); }")
    _wait_done(page, before + 1)
    page.wait_for_selector("button.ae-run:not([disabled])", timeout=RUN_TIMEOUT_MS)
    # One more ordinary run is number before + 2 only if the burst started exactly one.
    page.locator("button.ae-run").click()
    _wait_done(page, before + 2)
    assert _runs_done(page) == before + 2
    assert page.locator(".ae-run-status .ae-error").count() == 0
    page.screenshot(path=str(SHOTS / "rapid-clicks.png"))


def test_compare_side_by_side(page, zoo: Path) -> None:
    if "all-MiniLM-L6-v2" not in _manifest(zoo):
        pytest.skip("the real all-MiniLM-L6-v2 checkpoint is not installed")
    _select_task(page, "Base & backbones", "feature-extraction")
    before = _runs_done(page)
    page.locator(".ae-card-compare button", has_text="Compare").click()
    page.wait_for_function(
        f"""() => {{ const s = document.querySelector('.ae-run-status');
                    return s && (s.innerText.includes('comparison #{before + 1} finished')
                                 || s.querySelector('.ae-error') !== null); }}""",
        timeout=RUN_TIMEOUT_MS)
    columns = page.locator(".ae-compare-col .explorer-result")
    assert columns.count() == 2
    page.locator(".ae-card-compare").screenshot(path=str(SHOTS / "compare.png"))


def test_time_to_interactive(browser, page, bare) -> None:
    url, _ = bare
    tab = browser.new_page()
    started = time.perf_counter()
    tab.goto(url, timeout=PAGE_TIMEOUT_MS)
    tab.wait_for_selector("button.widget-button:not([disabled])", timeout=PAGE_TIMEOUT_MS)
    TIMINGS["bare"] = time.perf_counter() - started
    tab.close()
    print(f"\ntime to interactive: dashboard {TIMINGS['dashboard']:.1f} s, "
          f"bare ipywidgets page {TIMINGS['bare']:.1f} s (same machine, same run)")
    assert TIMINGS["dashboard"] < PAGE_TIMEOUT_MS / 1000


def test_closed_pages_kernels_are_culled(browser, bare) -> None:
    """Ten page loads closed without warning (no beforeunload) do not leave ten kernels."""
    config = json.loads((REPO / "voila.json").read_text())["MappingKernelManager"]
    assert config["cull_idle_timeout"] > 0 and config["cull_connected"] is False
    url, pid = bare
    for _ in range(10):
        tab = browser.new_page()
        tab.goto(url, timeout=PAGE_TIMEOUT_MS)
        tab.wait_for_selector("button.widget-button", timeout=PAGE_TIMEOUT_MS)
        tab.close(run_before_unload=False)
    alive = len(kernel_pids(pid))
    deadline = time.monotonic() + 60
    while kernel_pids(pid) and time.monotonic() < deadline:
        time.sleep(0.5)
    left = kernel_pids(pid)
    print(f"\nkernels: {alive} right after 10 closed pages, {len(left)} after culling")
    assert len(left) == 0, f"{len(left)} kernels of closed pages are still alive"


def test_page_shows_the_app_and_no_code(page) -> None:
    """Voila hides the notebook's code: the page is the app alone."""
    assert page.locator("text=explorer.app()").count() == 0
    assert page.locator(".ae-app").count() == 1
    assert "AutoClass Explorer" in page.locator(".ae-header").inner_text()
