"""One download built in a process of its own, for the dashboard's server (exports.building.build_apart).

    python -m exports.worker  < request   (pickled: kind, store, filter key, choice, output file)

Writes the file's bytes to the output file and, on stdout, the store's signature while it was
built (None when an import changed it in every attempt). On failure it exits non-zero with the
reason as the last line on stderr, and writes nothing.
"""

from __future__ import annotations

import pickle
import sys
import traceback
from pathlib import Path


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
    sys.stdout.buffer.write(pickle.dumps(shows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
