"""Results: rows of {name, size, value, unit, target, holds}, printed, saved as JSON and Markdown.

Every target is an upper bound: a row holds when value ≤ target. Rows without a target are
for information (target and holds are null).
"""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SECTION = "## Ytelse / Benchmarks"


@dataclass
class Row:
    name: str
    size: str
    value: float | None
    unit: str
    target: float | None = None
    holds: bool | None = None
    note: str = ""

    @classmethod
    def check(cls, name: str, size: str, value: float | None, unit: str, target: float, note: str = "",
              fails: bool = False) -> Row:
        """A row with a target; it does not hold when value is missing or fails is set (an error)."""
        holds = value is not None and not fails and value <= target
        return cls(name, size, value, unit, target, holds, note)


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit in ("ms", "MB"):
        return f"{value:,.0f}".replace(",", " ")
    if unit == "s":
        return f"{value:.2f}"
    return f"{value:.2f}"


def _holds(row: Row) -> str:
    if row.holds is None:
        return ""
    return "yes" if row.holds else "**NO**"


def markdown_table(rows: list[Row]) -> str:
    """The results as a Markdown table."""
    lines = ["| measure | size | value | target | holds | note |", "|---|---|--:|--:|:-:|---|"]
    for r in rows:
        target = "" if r.target is None else f"≤ {_fmt(r.target, r.unit)} {r.unit}".strip()
        note = r.note.replace("|", "/")
        lines.append(f"| {r.name} | {r.size} | {_fmt(r.value, r.unit)} {r.unit} | {target} | {_holds(r)} | {note} |")
    return "\n".join(lines)


