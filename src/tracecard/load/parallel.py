"""Reading a large repository's files in several processes.

A cold `tracecard check` spends most of its time reading files: YAML, the body's Markdown and
the single-record rules, one file at a time, none of it depending on another file. When many
files must be read (their cache entries are missing or stale), the work is shared out: the
run forks one child process per extra share, each child reads its files into cache entries
(`tracecard.load.discover.to_entry`, the same plain data the cache stores) and hands them over
through a pipe (nothing is written to a file), and the run reads its own share meanwhile. A child's entries become
records exactly as a cached file's do, so a run's findings are the same whichever process
read a file (tests/test_parallel.py compares them on every corpus case).

Only where `os.fork` exists, only for shares of at least `MIN_SHARE` files, and never more
processes than the cores this process may run on (at most `MAX_JOBS`).
`TRACECARD_JOBS=N` sets the number of processes (1: read everything in this one). A child that
fails in any way (killed, out of memory, an exception) costs nothing but time: its share is
read again here.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
from collections.abc import Callable, Sequence
from typing import IO, Any, Generic, TypeVar

#: Fewer files than this per process are read here: a fork and the hand-over cost more.
MIN_SHARE = 600
MAX_JOBS = 4
#: Shares are dealt out in runs of this many files.
RUN = 32

T = TypeVar("T")


def jobs() -> int:
    """How many processes a run may read files in (1 where processes cannot be forked)."""
    if not hasattr(os, "fork"):
        return 1
    wanted = os.environ.get("TRACECARD_JOBS", "").strip()
    if wanted:
        try:
            return max(1, min(int(wanted), 64))
        except ValueError:
            return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_JOBS))


def shares(items: Sequence[T], count: int) -> list[list[T]]:
    """`items` split into at most `count` shares of at least MIN_SHARE each (one share when
    there are too few), interleaved in runs of RUN files so that each share holds every kind of
    record (the folders differ in what their files cost to read)."""
    count = max(1, min(count, len(items) // MIN_SHARE))
    out: list[list[T]] = [[] for _ in range(count)]
    for n, item in enumerate(items):
        out[(n // RUN) % count].append(item)
    return out


class Child(Generic[T]):
    """`work(share)` run in a forked process; `result()` is what it returned, or None when the
    child failed (the caller then does the work itself)."""

    def __init__(self, work: Callable[[list[T]], Any], share: list[T]) -> None:
        self.share = share
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(Exception):
                stream.flush()
        # The hand-over is a pipe: nothing is written to any file, inside the repository or
        # out of it. The child blocks on a full pipe until `result` reads it.
        read_end, write_end = os.pipe()
        try:
            self.pid = os.fork()
        except OSError:
            os.close(read_end)
            os.close(write_end)
            raise
        if self.pid == 0:  # pragma: no cover - the child's side (its coverage is not collected)
            os.close(read_end)
            _run_child(work, share, write_end)
        os.close(write_end)
        self._in: IO[bytes] | None = os.fdopen(read_end, "rb")

    def result(self) -> Any | None:
        data = b""
        if self._in is not None:
            with contextlib.suppress(OSError):
                data = self._in.read()
            self._in.close()
            self._in = None
        try:
            _, status = os.waitpid(self.pid, 0)
        except ChildProcessError:
            status = -1
        self.pid = 0
        if status != 0:
            return None
        try:
            return pickle.loads(data)
        except Exception:  # noqa: BLE001 - a half-written hand-over: the work is done again
            return None

    def cancel(self) -> None:
        """Stop the child (the run is ending without its result)."""
        if self._in is not None:
            self._in.close()
            self._in = None
        if self.pid:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.waitpid(self.pid, 0)
            self.pid = 0


def _run_child(work: Callable[[list[T]], Any], share: list[T], out: int) -> None:  # pragma: no cover
    code = 1
    try:
        # Output is the parent's alone: a child that wrote would duplicate or interleave it.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        # Pickled before the pipe is written to: while the parent is busy, not while it waits.
        data = pickle.dumps(work(share), protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(out, "wb") as fh:
            fh.write(data)
        code = 0
    except BaseException:  # noqa: BLE001, S110 - any failure: the parent reads the share itself
        pass
    finally:
        os._exit(code)
