"""A real Streamlit server on a free local port, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from benchmarks import browser as benchmarks_browser

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "tests" / "screenshots"
CHROMIUM = "/usr/bin/chromium"


def pytest_collection_modifyitems(items):
    """Every test in this folder is a browser test."""
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Debian's Chromium, headless, with no background traffic (there is no network here)."""
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run `apt-get install chromium` (make test does it as root)")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """A laptop-sized window and Norwegian locale."""
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}, "locale": "nb-NO"}


def start_server(db: Path, log: Path) -> tuple[subprocess.Popen, str]:
    """Start `streamlit run dashboard.py` on the store and wait until it is healthy (shared with the benchmarks)."""
    return benchmarks_browser.start_server(ROOT / "dashboard.py", db, log)


stop_server = benchmarks_browser.stop_server


@pytest.fixture(scope="session")
def server(sample_db_master, tmp_path_factory):
    """A fresh server on a private copy of the sample store; its URL."""
    folder = tmp_path_factory.mktemp("server")
    db = folder / "pilots.duckdb"
    shutil.copy(sample_db_master, db)
    proc, url = start_server(db, folder / "streamlit.log")
    yield url
    stop_server(proc)


@pytest.fixture
def own_server(sample_db_master, tmp_path):
    """A server of the test's own, on its own copy of the sample store, for a test that writes to the store or
    must be the server's first visitor; its URL."""
    db = tmp_path / "pilots.duckdb"
    shutil.copy(sample_db_master, db)
    proc, url = start_server(db, tmp_path / "streamlit.log")
    yield url
    stop_server(proc)


SCRIPT_DONE = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    return app && app.getAttribute('data-test-script-state') === 'notRunning'
        && !document.querySelector('[data-testid="stStatusWidget"]')
        && document.querySelector('h1');
}"""


def wait_for_app(page) -> None:
    """Wait until the app's script has run to the end and the page is drawn."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=30_000)
    page.wait_for_function(SCRIPT_DONE, timeout=30_000)
    page.wait_for_timeout(400)  # let charts finish their first layout
    page.wait_for_function(SCRIPT_DONE, timeout=30_000)


# Counts the changes of the app's run state from the moment it is first asked for (a new document starts afresh)
WATCH_RUNS = """() => {
    if (window.poRuns === undefined) {  // counting only once it watches: else a later call would wait in vain
        // the whole body, not the app's element: should React put up a new one, the count goes on
        new MutationObserver(records => { window.poRuns += records.length; }).observe(
            document.body, {attributes: true, subtree: true, attributeFilter: ['data-test-script-state']});
        window.poRuns = 0;
    }
    return window.poRuns;
}"""


@contextlib.contextmanager
def rerun(page, writes_address: bool = False):
    """The block's click or key reruns the app: afterwards, wait until that rerun has started and run to the end.

    wait_for_app alone could return on the page as it was before: a widget's or a page link's
    rerun leaves the run state alone until the server answers, which took over 370 ms under load.
    A rerun is seen by a change of the run state, or, where the rerun's script writes the address
    (writes_address: a choice in the filter or Planer's), of the address: a short rerun can leave
    the run state as it was (running and done drawn in one frame), and a choice of agency once
    failed so in CI with the agency in the address. (A page link changes the address before its
    rerun, so it is not taken as a sign there.)
    """
    before, address = page.evaluate(WATCH_RUNS), page.url if writes_address else None
    yield
    try:
        page.wait_for_function("([runs, address]) => (window.poRuns ?? Infinity) > runs "
                               "|| (address !== null && location.href !== address)",
                               arg=[before, address], timeout=30_000)
    except PlaywrightTimeout:
        pytest.fail("the action started no rerun of the app in 30 s")
    wait_for_app(page)


# Tables (a canvas the grid sizes after it has its data) and plotly charts (their axes) are drawn after the script
# has finished: without waiting for them, screenshots 03 and 21 showed an empty table frame and no chart.
DRAWN = """() => [...document.querySelectorAll('[data-testid="stDataFrame"]')].every(
        t => [...t.querySelectorAll('canvas')].some(c => c.getBoundingClientRect().width > 100))
    && [...document.querySelectorAll('[data-testid="stPlotlyChart"]')].every(c => c.querySelector('.main-svg'))"""


def shoot(page, name: str) -> Path:
    """Save a full-page screenshot to look at, once the page's tables and charts are drawn."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    with contextlib.suppress(PlaywrightTimeout):  # else a screenshot of what there is, to look at why
        page.wait_for_function(DRAWN, timeout=10_000)
    page.screenshot(path=str(path), full_page=True)
    return path