def text_table(rows: list[Row]) -> str:
    """The results as a plain table for the terminal."""
    header = ("measure", "size", "value", "target", "holds", "note")
    body = []
    for r in rows:
        target = "" if r.target is None else f"≤ {_fmt(r.target, r.unit)} {r.unit}"
        holds = "" if r.holds is None else ("yes" if r.holds else "NO")
        body.append((r.name, r.size, f"{_fmt(r.value, r.unit)} {r.unit}", target, holds, r.note[:90]))
    widths = [max(len(str(x[i])) for x in (header, *body)) for i in range(len(header))]
    out = ["  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True))]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)) for row in body]
    return "\n".join(out)


def machine() -> dict:
    """nproc, RAM, Python, CPU model and load average (other work on the machine skews timings)."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_kb = 0
    try:
        m = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text())
        mem_kb = int(m[1]) if m else 0
    except OSError:
        pass
    try:
        chromium = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True,
                                  timeout=20).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        chromium = ""
    return {"nproc": os.cpu_count(), "ram_gb": round(mem_kb / 1_048_576, 1), "python": platform.python_version(),
            "cpu": cpu, "os": platform.platform(), "chromium": chromium,
            "loadavg": list(os.getloadavg()), "yardstick_ms": yardstick_ms()}


def yardstick_ms() -> float:
    """A fixed piece of pure Python (ten million additions), best of three, in ms: how fast this host runs Python
    today. The same code measured 2.5 × slower on one host than on another of the same kind (an AMD EPYC against an
    Intel Xeon); the yardstick tells a slow host from slower code when two runs are compared."""
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        total = 0
        for i in range(10_000_000):
            total += i
        best = min(best, time.perf_counter() - start)
    return best * 1000


def machine_line(m: dict) -> str:
    """One line describing the machine."""
    ms = m.get("yardstick_ms")
    yardstick = f"; yardstick {ms:.0f} ms (ten million additions in Python)" if ms else ""
    return (f"nproc {m['nproc']}, {m['ram_gb']} GB RAM, Python {m['python']}, {m['cpu']}; "
            f"{m.get('chromium', '')}{yardstick}")


def save(rows: list[Row], details: dict, machine_info: dict, out_dir: Path, wall_s: float) -> None:
    """benchmarks/results.json (the rows), results-details.json (raw samples) and results.md."""
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "results.json").write_text(
        json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=1), encoding="utf-8")
    (out_dir / "results-details.json").write_text(
        json.dumps({"machine": machine_info, "wall_s": wall_s, "details": details}, ensure_ascii=False, indent=1,
                   default=str), encoding="utf-8")
    (out_dir / "results.md").write_text(readme_section(rows, machine_info, wall_s), encoding="utf-8")


def readme_section(rows: list[Row], machine_info: dict, wall_s: float) -> str:
    """The README section: how to run, what is measured, the latest table and the machine."""
    made = {(True, True): "generating the files and importing the L store",
            (False, True): "files cached, importing the L store",
            (True, False): "generating the files, L store cached",
            (False, False): "files and L store cached"}[(bool(machine_info.get("generated")),
                                                         bool(machine_info.get("imported")))]
    return f"""{SECTION}

`make bench` ({wall_s / 60:.1f} min for the run below, {made}) generates synthetic
submissions that are valid to the form, deterministically from a fixed seed, into
`benchmarks/work/` (cached while the generator, the contract and `data/rounds.csv`/`settings.toml`
are unchanged; the L store while also `loaders/` and `store/` are), imports them, and measures:
S = the bundled sample, M = 200 agencies × 2 rounds (≈1 500 pilots, ≈8 000 milestones,
≈410 workbooks and 30 CSV files), L = 400 agencies × 2 rounds × 25 pilots (20 000 pilots,
60 000 milestones). Every target is an upper bound. The rows are in `benchmarks/results.json`,
the raw samples in `benchmarks/results-details.json`.

- import of all M files into a fresh store (`import_into_store`, as the CLI runs it, end to end)
  against the parse floor (calamine opening the same workbooks and reading every sheet, nothing
  else; the CSV files through `decode_text`/`split_csv`), median of 3, interleaved;
- each page's render time in AppTest (entry file, then `switch_page`), median of 7 warm reruns
  after one cold run, at S, M and L, each size in its own process;
- in Debian's Chromium (Playwright, a new tab per visit in a warm browser cache, servers started
  as in `tests/browser/conftest.py`): navigation → overview *fully drawn* against a one-line
  page (`st.write("x")`, its own server) in the same run, 11 visits of each, alternated,
  medians compared. Drawn = script finished
  (`data-test-script-state="notRunning"`), no `stStatusWidget`, nothing stale, the five key
  figures visible (cards in the page's HTML block; `st.metric` until they moved there);
  *fully* = every chart drawn and the main thread free again: the end of the long
  tasks that follow that frame (when the overview drew with plotly, its figures were drawn in
  one, sometimes just before and sometimes just after the key figures' frame). Times are taken
  in the page (`performance.now()`, reported through an exposed function), not by polling;
- a change of the agency filter (type into the sidebar multiselect + Enter) → page fully
  redrawn, five agencies added one after another, each new to the session (uncached);
- the server process's peak RSS (`VmHWM` in `/proc/<pid>/status`) at L after every page has
  been visited, and then after the whole sector's workbook, deck and pilots CSV have been
  downloaded from the overview in the browser (the target is on this one). From 2 000 plans in
  the filter a click builds its file in a process of its own (`python -m exports.worker`), which
  gives its memory back when it ends; below that, in the server;
- the whole sector's downloads at M and L, the deck, the workbook and the pilots CSV, built as a
  click builds them (`exports.building.build`), each size and kind in a fresh process: build time,
  file size, and the process's peak RSS before and after — at L, the peak of the process a click
  starts, held while the file is built, beside the server's own.

`python -m benchmarks --sizes S --quick` is the two-minute check for developers (its results go
to `benchmarks/work/`, so they never overwrite the full run's); `python -m benchmarks --help`
lists the options, and `python -m benchmarks.profile page L pages/4_planer.py` (or `import M`)
samples a page's reruns or an import with py-spy and prints where the time goes;
`python -m benchmarks.import_bound M` measures the import with its checks made free, the least it
can take while it writes to the store.

Latest full run ({machine_line(machine_info)}; load average
{machine_info['loadavg'][0]:.1f} at the start — other work on the machine skews the timings):

{markdown_table(rows)}{_import_missed(rows)}{_overview_near(rows)}
"""


def _overview_near(rows: list[Row]) -> str:
    """A word on the overview against the bare page when it misses or holds by less than 0.2 ×: it varies by that."""
    if not any(r.name == "overview / bare page (Chromium)" and r.target is not None
               and (r.holds is False or (r.value is not None and r.value > r.target - 0.2)) for r in rows):
        return ""
    return """
The overview against the bare page is close to its target and varies from run to run by more
than the margin: 1.35 × on 2.12.2026; 1.60, 1.47, 1.38 and 1.34 × in four runs on 3.12.2026
(two of them full runs), when the bare page took 700–1 100 ms. The overview takes a fixed
330–470 ms more than the bare page, the same at S as at M (+384 and +373 ms, one run,
3.12.2026): it does not grow with the data. Much of it is Streamlit drawing what any page with
a menu and a filter has (six page links, two filter popovers, a download popover, a title): a
page with those elements and no data or code of ours took 262 ms more than the bare page in
that run, and 51 ms more in a noisier one with six servers on the machine, where the overview
took 225 ms more. The overview's first run on the server for a new session takes about 55 ms
(py-spy), and its two HTML blocks, the overview's 17 kB and the menu's script, added nothing
above the noise when measured alone. The faster the bare page, the larger that fixed cost is
beside it. The row «visit by visit» compares each overview visit with the bare visit just
before it, which the machine's drift during a run moves less.
"""


def _import_missed(rows: list[Row]) -> str:
    """A word on the import ratio when it misses: what the import does beyond the floor."""
    if not any(r.name == "import / parse floor" and r.holds is False for r in rows):
        return ""
    return """
The import misses its target against the parse floor. Beyond what calamine does, an import
checks every cell against the form and the register, plans each submission against the store,
and writes the rows and every original file into DuckDB in one transaction that is committed to
disk; a forked worker already reads half the files on the second core. Measured phase by phase
in one process at M (30.11.2026): calamine about 0.25 s, the loader's own checks about 0.35 s,
and the store about 0.36 s, of which about 0.11 s (inserting the batch, the commit, closing) can
only start after the last file is read. With the checks made free (each file's result computed
beforehand, calamine still reading every file on both cores) the import took 1.65–1.8 × the floor
measured in the same run in four runs on 30.11.2026, and 1.38, 1.69 and 1.63 × in three on
3.12.2026 (0.58–0.65 s against 0.36–0.46 s; the whole import 2.12–2.25 ×): even a free loader
meets the target only now and then while the store is part of the import
(`python -m benchmarks.import_bound M`). Where its time goes: `python -m benchmarks.profile import M`.
"""


def update_readme(section: str) -> None:
    """Replace this section of README.md (to the next `## ` heading or the end), or append it at the end."""
    text = README.read_text(encoding="utf-8")
    start = text.find(f"\n{SECTION}\n")
    if start < 0:
        README.write_text(text.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n", encoding="utf-8")
        return
    start += 1
    nxt = text.find("\n## ", start + len(SECTION))
    end = len(text) if nxt < 0 else nxt + 1
    tail = text[end:]
    README.write_text(text[:start] + section.rstrip("\n") + "\n" + ("\n" + tail if tail else ""), encoding="utf-8")
