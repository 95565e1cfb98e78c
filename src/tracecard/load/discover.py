"""Which files are records, of which kind; and reading one file into a Record."""

from __future__ import annotations

import contextlib
import fnmatch
import functools
import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from tracecard.errors import UsageError
from tracecard.load.config import Settings
from tracecard.load.markdown import scan_body
from tracecard.load.parse import (
    Body,
    Heading,
    Parsed,
    body_digest,
    decode,
    make_body,
    make_heading,
    make_link,
    parse_text,
    split_lines,
)
from tracecard.model.findings import Finding
from tracecard.model.records import ID_SCHEMES, KIND_NAMES, NOT_RECORDS, Kind, Record
from tracecard.rules import parsing as par

if TYPE_CHECKING:  # pragma: no cover
    from tracecard.load.cache import FileCache


def record_files(
    settings: Settings, links: set[Path] | None = None, rels: list[str] | None = None
) -> list[tuple[Path, Kind]]:
    """Every Markdown file under the kinds' folders, sorted, with the folder's kind. The ones
    that are symbolic links are added to `links` (known from the folder listing: no system
    call per file); `rels` receives each file's `relpath`, worked out once per folder."""
    found: list[tuple[Path, Kind]] = []
    root = settings.root
    real_root = root.resolve()
    for kind, folder in settings.folders.items():
        base = root / folder
        if not base.is_dir():
            continue
        try:
            real_base = base.resolve(strict=True)
        except (RuntimeError, OSError):
            raise UsageError(f"{folder} (the {kind.label} folder) is a link that leads nowhere "
                             "(to itself, or in a loop): make it a folder") from None
        if not real_base.is_relative_to(real_root):
            raise UsageError(f"{folder} (the {kind.label} folder) links to {base.resolve()}, "
                             "outside the repository: tracecard reads and writes only inside it")
        for here, entries in _walk(base):
            rel_here = _rel_folder(str(root), str(here)) if rels is not None else None
            for entry in entries:
                name = entry.name
                if not name.endswith(".md") or name.lower() in NOT_RECORDS or name.startswith("."):
                    continue
                path = here / name
                if not _excluded(settings, path):
                    found.append((path, kind))
                    if links is not None and entry.is_symlink():
                        links.add(path)
                    if rels is not None:
                        rels.append(path.as_posix() if rel_here is None
                                    else f"{rel_here}/{name}" if rel_here else name)  # fmt: skip
    return found


def _walk(top: Path) -> Iterator[tuple[Path, list[os.DirEntry[str]]]]:
    """Each folder under `top` (itself first, then its subfolders by name, depth first; not
    through links to folders, nor into `.hidden` or `_drafts` ones) with the entries in it that
    are not folders, by name: what `os.walk` lists, with each entry's type."""
    stack = [top]
    while stack:
        here = stack.pop()
        try:
            with os.scandir(here) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError:
            continue
        folders: list[os.DirEntry[str]] = []
        files: list[os.DirEntry[str]] = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            (folders if is_dir else files).append(entry)
        yield here, files
        stack.extend(here / e.name for e in reversed(folders)
                     if not e.name.startswith((".", "_")) and not e.is_symlink())  # fmt: skip


def discovery_skips(settings: Settings, path: Path) -> bool:
    """True for a file a whole-repository check would not read as a record although it sits in
    a record folder (README.md, index.md, templates, files under `_drafts/` or `.hidden/`, an
    excluded path), or that is excluded anywhere. An explicit path (pre-commit passes the
    changed files) is skipped the same way, so both checks see the same records."""
    name = path.name
    if not name.endswith(".md") or name.lower() in NOT_RECORDS or name.startswith("."):
        return True
    try:
        rel = PurePosixPath(_located(path).relative_to(settings.root).as_posix())
    except ValueError:
        return False
    if settings.exclude and any(fnmatch.fnmatch(rel.as_posix(), pat) for pat in settings.exclude):
        return True
    for folder in settings.folders.values():
        base = PurePosixPath(folder)
        if rel.is_relative_to(base):
            inner = rel.relative_to(base).parts[:-1]
            return any(part.startswith((".", "_")) for part in inner)
    return False


def kind_of_path(settings: Settings, path: Path) -> Kind | None:
    """The kind whose folder holds `path`, if any."""
    try:
        rel = PurePosixPath(_located(path).relative_to(settings.root).as_posix())
    except ValueError:
        return None
    for kind, folder in settings.folders.items():
        if rel.is_relative_to(PurePosixPath(folder)):
            return kind
    return None


def _excluded(settings: Settings, path: Path) -> bool:
    if not settings.exclude:
        return False
    rel = path.relative_to(settings.root).as_posix()
    return any(fnmatch.fnmatch(rel, pat) for pat in settings.exclude)


def relpath(settings: Settings, path: Path) -> str:
    folder, name = os.path.split(str(path))
    if not os.path.isabs(folder):
        folder = os.path.join(os.getcwd(), folder)
    rel = _rel_folder(str(settings.root), folder)
    if rel is None:
        return path.as_posix()
    return f"{rel}/{name}" if rel else name


