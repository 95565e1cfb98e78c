"""What `tracecard check` keeps between runs: per-file entries and the whole result.

Where: `<git dir>/tracecard/cache/` (beside the history cache; a linked worktree uses its own
git directory). Outside a git repository nothing is cached: `check` never writes into a plain
folder of records. `--no-cache` or `TRACECARD_NO_CACHE=1` turns both caches off for a run.

**Per-file entries** (`files-<context>/`): what one file yields (front matter values, the CRC of the YAML
text, which positions are worked out from again when a finding needs one, the body's headings, links,
code blocks and digest, and the findings of the single-record rules), keyed by the file's
path, folder kind and bytes. The context is everything else that changes an entry: tracecard's
version and code, the configuration and the repository's schemas; another context is another
folder. Entries live in 16 shard files; an index of each path's size, mtime and inode says
which entry a file has without reading it (a file changed in the last two seconds before the
index was written is read again, as git does for racily clean files).

**The whole result** (`result-*.pickle`): the findings of a full run, keyed by every record
file's path, size, mtime and inode, the context, the day the run takes as today, the selected
and ignored codes, the git state the history rules read (HEAD, refs, index, shallow), and the
existence of every file a body links to.

Every file is written to a temporary name and renamed into place, so a reader sees a whole
file or none; concurrent runs at worst redo each other's work. An entry that cannot be read
(truncated, garbage, another format) is ignored and rebuilt. The files are pickles of plain
data read by an unpickler that can name no class but YamlFloat (so no file can make tracecard
run code), and each names the device and inode of the folder it was written in: a cache that
came from elsewhere (a ZIP of a repository, a copied `.git`) is never read.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import stat
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from tracecard import __version__

#: Bumped when what an entry holds changes.
FORMAT = 3
#: Entries live in 16 shard files (by the key's first hex digit): few files to write on a
#: first run, small ones to rewrite when one file changes.
_SHARD_CHARS = 1
#: A file whose mtime is this close to (or after) the index's writing is read again.
_RACY_NS = 2_000_000_000
_CONTEXTS_KEPT = 3


def disabled_by_env() -> bool:
    return os.environ.get("TRACECARD_NO_CACHE", "").strip() not in ("", "0")


def git_dir(root: Path) -> Path | None:
    """The git directory of the repository around `root` (a linked worktree's own), found as
    `tracecard.edit.transaction.state_dir` finds it; None when there is none."""
    start = root.resolve()
    for folder in (start, *start.parents):
        dot = folder / ".git"
        if dot.is_dir() and not dot.is_symlink():
            return dot if _is_git_dir(dot) else None
        if dot.is_file():  # a linked worktree or a submodule: `gitdir: <path>`
            try:
                text = dot.read_text(encoding="utf-8", errors="replace").strip()
            except OSError:
                return None
            if text.startswith("gitdir:"):
                gitdir = Path(text[len("gitdir:"):].strip())
                gitdir = gitdir if gitdir.is_absolute() else folder / gitdir
                return gitdir if _is_git_dir(gitdir) else None
            return None
    return None


def _is_git_dir(path: Path) -> bool:
    return (path / "HEAD").is_file() and ((path / "objects").is_dir() or (path / "commondir").is_file())


def cache_folder(root: Path) -> Path | None:
    """`<git dir>/tracecard/cache`, or None outside git (nothing is cached there)."""
    gitdir = git_dir(root)
    return None if gitdir is None else gitdir / "tracecard" / "cache"


def journal_pending(root: Path) -> bool:
    """Whether a writer left a change half done (`tracecard.edit.transaction` undoes it)."""
    gitdir = git_dir(root)
    journal = gitdir / "tracecard" / "journal.json" if gitdir is not None else None
    return journal is not None and (journal.exists() or journal.is_symlink())


_CODE: str | None = None


def code_fingerprint() -> str:
    """tracecard's version and the size and mtime of each of its source and schema files: a
    changed tracecard never reads an entry an older one wrote."""
    global _CODE
    if _CODE is None:
        h = hashlib.blake2b(f"{__version__} {FORMAT}".encode(), digest_size=16)
        base = Path(__file__).resolve().parent.parent
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
            for name in sorted(filenames):
                if name.endswith((".py", ".json", ".md", ".toml")):
                    st = os.stat(os.path.join(dirpath, name))
                    h.update(f"{dirpath}/{name} {st.st_size} {st.st_mtime_ns}\n".encode())
        _CODE = h.hexdigest()
    return _CODE


def context_key(settings: Any) -> str:
    """Everything but the files that changes an entry: the code, the configuration (but the
    codes selected and the day, which only the whole result depends on) and the schemas."""
    h = hashlib.blake2b(code_fingerprint().encode(), digest_size=16)
    fields = {k: v for k, v in vars(settings).items()
              if k not in ("select", "ignore", "strict", "today")}  # fmt: skip
    h.update(repr(sorted((k, repr(v)) for k, v in fields.items())).encode())
    for rel in sorted(str(v) for v in settings.schemas.values()):
        path = settings.root / rel
        try:  # never open a pipe or a device (a FIFO would block): the loader refuses those
            st = os.stat(path)
            if stat.S_ISREG(st.st_mode) and st.st_size <= 10_000_000:
                h.update(path.read_bytes())
            else:
                h.update(f"not a regular file {rel} {st.st_mode} {st.st_size} {st.st_mtime_ns}".encode())
        except OSError as exc:
            h.update(f"unreadable {rel}: {exc}".encode())
    return h.hexdigest()


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file and a rename; never raises OSError."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
    except OSError:
        pass  # a cache that cannot be written is no cache: the run's result is the same


class _Unpickler(pickle.Unpickler):
    """Plain data only: no class but YamlFloat can be named, so a cache file, whoever wrote
    it, can never make tracecard run code (it is ignored instead)."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("tracecard.load.parse", "YamlFloat"):
            from tracecard.load.parse import YamlFloat

            return YamlFloat
        raise pickle.UnpicklingError(f"{module}.{name} is not cache data")


def _folder_ident(folder: Path) -> bytes:
    """The device and inode of the folder a cache file sits in: a cache copied from elsewhere
    (a ZIP of a repository, another clone) sits in another folder and is never read."""
    st = os.stat(folder)
    return f"{st.st_dev}:{st.st_ino}".encode()


def read_pickle(path: Path, tag: str) -> Any:
    """What `dump_pickle(tag, ...)` wrote to `path`, or None when it is missing, damaged, of
    another format, or was not written in this very folder."""
    try:
        raw = path.read_bytes()
        header, sep, body = raw.partition(b"\n")
        if not sep or header != b"tracecard-cache %d %s %s" % (FORMAT, tag.encode(), _folder_ident(path.parent)):
            return None
    except OSError:
        return None
    try:
        value = _Unpickler(io.BytesIO(body)).load()
    except Exception:  # noqa: BLE001 - truncated, garbage, a class that is not data: ignored
        return None
    if not isinstance(value, tuple) or len(value) != 2 or value[0] != (tag, FORMAT):
        return None
    return value[1]


def dump_pickle(path: Path, tag: str, value: Any) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        header = b"tracecard-cache %d %s %s\n" % (FORMAT, tag.encode(), _folder_ident(path.parent))
    except OSError:
        return
    write_atomic(path, header + pickle.dumps(((tag, FORMAT), value), protocol=pickle.HIGHEST_PROTOCOL))


# -- per-file entries ----------------------------------------------------------------------

#: A shard file holds a list of parts, each a pickled dict of entries by key: the run's own
#: entries in one, and those another process read (tracecard.load.parallel) as it packed them.
_PACKED = object()


def shard_of(key: str) -> str:
    return key[:_SHARD_CHARS]


def pack(entries: dict[str, Entry]) -> bytes:
    return pickle.dumps(entries, protocol=pickle.HIGHEST_PROTOCOL)


def unpack(part: object) -> dict[str, Entry] | None:
    """A part's entries (plain data only, as every cache file), or None when it is damaged."""
    if not isinstance(part, bytes):
        return None
    try:
        value = _Unpickler(io.BytesIO(part)).load()
    except Exception:  # noqa: BLE001 - truncated, garbage, a class that is not data: ignored
        return None
    return value if isinstance(value, dict) else None

#: An entry: (is a record, kind value, id, id from file name, data, fm_start, fm_end,
#: body_start, body line count, problems, digest, YAML text, YAML line offset, positions,
#: headings, links, fences, single-record findings); Findings and body parts as plain tuples.
Entry = tuple[Any, ...]


class FileCache:
    """The per-file entries of one context, for one run."""

    def __init__(self, folder: Path, context: str, readonly: bool = False) -> None:
        self.readonly = readonly
        self.folder = folder
        self.dir = folder / f"files-{context[:24]}"
        loaded = read_pickle(self.dir / "index.pickle", "index")
        if not (isinstance(loaded, tuple) and len(loaded) == 2 and isinstance(loaded[1], dict)):
            loaded = (0, {})
        self._written_ns: int = loaded[0]
        self._index: dict[str, tuple[int, int, int, str, str]] = loaded[1]
        self._new_index: dict[str, tuple[int, int, int, str, str]] = {}
        self._shards: dict[str, dict[str, Entry]] = {}
        self._used: dict[str, dict[str, Entry]] = {}
        self._added: set[str] = set()
        self._parts: dict[str, list[bytes]] = {}  # packed entries from other processes, by shard
        self._saver: Any = None  # a background save (tracecard.load.parallel.Child)
        self.hits = 0
        self.misses = 0

    @classmethod
    def open(cls, settings: Any, readonly: bool = False) -> FileCache | None:
        folder = cache_folder(settings.root)
        if folder is None:
            return None
        return cls(folder, context_key(settings), readonly)

    def _shard(self, key: str) -> dict[str, Entry]:
        name = key[:_SHARD_CHARS]
        shard = self._shards.get(name)
        if shard is None:
            shard = {}
            loaded = read_pickle(self.dir / f"{name}.pickle", "shard")
            for part in loaded if isinstance(loaded, list) else ():
                entries = unpack(part)
                if entries is None:  # a damaged part: the whole shard is rebuilt
                    shard = {}
                    break
                shard.update(entries)
            self._shards[name] = shard
        return shard

    def find(self, path: Path, rel: str, kind: str, max_size: int) -> tuple[str, Entry | None, bytes | None] | None:
        """(key, the entry or None, the bytes when they were read) for a regular file within the
        size limit; None for anything else (a link, a pipe, a large file: read as usual)."""
        try:
            st = os.lstat(path)
        except OSError:
            return None
        if not stat.S_ISREG(st.st_mode) or st.st_size > max_size:
            return None
        known = self._index.get(rel)
        raw = None
        if (known is not None and known[0] == st.st_size and known[1] == st.st_mtime_ns
                and known[2] == st.st_ino and known[3] == kind
                and st.st_mtime_ns < self._written_ns - _RACY_NS):  # fmt: skip
            key = known[4]
        else:
            try:
                with open(path, "rb") as fh:
                    raw = fh.read(max_size + 1)
            except OSError:
                return None
            if len(raw) > max_size:
                return None
            h = hashlib.blake2b(rel.encode("utf-8", "surrogatepass"), digest_size=16)
            h.update(b"\0" + kind.encode() + b"\0")
            h.update(raw)
            key = h.hexdigest()
        self._new_index[rel] = (st.st_size, st.st_mtime_ns, st.st_ino, kind, key)
        entry = self._shard(key).get(key)
        if entry is not None and not (isinstance(entry, tuple) and len(entry) == 18):
            entry = None  # damaged: rebuilt
        if entry is not None:
            self._used.setdefault(key[:_SHARD_CHARS], {})[key] = entry
            self.hits += 1
        elif raw is None:  # the index named an entry that is gone: read the file after all
            self._new_index.pop(rel, None)
            self._index.pop(rel, None)
            return self.find(path, rel, kind, max_size)
        else:
            self.misses += 1
        return key, entry, raw

    def knows(self, rel: str) -> bool:
        """Whether the index holds a row for `rel` (from an earlier run in this context)."""
        return rel in self._index

    def row(self, rel: str) -> tuple[int, int, int, str, str] | None:
        """The index row `find` made for `rel` in this run (its stat and entry key)."""
        return self._new_index.get(rel)

    def adopt_packed(self, name: str, part: bytes, rows: Iterable[tuple[str, tuple[int, int, int, str, str]]]) -> None:
        """Entries another process packed (`pack`) for shard `name`, with the index row of
        each file: written into the shard as they are, not unpacked and packed again."""
        self._parts.setdefault(name, []).append(part)
        used = self._used.setdefault(name, {})
        for rel, row in rows:
            self._new_index[rel] = row
            used[row[4]] = _PACKED  # type: ignore[assignment]
        self._added.add(name)

    def add(self, key: str, entry: Entry | Callable[[], Entry]) -> None:
        """A new entry, or a function that makes it when its shard is written (the record it
        is made from is alive until then: the entry is not held twice)."""
        self._used.setdefault(key[:_SHARD_CHARS], {})[key] = entry  # type: ignore[assignment]
        self._added.add(key[:_SHARD_CHARS])

    def forget(self, key: str) -> None:
        """Drop an entry that turned out to be damaged (its shard is written without it)."""
        self._used.get(key[:_SHARD_CHARS], {}).pop(key, None)
        self._added.add(key[:_SHARD_CHARS])

    def save(self, background: bool = False) -> None:
        """Write the shards that changed (new entries, or entries no file uses any more) and
        the index. Shards hold only what this run used: old versions of files are dropped.

        With `background`, when there is much to write and another core to write it on, a
        forked process writes it while the run goes on (`wait` reaps it): the run's result
        never depends on the cache being written."""
        if self.readonly:
            return
        if background and self._saver is None:
            from tracecard.load import parallel

            writes = sum(1 for name, used in self._used.items() if name in self._added
                         for e in used.values() if e is not _PACKED)  # fmt: skip
            if writes >= 2 * parallel.MIN_SHARE and parallel.jobs() > 1:
                try:
                    self._saver = parallel.Child(lambda _: self._write(), [0])
                except OSError:
                    pass
                else:
                    self._done()
                    return
        self._write()
        self._done()

    def wait(self) -> None:
        """Wait for a background save to end (its failure only means no cache was written)."""
        if self._saver is not None:
            self._saver.result()
            self._saver = None

    def _done(self) -> None:
        # Done: what was read and written is not needed by the rest of the run (its memory is
        # reused by what comes next, the history and the rules).
        self._used, self._shards, self._index, self._new_index = {}, {}, {}, {}
        self._added, self._parts = set(), {}

    def _write(self) -> None:
        for name, used in self._used.items():
            held = self._shards.get(name, {})
            if name in self._added or held.keys() != used.keys():
                made = {k: e() if callable(e) else e for k, e in used.items() if e is not _PACKED}
                parts = [pack(made)] if made else []
                dump_pickle(self.dir / f"{name}.pickle", "shard", parts + self._parts.get(name, []))
                del made, parts
        if self._new_index != self._index or not self._written_ns:
            dump_pickle(self.dir / "index.pickle", "index", (time.time_ns(), self._new_index))
        self._prune_contexts()

    def _prune_contexts(self) -> None:
        """Keep the few most recently used contexts (configurations, tracecard versions)."""
        try:
            os.utime(self.dir)
            others = sorted((p for p in self.folder.glob("files-*") if p.is_dir() and p != self.dir),
                            key=lambda p: p.stat().st_mtime, reverse=True)  # fmt: skip
        except OSError:
            return
        import shutil

        for old in others[_CONTEXTS_KEPT - 1:]:
            shutil.rmtree(old, ignore_errors=True)


# -- the whole result ----------------------------------------------------------------------


def git_state(root: Path) -> list[Any]:
    """What the history rules and IDN005 read from git, as file stats: HEAD and what it names,
    the refs, the index, the shallow file. Empty outside git."""
    gitdir = git_dir(root)
    if gitdir is None:
        return []
    common = gitdir
    with contextlib.suppress(OSError):
        text = (gitdir / "commondir").read_text().strip()
        common = (gitdir / text).resolve()
    out: list[Any] = []
    for base in dict.fromkeys((gitdir, common)):
        for name in ("HEAD", "index", "shallow", "packed-refs"):
            out.append((str(base / name), _stat(base / name)))
        with contextlib.suppress(OSError):
            out.append(("HEAD=", (base / "HEAD").read_text()))
        for dirpath, dirnames, filenames in os.walk(base / "refs"):
            dirnames.sort()
            for name in sorted(filenames):
                full = os.path.join(dirpath, name)
                try:
                    with open(full, "rb") as fh:
                        out.append((full, fh.read(100)))
                except OSError:
                    out.append((full, None))
    return out


def _stat(path: Path | str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ino)


def folders_state(settings: Any) -> list[Any]:
    """Path, size, mtime, inode and mode of every Markdown file under the record folders (a
    superset of what discovery reads, listed without building a Path per file)."""
    out: list[Any] = []
    root = str(settings.root)
    for folder in sorted(set(settings.folders.values())):
        base = os.path.join(root, folder)
        out.append((folder, _stat(base)))
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames.sort()
            for name in sorted(filenames):
                if name.endswith(".md"):
                    try:
                        st = os.lstat(os.path.join(dirpath, name))
                    except OSError:
                        out.append((dirpath, name, None))
                        continue
                    out.append((dirpath, name, st.st_size, st.st_mtime_ns, st.st_ino, st.st_mode))
                    if stat.S_ISLNK(st.st_mode):  # a link: what it leads to counts too
                        out.append(_stat(os.path.join(dirpath, name)))
    return out


def files_state(paths: Iterable[Path]) -> list[Any]:
    out: list[Any] = []
    for path in paths:
        try:
            st = os.lstat(path)
            out.append((str(path), st.st_size, st.st_mtime_ns, st.st_ino, st.st_mode))
        except OSError:
            out.append((str(path), None))
    return out


def result_key(parts: list[Any]) -> str:
    return hashlib.blake2b(pickle.dumps(parts, protocol=pickle.HIGHEST_PROTOCOL), digest_size=20).hexdigest()
