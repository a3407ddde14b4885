"""One download built in a process of its own, for the dashboard's server (exports.building.build_apart).

    python -m exports.worker  < request   (pickled: kind, store, filter key, choice, output file)

Writes the file's bytes to the output file and, on stdout, the store's signature while it was
built (None when an import changed it in every attempt) and the process's peak memory in kB. On
failure it exits non-zero with the reason as the last line on stderr, and writes nothing.
"""

from __future__ import annotations

import pickle
import re
import sys
import traceback
from pathlib import Path


def peak_kb() -> int:
    """This process's peak resident memory (VmHWM), in kB; 0 where /proc does not say."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return 0
    found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.MULTILINE)
    return int(found[1]) if found else 0


def main() -> int:
    from exports import building

    kind, store, key, choice, out = pickle.load(sys.stdin.buffer)
    try:
        content, shows = building.build_here(kind, Path(store), key, choice)
    except Exception as exc:  # the traceback for the server's log, the reason last for the user
        traceback.print_exc()
        reason = " ".join(str(exc).split()) or type(exc).__name__
        print(reason, file=sys.stderr)
        return 1
    Path(out).write_bytes(content)
    sys.stdout.buffer.write(pickle.dumps((shows, peak_kb())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
