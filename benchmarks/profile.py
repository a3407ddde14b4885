"""Where the time goes: sample a page's reruns (or an import) with py-spy and summarise.

Not part of `make bench`; py-spy comes with the test requirements (`make bench` installs them).
After a bench run has made the stores:

    python -m benchmarks.profile page M pages/1_virksomheter.py    # 15 warm reruns in AppTest
    python -m benchmarks.profile import M                          # import every M file once

It prints the project's own functions (and the library calls under them) by inclusive share
of the samples taken while the page script (or the import) ran, and keeps the raw stacks in
benchmarks/work/profile-*.txt for a flame graph.
"""

from __future__ import annotations

import argparse
import collections
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from benchmarks import generate

ROOT = generate.ROOT
WORK = generate.WORK
PROJECT_PREFIXES = ("ui/", "loaders/", "store/", "exports/", "pages/", "dashboard.py", "benchmarks/")

PAGE_LOOP = """
import os, sys, time
sys.path.insert(0, {root!r})
os.environ["PILOT_DB"] = {db!r}
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({entry!r}, default_timeout=600)
at.run()
if {page!r} != "dashboard.py":
    at.switch_page({page!r}); at.run()
at.run()
start = time.perf_counter()
for _ in range({reps}):
    at.run()
print("median-free mean per rerun: %.0f ms" % ((time.perf_counter() - start) / {reps} * 1000), file=sys.stderr)
print("errors:", [e.message.splitlines()[0][:120] for e in at.exception], file=sys.stderr)
"""

IMPORT_ONCE = """
import sys
sys.path.insert(0, {root!r})
from pathlib import Path
from benchmarks import generate, stores
from loaders.register import load_reference
ref = load_reference(generate.reference_dir({size!r}))
files = stores.read_files({size!r})
print(stores.import_into(Path({db!r}), files, ref)[:2], file=sys.stderr)
"""


def summarise(raw: Path, marker: str, top: int = 40) -> str:
    """Inclusive and self shares of frames in stacks that contain marker (py-spy's raw format)."""
    inclusive: collections.Counter = collections.Counter()
    own: collections.Counter = collections.Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if marker not in stack or not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = stack.split(";")
        for frame in dict.fromkeys(frames):
            inclusive[frame] += n
        own[frames[-1]] += n
    if not total:
        return f"no samples contain {marker!r}"
    def project(frame: str) -> bool:
        where = frame.rpartition("(")[2]
        return where.startswith(PROJECT_PREFIXES) or where[:1].isdigit()

    lines = [f"{total} samples while {marker} ran", "", "inclusive  the project's functions (file:line)"]
    lines += [f"{n / total:8.1%}  {f}" for f, n in inclusive.most_common() if project(f)][:top]
    lines += ["", "inclusive  library calls (file:line)"]
    lines += [f"{n / total:8.1%}  {f}" for f, n in inclusive.most_common()
              if not project(f) and n < 0.9 * total and "scriptrunner" not in f and "exec_code" not in f][:top // 2]
    lines += ["", "self       function (file:line)"]
    lines += [f"{n / total:8.1%}  {frame}" for frame, n in own.most_common(15)]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile")
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("page")
    p.add_argument("size", choices=("S", "M", "L"))
    p.add_argument("page", help="dashboard.py or pages/<file>.py")
    p.add_argument("--reps", type=int, default=15)
    p = sub.add_parser("import")
    p.add_argument("size", choices=("S", "M", "L"))
    args = parser.parse_args(argv)
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    if not Path(spy).exists():
        print("py-spy is not installed: .venv/bin/pip install py-spy", file=sys.stderr)
        return 2
    WORK.mkdir(parents=True, exist_ok=True)
    db = generate.size_dir(args.size) / "store.duckdb"
    if args.what == "page":
        if not db.exists():
            print(f"{db} is missing: run `python -m benchmarks --sizes {args.size} --parts pages` first",
                  file=sys.stderr)
            return 2
        code = PAGE_LOOP.format(root=str(ROOT), db=str(db), entry=str(ROOT / "dashboard.py"), page=args.page,
                                reps=args.reps)
        marker = Path(args.page).name
        raw = WORK / f"profile-{args.size}-{Path(args.page).stem}.txt"
    else:
        db = WORK / f"profile-import-{args.size}.duckdb"
        code = IMPORT_ONCE.format(root=str(ROOT), size=args.size, db=str(db))
        marker = "import_into_store"
        raw = WORK / f"profile-import-{args.size}.txt"
    script = WORK / "profile_target.py"
    script.write_text(code, encoding="utf-8")
    started = time.monotonic()
    subprocess.run([spy, "record", "-r", "250", "-f", "raw", "-o", str(raw), "--", sys.executable, str(script)],
                   cwd=ROOT, env={**os.environ}, check=False)
    print(f"\n({time.monotonic() - started:.0f} s) raw stacks: {raw}\n")
    print(summarise(raw, marker))
    return 0


if __name__ == "__main__":
    sys.exit(main())
