"""Reading a batch of files on two cores: a forked worker parses files while this process does too.

Reading a workbook is mostly calamine, which holds the GIL, so threads cannot share the work;
a forked process can, and starts in milliseconds because it shares this one's memory. The
two take files from one counter, so both stay busy to the end, and the worker sends back
each file's result as it has it. The results are parse_file's, in the order given.

A fork is made only where it is safe and pays: a batch of several files, two CPUs or more,
and a process running no other Python threads (the command line, the benchmarks). The
dashboard's server runs many threads; there the files are read one by one, as before.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from multiprocessing.connection import Connection

from loaders.parsing import ParsedFile, parse_file
from loaders.register import Reference

MIN_FILES = 16  # below this the fork costs about what it saves
JOIN_SECONDS = 5.0


def parse_files(files: list[tuple[str, bytes]], reference: Reference) -> list[ParsedFile]:
    """parse_file for every (name, bytes), in order; on two cores when worker_pays(len(files))."""
    if not worker_pays(len(files)):
        return [parse_file(name, content, reference) for name, content in files]
    return _parse_with_worker(files, reference)


def worker_pays(count: int) -> bool:
    """Whether a batch of count files is read with a forked worker."""
    return (count >= MIN_FILES and _cpus() >= 2 and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods())


def _cpus() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


def _parse_with_worker(files: list[tuple[str, bytes]], reference: Reference) -> list[ParsedFile]:
    """Both processes take the next file from a shared counter; the worker's results come through a pipe."""
    context = multiprocessing.get_context("fork")
    counter = context.Value("i", 0)
    receiver, sender = context.Pipe(duplex=False)
    worker = context.Process(target=_work, args=(files, reference, counter, sender), daemon=True)
    worker.start()
    sender.close()  # the worker holds the only writing end: when it is done, reading ends
    results: list[ParsedFile | None] = [None] * len(files)
    try:
        while (index := _claim(counter, len(files))) is not None:
            results[index] = parse_file(*files[index], reference)
            _receive(receiver, files, results, wait=False)
        _receive(receiver, files, results, wait=True)
    finally:
        receiver.close()
        worker.join(JOIN_SECONDS)
        if worker.is_alive():
            worker.kill()
            worker.join()
    # A file the worker took and did not deliver (it failed) is read here, as it would have been alone.
    return [parsed if parsed is not None else parse_file(*files[index], reference)
            for index, parsed in enumerate(results)]


def _claim(counter, count: int) -> int | None:
    """The index of the next file nobody has taken, or None when all are taken."""
    with counter.get_lock():
        index = counter.value
        if index >= count:
            return None
        counter.value = index + 1
    return index


def _receive(receiver: Connection, files: list[tuple[str, bytes]], results: list[ParsedFile | None],
             wait: bool) -> None:
    """Take the worker's results that are ready (or, waiting, all of them until it is done)."""
    while wait or receiver.poll():
        try:
            index, parsed = receiver.recv()
        except (EOFError, OSError):
            return
        if parsed is not None:
            parsed.content = files[index][1]  # sent without its bytes; this process has them
            results[index] = parsed


def _work(files: list[tuple[str, bytes]], reference: Reference, counter, sender: Connection) -> None:
    """The forked worker: parse files as long as there are any, sending each result back."""
    try:
        while (index := _claim(counter, len(files))) is not None:
            try:
                parsed = parse_file(*files[index], reference)
            except Exception:  # the parent reads this file again and meets the error itself
                sender.send((index, None))
                continue
            _ = parsed.sha256  # hashed here, on this core; the hash travels back with the result
            parsed.content = b""
            sender.send((index, parsed))
    finally:
        sender.close()
