"""Browser measurements: Debian's Chromium (Playwright) against real Streamlit servers.

Servers are started here, and the browser suite (tests/browser/conftest.py) uses the same
start_server (`python -m streamlit run` on a free 127.0.0.1 port, PILOT_DB pointing at the store,
polled on /_stcore/health), with the same
Chromium flags. Each visit is a new tab, so a new Streamlit session, in a context whose HTTP
cache a warm-up visit has filled (a returning user; the stricter comparison with the bare page).

Times are taken inside the page. An init script checks a "drawn" condition once per animation
frame and reports each change to Python through an exposed function, with performance.now()
(milliseconds since navigation start; the Enter key is reported the same way). So a time is
the frame that showed the drawn page, within one frame, and it is known even when the page's
main thread is then blocked for a long time (as plotly can be): nothing has to be asked of a
busy page. "Script finished" is Streamlit's own `data-test-script-state="notRunning"` on stApp.

A frame can show the key figures while plotly has yet to draw its figures in a long task right
after it, or the long task can come first and the key figures appear after it: which one happens
varies from visit to visit. So besides the frame where the condition first holds ("drawn"),
each visit reports "fully drawn": the end of the busy stretch (long tasks, as the browser's
PerformanceObserver reports them, less than 500 ms apart) that follows that frame, and for the
overview not before every chart is drawn (a plotly figure has its axes, an HTML chart is
visible): when the page is drawn and its main thread free again. The targets use fully drawn.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlparse

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
# The flags of tests/browser/conftest.py (browser_type_launch_args).
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
CONTEXT = {"viewport": {"width": 1400, "height": 1000}, "locale": "nb-NO"}
PAGES = (("", "Oversikt"), ("virksomheter", "Virksomheter"), ("budsjett", "Budsjett"),
         ("tidslinje", "Tidslinje"), ("planer", "Planer"), ("importer", "Importer"))

WATCHER = """
(() => {
  const b = window.__bench = {cond: %s, charts: %s};
  const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const report = (kind, t, d) => { try { window.__benchEvent(kind, t, d || 0); } catch (e) {} };
  try {
    new PerformanceObserver(list => { for (const e of list.getEntries()) report('longtask', e.startTime, e.duration); })
      .observe({type: 'longtask', buffered: true});
  } catch (e) {}
  let drawn = false, charts = false;
  const loop = () => {
    let ok = false, ch = false;
    try { ok = !!b.cond(visible); } catch (e) { ok = false; }
    try { ch = ok && !!b.charts(visible); } catch (e) { ch = false; }
    const t = performance.now();
    if (ok !== drawn) { drawn = ok; report(ok ? 'drawn' : 'undrawn', t); }
    if (ch !== charts) { charts = ch; report(ch ? 'charts' : 'uncharts', t); }
    requestAnimationFrame(loop);
  };
  requestAnimationFrame(loop);
  document.addEventListener('keydown', e => { if (e.key === 'Enter') report('enter', performance.now()); }, true);
})();
"""
IDLE = ("document.querySelector('[data-testid=\"stApp\"][data-test-script-state=\"notRunning\"]') && "
        "!document.querySelector('[data-testid=\"stStatusWidget\"]') && "
        "!document.querySelector('[data-stale=\"true\"]')")
BARE_DRAWN = (f"(visible) => {IDLE} && [...document.querySelectorAll('[data-testid=\"stMarkdown\"]')]"
              ".some(e => e.innerText.trim() === 'x' && visible(e))")
# The overview's five key figures: cards in its HTML block (.po-figure), or st.metric as they were drawn before.
KEY_FIGURES = "[...document.querySelectorAll('[data-testid=\"stMetric\"], .po-figure')].filter(visible).length >= 5"
OVERVIEW_DRAWN = f"(visible) => {IDLE} && {KEY_FIGURES}"
# Every chart on the page drawn: plotly figures have their axes, HTML charts (ui/html_blocks.py) are visible.
CHARTS_DRAWN = ("(visible) => { const p = [...document.querySelectorAll('[data-testid=\"stPlotlyChart\"]')]; "
                "const h = [...document.querySelectorAll('.po-chart')]; "
                "return p.length + h.length > 0 && h.every(visible) "
                "&& p.every(e => e.querySelector('.main-svg g.xtick, .main-svg g.ytick')); }")
NO_CHARTS = "(visible) => false"


def page_drawn(title: str) -> str:
    """A page is drawn when its title is there and no script runs (and nothing is stale)."""
    return (f"(visible) => {IDLE} && [...document.querySelectorAll('h1')]"
            f".some(h => h.innerText.trim().startsWith({json.dumps(title)}))")


# ---------------------------------------------------------------------------------------
# Servers


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(script: Path, db: Path | None, log: Path) -> tuple[subprocess.Popen, str]:
    """`streamlit run script` from the project folder (its .streamlit/config.toml), healthy."""
    port = _free_port()
    env = {**os.environ}
    if db is not None:
        env["PILOT_DB"] = str(db)
    handle = log.open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                # ours, not another server that took the port between _free_port and our bind: ours is alive
                # and says it listens there
                if response.status == 200 and proc.poll() is None and f":{port}" in log.read_text(errors="replace"):
                    return proc, url
            time.sleep(0.25)
        except OSError:
            time.sleep(0.25)
    proc.kill()
    raise RuntimeError(f"Streamlit did not start; see {log}")


def stop_server(proc: subprocess.Popen) -> None:
    """Stop a server this module started."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def memory_kb(pid: int) -> dict[str, int]:
    """VmHWM (peak RSS) and VmRSS of a process, in kB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if m := re.match(r"(VmHWM|VmRSS):\s+(\d+) kB", line):
            out[m[1]] = int(m[2])
    return out


# ---------------------------------------------------------------------------------------
# Measuring in the page


def new_context(browser):
    """A browser context with the test suite's window size and locale."""
    return browser.new_context(**CONTEXT)


