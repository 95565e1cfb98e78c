"""The history of every record, read from git in one pass, and the cache that keeps it.

It talks to git (as only the `tracecard.git` package does) through GitPython's command
doorway (`repo.git`), with exactly these commands per run, whatever the number of records:

- `git rev-parse -q --verify HEAD^{commit}` and `git rev-parse --is-shallow-repository`;
- `git merge-base --is-ancestor CACHED HEAD`, only when a cache exists for another head;
- ONE `git log --topo-order --raw -z -M -c --root ... [CACHED..]HEAD -- <record folders>`,
  streamed and parsed as it arrives (`as_process=True`);
- ONE `git cat-file --batch` process, started through `repo.git` with a pipe for stdin, fed
  every blob the log names (a feeder thread writes the object names while the reader parses
  the answers, so the two pipes never block each other). GitPython's own persistent
  `cat-file` (`repo.odb`) answers one object per round trip; this pipelines them all.

How merges are attributed. All commits reachable from HEAD are walked, not only the first
parents, with git's default history simplification for the path-limited walk (what
`git log -- FOLDER` shows):

- an ordinary commit is diffed against its parent, so a change made on a branch that was
  later merged is attributed to the branch commit that made it, with its author and date;
- a merge is shown with `-c` (combined diff), which lists only the files whose merged
  content differs from every parent: conflict resolutions and "evil" merges are attributed
  to the merge commit, and a clean merge adds no version at all;
- a side branch whose changes the merge did not keep (`-s ours`, or reverted while merging)
  is pruned by the simplification, so it cannot leave versions that HEAD does not contain.

Versions are in topological order (every commit after its parents), so "oldest to newest"
is the order of ancestry, not of dates. History is a DAG: the version before a given one
in the tuple may belong to another line of work. Each `Version` therefore carries `before`,
the record's data in that commit's first parent (the left side of the diff git printed), and
rules that compare two states (a status transition, a changed threshold) should compare
`before` with `data` rather than two neighbours of the tuple.

Records are keyed by their front-matter `id`, or, when there is none, by the caller's
`key_for(path, data)` (the file name of a MADR record, say); a file whose front matter does
not parse keeps the key its path had. Renames (`-M`) carry the key on; `git log --follow`
is not used. A key that changes under one path (or across a rename) is listed in
`History.id_changes`. Only regular `.md` files in the record folders are read.

The cache lives in `<git dir>/tracecard/history-<format>-<digest of the folders>.pickle`,
with a small `.delta.pickle` beside it for the commits read since (see "the cache" below).
Each file is a header line (magic, format, CRC-32 of the body) and a body that is a pickle
of plain values (read by an unpickler that can name no class or function: no file can make
tracecard run code) with the head commit, the commits as rows, and for every blob its `id`,
its front matter as JSON and its body digest. A run with the same head reads no git history
at all; a run whose head descends from the cached one reads only `CACHED..HEAD`; a head that
does not (rewritten history, another branch) rebuilds. A file that is truncated, corrupt, of
another format or another tracecard version, of the wrong shape, or whose CRC does not match
is ignored and rewritten, never trusted (a cache of an older format is at another file name
and is not read).
Keys are derived from the cached data on every run, so the cache does not depend on the
`key_for` policy. Writes go to a temporary file that replaces the old one (`os.replace`). A
shallow clone is read but never cached: its history changes when it is deepened while its
head does not.

Where history is missing, `read_history` returns a History that says so instead of raising:
`Status.NOT_A_REPO` (a plain folder), `Status.NO_GIT`, `Status.EMPTY` (no commit yet),
`Status.GIT_ERROR`; each with a sentence in `message`. A shallow clone is read
(`shallow=True`, and `message` says how to fetch the rest): its boundary commit has no
parent, so every record seems created there; callers must not report on creation dates or
on changes older than that. Uncommitted changes are added by the caller with
`with_worktree(history, current)`, as one more version whose commit is `WORKTREE`.

Front matter is parsed by `tracecard.load.parse`, and kept as plain JSON values (a float that
remembers its spelling becomes a plain float), so a cold run and a cached run give equal
results. The dictionaries are shared between versions with the same content, and, when a
record's file says exactly what its last version says, with the file's own front matter
(every part of it that holds no such float): do not mutate.

Records are built when asked for. `History.records` (and `get`) build a record's versions,
decoding their front matter, the first time that record is asked for; which records there
are, their keys, ID changes and deletions are worked out without decoding any. So a check of
one file pays for the records it reads, not for the whole repository's history; iterating
over `records.items()` builds them all, as before.

The body (the text after the closing front-matter fence) is kept as a digest only,
`Version.body`, computed by `body_digest(lines)` from the lines `tracecard.load.parse` splits, so a
caller computes the same digest from `Parsed.body_lines` of a file on disk. It says whether
two versions' text is the same, not where it differs. Formatting does not count: line endings
(LF or CRLF), a BOM, whitespace at the end of a line and blank lines at the end of the file
leave the digest as it was; anything else (a word, a blank line inside the text, indentation)
changes it. It is None when the blob could not be read as text (binary, not UTF-8, larger
than `MAX_BLOB_BYTES`, missing) or, for the working tree, when the caller did not give it.
Reading it costs no git command: the blobs `git cat-file` streams for the front matter hold it.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import pickle
import posixpath
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import Enum
from itertools import chain
from operator import itemgetter
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, NamedTuple

from tracecard import __version__
from tracecard.load.parse import decode, parse_text, plain

if TYPE_CHECKING:  # pragma: no cover
    import git

KeyFor = Callable[[str, "dict[str, Any] | None"], "str | None"]
#: A record on disk for `with_worktree`: (id, path, front matter[, body digest]).
Current = (
    tuple[str, str, dict[str, Any] | None] | tuple[str, str, dict[str, Any] | None, str | None]
)
Progress = Callable[[int, int], None]

#: The commit of the pseudo-version that stands for uncommitted changes.
WORKTREE = "WORKTREE"
#: Bump when the cache layout or the meaning of its content changes.
CACHE_FORMAT = 3  # 3: a pickle; each blob is (id, front matter as JSON, body digest)
#: Blobs larger than this are not parsed (their data and body are None).
MAX_BLOB_BYTES = 1 << 20
#: How often (in commits or blobs) progress is reported.
PROGRESS_EVERY = 500

_MAGIC = "tracecard-history"
_LOG_FORMAT = "%x01%H%x00%P%x00%aI%x00%an%x00%ae%x00%s"
_HEADER_FIELDS = 6
_REGULAR = ("100644", "100755")


# --- values ---------------------------------------------------------------------------------


class Status(str, Enum):
    """Whether history could be read, and if not, why."""

    READ = "read"
    NO_GIT = "no-git"
    NOT_A_REPO = "not-a-repo"
    EMPTY = "empty"
    GIT_ERROR = "git-error"


@dataclass(frozen=True, slots=True)
class Version:
    """One record at one commit: what the commit made of it."""

    commit: str
    parent: str | None  # the first parent, the left side of the diff; None for a root commit
    date: str  # author date, strict ISO 8601
    author: str
    email: str
    path: str  # relative to the root passed to read_history, with '/'
    data: dict[str, Any] | None  # front matter; None when deleted or unreadable
    deleted: bool
    subject: str
    old_path: str | None = None  # set when the commit renamed the file
    before: dict[str, Any] | None = None  # front matter in the first parent, None when new
    blob: str | None = None  # object name of the new content
    body: str | None = None  # body_digest of the content; None when deleted or unreadable


@dataclass(frozen=True, slots=True)
class RecordHistory:
    """Every version of one record, oldest to newest (topological order)."""

    id: str
    versions: tuple[Version, ...]

    @property
    def created(self) -> Version:
        return self.versions[0]

    @property
    def latest(self) -> Version:
        return self.versions[-1]

    @property
    def is_deleted(self) -> bool:
        return self.versions[-1].deleted


@dataclass(frozen=True, slots=True)
class IdChange:
    """The front-matter ID of the file at `path` changed in `commit`."""

    path: str
    commit: str
    old_id: str
    new_id: str


@dataclass(frozen=True, slots=True)
class ReadStats:
    """What one run cost. `cache` is off, cold, hit, extended or rebuilt."""

    commits_read: int = 0  # commits parsed from `git log` in this run
    blobs_read: int = 0  # blobs read through `git cat-file` in this run
    cache: str = "off"
    cache_note: str = ""  # why a cache was not used, or could not be written


@dataclass(frozen=True)
class History:
    """The history of every record, or the reason there is none."""

    status: Status
    head: str = ""
    shallow: bool = False
    #: By key. What `read_history` and `with_worktree` return builds each record's versions
    #: the first time it is asked for (`records[key]`, `get`): a run that reads a few records
    #: pays for those few. Iterating over keys, `in` and `len` build nothing.
    records: Mapping[str, RecordHistory] = field(default_factory=dict)
    id_changes: tuple[IdChange, ...] = ()
    stats: ReadStats = ReadStats()
    message: str = ""  # a sentence for people when history is missing or short

    @property
    def available(self) -> bool:
        return self.status is Status.READ

    @property
    def deleted(self) -> list[RecordHistory]:
        """Records whose last version is a deletion."""
        return [self.records[key] for key in _deleted_keys(self.records)]

    @property
    def deleted_now(self) -> list[RecordHistory]:
        """Records whose last version is an uncommitted deletion (`with_worktree`'s): the file
        of a committed record is gone from the working tree."""
        records = self.records
        if isinstance(records, _Worktree):
            return [records[key] for key in records.gone]
        return [rec for rec in self.deleted if rec.latest.commit == WORKTREE]

    def get(self, record_id: str) -> RecordHistory | None:
        return self.records.get(record_id)


SHALLOW_MESSAGE = (
    "shallow clone: history is cut at the clone depth, so dates and changes before it are "
    "unknown; fetch the full history (actions/checkout with fetch-depth: 0, or "
    "`git fetch --unshallow`)"
)


# --- raw material (what the cache keeps) ------------------------------------------------------


# The commits and changes are kept as the rows the cache stores, so that a warm run builds
# no intermediate objects between unpickling and the Versions:
#   commit row: (sha, parents (space-separated), author date, author, email, subject, changes)
#   change row: (kind (A, M, R or D), old path or None, path, old blob or None, new blob or None)
#   blob: (its `id` when that is a non-blank string (stripped), else None; the front matter as
#          JSON (plain values) or None; the body digest or None)
# The front matter stays JSON until a Version that holds it is built (`_Store.data`): the `id`
# beside it is what keys a record, so reading who is who decodes no front matter.
_CommitRow = Sequence[Any]
_ChangeRow = Sequence[Any]
_Blob = tuple[str | None, bytes | None, str | None]
_UNREADABLE: _Blob = (None, None, None)


class _Raw(NamedTuple):  # (a NamedTuple, not a dataclass: cheaper to import)
    head: str
    commits: list[_CommitRow]  # topological order, oldest first; only commits with changes
    blobs: dict[str, _Blob]  # blob name -> (id, front matter, body digest) (insertion ordered)


class _Scope(NamedTuple):
    """Where the records are: the root's prefix inside the work tree, and the folders."""

    prefix: str  # '' or 'sub/dir/'
    folders: tuple[str, ...]

    def pathspecs(self) -> list[str]:
        out = []
        for folder in self.folders:
            joined = posixpath.normpath(self.prefix + folder)
            out.append(":(top,literal)" + ("" if joined == "." else joined))
        return out

    def local(self, top_path: str) -> str:
        return top_path[len(self.prefix) :] if top_path.startswith(self.prefix) else top_path


# --- entry points ------------------------------------------------------------------------------


def read_history(
    root: Path,
    folders: Sequence[str],
    key_for: KeyFor,
    progress: Progress | None = None,
    *,
    use_cache: bool = True,
) -> History:
    """Read the history of every record under `folders` (relative to `root`).

    Never raises for a missing git, a folder outside git, an empty repository or a git
    failure: the returned History says so in `status` and `message`. `progress(done, total)`
    is called while reading (total 0 while the number of commits is not known yet).
    """
    if use_cache:
        fast = _cached_without_git(Path(root), folders, key_for)
        if fast is not None:
            return fast
    opened = _open_repo(Path(root))
    if isinstance(opened, History):
        return opened
    repo, prefix = opened
    scope = _Scope(prefix, _clean_folders(folders))
    failures = _git_errors() + (ValueError,)  # ValueError: output git should not print
    try:
        return _read(repo, scope, key_for, progress, use_cache)
    except failures as exc:
        return History(
            Status.GIT_ERROR, message=f"git failed while reading history: {_first_line(exc)}"
        )
    finally:
        repo.close()


def _cached_without_git(root: Path, folders: Sequence[str], key_for: KeyFor) -> History | None:
    """The cached history when it already holds HEAD, read without starting git or importing
    GitPython (which alone costs more than the rest of a warm run). HEAD is read from the
    repository's files; anything unusual (a shallow clone, GIT_DIR set, a ref this reader does
    not follow) returns None and the normal path decides."""
    if os.environ.get("GIT_DIR") or os.environ.get("GIT_WORK_TREE"):
        return None
    found = _git_dirs(root.resolve())
    if found is None:
        return None
    top, git_dir, common = found
    if (common / "shallow").exists() or (git_dir / "shallow").exists():
        return None
    head = _head_commit(git_dir, common)
    if head is None:
        return None
    scope = _Scope(_prefix(root, top), _clean_folders(folders))
    cached, note = _load_cache(_cache_path(git_dir, scope), scope)
    if cached is None or cached.raw.head != head:
        return None
    records, id_changes = _assemble(cached.raw, key_for)
    return History(
        Status.READ, head=head, shallow=False, records=records, id_changes=id_changes,
        stats=ReadStats(0, 0, "hit", note),
    )  # fmt: skip


def _git_dirs(start: Path) -> tuple[Path, Path, Path] | None:
    """(work tree, git dir, common dir) of the repository holding `start`, from its files."""
    for folder in (start, *start.parents):
        dot = folder / ".git"
        if dot.is_dir():
            git_dir = dot
        elif dot.is_file():
            text = dot.read_text(encoding="utf-8", errors="replace").strip()
            if not text.startswith("gitdir:"):
                return None
            git_dir = (folder / text[len("gitdir:") :].strip()).resolve()
        else:
            continue
        common = git_dir
        commondir = git_dir / "commondir"
        if commondir.is_file():
            common = (git_dir / commondir.read_text(encoding="utf-8").strip()).resolve()
        return folder, git_dir, common
    return None


_SHA = frozenset("0123456789abcdef")


def _head_commit(git_dir: Path, common: Path) -> str | None:
    """HEAD's commit, following one symbolic ref through loose refs and packed-refs."""
    try:
        head = (git_dir / "HEAD").read_text(encoding="utf-8").strip()
        if not head.startswith("ref: "):
            return head if len(head) == 40 and set(head) <= _SHA else None
        ref = head[len("ref: ") :].strip()
        for base in (git_dir, common):
            loose = base / ref
            if loose.is_file():
                sha = loose.read_text(encoding="utf-8").strip()
                return sha if len(sha) == 40 and set(sha) <= _SHA else None
        packed = common / "packed-refs"
        if packed.is_file():
            for line in packed.read_text(encoding="utf-8").splitlines():
                sha, _, name = line.partition(" ")
                if name == ref and len(sha) == 40 and set(sha) <= _SHA:
                    return sha
    except (OSError, UnicodeDecodeError):
        return None
    return None


def with_worktree(
    history: History,
    current: Iterable[Current],
    *,
    complete: bool = True,
    date: str | None = None,
) -> History:
    """Add the uncommitted state as one more version (commit `WORKTREE`) of each record.

    `current` holds `(id, path, data, body)` for the records as they are on disk now, `body`
    being `body_digest(parsed.body_lines)` (a 3-tuple `(id, path, data)` leaves the body
    unknown: None, and not compared). A record whose path, data and body equal its last
    version gets nothing. With `complete`, a record that is in history, not deleted there,
    and whose path holds nothing now, gets a deletion, unless it is in `current` at another
    path (moved).

    Which records changed ID, were deleted or are new is worked out here, for all of them; a
    record's own working-tree version (which compares its front matter with the last
    committed one) when the record is first asked for.
    """
    when = date if date is not None else datetime.now(UTC).isoformat(timespec="seconds")
    base = history.records
    tips = _tips(base)
    live_paths = {row[2]: key for key, row in tips.items() if row[0] != "D"}
    changes = list(history.id_changes)
    on_disk: dict[str, Current | list[Current]] = {}
    held: dict[str, str] = {}
    new: dict[str, None] = {}
    seen_paths: set[str] = set()
    for item in current:
        key, path = item[0], item[1]
        seen_paths.add(path)
        old_key = live_paths.get(path)
        if old_key is not None and old_key != key:
            changes.append(IdChange(path, WORKTREE, old_key, key))
            held[path] = old_key
        there = on_disk.get(key)
        if there is None:
            on_disk[key] = item  # (most keys are in one file: no list)
        elif isinstance(there, list):
            there.append(item)
        else:
            on_disk[key] = [there, item]
        if key not in tips:
            new[key] = None
    gone: dict[str, None] = {}
    if complete:
        gone = {key: None for key, row in tips.items()
                if row[0] != "D" and row[2] not in seen_paths and key not in on_disk}  # fmt: skip
    records = _Worktree(base, history.head, when, on_disk, held, new, gone)
    return replace(history, records=records, id_changes=tuple(changes))


# --- opening the repository ---------------------------------------------------------------------


def _git_errors() -> tuple[type[BaseException], ...]:
    try:
        import git
    except ImportError:  # pragma: no cover - checked in _open_repo
        return (OSError,)
    return (git.GitCommandError, git.GitCommandNotFound, OSError)


def _open_repo(root: Path) -> tuple[git.Repo, str] | History:
    try:
        import git
    except ImportError:
        return History(
            Status.NO_GIT, message="git is not installed: history rules and the index are skipped"
        )
    try:
        repo = git.Repo(root, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        return History(
            Status.NOT_A_REPO,
            message=f"{root} is not in a git repository: history is not available",
        )
    except git.GitCommandNotFound:
        return History(
            Status.NO_GIT, message="git is not installed: history rules and the index are skipped"
        )
    if repo.bare or repo.working_tree_dir is None:
        repo.close()
        return History(
            Status.NOT_A_REPO, message=f"{root} is in a bare repository: history is not available"
        )
    return repo, _prefix(root, Path(repo.working_tree_dir))


def _prefix(root: Path, top: Path) -> str:
    try:
        rel = root.resolve().relative_to(top.resolve()).as_posix()
    except ValueError:
        return ""
    return "" if rel in ("", ".") else rel + "/"


def _clean_folders(folders: Sequence[str]) -> tuple[str, ...]:
    cleaned = {posixpath.normpath(str(f).replace(os.sep, "/")).strip("/") or "." for f in folders}
    return tuple(sorted(cleaned)) or (".",)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


# --- one run -------------------------------------------------------------------------------------


def _read(
    repo: git.Repo, scope: _Scope, key_for: KeyFor, progress: Progress | None, use_cache: bool
) -> History:
    head = repo.git.rev_parse("-q", "--verify", "HEAD^{commit}", with_exceptions=False).strip()
    if not head:
        return History(
            Status.EMPTY,
            message="the repository has no commits yet: history starts with the first commit",
        )
    shallow = repo.git.rev_parse("--is-shallow-repository").strip() == "true"
    cache_file = _cache_path(Path(repo.git_dir), scope) if use_cache and not shallow else None
    raw, stats = _raw_history(repo, scope, head, cache_file, progress)
    records, id_changes = _assemble(raw, key_for)
    return History(
        Status.READ,
        head=head,
        shallow=shallow,
        records=records,
        id_changes=id_changes,
        stats=stats,
        message=SHALLOW_MESSAGE if shallow else "",
    )


def _raw_history(
    repo: git.Repo, scope: _Scope, head: str, cache_file: Path | None, progress: Progress | None
) -> tuple[_Raw, ReadStats]:
    if cache_file is None:
        raw, commits, blobs = _read_git(repo, scope, head, None, progress)
        return raw, ReadStats(commits, blobs, "off")
    cached, note = _load_cache(cache_file, scope)
    if cached is not None and cached.raw.head == head:
        return cached.raw, ReadStats(0, 0, "hit", note)
    if cached is not None and _is_ancestor(repo, cached.raw.head, head):
        raw, commits, blobs = _read_git(repo, scope, head, cached.raw, progress)
        state = "extended"
    else:
        if cached is not None:
            note = (
                f"cached head {cached.raw.head[:12]} is not an ancestor of HEAD "
                "(history was rewritten)"
            )
            cached = None
        raw, commits, blobs = _read_git(repo, scope, head, None, progress)
        state = "rebuilt" if note else "cold"
    write_note = _save_cache(cache_file, scope, cached, raw)
    return raw, ReadStats(commits, blobs, state, "; ".join(n for n in (note, write_note) if n))


def _is_ancestor(repo: git.Repo, ancestor: str, head: str) -> bool:
    try:
        repo.git.merge_base("--is-ancestor", ancestor, head)
    except _git_errors():
        return False  # exit 1: not an ancestor; else the cached head is gone (gc after a rewrite)
    return True


def _read_git(
    repo: git.Repo, scope: _Scope, head: str, base: _Raw | None, progress: Progress | None
) -> tuple[_Raw, int, int]:
    """Read the commits not in `base` and the blobs they name; return the merged raw history."""
    rev_range = f"{base.head}..{head}" if base is not None else head
    new_commits, seen = _read_log(repo, scope, rev_range, progress)
    blobs = dict(base.blobs) if base is not None else {}
    wanted = _missing_blobs(new_commits, blobs)
    blobs.update(_read_blobs(repo, wanted, progress))
    commits = (base.commits if base is not None else []) + new_commits
    return _Raw(head, commits, blobs), seen, len(wanted)


def _missing_blobs(commits: Iterable[_CommitRow], known: dict[str, Any]) -> list[str]:
    wanted: dict[str, None] = {}
    for commit in commits:
        for _kind, _old_path, _path, old_blob, new_blob in commit[6]:
            for sha in (old_blob, new_blob):
                if sha is not None and sha not in known:
                    wanted[sha] = None
    return list(wanted)


# --- git log -------------------------------------------------------------------------------------


def _log_args(rev_range: str, scope: _Scope) -> list[str]:
    return [
        "--topo-order",
        "--raw",
        "-z",
        "--no-abbrev",
        "-M",
        "-c",
        "--root",
        "--no-color",
        "--no-show-signature",
        "--encoding=UTF-8",
        f"--format={_LOG_FORMAT}",
        rev_range,
        "--",
        *scope.pathspecs(),
    ]


def _read_log(
    repo: git.Repo, scope: _Scope, rev_range: str, progress: Progress | None
) -> tuple[list[_CommitRow], int]:
    """Stream `git log` (newest first) and return the commits oldest first, and how many."""
    proc = repo.git.log(*_log_args(rev_range, scope), as_process=True)
    commits: list[_CommitRow] = []
    seen = 0
    try:
        for commit in _parse_log(_tokens(proc.stdout), scope):
            seen += 1
            if commit[6]:
                commits.append(commit)
            if progress is not None and seen % PROGRESS_EVERY == 0:
                progress(seen, 0)
    finally:
        proc.stdout.close()
        proc.wait()
    commits.reverse()
    return commits, seen


def _tokens(stream: IO[bytes]) -> Iterator[bytes]:
    """The NUL-separated fields of a `-z` stream, read in chunks."""
    rest = b""
    while True:
        chunk = stream.read(1 << 16)
        if not chunk:
            break
        parts = (rest + chunk).split(b"\0")
        rest = parts.pop()
        yield from parts
    if rest:
        yield rest


def _parse_log(tokens: Iterator[bytes], scope: _Scope) -> Iterator[_CommitRow]:
    header: list[bytes] | None = None
    changes: list[_ChangeRow] = []
    for token in tokens:
        token = token.lstrip(b"\n")
        if not token:
            continue
        if token[:1] == b"\x01":
            if header is not None:
                yield _make_commit(header, changes)
            header = [token[1:]] + [next(tokens, b"") for _ in range(_HEADER_FIELDS - 1)]
            changes = []
        elif token[:1] == b":":
            change = _parse_entry(token, tokens, scope)
            if change is not None:
                changes.append(change)
        else:
            raise ValueError(f"unexpected output from git log: {token[:40]!r}")
    if header is not None:
        yield _make_commit(header, changes)


def _make_commit(header: list[bytes], changes: list[_ChangeRow]) -> _CommitRow:
    return (*(h.decode("utf-8", "replace") for h in header), tuple(changes))


def _parse_entry(meta: bytes, tokens: Iterator[bytes], scope: _Scope) -> _ChangeRow | None:
    """One `--raw` entry: `:old new sha sha S` (or `::...` for a merge) and its paths."""
    parents = len(meta) - len(meta.lstrip(b":"))
    fields = meta[parents:].decode("ascii", "replace").split()
    modes, shas, status = fields[: parents + 1], fields[parents + 1 : 2 * parents + 2], fields[-1]
    if parents == 1 and status[:1] in ("R", "C"):
        old_path, path = _path(next(tokens, b""), scope), _path(next(tokens, b""), scope)
    else:
        path = _path(next(tokens, b""), scope)
        old_path = path
    if status[:1] == "C":
        modes, shas = ["000000", modes[-1]], ["0", shas[-1]]  # a copy is a new file
    return _normalise(old_path, path, modes[0], modes[-1], shas[0], shas[-1])


def _path(token: bytes, scope: _Scope) -> str:
    return scope.local(token.decode("utf-8", "surrogateescape"))


def _normalise(
    old_path: str, path: str, old_mode: str, new_mode: str, old_sha: str, new_sha: str
) -> _ChangeRow | None:
    """Keep only what touches a regular `.md` file, as A, M, R or D."""
    had = old_mode in _REGULAR and old_sha.strip("0") != "" and _is_markdown(old_path)
    has = new_mode in _REGULAR and new_sha.strip("0") != "" and _is_markdown(path)
    if had and has:
        return ("M" if old_path == path else "R", old_path, path, old_sha, new_sha)
    if had:
        return ("D", old_path, old_path, old_sha, None)
    if has:
        return ("A", None, path, None, new_sha)
    return None


def _is_markdown(path: str) -> bool:
    return path.lower().endswith(".md")


# --- git cat-file --batch ----------------------------------------------------------------------


def _read_blobs(repo: git.Repo, shas: list[str], progress: Progress | None) -> dict[str, _Blob]:
    if not shas:
        return {}
    import subprocess
    import threading

    proc = repo.git.cat_file("--batch", as_process=True, istream=subprocess.PIPE)
    feeder = threading.Thread(target=_feed, args=(proc.stdin, shas), daemon=True)
    feeder.start()
    out: dict[str, _Blob] = {}
    try:
        for done, sha in enumerate(shas, 1):
            out[sha] = _next_object(proc.stdout)
            if progress is not None and (done % PROGRESS_EVERY == 0 or done == len(shas)):
                progress(done, len(shas))
    finally:
        feeder.join()
        proc.stdout.close()
        proc.wait()
    return out


def _feed(stdin: IO[bytes], shas: list[str]) -> None:
    try:
        for start in range(0, len(shas), 1024):
            stdin.write("".join(s + "\n" for s in shas[start : start + 1024]).encode("ascii"))
        stdin.close()
    except (BrokenPipeError, ValueError):  # the reader gave up: nothing more to send
        pass


def _next_object(stdout: IO[bytes]) -> _Blob:
    header = stdout.readline()
    parts = header.split()
    if not header:
        raise OSError("git cat-file ended early")
    if len(parts) != 3:  # "<name> missing"
        return _UNREADABLE
    size = int(parts[2])
    raw = stdout.read(size)
    stdout.read(1)  # the LF after the content
    if parts[1] != b"blob" or size > MAX_BLOB_BYTES:
        return _UNREADABLE
    return _parse_blob(raw)


def front_matter(raw: bytes) -> dict[str, Any] | None:
    """The front matter of a file's bytes as plain JSON values, or None."""
    return _decode(_parse_blob(raw)[1])


def body_digest(lines: Sequence[str]) -> str:
    """The digest of a body (`Parsed.body_lines`): 16 hex digits, equal for equal text.

    Whitespace at the end of each line (a CR left by a CRLF ending included) and blank lines
    at the end are not part of it; everything else is."""
    kept = [line.rstrip() for line in lines]
    while kept and not kept[-1]:
        kept.pop()
    text = "\n".join(kept).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(text, digest_size=8).hexdigest()


def _parse_blob(raw: bytes) -> _Blob:
    """(id, front matter as JSON of plain values or None, body digest or None) of a file's
    bytes. A cold run keeps what the cache keeps, so that cold and cached runs are equal."""
    text, _problem = decode(raw)
    if text is None:
        return _UNREADABLE
    try:
        parsed = parse_text(text)
    except Exception:  # noqa: BLE001 - old blobs are arbitrary input; a bad one is just unreadable
        return _UNREADABLE
    data = parsed.data
    body = body_digest(parsed.body_lines)
    if not isinstance(data, dict):
        return (None, None, body)
    clean = plain(data)
    ident = clean.get("id")
    ident = ident.strip() if isinstance(ident, str) and ident.strip() else None
    return (ident, json.dumps(clean, separators=(",", ":")).encode("ascii"), body)


def _plain_view(value: Any) -> Any:
    """`plain(value)`, sharing each dict and list of `value` that is plain already."""
    if _is_plain(value):
        return value
    if isinstance(value, dict):
        return {str(k): _plain_view(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_view(v) for v in value]
    return float(value)  # a float that remembers its spelling


def _is_plain(value: Any) -> bool:
    """Whether `plain(value)` would equal `value` in every type: no YamlFloat, no key that is
    not a string, no subclass of dict or list."""
    kind = type(value)
    if kind is dict:
        return all(type(k) is str and _is_plain(v) for k, v in value.items())
    if kind is list:
        return all(map(_is_plain, value))
    return not isinstance(value, dict | list | float) or kind is float


_JSON = json.JSONDecoder()  # (`json.loads` of bytes guesses their encoding: they are ASCII)


def _decode(text: bytes | None) -> dict[str, Any] | None:
    """Front matter from its JSON, None when there is none (or the JSON is not a mapping)."""
    if text is None:
        return None
    try:
        value = _JSON.decode(text.decode("ascii"))
    except ValueError:  # only a forged cache holds bad JSON under a good digest: no data
        return None
    return value if isinstance(value, dict) else None


# --- assembling records ------------------------------------------------------------------------
#
# Who is who is worked out for every record on every run (a pass over the commit rows that reads
# only paths and the `id` beside each blob); a record's versions are built, and their front
# matter decoded, when the record is first asked for. A check of one file reads the history of
# that file's record and of the few it looks at, not of ten thousand.


class _Store:
    """The blobs of one history. Front matter is decoded once per blob and shared by every
    version that holds that blob (do not mutate it). The store owns the table it is given:
    a blob's JSON is dropped from it once decoded (the raw history is not used after)."""

    __slots__ = ("blobs", "_data")

    def __init__(self, blobs: dict[str, _Blob]) -> None:
        self.blobs = blobs
        self._data: dict[str, dict[str, Any] | None] = {}

    def data(self, name: str) -> dict[str, Any] | None:
        try:
            return self._data[name]
        except KeyError:
            ident, text, body = self.blobs[name]
            value = self._data[name] = _decode(text)
            if text is not None:
                self.blobs[name] = (ident, None, body)
            return value

    def offer(self, name: str, data: dict[str, Any] | None) -> None:
        """Front matter that may be blob `name`'s (a file's as parsed now): when its plain form
        is exactly the blob's (the same JSON: same keys in the same order, same types), the
        blob takes that form, which shares every part without a YamlFloat with `data`, instead
        of decoding a copy of its own. A text with NaN is decoded as before (NaN is not equal
        to itself, so sharing could make a changed record look unchanged)."""
        text = self.blobs[name][1]
        if name in self._data or text is None or data is None or b"NaN" in text:
            return
        view = _plain_view(data)
        try:
            same = json.dumps(view, separators=(",", ":")).encode("ascii") == text
        except (TypeError, ValueError):
            return
        if same:
            self._data[name] = view
            self.blobs[name] = (self.blobs[name][0], None, self.blobs[name][2])

    def key(self, path: str, name: str | None, key_for: KeyFor) -> str | None:
        """The key of the file at `path` holding blob `name` (None: no content)."""
        if name is None:
            return key_for(path, None)
        ident = self.blobs[name][0]
        return ident if ident is not None else key_for(path, self.data(name))

    def version(self, commit: _CommitRow, change: _ChangeRow) -> Version:
        sha, parents, date, author, email, subject, _changes = commit
        kind, old_path, path, old_blob, new_blob = change
        before = self.data(old_blob) if old_blob is not None else None
        data, body = None, None
        if new_blob is not None:
            data, body = self.data(new_blob), self.blobs[new_blob][2]
        return Version(
            sha, parents.split(" ", 1)[0] or None, date, author, email, path, data, kind == "D",
            subject, old_path if kind == "R" else None, before, new_blob, body,
        )  # fmt: skip


#: A record's (commit row, change row) pairs, oldest first: one pair, or a list of them.
_Refs = tuple[_CommitRow, _ChangeRow] | list[tuple[_CommitRow, _ChangeRow]]


class _Records(Mapping[str, RecordHistory]):
    """The committed history of each record, built when it is first asked for."""

    def __init__(
        self,
        store: _Store,
        refs: dict[str, _Refs],
        keys: Mapping[str, object] | None = None,
        built: dict[str, RecordHistory] | None = None,
    ) -> None:
        self._store = store
        self._refs = refs  # key -> its (commit row, change row) pairs, oldest first
        self._keys = refs if keys is None else keys  # the records, in order
        self._built = {} if built is None else built
        self._tips: dict[str, _ChangeRow] | None = None

    def __getitem__(self, key: str) -> RecordHistory:
        if key not in self._keys:  # (first: `_built` is shared with the sets `only` makes)
            raise KeyError(key)
        rh = self._built.get(key)
        if rh is None:
            version = self._store.version
            rh = RecordHistory(key, tuple(version(c, ch) for c, ch in _pairs(self._refs[key])))
            self._built[key] = rh
        return rh

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def tips(self) -> dict[str, _ChangeRow]:
        """The change row of each record's last version (its kind, D for a deletion, and its
        path are `row[0]` and `row[2]`), building nothing (do not mutate)."""
        if self._tips is None:
            refs = self._refs
            self._tips = {key: _last(refs[key])[1] for key in self._keys}
        return self._tips

    def deleted_keys(self) -> list[str]:
        return [key for key, row in self.tips().items() if row[0] == "D"]

    def offer(self, key: str, path: str, data: dict[str, Any] | None) -> None:
        """The front matter of the file at `path` that holds record `key` now: its last version
        shares it when it is the same (`_Store.offer`), before the record is built."""
        if key in self._built or key not in self._keys:
            return
        kind, _old_path, last_path, _old_blob, new_blob = _last(self._refs[key])[1]
        if kind != "D" and last_path == path and new_blob is not None:
            self._store.offer(new_blob, data)

    def only(self, keys: Iterable[str]) -> _Records:
        kept = _Records(self._store, self._refs, dict.fromkeys(keys), self._built)
        if self._tips is not None:
            kept._tips = {key: self._tips[key] for key in kept._keys}
        return kept


def _assemble(raw: _Raw, key_for: KeyFor) -> tuple[_Records, tuple[IdChange, ...]]:
    path_key: dict[str, str] = {}
    refs: dict[str, _Refs] = {}
    id_changes: list[IdChange] = []
    store = _Store(raw.blobs)
    blobs = raw.blobs
    for commit in raw.commits:
        for change in commit[6]:
            kind, old_path, path, old_blob, new_blob = change
            old_key = path_key.pop(old_path, None) if old_path is not None else None
            if kind == "D":
                key = old_key or store.key(path, old_blob, key_for)
            else:
                ident = blobs[new_blob][0] if new_blob is not None else None  # (store.key, inlined)
                key = (ident or store.key(path, new_blob, key_for)) or old_key
                if key is not None and old_key is not None and old_key != key:
                    id_changes.append(IdChange(path, commit[0], old_key, key))
                if key is not None:
                    path_key[path] = key
            if key is not None:
                had = refs.get(key)
                if had is None:
                    refs[key] = (commit, change)  # (most records have one version: no list)
                elif type(had) is list:
                    had.append((commit, change))
                else:
                    refs[key] = [had, (commit, change)]  # type: ignore[list-item]
    return _Records(store, refs), tuple(id_changes)


def _pairs(refs: _Refs) -> list[tuple[_CommitRow, _ChangeRow]]:
    return refs if type(refs) is list else [refs]  # type: ignore[list-item]


def _last(refs: _Refs) -> tuple[_CommitRow, _ChangeRow]:
    return refs[-1] if type(refs) is list else refs  # type: ignore[return-value]


def _tips(records: Mapping[str, RecordHistory]) -> dict[str, _ChangeRow]:
    """Each record's last version as a change row (`_Records.tips`), in the records' order."""
    if isinstance(records, _Records):
        return records.tips()
    return {key: ("D" if rh.latest.deleted else "M", None, rh.latest.path, None, None)
            for key, rh in records.items()}  # fmt: skip


def _deleted_keys(records: Mapping[str, RecordHistory]) -> list[str]:
    if isinstance(records, _Records | _Worktree):
        return records.deleted_keys()
    return [key for key, rh in records.items() if rh.is_deleted]


def keep_records(history: History, keep: Callable[[str], bool]) -> History:
    """The history without the records whose last version's path `keep` refuses (building
    none of them)."""
    records = history.records
    kept = [key for key, row in _tips(records).items() if keep(row[2])]
    if len(kept) == len(records):
        return history
    if isinstance(records, _Records):
        return replace(history, records=records.only(kept))
    return replace(history, records={key: records[key] for key in kept})


# --- the working tree --------------------------------------------------------------------------



class _Worktree(Mapping[str, RecordHistory]):
    """A history with the working tree's versions added, each record's when it is asked for."""

    def __init__(
        self,
        base: Mapping[str, RecordHistory],
        head: str,
        when: str,
        on_disk: dict[str, Current | list[Current]],
        held: dict[str, str],
        new: dict[str, None],
        gone: dict[str, None],
    ) -> None:
        self.base = base
        self.head = head
        self.when = when
        self.on_disk = on_disk  # key -> the file that holds it now (a list when several do)
        self.held = held  # path -> the other key whose live last version is at that path
        self.new = new  # keys that only the working tree has, in order
        self.gone = gone  # committed keys whose file is gone (deleted now), in order
        self._built: dict[str, RecordHistory] = {}

    def __getitem__(self, key: str) -> RecordHistory:
        rh = self._built.get(key)
        if rh is None:
            rh = self._built[key] = self._build(key)
        return rh

    def _files(self, key: str) -> list[Current]:
        there = self.on_disk.get(key)
        return [] if there is None else there if isinstance(there, list) else [there]

    def _build(self, key: str) -> RecordHistory:
        files = self._files(key)
        if key in self.base:
            if isinstance(self.base, _Records):
                for item in files:
                    self.base.offer(key, item[1], item[2])
            rec: RecordHistory | None = self.base[key]
        elif key in self.new:
            rec = None
        else:
            raise KeyError(key)
        added = [
            v for item in files
            if (v := self._version(key, rec, item[1], item[2], item[3] if len(item) == 4 else None,
                                   self.held.get(item[1]))) is not None
        ]  # fmt: skip
        if key in self.gone:
            assert rec is not None
            last = rec.latest
            added.append(_pseudo(self.head, self.when, last.path, None, deleted=True, before=last.data))
        if not added:
            assert rec is not None
            return rec
        return RecordHistory(key, (rec.versions if rec is not None else ()) + tuple(added))

    def _version(
        self,
        key: str,
        rec: RecordHistory | None,
        path: str,
        data: dict[str, Any] | None,
        body: str | None,
        old_key: str | None,
    ) -> Version | None:
        """The working tree's version of `key` held by the file at `path`, None when the file
        says what the last committed version says."""
        prev = rec.latest if rec is not None and not rec.latest.deleted else None
        if old_key is not None and old_key != key:  # the file held another record
            before = self.base[old_key].latest.data
            return _pseudo(self.head, self.when, path, data, deleted=False, before=before, body=body)
        if (
            prev is not None
            and prev.path == path
            and prev.data == data
            and (body is None or prev.body == body)
        ):
            return None
        old_path = prev.path if prev is not None and prev.path != path else None
        before = prev.data if prev else None
        return _pseudo(
            self.head, self.when, path, data, deleted=False, before=before, old_path=old_path,
            body=body,
        )  # fmt: skip

    def __contains__(self, key: object) -> bool:
        return key in self.base or key in self.new

    def __iter__(self) -> Iterator[str]:
        yield from self.base
        yield from self.new

    def __len__(self) -> int:
        return len(self.base) + len(self.new)

    def deleted_keys(self) -> list[str]:
        """A record whose file is on disk is not deleted (its version is the file's, or the
        file says what its live last version says); one whose file is gone is."""
        base_deleted = set(_deleted_keys(self.base))
        return [key for key in self.base
                if key in self.gone or (key in base_deleted and key not in self.on_disk)]  # fmt: skip


def _pseudo(
    head: str,
    when: str,
    path: str,
    data: dict[str, Any] | None,
    *,
    deleted: bool,
    before: dict[str, Any] | None,
    old_path: str | None = None,
    body: str | None = None,
) -> Version:
    return Version(
        commit=WORKTREE,
        parent=head or None,
        date=when,
        author="",
        email="",
        path=path,
        data=data,
        deleted=deleted,
        subject="uncommitted changes",
        old_path=old_path,
        before=before,
        body=body,
    )


# --- the cache ---------------------------------------------------------------------------------
#
# Two files: a base (`history-F-D.pickle`) and a delta (`history-F-D.delta.pickle`) that holds
# only the commits read since the base was written, and names the base by its digest. A run
# that finds a few new commits rewrites the small delta, not the base; when the delta grows
# past a quarter of the base (or a rebuild happens) the base is rewritten and the delta removed.
# Each file is one header line (`MAGIC FORMAT DIGEST`) and a body whose BLAKE2 digest the header
# gives: a file that does not match is not read at all. The body is a pickle of plain values
# (strings, bytes, tuples, lists, dicts) read by an unpickler that can name no class or
# function, so no file can make tracecard run code; its shape is checked before it is used.

_DELTA_MAGIC = _MAGIC + "-delta"
#: A delta may hold this many commits, or a quarter of the base, whichever is more.
DELTA_MIN_COMMITS = 500
_SUFFIX = ".pickle"


class _Cached(NamedTuple):
    raw: _Raw
    base_digest: str
    base_commits: int  # how many of raw.commits come from the base file
    base_blobs: int  # how many of raw.blobs (in insertion order) come from the base file


def _cache_path(git_dir: Path, scope: _Scope) -> Path:
    digest = hashlib.blake2b(
        json.dumps([scope.prefix, scope.folders]).encode(), digest_size=6
    ).hexdigest()
    return git_dir / "tracecard" / f"history-{CACHE_FORMAT}-{digest}{_SUFFIX}"


def _delta_path(path: Path) -> Path:
    return path.with_name(path.name[: -len(_SUFFIX)] + ".delta" + _SUFFIX)


def _load_cache(path: Path, scope: _Scope) -> tuple[_Cached | None, str]:
    """The cached history, or None and why it was not usable ('' when there is none)."""
    try:
        obj, digest = _unpack(path, _MAGIC, scope)
        base = _Raw(_text(obj["head"]), _commit_rows(obj["commits"]), _blob_table(obj["blobs"]))
        _check_rows(base.commits, base.blobs)
    except FileNotFoundError:
        return None, ""
    except OSError as exc:
        return None, f"cache unreadable: {exc.strerror or exc}"
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        return None, f"cache ignored: {exc}"
    cached = _Cached(base, digest, len(base.commits), len(base.blobs))
    return _with_delta(cached, _delta_path(path), scope)


def _with_delta(cached: _Cached, path: Path, scope: _Scope) -> tuple[_Cached, str]:
    try:
        obj, _digest = _unpack(path, _DELTA_MAGIC, scope)
        if obj["base"] != cached.base_digest:
            return cached, "cache delta ignored: written for another base"
        blobs = {**cached.raw.blobs, **_blob_table(obj["blobs"])}
        added = _commit_rows(obj["commits"])
        _check_rows(added, blobs)
        raw = _Raw(_text(obj["head"]), cached.raw.commits + added, blobs)
    except FileNotFoundError:
        return cached, ""
    except OSError as exc:
        return cached, f"cache delta unreadable: {exc.strerror or exc}"
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        return cached, f"cache delta ignored: {exc}"
    return cached._replace(raw=raw), ""


class _Unpickler(pickle.Unpickler):
    """Plain values only: no class or function can be named, so no cache file, whoever wrote
    it, can make tracecard run code (it is ignored instead)."""

    def find_class(self, module: str, name: str) -> Any:
        raise pickle.UnpicklingError(f"{module}.{name} is not cache data")


class _Summed:
    """The rest of a file, read through while its CRC-32 is worked out (never more than the
    file holds: a damaged length cannot make a read allocate more)."""

    def __init__(self, fh: IO[bytes], size: int) -> None:
        self.fh = fh
        self.left = size
        self.crc = 0

    def read(self, n: int = -1) -> bytes:
        data = self.fh.read(self.left if n is None or n < 0 else min(n, self.left))
        self.left -= len(data)
        self.crc = zlib.crc32(data, self.crc)
        return data

    def readline(self, limit: int = -1) -> bytes:
        data = self.fh.readline(self.left if limit is None or limit < 0 else min(limit, self.left))
        self.left -= len(data)
        self.crc = zlib.crc32(data, self.crc)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _unpack(path: Path, magic: str, scope: _Scope) -> tuple[dict[str, Any], str]:
    """The body of the cache file at `path`, unpickled as it is read (a large history is not
    held twice, as bytes and as values), then trusted only if the whole body's CRC matches."""
    with path.open("rb") as fh:
        first = fh.readline(200)
        fields = first.decode("ascii").rstrip("\n").split(" ")
        if not first.endswith(b"\n") or len(fields) != 3 or fields[0] != magic or fields[1] != str(CACHE_FORMAT):
            raise ValueError("not a cache file of this format")
        digest = fields[2]
        body = _Summed(fh, os.fstat(fh.fileno()).st_size - len(first))
        try:
            obj = _Unpickler(body).load()
            failed = ""
        except Exception as exc:  # noqa: BLE001 - damaged or forged: whatever fails, it is not used
            obj, failed = None, f"unreadable body: {exc}"
        body.read()  # the rest: the digest covers all of it
    if f"{body.crc:08x}" != digest:
        raise ValueError("digest mismatch (truncated or corrupt)")
    if failed:
        raise ValueError(failed)
    if not isinstance(obj, dict):
        raise TypeError("malformed cache: not a mapping")
    if (
        obj["tool"] != __version__
        or obj["prefix"] != scope.prefix
        or obj["folders"] != scope.folders
    ):
        raise ValueError("written by another tracecard version or for other folders")
    return obj, digest


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError("malformed cache: expected a string")
    return value


# The checks below look at one column of the rows at a time (`map`, `set`): a warm run checks
# tens of thousands of rows before it uses them, and this keeps that a few milliseconds.
_NONE = type(None)
_COLUMN = [itemgetter(i) for i in range(7)]
_HEAD = itemgetter(slice(0, 6))


def _types(values: Iterable[Any]) -> set[type]:
    return set(map(type, values))


def _blob_table(value: Any) -> dict[str, _Blob]:
    if type(value) is not dict:
        raise TypeError("malformed cache: blobs")
    blobs = list(value.values())
    if (
        _types(value) - {str}
        or _types(blobs) - {tuple}
        or set(map(len, blobs)) - {3}
        or _types(map(_COLUMN[0], blobs)) - {str, _NONE}
        or _types(map(_COLUMN[1], blobs)) - {bytes, _NONE}
        or _types(map(_COLUMN[2], blobs)) - {str, _NONE}
    ):
        raise TypeError("malformed cache: blob entry")
    return value


def _commit_rows(items: Any) -> list[_CommitRow]:
    if type(items) is not list:
        raise TypeError("malformed cache: commits")
    return items


def _check_rows(commits: list[_CommitRow], blobs: dict[str, Any]) -> None:
    """Every row has its shape, and every blob it names is in the table (else KeyError)."""
    if (
        _types(commits) - {tuple}
        or set(map(len, commits)) - {7}
        or _types(chain.from_iterable(map(_HEAD, commits))) - {str}
        or _types(map(_COLUMN[6], commits)) - {tuple}
    ):
        raise TypeError("malformed cache: commit row")
    changes = list(chain.from_iterable(map(_COLUMN[6], commits)))
    if (
        _types(changes) - {tuple}
        or set(map(len, changes)) - {5}
        or set(map(_COLUMN[0], changes)) - {"A", "M", "R", "D"}
        or _types(map(_COLUMN[1], changes)) - {str, _NONE}
        or _types(map(_COLUMN[2], changes)) - {str}
    ):
        raise TypeError("malformed cache: change row")
    names = set(map(_COLUMN[3], changes)) | set(map(_COLUMN[4], changes))
    names.discard(None)
    missing = names.difference(blobs)
    if missing:
        raise KeyError(f"blob {sorted(map(str, missing))[0]} missing from cache")


def _pack(magic: str, scope: _Scope, fields: dict[str, Any]) -> tuple[bytes, str]:
    obj = {"tool": __version__, "prefix": scope.prefix, "folders": scope.folders, **fields}
    body = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    digest = _digest(body)
    return f"{magic} {CACHE_FORMAT} {digest}\n".encode("ascii") + body, digest


def _digest(body: bytes | memoryview) -> str:
    """A CRC-32: it tells a damaged file (truncated, changed) from a whole one, cheaply."""
    return f"{zlib.crc32(body):08x}"


def _save_cache(path: Path, scope: _Scope, cached: _Cached | None, raw: _Raw) -> str:
    """Write the delta when it stays small, else the base; return '' or why nothing was written."""
    if cached is not None and len(raw.commits) - cached.base_commits <= max(
        DELTA_MIN_COMMITS, cached.base_commits // 4
    ):
        new_blobs = dict(list(raw.blobs.items())[cached.base_blobs :])
        fields = {"base": cached.base_digest, "head": raw.head, "blobs": new_blobs,
                  "commits": raw.commits[cached.base_commits :]}  # fmt: skip
        return _write_atomic(_delta_path(path), _pack(_DELTA_MAGIC, scope, fields)[0])
    fields = {"head": raw.head, "commits": raw.commits, "blobs": raw.blobs}
    note = _write_atomic(path, _pack(_MAGIC, scope, fields)[0])
    if not note:
        _delta_path(path).unlink(missing_ok=True)
        _drop_old_formats(path.parent)
    return note


def _drop_old_formats(folder: Path) -> None:
    """Remove history caches of earlier formats (never read again: 90 MB at 100,000 records)."""
    for old in folder.glob("history-*"):
        if not old.name.startswith(f"history-{CACHE_FORMAT}-") and old.is_file() and not old.is_symlink():
            with contextlib.suppress(OSError):
                old.unlink()


def _write_atomic(path: Path, content: bytes) -> str:
    """Write through a temporary file and `os.replace`; return '' or why it failed."""
    tmp: str | None = None
    if path.parent.is_symlink() or (path.exists() and not path.is_file()):
        return "cache not written: its folder is a link, or the cache is not a file"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        import tempfile

        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.replace(tmp, path)
        tmp = None
        return ""
    except OSError as exc:
        return f"cache not written: {exc.strerror or exc}"
    finally:  # interrupted too: no temporary file stays behind
        if tmp is not None:
            with contextlib.suppress(OSError):
                Path(tmp).unlink(missing_ok=True)