@functools.lru_cache(maxsize=4096)
def _rel_folder(root: str, folder: str) -> str | None:
    """A folder relative to the root (resolved, as `_located` resolves it): records are many,
    folders few, so each is worked out once. None when it is outside the root."""
    try:
        rel = _resolved_folder(folder).relative_to(root).as_posix()
    except ValueError:
        return None
    return "" if rel == "." else rel


def _located(path: Path) -> Path:
    """Where the file sits (its folder resolved), not where a symbolic link points."""
    return _resolved_folder(str(path.absolute().parent)) / path.name


@functools.lru_cache(maxsize=1024)
def _resolved_folder(folder: str) -> Path:
    # Resolving costs a system call per path component; record folders are few, files many.
    return Path(folder).resolve()


def load_record(
    settings: Settings, path: Path, folder_kind: Kind | None, cache: FileCache | None = None,
    rel: str | None = None,
) -> Record | None:
    """Read and parse one file. None when it is not a record (outside the folders, no `kind:`).

    `rel` is the path relative to the root, when the caller knows it already. With `cache`,
    a file whose entry is there is not read again (a Record from the entry,
    with its single-record findings in `Record.local`); otherwise the new record's entry is
    added by `tracecard.load.repository` once those findings are known."""
    if cache is not None:
        rel = rel if rel is not None else relpath(settings, path)
        found = cache.find(path, rel, folder_kind.value if folder_kind else "", settings.max_file_size)
        if found is not None:
            key, entry, raw = found
            if entry is not None:
                try:
                    return from_entry(entry, rel, path)
                except (TypeError, ValueError, IndexError, KeyError):  # a damaged entry: read the file
                    cache.forget(key)
                    raw = None
            if raw is None:
                return _record(settings, path, folder_kind, _read(settings, path))
            rec = _record(settings, path, folder_kind, _parse_bytes(raw), rel)
            if rec is None:
                cache.add(key, NOT_A_RECORD)
            else:
                object.__setattr__(rec, "cache_key", key)
            return rec
    return _record(settings, path, folder_kind, _read(settings, path))


def _record(
    settings: Settings, path: Path, folder_kind: Kind | None, parsed: Parsed, rel: str | None = None
) -> Record | None:
    kind = folder_kind
    data = parsed.data
    if data is not None and "kind" in data:
        named = data["kind"]
        kind = KIND_NAMES.get(named.strip().lower()) if isinstance(named, str) else None
        if kind is None:
            line, col = parsed.pos(("kind",))
            parsed.problems.append(
                par.UnknownKind.problem(
                    line, col,
                    f"unknown kind {named!r}: use decision, requirement, model_card, dataset or model_review",
                )  # fmt: skip
            )
    if kind is None and folder_kind is None and (data is None or "kind" not in data):
        return None
    body = scan_body(parsed.body_lines, parsed.body_start)
    parsed.digest = body_digest(parsed.body_lines)
    # The body's text is read again from the file if a rule asks for it (rarely): a run
    # keeps no record's text.
    parsed.body_lines = LazyLines(path, parsed.body_start, len(parsed.body_lines))  # type: ignore[assignment]
    parsed.detach(path)  # the YAML text is read again only for a record with a finding
    rid, from_file = _record_id(kind, path, data)
    return Record(rel if rel is not None else relpath(settings, path), kind, parsed, body, rid, from_file)


class LazyLines(Sequence[str]):
    """A body's lines, read from its file only when asked for (their number is known)."""

    __slots__ = ("_path", "_start", "_count", "_lines")

    def __init__(self, path: Path, start: int, count: int) -> None:
        self._path, self._start, self._count = path, start, count
        self._lines: list[str] | None = None

    def _load(self) -> list[str]:
        if self._lines is None:
            lines: list[str] = []
            with contextlib.suppress(OSError, ValueError):
                text, _ = decode(self._path.read_bytes())
                if text is not None:
                    lines = split_lines(text)[self._start - 1:][: self._count]
            self._lines = lines
        return self._lines

    def __len__(self) -> int:
        return self._count

    def __bool__(self) -> bool:
        return self._count > 0

    def __getitem__(self, i: Any) -> Any:
        return self._load()[i]

    def __iter__(self) -> Iterator[str]:
        return iter(self._load())

    def __eq__(self, other: object) -> bool:
        return list(self) == list(other) if isinstance(other, Sequence) else NotImplemented

    __hash__ = None  # type: ignore[assignment]


NOT_A_RECORD: tuple[Any, ...] = (False,) + (None,) * 17


