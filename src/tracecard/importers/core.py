"""The plan of an import, the links mirrored on both records, the report and the one write.

Every file becomes one `Planned`: its front matter (`Front`: a new mapping for a file that had
none, or the file's own front matter, edited so that only new lines appear) and its body with
the header lines cut out. Nothing is written until every file is planned; then all of it goes
through `tracecard.edit.transaction.apply` at once, or, with `--dry-run`, is shown as a diff.
"""

from __future__ import annotations

import codecs
import difflib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import yaml

from tracecard.edit import frontmatter as edit
from tracecard.edit import transaction
from tracecard.errors import UsageError
from tracecard.importers.header import LinkRef
from tracecard.load import config
from tracecard.load.parse import Parsed, decode, parse_text, plain
from tracecard.model.records import DATE_NAME, NOT_RECORDS, Kind
from tracecard.report.text import say
from tracecard.rules.parsing import NoFrontMatter


@dataclass
class Note:
    """One report line: the file, its line (0: the file as a whole), what was kept where."""

    path: Path
    line: int
    message: str


class Front:
    """The front matter an import writes: new keys are appended as a block before the closing
    fence (so every line already there stays byte for byte); a list already there grows in its
    own style, a scalar already there is replaced on its own line."""

    def __init__(self, doc: edit.Document | None) -> None:
        self.doc = doc
        self.new: dict[str, Any] = {}
        #: Edits the file's own front matter refused (a key written in a form tracecard does
        #: not rewrite): reported, the rest of the import goes on.
        self.problems: list[str] = []

    def _edit(self, what: str, change: Any, *args: Any) -> None:
        try:
            change(*args)
        except UsageError as exc:
            why = str(exc).removeprefix(f"{self.doc.name}: ") if self.doc is not None else str(exc)
            self.problems.append(f"{what} not written ({why}); write it by hand")

    def get(self, key: str) -> Any:
        if key in self.new:
            return self.new[key]
        return self.doc.data.get(key) if self.doc is not None else None

    def has(self, key: str) -> bool:
        return key in self.new or (self.doc is not None and key in self.doc.data)

    def set(self, key: str, value: str) -> None:
        if self.doc is not None and key in self.doc.data and key not in self.new:
            self._edit(f"{key}: {value}", self.doc.set_scalar, key, value, True)
        else:
            self.new[key] = value

    def add(self, key: str, item: str) -> None:
        """Add `item` to the list `key` (no-op when it is there)."""
        if self.doc is not None and key in self.doc.data and key not in self.new:
            current = self.doc.data[key]
            if isinstance(current, str):
                current = [p.strip() for p in current.split(",")]
            if isinstance(current, list) and item not in current:
                self._edit(f"{key}: {item}", self.doc.append_to_list, key, item)
            return
        items = self.new.setdefault(key, [])
        if item not in items:
            items.append(item)

    def add_link(self, rel: str, target: str) -> None:
        link = {"rel": rel, "id": target}
        if self.doc is not None and "links" in self.doc.data and "links" not in self.new:
            current = self.doc.data["links"]
            if isinstance(current, list) and link not in current:
                self._edit(f"link {rel} {target}", self.doc.append_mapping_to_list, "links", link)
            return
        items = self.new.setdefault("links", [])
        if link not in items:
            items.append(link)


def dump(data: dict[str, Any], newline: str) -> str:
    """YAML for new keys: block style, every string a YAML 1.1 reader would retype quoted."""
    if not data:
        return ""
    text = yaml.safe_dump(plain(data), sort_keys=False, allow_unicode=True, default_flow_style=False,
                          width=100_000)  # fmt: skip
    return text.replace("\n", newline)


@dataclass
class Source:
    """One file to import, read and split."""

    path: Path
    dest: Path
    raw: bytes
    text: str
    parsed: Parsed
    before: bytes | None  # what is at `dest` now (None: nothing)

    @property
    def newline(self) -> str:
        first = self.text.split("\n", 1)[0]
        return "\r\n" if first.endswith("\r") or ("\n" not in self.text and "\r\n" in self.text) else "\n"

    @property
    def bom(self) -> bool:
        return self.raw.startswith(codecs.BOM_UTF8)

    @property
    def has_front(self) -> bool:
        return self.parsed.data is not None


@dataclass
class Planned:
    """What one file becomes."""

    src: Source
    kind: Kind
    rid: str | None
    front: Front
    cut: set[int] = field(default_factory=set)  # 0-based body lines moved into the front matter
    links: list[LinkRef] = field(default_factory=list)  # what the header links to
    verbatim: bool = False  # copied as it is (front matter that cannot be read)

    def render(self) -> bytes:
        src = self.src
        if self.verbatim:
            return src.raw
        if self.front.doc is not None:
            text = self.front.doc.text()
            if self.front.new:
                close = parse_text(text).fm_end  # the closing fence's 1-based line
                pieces = _pieces(text)
                block = dump(self.front.new, src.newline)
                text = "".join(pieces[: close - 1]) + block + "".join(pieces[close - 1:])
        else:
            pieces = _pieces(src.text)
            body = "".join(p for i, p in enumerate(pieces) if i not in self.cut)
            nl = src.newline
            text = f"---{nl}{dump(self.front.new, nl)}---{nl}{body}"
        expected = {**(self.front.doc.data if self.front.doc is not None else {}), **self.front.new}
        parsed = parse_text(text)
        if parsed.problems or parsed.data != expected:
            raise UsageError("the front matter written would not read back as intended")
        return (codecs.BOM_UTF8 if src.bom else b"") + text.encode("utf-8")


