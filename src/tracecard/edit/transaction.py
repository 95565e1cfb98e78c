"""Writes that are exclusive, all-or-nothing across files, and stay in the repository.

Every command that writes records does so in one `Transaction`:

1. **The lock.** `lock(root)` takes an exclusive `flock` on `<git dir>/tracecard/write.lock`
   (`<root>/.tracecard/write.lock` outside git) before the command reads the records it will
   change, and keeps it until the command ends. Two writers in one repository therefore run
   one after the other: the second reads what the first wrote (a new number, a new status),
   and a file changed on disk since it was read is refused (`frontmatter.save`). The lock is
   released by the kernel when the process dies, however it dies.
2. **The journal.** Before the first byte of a record changes, `journal.json` beside the lock
   lists every file the change touches: its path, its bytes before (none for a new file), the
   digest of its bytes after, and the temporary file that holds them. Then the temporary
   files are written and synced, then moved into place (a new file is linked, so it can never
   replace a file created meanwhile), then the journal is removed. SIGINT and SIGTERM are held
   back while files move; one that arrived meanwhile undoes the whole change before the
   command exits 130, so an interrupted command leaves the files as they were.
3. **Recovery.** A process killed outright (SIGKILL, power loss) leaves the journal behind.
   The next tracecard command that reads the repository (`recover`) takes the lock, puts
   every file back as the journal says it was, removes the temporary files and the journal,
   and says so in one line on stderr.
4. **Containment.** A path whose real location (links resolved) is outside the repository is
   never written, nor is one inside `.git`.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
import secrets
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from tracecard.errors import UsageError
from tracecard.report.text import say

JOURNAL = "journal.json"
JOURNAL_VERSION = 1
_TEMP_NAME = re.compile(r"\.tracecard-[0-9a-f]{16}\.tmp")
LOCK = "write.lock"
#: How long a writer waits for another one to finish before giving up.
LOCK_TIMEOUT = 60.0

_held: dict[str, int] = {}  # state folder -> the open lock file, while this process holds it


def state_dir(root: Path) -> Path:
    """Where the lock and the journal live: under the git directory, else beside the records."""
    start = root.resolve()
    for folder in (start, *start.parents):
        dot = folder / ".git"
        if dot.is_dir() and not dot.is_symlink():
            return dot / "tracecard" if _is_git_dir(dot) else start / ".tracecard"
        if dot.is_file():  # a linked worktree or a submodule: `gitdir: <path>`
            text = dot.read_text(encoding="utf-8", errors="replace").strip()
            if text.startswith("gitdir:"):
                gitdir = Path(text[len("gitdir:"):].strip())
                gitdir = gitdir if gitdir.is_absolute() else folder / gitdir
                return gitdir / "tracecard" if _is_git_dir(gitdir) else start / ".tracecard"
            return start / ".tracecard"
    return start / ".tracecard"


def _is_git_dir(path: Path) -> bool:
    """A git directory that git itself would use (not an empty or planted `.git`)."""
    return (path / "HEAD").is_file() and ((path / "objects").is_dir() or (path / "commondir").is_file())


def lock(root: Path, timeout: float = LOCK_TIMEOUT) -> None:
    """Hold the repository's write lock until `release` (or the end of the process)."""
    folder = state_dir(root)
    key = str(folder)
    if key in _held:
        return
    import fcntl

    try:
        _state_folder(root, folder)
        fd = os.open(folder / LOCK, os.O_RDWR | os.O_CREAT | _NOFOLLOW, 0o644)
    except OSError as exc:
        raise UsageError(f"cannot take the write lock in {folder}: {exc.strerror or exc}") from exc
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            break
        except BlockingIOError:
            if time.monotonic() > deadline:
                os.close(fd)
                raise UsageError("another tracecard command has been writing in this "
                                 f"repository for {timeout:.0f} s; try again") from None
            time.sleep(0.02)
    _held[key] = fd
    _recover_held(root, folder)


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_saved_handlers: dict[int, Any] = {}


def _state_folder(root: Path, folder: Path) -> None:
    """The lock and journal folder exists, and is a real folder inside the repository (not a
    link that would carry them, or what recovery writes, elsewhere)."""
    for part in (folder.parent, folder):
        if part.is_symlink():
            raise UsageError(f"{part} is a link: tracecard keeps its lock and journal only in "
                             "a real folder inside the repository")  # fmt: skip
    folder.mkdir(exist_ok=True)  # only ever one level: its parent is the repository's own


def release(restore_signals: bool = True) -> None:
    """Let go of every lock this process holds (the end of a command), and give SIGINT and
    SIGTERM back their handlers if a committed change had set them aside (not when the process
    ends with the command: an interrupt between here and its exit would report a change as
    undone that was made)."""
    for fd in _held.values():
        with contextlib.suppress(OSError):
            os.close(fd)
    _held.clear()
    if not restore_signals:
        return
    for signum, handler in _saved_handlers.items():
        with contextlib.suppress(ValueError, OSError):
            signal.signal(signum, handler)
    _saved_handlers.clear()