class Visit:
    """One tab (a new Streamlit session), reporting drawn/undrawn, charts and Enter events."""

    GAP_MS = 500  # long tasks closer than this belong to one busy stretch (a quiet window of 0.5 s ends it)

    def __init__(self, context, cond: str, charts: str = NO_CHARTS):
        self.events: list[tuple[str, float, float, float]] = []  # (kind, page ms, python s, duration ms)
        self.page = context.new_page()
        self.page.expose_function("__benchEvent", self._event)
        self.page.add_init_script(WATCHER % (cond, charts))

    def _event(self, kind: str, t: float, duration: float = 0.0) -> None:
        self.events.append((kind, float(t), time.monotonic(), float(duration or 0)))

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.page.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _last(self, kinds: tuple[str, ...], since: int) -> tuple[str, float, float] | None:
        found = [e for e in self.events[since:] if e[0] in kinds]
        return found[-1] if found else None

    def wait_state(self, on: str, off: str, timeout_s: float, since: int = 0, settle_s: float = 0.4) -> float:
        """Page ms of the last `on` event, once `on` holds and nothing changed for settle_s."""
        deadline = time.monotonic() + timeout_s
        while True:
            last = self._last((on, off), since)
            if last and last[0] == on and time.monotonic() - last[2] >= settle_s:
                return last[1]
            if time.monotonic() > deadline:
                raise TimeoutError(f"'{on}' not reached within {timeout_s:.0f} s")
            self.page.wait_for_timeout(25)

    def goto(self, url: str, timeout_s: float) -> float:
        """Navigate; ms from navigation start to drawn."""
        self.page.goto(url, wait_until="commit", timeout=timeout_s * 1000)
        return self.wait_state("drawn", "undrawn", timeout_s)

    def fully_drawn(self, drawn: float, since: int = 0, settle_s: float = 0.8, timeout_s: float = 120) -> float:
        """Page ms when the busy stretch after the drawn frame ended (drawn itself if none followed)."""
        deadline = time.monotonic() + timeout_s
        while True:  # no long task reported for settle_s, and the page answers (it is not inside one)
            last = max((e[2] for e in self.events[since:] if e[0] == "longtask"), default=0.0)
            if time.monotonic() - last >= settle_s:
                self.page.evaluate("1")
                self.page.wait_for_timeout(150)
                last_after = max((e[2] for e in self.events[since:] if e[0] == "longtask"), default=0.0)
                if last_after == last:
                    break
            if time.monotonic() > deadline:
                break
            self.page.wait_for_timeout(50)
        end = drawn
        for _, start, _, duration in sorted((e for e in self.events[since:] if e[0] == "longtask"),
                                            key=lambda e: e[1]):
            if start <= end + self.GAP_MS and start + duration > end:
                end = start + duration
        return end

    def longtasks(self, since: int = 0) -> list[tuple[float, float]]:
        """(start, duration) of the long tasks seen, in page ms."""
        return [(e[1], e[3]) for e in self.events[since:] if e[0] == "longtask"]

    def charts(self, timeout_s: float) -> float | None:
        """ms from navigation start to every chart drawn, or None if not within timeout_s."""
        try:
            return self.wait_state("charts", "uncharts", timeout_s, settle_s=0.2)
        except TimeoutError:
            return None

    def errors(self) -> list[str]:
        """Exceptions Streamlit shows on the page (first line of each)."""
        texts = self.page.eval_on_selector_all('[data-testid="stException"]', "els => els.map(e => e.innerText)")
        return [t.strip().splitlines()[0][:200] if t.strip() else "stException" for t in texts]