def render_or_note(plan: Planned, notes: list[Note]) -> bytes | None:
    """The bytes `plan` writes, or None with a report line when they cannot be made safely
    (the file is then left as it is; the others are still imported)."""
    for problem in plan.front.problems:
        notes.append(Note(plan.src.path, 0, problem))
    try:
        return plan.render()
    except (UsageError, yaml.YAMLError, ValueError, RecursionError) as exc:
        notes.append(Note(plan.src.path, 0, f"{exc}: file kept as is"))
        return None


def _pieces(text: str) -> list[str]:
    """Lines with their endings (only LF ends a line, as the parser counts)."""
    parts = text.split("\n")
    out = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        out.append(parts[-1])
    return out


def cut_with_blanks(lines: list[str], cut: set[int]) -> set[int]:
    """`cut`, plus the blank lines right after each cut run (no gap is left behind)."""
    out = set(cut)
    for i in sorted(cut):
        j = i + 1
        while j < len(lines) and j not in cut and not lines[j].strip():
            out.add(j)
            j += 1
    return out


# -- reading ---------------------------------------------------------------------------------


def expand(paths: Sequence[str], keep_readme: bool) -> list[Path]:
    """The Markdown files named, folders searched below (hidden folders skipped), sorted."""
    out: list[Path] = []
    for given in paths:
        p = Path(given)
        if p.is_dir():
            found = sorted(f for f in p.rglob("*.md") if f.is_file()
                           and not any(part.startswith(".") for part in f.relative_to(p).parts))  # fmt: skip
        elif p.is_file():
            found = [p]
        else:
            raise UsageError(f"{given}: no such file or folder")
        for f in found:
            if not keep_readme and f.name.lower() in NOT_RECORDS and not p.is_file():
                continue
            if f not in out:
                out.append(f)
    return out


def destination(path: Path, to: Path | None) -> Path:
    """Where `path` is written: itself, or the same name in `--to`."""
    return path if to is None else to / path.name


def read(path: Path, dest: Path, notes: list[Note]) -> Source | None:
    try:
        if not path.is_file():
            raise OSError("not a regular file")
        raw = path.read_bytes()
    except OSError as exc:
        notes.append(Note(path, 0, f"cannot read it ({exc.strerror or exc}): not imported"))
        return None
    text, problem = decode(raw)
    if text is None:
        notes.append(Note(path, problem.line if problem else 0,
                          f"{problem.message if problem else 'unreadable'}: not imported"))  # fmt: skip
        return None
    before = raw if dest == path else _bytes_or_none(dest)
    return Source(path, dest, raw, text, parse_text(text), before)


def _bytes_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes() if path.is_file() else None
    except OSError:
        return None


def front_of(src: Source, notes: list[Note]) -> Front | None:
    """The file's front matter for editing, a new one when it has none; None (with a note)
    when it has front matter that cannot be read."""
    if src.parsed.data is None and src.parsed.problems and src.parsed.problems[0].code != NoFrontMatter.code:
        p = src.parsed.problems[0]
        notes.append(Note(src.path, p.line, f"{p.message}: front matter unreadable, file kept as is"))
        return None
    if src.parsed.data is None:
        return Front(None)
    try:
        return Front(edit.Document(src.raw, name=str(src.path)))
    except (UsageError, yaml.YAMLError, ValueError, RecursionError) as exc:
        why = str(exc).removeprefix(f"{src.path}").lstrip(":")
        notes.append(Note(src.path, 0, f"{why}: file kept as is"))
        return None


# -- writing ---------------------------------------------------------------------------------


@dataclass
class Outcome:
    writes: list[transaction.Write] = field(default_factory=list)
    unchanged: int = 0


def collect(plans: Iterable[tuple[Source, bytes]], notes: list[Note]) -> Outcome:
    """The writes, one per changed file; a file already there with other content (an earlier
    import edited by hand) is left alone and reported."""
    out = Outcome()
    taken: set[Path] = set()
    for src, data in plans:
        where = src.dest.resolve()
        if where in taken:  # two cards named alike (`a/README.md`, `b/a.md`): the first wins
            notes.append(Note(src.path, 0, f"{src.dest} is written from another file of this "
                                           "import: not imported; import it on its own"))  # fmt: skip
            continue
        taken.add(where)
        if src.before == data:
            out.unchanged += 1
            continue
        if src.before is not None and src.dest != src.path:
            notes.append(Note(src.dest, 0, "already exists with other content: not overwritten "
                                           "(remove it to import again)"))  # fmt: skip
            continue
        out.writes.append(transaction.Write(src.dest, data, src.before))
    return out


