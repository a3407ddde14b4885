"""Reading a batch of files with a forked worker gives what reading them one by one gives.

The worker forks only in a process with no other Python threads, and a pytest session that has
run AppTest or a browser has several; so the batch side of each comparison runs in a fresh
interpreter, where the worker is used (on two or more CPUs), and the one-by-one side here.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import subprocess
import sys
import time
from pathlib import Path

import pytest

from loaders import batch as batch_module
from loaders.batch import MIN_FILES, parse_files, parsed_in_order, worker_pays
from loaders.importer import import_files, import_into_store
from loaders.parsing import parse_file
from loaders.register import load_reference
from store import database
from tests.form_files import (
    budget_line,
    csv_bytes,
    csv_row,
    milestone,
    no_plans_submission,
    valid_pilot,
    valid_submission,
    workbook,
)

VIEWS = ("submissions_current", "pilots_current", "milestones_current", "budget_lines_current")
AGENCIES = ["Husbanken", "Kartverket", "Statsbygg", "Valgdirektoratet", "Datatilsynet", "Distriktssenteret",
            "Digitaliseringsdirektoratet"]


def mixed_batch() -> list[tuple[str, bytes]]:
    """Good workbooks, workbooks and CSVs with errors, garbage and a milestone CSV, more than MIN_FILES."""
    files = []
    for i in range(MIN_FILES + 4):
        agency, year = AGENCIES[i % len(AGENCIES)], 2023 + i % 2
        if i % 7 == 3:
            files.append((f"{i:02d}_feil.xlsx", workbook(pilots=[valid_pilot(start_date="snart", status="Kanskje")])))
        elif i % 7 == 5:
            files.append((f"{i:02d}_søppel.xlsx", b"PK\x03\x04 ikke en arbeidsbok"))
        elif i % 7 == 6:  # the second of these is the first saved again without its guide sheet: other bytes
            files.append((f"{i:02d}_ingen.xlsx", workbook(innsending=no_plans_submission(agency=agency), pilots=[],
                                                         guide=i < 7)))
        else:
            pilots = [valid_pilot(pilot_name=f"Pilot {i}-{n}", pilot_ref=f"P{n}") for n in range(1 + i % 3)]
            files.append((f"{i:02d}.xlsx", workbook(innsending=valid_submission(agency=agency, start_year=year),
                                                    pilots=pilots, milestones=[milestone(pilot="P0")],
                                                    budget=[budget_line(pilot="P0")])))
    files.append(("zz_milepæler.csv", csv_bytes([csv_row(milestone(pilot="P0", name="Ny"), agency="Husbanken",
                                                         start_year=2023)])))
    return files


def outcome(parsed) -> tuple:
    """Everything a parsed file tells the user and the store."""
    return (parsed.name, parsed.content, parsed.kind, parsed.table, parsed.sha256,
            [str(p) for p in parsed.problems], [p.is_warning for p in parsed.problems],
            [(s.agency, s.start_year, s.fields, s.pilots, s.milestones, s.budget) for s in parsed.submissions])


def imported(path: Path, batches: list[list[tuple[str, bytes]]], reference) -> tuple:
    """Outcomes and the four views after importing the batches one after another into a new store."""
    outcomes = []
    with database.open_store(path) as con:
        database.sync_reference(con, reference)
        for files in batches:
            plans = import_files(con, files, reference)
            outcomes += [(p.name, p.outcome, [str(e) for e in p.problems]) for p in plans]
    return sorted(outcomes), views(path)


def views(path: Path) -> dict:
    """Every row of the four current views."""
    with database.open_store(path, read_only=True) as con:
        return {view: con.execute(f"SELECT * FROM {view} ORDER BY ALL").fetchall() for view in VIEWS}


def with_worker(what: str, out: Path) -> None:
    """In a fresh interpreter: read ("parse") or import ("import") the batch in out with the worker.

    The batch travels as bytes: a workbook made again would differ (openpyxl stamps the time). With the
    result goes how many files this process read itself: the worker must have read the others.
    """
    files, reference = pickle.loads(out.read_bytes()), load_reference()
    if len(os.sched_getaffinity(0)) < 2:  # the machine's CPUs, not worker_pays: that is what is tested
        out.write_bytes(pickle.dumps(None))
        return
    assert worker_pays(len(files)), "a batch this size, on two CPUs and in one thread, is read with a worker"
    read_here = []
    read_one = batch_module._WorkerBatch._parse

    def read_slowly(self, index: int):
        # this process reads slowly, so the worker gets files however long the machine takes to fork it (once,
        # under load, this process read all 21 before the worker took one)
        read_here.append(index)
        time.sleep(0.05)
        return read_one(self, index)

    batch_module._WorkerBatch._parse = read_slowly
    started = []
    start_one = batch_module._WorkerBatch.__init__
    batch_module._WorkerBatch.__init__ = lambda self, *args: started.append(1) or start_one(self, *args)
    if what == "parse":
        result = [outcome(p) for p in parse_files(files, reference)]
    elif what == "leave":  # take the first file's result and leave the batch
        with parsed_in_order(files, reference) as parsed:
            first = next(parsed).name
        result = (first, len(started), len(multiprocessing.active_children()))
    else:  # as the command line imports: the worker reads while the store is opened
        plans = import_into_store(out.with_suffix(".duckdb"), files, reference)
        result = sorted((p.name, p.outcome, [str(e) for e in p.problems]) for p in plans), views(
            out.with_suffix(".duckdb"))
    out.write_bytes(pickle.dumps((result, len(set(read_here)), len(files))))


def run_with_worker(what: str, batch: list[tuple[str, bytes]], tmp_path: Path):
    """with_worker in a new Python process (no other threads); skips on a machine with one CPU."""
    out = tmp_path / f"{what}.pickle"
    out.write_bytes(pickle.dumps(batch))
    root = Path(__file__).resolve().parents[1]
    code = f"from tests.test_batch import with_worker as w; from pathlib import Path; w({what!r}, Path({str(out)!r}))"
    proc = subprocess.run([sys.executable, "-c", code], cwd=root, env={**os.environ, "PYTHONPATH": str(root)},
                          check=True, timeout=300, capture_output=True, text=True)
    assert proc.stderr == ""  # neither process said anything: no traceback from a worker left behind
    sent = pickle.loads(out.read_bytes())
    if sent is None:
        pytest.skip("this machine has one CPU: batches are read without a worker")
    result, read_here, count = sent
    if what != "leave":
        assert read_here < count  # the worker read some of the files (this process reads the rest)
    return result


def test_a_batch_read_with_the_worker_gives_every_file_what_reading_it_alone_gives(reference, tmp_path):
    batch = mixed_batch()
    alone = [outcome(parse_file(name, content, reference)) for name, content in batch]
    assert run_with_worker("parse", batch, tmp_path) == alone
    assert {len(o[5]) > 0 for o in alone} == {True, False}  # the batch has refused and accepted files


def test_a_batch_imported_with_the_worker_stores_what_importing_it_one_by_one_stores(reference, tmp_path):
    batch = mixed_batch()
    together = run_with_worker("import", batch, tmp_path)
    # one by one, yet in the order the batch is planned in: workbooks first, then the milestone CSV
    one_by_one = imported(tmp_path / "one_by_one.duckdb", [[f] for f in batch], reference)
    # what only a batch can say: two files of one submission in the same import
    same_import = [problem for _, _, problems in together[0] for problem in problems if "i samme import" in problem]
    together = ([(name, outcome, [p for p in problems if p not in same_import]) for name, outcome, problems
                 in together[0]], together[1])
    assert together == one_by_one
    assert len(together[1]["submissions_current"]) >= 8 and together[1]["milestones_current"]


def test_leaving_a_batch_early_stops_its_worker_quietly(reference, tmp_path):
    batch = mixed_batch()
    first, workers, children = run_with_worker("leave", batch, tmp_path)
    assert (first, workers, children) == (batch[0][0], 1, 0)  # a worker ran, and was gone once the batch was left