def _done_is_done() -> None:
    """A change is written: from here to the end of the command an interrupt must not report
    "Aborted" (exit 130 promises the files are as they were), so SIGINT and SIGTERM wait."""
    if not _main_thread():
        return
    for signum in (signal.SIGINT, signal.SIGTERM):
        if signum not in _saved_handlers:
            _saved_handlers[signum] = signal.signal(signum, signal.SIG_IGN)


@contextlib.contextmanager
def locked(root: Path) -> Iterator[None]:
    held_before = str(state_dir(root)) in _held
    lock(root)
    try:
        yield
    finally:
        if not held_before:
            release()


# --- recovery ----------------------------------------------------------------------------------


def recover(root: Path) -> None:
    """Undo a change a killed writer left half done, if there is one (cheap when there is not:
    one `stat`)."""
    folder = state_dir(root)
    journal = folder / JOURNAL
    if not (journal.exists() or journal.is_symlink()) or str(folder) in _held:
        return
    with locked(root):
        pass  # taking the lock recovers


def _recover_held(root: Path, folder: Path) -> None:
    journal = folder / JOURNAL
    if journal.is_symlink():
        _set_aside(journal, "is a link")
        return
    try:
        if not journal.exists():
            return
        if not journal.is_file():
            _set_aside(journal, "is not a regular file")
            return
        raw = journal.read_bytes()
    except FileNotFoundError:
        return
    except OSError as exc:
        _set_aside(journal, f"cannot be read ({exc.strerror or exc})")
        return
    entries = _valid_entries(root, raw)
    if entries is None:
        _set_aside(journal, "is not a journal tracecard wrote, or points outside the repository")
        return
    restored = _roll_back(root, entries)
    with contextlib.suppress(OSError):
        journal.unlink()
    say(f"tracecard: an interrupted write was undone ({restored} file(s) put back as they "
          "were)", sys.stderr)


def _set_aside(journal: Path, why: str) -> None:
    """A journal that cannot be trusted is renamed, never acted on, and said once."""
    aside = journal.with_name(JOURNAL + ".rejected")
    with contextlib.suppress(OSError):
        os.replace(journal, aside)
    say(f"tracecard: {journal} {why}: set aside as {aside.name}, nothing undone", sys.stderr)


def _valid_entries(root: Path, raw: bytes) -> list[dict[str, Any]] | None:
    """The journal's entries if every one is what `apply` writes: a path and a temporary file
    inside the repository (relative to it), the temporary file beside its target with the
    name `apply` gives, the digest after and the bytes before (base64) or null."""
    try:
        doc = json.loads(raw.decode("utf-8"))
        entries = doc["files"]
        if doc.get("version") != JOURNAL_VERSION or not isinstance(entries, list):
            return None
        out = []
        for e in entries:
            path, temp, after, before = e["path"], e["temp"], e["after"], e["before"]
            if not all(isinstance(v, str) for v in (path, temp, after)):
                return None
            if before is not None and not isinstance(before, str):
                return None
            target, tmp = root / path, root / temp
            if Path(path).is_absolute() or Path(temp).is_absolute() or target.is_dir():
                return None
            inside(root, target)
            if tmp.parent != target.parent or not _TEMP_NAME.fullmatch(tmp.name):
                return None
            if before is not None:
                base64.b64decode(before, validate=True)
            out.append({"path": target, "temp": tmp, "after": after, "before": before})
        return out
    except (ValueError, KeyError, TypeError, AttributeError, UsageError, UnicodeDecodeError,
            RecursionError, OSError):  # fmt: skip
        return None


def _roll_back(root: Path, entries: list[dict[str, Any]]) -> int:
    """Put every file back as it was before; the temporary files go. Restoring a file goes
    through its journaled temporary name, so a recovery killed in turn leaves nothing the next
    one does not know."""
    restored = 0
    for entry in reversed(entries):
        target, temp = Path(entry["path"]), Path(entry["temp"])
        with contextlib.suppress(OSError):
            os.unlink(temp)
        before = entry["before"]
        now = _read(str(target))
        if before is None:
            if now is not None and _digest(now) == entry["after"]:
                with contextlib.suppress(OSError):
                    os.unlink(target)
                    restored += 1
        else:
            original = base64.b64decode(before)
            if now != original:
                _write_synced(temp, original, mode=_mode(target, False))
                os.replace(temp, target)
                restored += 1
    return restored


# --- writing -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    """One file of a change: its bytes after, and its bytes before (None: a new file)."""

    path: Path
    data: bytes
    before: bytes | None


def inside(root: Path, path: Path) -> Path:
    """`path` with links resolved; UsageError when that is outside `root` or inside `.git`."""
    real_root = root.resolve()
    real = Path(os.path.realpath(path))
    if not real.is_relative_to(real_root):
        raise UsageError(f"{path} is outside the repository ({real}): tracecard writes only "
                         "inside it; nothing written")  # fmt: skip
    if ".git" in real.relative_to(real_root).parts:
        raise UsageError(f"{path} is inside .git: tracecard does not write there")
    return real