def _short(exc: Exception) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}"


# ---------------------------------------------------------------------------------------
# The three browser measurements


def overview_vs_bare(browser, app_url: str, bare_url: str, reps: int, charts_wait_s: float = 20,
                     slow_s: float = 10) -> dict:
    """(c) navigation → overview fully drawn, against the one-line page; alternated, after a warm-up.

    Also records the frame where the condition first held ("drawn"), when every chart was drawn
    (plotly figures: their axes; HTML charts: visible; waiting at most charts_wait_s), and the
    long tasks. When the warm-up takes more than slow_s, three repetitions are made instead of reps, to keep the bench's
    time bounded; the result says so.
    """
    app, app_drawn, bare, bare_drawn, charts, tasks, errors = [], [], [], [], [], [], set()
    app_ctx, bare_ctx = new_context(browser), new_context(browser)
    try:
        planned = reps
        i = 0
        while i <= planned:
            with Visit(bare_ctx, BARE_DRAWN) as v:
                t = v.goto(bare_url, 60)
                full = v.fully_drawn(t)
                if i:
                    bare.append(full)
                    bare_drawn.append(t)
            started = time.monotonic()
            with Visit(app_ctx, OVERVIEW_DRAWN, CHARTS_DRAWN) as v:
                t = v.goto(app_url, 150)
                c = v.charts(charts_wait_s)
                # Figures not drawn within charts_wait_s: count the wait as a lower bound, not as drawn.
                full = max(v.fully_drawn(t), c if c is not None else t + charts_wait_s * 1000)
                if c is not None:
                    errors.update(v.errors())
                if i:
                    app.append(full)
                    app_drawn.append(t)
                    charts.append(c)
                    tasks.append([(round(a), round(d)) for a, d in v.longtasks()])
            if i == 0 and time.monotonic() - started > slow_s:
                planned = min(reps, 3)
            i += 1
    finally:
        app_ctx.close()
        bare_ctx.close()
    drawn_charts = [c for c in charts if c is not None]
    med = statistics.median
    return {"app_ms": app, "bare_ms": bare, "app_drawn_ms": app_drawn, "bare_drawn_ms": bare_drawn,
            "charts_ms": charts, "longtasks": tasks, "reps": len(app),
            "app_median_ms": med(app), "bare_median_ms": med(bare),
            "app_drawn_median_ms": med(app_drawn), "bare_drawn_median_ms": med(bare_drawn),
            "charts_median_ms": med(drawn_charts) if len(drawn_charts) == len(charts) else None,
            "ratio": med(app) / med(bare), "drawn_ratio": med(app_drawn) / med(bare_drawn),
            # each overview visit against the bare visit just before it: the machine speeding up or slowing
            # down during the run (both fell by a third in one run) moves this less than the ratio of medians
            "paired_ratio": med(a / b for a, b in zip(app, bare, strict=True)),
            "errors": sorted(errors)}


