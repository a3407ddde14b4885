"""A real Streamlit server on a free local port, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

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


class FinishedRuns:
    """How many runs of the app's script the server has reported finished to a page (a script_finished message on
    its websocket), counted as the frames arrive. Kept on the page itself: this module is imported twice (by pytest
    as a conftest and by the tests for its helpers), so a table of its own would be two."""

    def __init__(self, page: Page):
        self.count = 0
        page.on("websocket", lambda socket: socket.on("framereceived", self._frame))

    def _frame(self, payload: str | bytes) -> None:
        if isinstance(payload, bytes) and ForwardMsg.FromString(payload).WhichOneof("type") == "script_finished":
            self.count += 1


@pytest.fixture
def page(page):
    """pytest-playwright's page, counting the script runs the server finishes for it (see rerun)."""
    page.finished_runs = FinishedRuns(page)
    return page


@contextlib.contextmanager
def rerun(page):
    """The block's click or key reruns the app: afterwards, wait until the server has finished that rerun and the
    page has drawn it.

    The server's word is awaited (a script_finished message on the page's websocket), not a sign in the page:
    wait_for_app alone could return on the page as it was before, as a widget's or a page link's rerun leaves the
    run state alone until the server answers (over 370 ms under load); and a short rerun can go from running to
    done in one frame, leaving the page's run state as it was. Watching the run state and the address, a choice of
    agency once waited in vain in CI, and a click on «Per departement» on Tidslinje in two CI runs in a row.
    """
    before = page.finished_runs.count
    yield
    deadline = time.monotonic() + 30
    while page.finished_runs.count <= before:
        if time.monotonic() > deadline:
            pytest.fail("the action started no rerun of the app in 30 s")
        page.wait_for_timeout(50)  # Playwright hands over the websocket's frames while it waits
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