def apply(root: Path, writes: Sequence[Write]) -> None:
    """Write every file or none, under the lock, journaled (see the module docstring)."""
    if not writes:
        return
    with locked(root):
        folder = state_dir(root)
        plan = []
        for w in writes:
            real = inside(root, w.path)
            now = _read(str(real))
            if w.before is None and now is not None:
                raise UsageError(f"{w.path}: already exists; nothing written")
            if w.before is not None and now != w.before:
                raise UsageError(f"{w.path}: changed on disk since it was read (another "
                                 "command or an editor wrote it); nothing written")  # fmt: skip
            temp = real.parent / f".tracecard-{secrets.token_hex(8)}.tmp"  # short, unguessable
            plan.append((w, real, temp))
        journal = folder / JOURNAL
        real_root = root.resolve()
        entries = [{"path": real.relative_to(real_root).as_posix(),
                    "temp": temp.relative_to(real_root).as_posix(), "after": _digest(w.data),
                    "before": None if w.before is None else base64.b64encode(w.before).decode()}
                   for w, real, temp in plan]  # fmt: skip
        undo = [{**e, "path": real, "temp": temp} for e, (_, real, temp) in zip(entries, plan)]
        try:
            with _signals_held() as caught:
                staged = folder / (JOURNAL + ".new")
                _write_synced(staged, json.dumps({"version": JOURNAL_VERSION,
                                                  "files": entries}).encode(), exclusive=False)
                os.replace(staged, journal)  # the journal appears whole, or not at all
                _failpoint("journal")
                for w, real, temp in plan:
                    _write_synced(temp, w.data, mode=_mode(real, w.before is None),
                                  exclusive=True)  # fmt: skip
                _failpoint("temps")
                for n, (w, real, temp) in enumerate(plan, 1):
                    if w.before is None:
                        os.link(temp, real)  # exclusive: fails if the file appeared meanwhile
                        os.unlink(temp)
                    else:
                        os.replace(temp, real)
                    sync_folder(str(real.parent))
                    _failpoint(f"moved:{n}")
                if caught:
                    raise _Interrupted(caught[0])  # interrupted while files moved: undo it all
                with contextlib.suppress(OSError):
                    journal.unlink()
                _done_is_done()
        except BaseException as exc:
            with _signals_held():
                _roll_back(root, undo)
                with contextlib.suppress(OSError):
                    journal.unlink()
            if isinstance(exc, _Interrupted):
                raise (SystemExit(143) if exc.signum == signal.SIGTERM else KeyboardInterrupt()) from None
            if isinstance(exc, FileExistsError):
                raise UsageError(f"{exc.filename}: created by someone else meanwhile; nothing "
                                 "written") from None  # fmt: skip
            if isinstance(exc, OSError):
                why = exc.strerror or str(exc)
                where = f"{exc.filename}: " if exc.filename else ""
                raise UsageError(f"{where}cannot write ({why}); nothing written, every file is "
                                 "unchanged") from None  # fmt: skip
            raise


def sync_folder(folder: str) -> None:
    """`tracecard.edit.frontmatter.sync_folder`, imported when a change is written: every run
    that reads records imports this module (to undo a change left half done), few write."""
    from tracecard.edit.frontmatter import sync_folder as sync

    sync(folder)


def _failpoint(name: str) -> None:
    """For the interruption tests: `TRACECARD_FAILPOINT=moved:1:KILL` sends this process
    SIGKILL (or INT, TERM) once the first file has moved. Unset in normal use: one lookup."""
    wanted = os.environ.get("TRACECARD_FAILPOINT")
    if not wanted:
        return
    point, _, sig = wanted.rpartition(":")
    if point == name:
        os.kill(os.getpid(), getattr(signal, f"SIG{sig}", signal.SIGKILL))


@contextlib.contextmanager
def _signals_held() -> Iterator[list[int]]:
    """SIGINT and SIGTERM are noted, not acted on, inside the block; the list says which came."""
    caught: list[int] = []
    if not _main_thread():
        yield caught
        return

    def note(signum: int, frame: FrameType | None) -> None:
        caught.append(signum)

    old = {s: signal.signal(s, note) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield caught
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


class _Interrupted(BaseException):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _write_synced(path: Path, data: bytes, mode: int = 0o644, exclusive: bool = False) -> None:
    """Write and sync `path`, never through a link; with `exclusive`, only a new file."""
    flags = os.O_WRONLY | os.O_CREAT | _NOFOLLOW | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, mode)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
        os.fsync(fd)
    finally:
        os.close(fd)
    with contextlib.suppress(OSError):
        os.chmod(path, mode)


def _mode(real: Path, new: bool) -> int:
    if not new:
        with contextlib.suppress(OSError):
            return real.stat().st_mode & 0o7777
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        return None


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