def filter_change(browser, app_url: str, agencies: list[str], settle_wait_s: float = 90) -> dict:
    """(d) On the overview, add agencies to the sidebar's agency filter one after another (type + Enter).

    Each agency is new to the session, so its queries are not cached. The first change is from
    the whole sector; the others add one agency each. Before the first, the page is given up to
    settle_wait_s to finish drawing its charts, so the key press does not wait on a busy page.
    """
    runs = []
    context = new_context(browser)
    try:
        with Visit(context, OVERVIEW_DRAWN, CHARTS_DRAWN) as v:
            v.goto(app_url, 150)
            initial_charts = v.charts(settle_wait_s)
            # The agency choice is in a popover in the sidebar (opened before the clock starts).
            opener = v.page.locator('[data-testid="stSidebar"] [data-testid="stPopoverButton"]').filter(
                has_text="Virksomheter:").first
            box = v.page.locator('[data-testid="stPopoverBody"] [data-testid="stMultiSelect"]').first
            for agency in agencies:
                if not box.is_visible():
                    opener.click(timeout=120_000)
                box.locator("input").click(timeout=120_000)
                v.page.keyboard.type(agency, delay=5)
                # the option is the name, with the abbreviation and other names after it where the register has them
                shown = re.compile(rf"^{re.escape(agency)}( \(.+\))?( – også .+)?$")
                v.page.get_by_role("option", name=shown).wait_for(timeout=30_000)
                caption = json.dumps(agency)
                before = len(v.events)
                v.page.evaluate(f"""() => {{
                    window.__bench.cond = (visible) => {IDLE} &&
                        [...document.querySelectorAll('[data-testid="stMain"] [data-testid="stCaptionContainer"]')]
                            .some(e => e.innerText.startsWith('Viser ') && e.innerText.includes({caption})) &&
                        {KEY_FIGURES};
                }}""")
                v.wait_state("undrawn", "drawn", 10, since=before, settle_s=0)
                since = len(v.events)
                v.page.keyboard.press("Enter")
                drawn = v.wait_state("drawn", "undrawn", 120, since=since)
                full = v.fully_drawn(drawn, since=since)
                enter = next(e[1] for e in v.events[since:] if e[0] == "enter")
                v.page.keyboard.press("Escape")
                runs.append({"agency": agency, "ms": full - enter, "drawn_ms": drawn - enter,
                             "longtasks": [(round(a - enter), round(d)) for a, d in v.longtasks(since)]})
            errors = v.errors()
            url = v.page.url
    finally:
        context.close()
    selected = parse_qs(urlparse(url).query).get("virksomhet", [])
    ms = [r["ms"] for r in runs]
    return {"ms": ms, "median_ms": statistics.median(ms), "first_from_whole_sector_ms": ms[0],
            "drawn_ms": [r["drawn_ms"] for r in runs],
            "drawn_median_ms": statistics.median(r["drawn_ms"] for r in runs),
            "longtasks": [r["longtasks"] for r in runs],
            "selected_ok": selected == list(agencies), "selected": selected,
            "initial_charts_ms": initial_charts, "errors": errors}


def visit_every_page(browser, url: str, timeout_s: float = 90) -> dict:
    """(e) each page as a first visit (a new tab and session); ms to drawn and errors per page.

    A page not drawn within timeout_s is recorded as such; its script has run on the server all
    the same (the server does not wait for the browser), which is what the memory figure needs.
    """
    out = {}
    context = new_context(browser)
    try:
        for slug, title in PAGES:
            with Visit(context, page_drawn(title)) as v:
                try:
                    drawn = v.goto(f"{url}/{slug}", timeout_s)
                    full = v.fully_drawn(drawn, timeout_s=timeout_s)
                    out[title] = {"drawn_ms": full, "first_frame_ms": drawn, "errors": v.errors()}
                except Exception as exc:
                    out[title] = {"drawn_ms": None, "errors": [_short(exc)]}
    finally:
        context.close()
    return out


DOWNLOADS = ("Last ned Excel", "Last ned presentasjon", "Last ned piloter (CSV)")
EXPORTS_POPOVER = "Last ned for lysark og videre arbeid"


def download_exports(browser, url: str, timeout_s: float = 300) -> dict:
    """(e) the whole sector's workbook, deck and pilots as CSV as a user downloads them from the overview, one after
    the other: seconds from the click to the file, and its size (None and the error when it failed)."""
    out = {}
    context = browser.new_context(**CONTEXT, accept_downloads=True)
    try:
        page = context.new_page()
        page.goto(url, timeout=timeout_s * 1000)
        page.get_by_text(EXPORTS_POPOVER).first.click(timeout=timeout_s * 1000)
        for label in DOWNLOADS:
            try:
                start = time.perf_counter()
                with page.expect_download(timeout=timeout_s * 1000) as info:
                    page.get_by_text(label, exact=True).first.click(timeout=timeout_s * 1000)
                path = info.value.path()
                out[label] = {"s": time.perf_counter() - start, "bytes": Path(path).stat().st_size, "error": None}
            except Exception as exc:
                out[label] = {"s": None, "bytes": None, "error": _short(exc)}
    finally:
        context.close()
    return out


def launch(pw):
    """Debian's Chromium with the test suite's flags."""
    if not Path(CHROMIUM).exists():
        raise RuntimeError("Debian's chromium is missing: run `apt-get install chromium` (make bench does it as root)")
    return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
