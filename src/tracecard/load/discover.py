"""Which files are records, of which kind; and reading one file into a Record."""

from __future__ import annotations

import fnmatch
import functools
import os
import stat
from pathlib import Path, PurePosixPath
from typing import Any

from tracecard.errors import UsageError
from tracecard.load.config import Settings
from tracecard.load.markdown import scan_body
from tracecard.load.parse import Parsed, decode, parse_text
from tracecard.model.records import ID_SCHEMES, KIND_NAMES, NOT_RECORDS, Kind, Record
from tracecard.rules import parsing as par


def record_files(settings: Settings) -> list[tuple[Path, Kind]]:
    """Every Markdown file under the kinds' folders, sorted, with the folder's kind."""
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
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith((".", "_")))
            for name in sorted(filenames):
                if not name.endswith(".md") or name.lower() in NOT_RECORDS or name.startswith("."):
                    continue
                path = Path(dirpath, name)
                if not _excluded(settings, path):
                    found.append((path, kind))
    return found


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
    try:
        return _located(path).relative_to(settings.root).as_posix()
    except ValueError:
        return path.as_posix()


def _located(path: Path) -> Path:
    """Where the file sits (its folder resolved), not where a symbolic link points."""
    return _resolved_folder(str(path.absolute().parent)) / path.name


@functools.lru_cache(maxsize=1024)
def _resolved_folder(folder: str) -> Path:
    # Resolving costs a system call per path component; record folders are few, files many.
    return Path(folder).resolve()


def load_record(settings: Settings, path: Path, folder_kind: Kind | None) -> Record | None:
    """Read and parse one file. None when it is not a record (outside the folders, no `kind:`)."""
    parsed = _read(settings, path)
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
    rid, from_file = _record_id(kind, path, data)
    return Record(relpath(settings, path), kind, parsed, body, rid, from_file)


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