def to_entry(rec: Record, local: Iterable[Finding]) -> tuple[Any, ...]:
    """What the cache keeps of a record: everything but the body's prose, with its
    single-record findings."""
    p, b = rec.parsed, rec.body
    # A record whose positions are not worked out keeps the CRC of its YAML text, read again
    # from the file when a finding needs a position (tracecard.load.parse.Parsed.detach).
    lazy = p.lazy
    source: str | int | None = (p._source if p._source is not None else p._sum) if lazy else None
    positions = None if lazy else dict(p._positions)
    return (
        True, rec.kind.value if rec.kind else None, rec.id, rec.id_from_file, p.data,
        p.fm_start, p.fm_end, p.body_start, len(p.body_lines),
        [f.row() for f in p.problems], p.digest, source, p._offset, positions,
        [(h.level, h.text, h.line) for h in b.headings],
        [(k.target, k.line, k.col) for k in b.links], b.fences,
        [f.row() for f in local],
    )  # fmt: skip


def from_entry(entry: tuple[Any, ...], rel: str, path: Path) -> Record | None:
    (is_record, kind, rid, from_file, data, fm_start, fm_end, body_start, count, problems,
     digest, source, offset, positions, headings, links, fences, local) = entry  # fmt: skip
    if not is_record:
        return None
    parsed = Parsed(data, fm_start, fm_end, body_start, LazyLines(path, body_start, count),  # type: ignore[arg-type]
                    [Finding.from_row(r) for r in problems], digest, None, offset, positions or {})
    if isinstance(source, str):
        parsed._source = source
    elif isinstance(source, int) and positions is None:
        parsed._file = path if path.is_absolute() else Path(os.path.abspath(path))
        parsed._sum = source
    body = make_body(tuple(map(_heading, headings)), (), tuple(make_link(*k) for k in links),
                tuple(fences))  # fmt: skip
    rec = Record(rel, _KINDS[kind] if kind else None, parsed, body, rid, from_file)
    object.__setattr__(rec, "local", tuple(map(Finding.from_row, local)) if local else ())
    return rec


_KINDS = {k.value: k for k in Kind}
#: Headings are immutable, and records written from one template have the same ones at the
#: same lines: one object each, shared (fewer to build and to hold).
_HEADINGS: dict[tuple[int, str, int], Heading] = {}


def _heading(row: tuple[int, str, int]) -> Heading:
    found = _HEADINGS.get(row)
    if found is None:
        if len(_HEADINGS) > 200_000:
            _HEADINGS.clear()
        found = _HEADINGS[row] = make_heading(*row)
    return found


def slim(rec: Record) -> None:
    """Drop what only the single-record rules read (the body's prose), once they have run."""
    b = rec.body
    object.__setattr__(rec, "body", Body(b.headings, (), b.links, b.fences, ()))


def _parse_bytes(raw: bytes) -> Parsed:
    text, problem = decode(raw)
    if problem is not None:
        out = Parsed()
        out.problems.append(problem)
        return out
    try:
        return parse_text(text)  # type: ignore[arg-type]
    except (ValueError, RecursionError, MemoryError) as exc:  # one bad file never stops the run
        out = Parsed()
        out.problems.append(par.InvalidYaml.problem(1, 1, f"front matter cannot be read: {exc}"))
        return out


def _read(settings: Settings, path: Path) -> Parsed:
    try:
        # Only a link can lead out of a folder discovery checked: resolve those alone.
        try:
            real = path.resolve(strict=True) if path.is_symlink() else path
        except (RuntimeError, OSError):  # a loop of links, or a link to nothing
            out = Parsed()
            out.problems.append(par.Unreadable.problem(1, 1, (
                "a link that leads nowhere (to itself, in a loop, or to no file): remove it or "
                "point it at the record"
            )))  # fmt: skip
            return out
        if real is not path and not real.is_relative_to(settings.root.resolve()):
            out = Parsed()
            out.problems.append(par.Unreadable.problem(1, 1, (
                f"links to {real}, outside the repository: tracecard reads and writes records "
                "only inside it; move the record into the repository"
            )))  # fmt: skip
            return out
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            # A FIFO or a link to /dev/zero would block or never end: never open one.
            out = Parsed()
            out.problems.append(
                par.Unreadable.problem(1, 1, "not a regular file (a pipe, device or socket): remove it")
            )
            return out
        size = st.st_size
        if size > settings.max_file_size:
            out = Parsed()
            out.problems.append(
                par.FileTooLarge.problem(
                    1, 1,
                    f"file is {size:,} bytes, over the {settings.max_file_size:,}-byte limit "
                    "(max_file_size): a record this large is not a record",
                )  # fmt: skip
            )
            return out
        with path.open("rb") as fh:
            raw = fh.read(min(size, settings.max_file_size) + 1)  # it may grow while we read
    except OSError as exc:
        out = Parsed()
        out.problems.append(par.Unreadable.problem(1, 1, f"cannot read the file: {exc.strerror or exc}"))
        return out
    return _parse_bytes(raw)


def _record_id(kind: Kind | None, path: Path, data: dict[str, Any] | None) -> tuple[str | None, bool]:
    if data is not None:
        value = data.get("id")
        if isinstance(value, str) and value.strip():
            return value.strip(), False
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value), False
    if kind is None:
        return None, False
    return ID_SCHEMES[kind].from_filename(path.stem), True
