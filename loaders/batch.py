"""Reading a batch of files on two cores: a forked worker parses files while this process does too.

Reading a workbook is mostly calamine, which holds the GIL, so threads cannot share the work;
a forked process can, and starts in milliseconds because it shares this one's memory. The
two take files from one counter, so both stay busy to the end, and the worker sends back
each file's result as it has it.

`parsed_in_order` hands out the results in the order of the files, each as soon as it is ready
(the importer takes them all before it plans: which file is newest is known only then);
whenever the next result is not ready, this process reads the next file nobody has taken.

A fork is made only where it is safe and pays: a batch of several files, two CPUs or more,
and a process running no other Python threads (the command line, the benchmarks). The
dashboard's server runs many threads; there the files are read one by one, as before.
"""

from __future__ import annotations

import contextlib
import fcntl
import multiprocessing
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection

from loaders.parsing import ParsedFile, parse_file
from loaders.register import Reference

MIN_FILES = 16  # below this the fork costs about what it saves
JOIN_SECONDS = 5.0
PIPE_BYTES = 1 << 20  # Linux lets any process have a pipe of 1 MB (/proc/sys/fs/pipe-max-size)


def parse_files(files: list[tuple[str, bytes]], reference: Reference) -> list[ParsedFile]:
    """parse_file for every (name, bytes), in order; on two cores when worker_pays(len(files))."""
    with parsed_in_order(files, reference) as parsed:
        return list(parsed)


@contextmanager
def parsed_in_order(files: list[tuple[str, bytes]], reference: Reference) -> Iterator[Iterator[ParsedFile]]:
    """parse_file for every (name, bytes), handed out in order as each is ready.

    With a worker, it starts reading on entering the block, so what the block does before it
    asks for the first result (opening the store) overlaps the reading. Leaving the block
    stops the worker, whether or not every result was taken.
    """
    if not worker_pays(len(files)):
        yield (parse_file(name, content, reference) for name, content in files)
        return
    batch = _WorkerBatch(files, reference)
    try:
        yield batch.in_order()
    finally:
        batch.close()


def worker_pays(count: int) -> bool:
    """Whether a batch of count files is read with a forked worker."""
    return (count >= MIN_FILES and _cpus() >= 2 and threading.active_count() == 1
            and "fork" in multiprocessing.get_all_start_methods())


def _cpus() -> int:
    """The CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


class _WorkerBatch:
    """A forked worker and this process taking the next file from a shared counter."""

    def __init__(self, files: list[tuple[str, bytes]], reference: Reference):
        self.files = files
        self.reference = reference
        self.results: list[ParsedFile | None] = [None] * len(files)
        context = multiprocessing.get_context("fork")
        self.counter = context.Value("i", 0)
        self.receiver, sender = context.Pipe(duplex=False)
        _widen(sender)
        self.worker = context.Process(target=_work, args=(files, reference, self.counter, sender), daemon=True)
        self.worker.start()
        sender.close()  # the worker holds the only writing end: when it is done, reading ends
        self.worker_gone = False

    def in_order(self) -> Iterator[ParsedFile]:
        """Each file's result in the files' order; this process reads a file itself while it waits."""
        for index in range(len(self.files)):
            while self.results[index] is None:
                self._receive(wait=False)
                if self.results[index] is not None:
                    break
                mine = _claim(self.counter, len(self.files))
                if mine is not None:
                    self.results[mine] = self._parse(mine)
                elif not self._receive(wait=True):
                    # The worker is gone without this file (it failed): read it here, as it would be alone.
                    self.results[index] = self._parse(index)
            parsed, self.results[index] = self.results[index], None
            yield parsed

    def _parse(self, index: int) -> ParsedFile:
        return parse_file(*self.files[index], self.reference)

    def _receive(self, wait: bool) -> bool:
        """Take the worker's results that are ready, or wait for one; False once the worker is gone."""
        while not self.worker_gone and (wait or self.receiver.poll()):
            try:
                index, parsed = self.receiver.recv()
            except (EOFError, OSError):
                self.worker_gone = True
                break
            if parsed is None:  # the worker failed on this file; reading it here meets the same error
                self.results[index] = self._parse(index)
            else:
                parsed.content = self.files[index][1]  # sent without its bytes; this process has them
                self.results[index] = parsed
            if wait:
                return True
        return not self.worker_gone

    def close(self) -> None:
        """End the worker at once: it has sent every result, or the batch was left early and they are not wanted."""
        self.receiver.close()
        if not self.worker_gone:
            self.worker.kill()
        self.worker.join(JOIN_SECONDS)


def _widen(connection: Connection) -> None:
    """Let the pipe hold many results, so the worker goes on reading while this process writes to the store."""
    if hasattr(fcntl, "F_SETPIPE_SZ"):
        with contextlib.suppress(OSError):  # a smaller pipe only makes the worker wait now and then
            fcntl.fcntl(connection.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _claim(counter, count: int) -> int | None:
    """The index of the next file nobody has taken, or None when all are taken."""
    with counter.get_lock():
        index = counter.value
        if index >= count:
            return None
        counter.value = index + 1
    return index


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