def finish(root: Path, outcome: Outcome, notes: list[Note], dry_run: bool, out: IO[str]) -> int:
    """Report, then show (`--dry-run`) or write everything at once."""
    for n in sorted(notes, key=lambda n: (str(n.path), n.line)):
        where = f"{_shown(n.path)}:{n.line}" if n.line else _shown(n.path)
        say(f"{where}: {n.message}", out)
    if dry_run:
        for w in outcome.writes:
            show_diff(w, out)
        say(f"dry run: {len(outcome.writes)} file(s) would change, {outcome.unchanged} "
            "unchanged; nothing written", out)  # fmt: skip
        return 0
    for folder in sorted({w.path.parent for w in outcome.writes}):
        if not folder.is_dir():  # `--to` a new folder, the datasets folder of a new repository
            transaction.inside(root, folder)
            folder.mkdir(parents=True, exist_ok=True)
    transaction.apply(root, outcome.writes)
    say(f"imported: {len(outcome.writes)} file(s) written, {outcome.unchanged} unchanged", out)
    return 0


def show_diff(w: transaction.Write, out: IO[str]) -> None:
    old = [] if w.before is None else _plain_lines(w.before.decode("utf-8-sig", errors="replace"))
    new = w.data.decode("utf-8-sig", errors="replace")
    name = _shown(w.path)
    for line in difflib.unified_diff(old, _plain_lines(new),
                                     fromfile=name if w.before is not None else "/dev/null",
                                     tofile=name, lineterm=""):  # fmt: skip
        say(line, out)


def _plain_lines(text: str) -> list[str]:
    return [ln[:-1] if ln.endswith("\r") else ln for ln in text.split("\n")]


def _shown(path: Path) -> str:
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def repository(paths: Sequence[str], to: str | None) -> tuple[config.Settings, Path | None]:
    """The repository the import writes in, locked: with `--to`, the one that holds it (which
    must be inside the repository the command runs in, or inside the folder it runs in when
    that is in none); else the one that holds the first path."""
    for given in paths:
        p = Path(given)
        if not p.exists():
            broken = " (a symbolic link to nothing)" if p.is_symlink() else ""
            raise UsageError(f"{given}: no such file or folder{broken}; nothing written")
    if to is not None:
        target = Path(to)
        existing = next((q for q in (target, *target.parents) if q.exists() or q.is_symlink()), Path.cwd())
        if existing.is_symlink() and not existing.exists():
            raise UsageError(f"--to {to}: {existing} is a symbolic link to nothing; nothing written")
        if not existing.is_dir():
            what = "not a folder" if existing == target else f"{existing} is a file, not a folder"
            raise UsageError(f"--to {to}: {what}; nothing written")
        # the repository the command runs in (outside any: the folder it runs in) holds --to
        here = _repository_of(Path.cwd()) or Path.cwd().resolve()
        if not Path(os.path.realpath(target)).is_relative_to(here):
            raise UsageError(f"--to {to}: outside the repository ({here}); tracecard writes "
                             "only inside it, nothing written")  # fmt: skip
        root = _repository_of(existing) or here
        transaction.inside(root, existing)
    else:
        root = config.find_root(Path(paths[0]))
    settings = config.load(root)
    transaction.lock(settings.root)
    transaction.recover(settings.root)
    return settings, Path(to) if to else None


def _repository_of(start: Path) -> Path | None:
    """The repository `start` is in (the nearest folder at or above it with tracecard
    configuration or .git), or None."""
    root = config.find_root(start)
    real = start.resolve()
    if root != (real.parent if real.is_file() else real):
        return root
    return root if (root / ".git").exists() or config.has_configuration(root) else None


def folder_hint(settings: config.Settings, kind: Kind, dests: Iterable[Path], notes: list[Note]) -> None:
    """One line when the records land outside the folder tracecard reads for their kind."""
    folder = (settings.root / settings.folders[kind]).resolve()
    outside = sorted({d.parent for d in dests if not d.resolve().is_relative_to(folder)})
    if outside:
        rel = [_rel(settings.root, p) for p in outside]
        notes.append(Note(outside[0], 0, f"tracecard reads {kind.label} records in "
                                         f"{settings.folders[kind]!r}: move them there or set "
                                         f"[tool.tracecard.folders] {kind.value} = {rel[0]!r}"))  # fmt: skip


def _rel(root: Path, path: Path) -> str:
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def date_named(stem: str) -> bool:
    """log4brains' `YYYYMMDD-slug`: the leading digits are a date, not a record number."""
    return bool(DATE_NAME.match(stem))


#: Front-matter keys of a Hugging Face model card that no decision record carries.
HF_KEYS = frozenset({"model-index", "library_name", "pipeline_tag", "base_model", "license",
                     "language", "datasets", "widget", "co2_eq_emissions", "thumbnail"})  # fmt: skip


def looks_like_hf(path: Path) -> bool:
    """A file whose front matter has Hugging Face card keys (read cheaply, for `auto`)."""
    try:
        text, _ = decode(path.read_bytes())
    except OSError:
        return False
    data = parse_text(text).data if text is not None else None
    return bool(data) and bool(HF_KEYS & set(data or {}))
