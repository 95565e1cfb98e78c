"""Decision records from adr-tools, MADR and log4brains: IDs, front matter, mirrored links."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from tracecard.errors import UsageError
from tracecard.importers import adr_tools, madr
from tracecard.importers.core import (
    Front,
    Note,
    Planned,
    Source,
    collect,
    cut_with_blanks,
    date_named,
    destination,
    expand,
    finish,
    folder_hint,
    front_of,
    read,
    render_or_note,
    repository,
)
from tracecard.importers.header import (
    DECISION_STATES,
    Header,
    LinkRef,
    map_status,
    regular_date,
    reverse,
    split_links,
)
from tracecard.load.parse import split_lines
from tracecard.model.records import ID_SCHEMES, NOT_RECORDS, Kind, canonical_status, id_list

_SCHEME = ID_SCHEMES[Kind.DECISION]
_ID_TEXT = re.compile(r"(?:ADR)-?0*(\d{1,18})\Z", re.IGNORECASE)


def detect(src: Source) -> str:
    """adr-tools, madr or log4brains, from what the file looks like."""
    if src.has_front:
        return "madr"
    lines = split_lines(src.text)
    if madr.parse(lines).cut:
        return "log4brains" if date_named(src.path.stem) else "madr"
    return "adr-tools"


def import_decisions(fmt: str, paths: Sequence[str], to: str | None, dry_run: bool,
                     out: IO[str]) -> int:  # fmt: skip
    settings, to_dir = repository(paths, to)
    aliases = settings.statuses.get(Kind.DECISION, {})
    notes: list[Note] = []
    sources: list[tuple[Source, str]] = []
    named = {Path(p).resolve() for p in paths if Path(p).is_file()}
    for path in expand(paths, keep_readme=False):
        src = read(path, destination(path, to_dir), notes)
        if src is not None:
            sources.append((src, detect(src) if fmt == "auto" else fmt))
    plans = _clashes(_plan(sources, aliases, notes, named), notes)
    _neighbours(plans, settings.root / settings.folders[Kind.DECISION], notes)
    _link(plans, notes)
    _mirror_written(plans, settings.root / settings.folders[Kind.DECISION], notes)
    folder_hint(settings, Kind.DECISION, [p.src.dest for p in plans], notes)
    rendered = [(p.src, data) for p in plans if (data := render_or_note(p, notes)) is not None]
    return finish(settings.root, collect(rendered, notes), notes, dry_run, out)


# -- planning --------------------------------------------------------------------------------


def _plan(sources: list[tuple[Source, str]], aliases: dict[str, str], notes: list[Note],
          named: set[Path]) -> list[Planned]:  # fmt: skip
    plans: list[Planned] = []
    headers: dict[int, Header] = {}
    for src, fmt in sources:
        front = front_of(src, notes)
        if front is None:
            if src.dest != src.path:  # kept as is, so that the folder is complete
                plans.append(Planned(src, Kind.DECISION, None, Front(None), verbatim=True))
            continue
        header = Header()
        if front.doc is None:
            lines = split_lines(src.text)
            header = (adr_tools.parse(lines) if fmt == "adr-tools" else madr.parse(lines))
            if fmt == "log4brains":
                header.default_status = "accepted"
            if not _decision_like(src, header) and src.path.resolve() not in named:
                notes.append(Note(src.path, 0, "no decision header and no number in the name: "
                                               "not imported (name the file to import it)"))  # fmt: skip
                continue
        plan = Planned(src, Kind.DECISION, _number(src, fmt, front), front,
                       cut_with_blanks(split_lines(src.text), header.cut))  # fmt: skip
        headers[id(plan)] = header
        plans.append(plan)
    linked = [ln.target for h in headers.values() for ln in h.links]
    _give_numbers([p for p in plans if not p.verbatim], linked, notes)
    for p in plans:
        if p.verbatim:
            continue
        h = headers[id(p)]
        for line, message in h.notes:
            notes.append(Note(p.src.path, line, message))
        p.links = list(h.links)
        if p.front.doc is None:
            _fill(p, h, aliases, notes)
        else:
            _map_front_status(p, aliases, notes)
    return plans


def _clashes(plans: list[Planned], notes: list[Note]) -> list[Planned]:
    """With `--to`: refused (UsageError) when a record already in the destination folder (another
    file) has the ID a file of this import gets: that would make a duplicate ID."""
    dests = {p.src.dest.resolve() for p in plans}
    taken: dict[str, Path] = {}
    for f, rid, _data in _present({p.src.dest.parent for p in plans if p.src.dest != p.src.path}, dests):
        taken.setdefault(rid, f)
    for p in plans:
        other = taken.get(p.rid) if p.rid and p.src.dest != p.src.path else None
        if other is not None and other.parent == p.src.dest.parent:
            raise UsageError(f"{p.src.path}: its ID {p.rid} is already {other}'s; importing it "
                             "there would make a duplicate ID (renumber one of them, or import "
                             "to another folder); nothing written")  # fmt: skip
    return plans


def _decision_like(src: Source, h: Header) -> bool:
    """A file found in a folder is a decision when its name carries a number or a log4brains
    date, or its header says anything (a status, a date, a link, people, tags): a guide that
    sits beside the records is left alone."""
    stem = src.path.stem
    return bool(_SCHEME.from_filename(stem) or date_named(stem) or h.status or h.date
                or h.links or h.people or h.tags)  # fmt: skip


def _number(src: Source, fmt: str, front: Front) -> str | None:
    given = front.get("id")
    if isinstance(given, str) and given.strip():
        return given.strip()
    if date_named(src.path.stem) and fmt in ("log4brains", "auto", "madr"):
        return None
    return _SCHEME.from_filename(src.path.stem)


def _give_numbers(plans: list[Planned], named: list[str], notes: list[Note]) -> None:
    """Numbers for files whose names carry none (log4brains dates, `weird-name.md`): after
    the highest number taken or linked to, in file-name order (log4brains' dates sort in time
    order)."""
    taken = [int(m.group(1)) for p in plans if p.rid and (m := _ID_TEXT.match(p.rid))]
    for target in named:
        stem = Path(target.split("#", 1)[0]).name.removesuffix(".md")
        rid = None if date_named(stem) else _SCHEME.from_filename(stem)
        if rid and (m := _ID_TEXT.match(rid)):
            taken.append(int(m.group(1)))
    for folder in {p.src.dest.parent for p in plans}:
        if folder.is_dir():
            for f in folder.glob("*.md"):
                rid = None if date_named(f.stem) else _SCHEME.from_filename(f.stem)
                if rid and (m := _ID_TEXT.match(rid)):
                    taken.append(int(m.group(1)))
    nxt = max(taken, default=0) + 1
    for p in sorted((p for p in plans if p.rid is None), key=lambda p: p.src.path.name):
        p.rid = f"ADR-{nxt:04d}"
        nxt += 1
        why = ("a log4brains name: numbered in date order" if date_named(p.src.path.stem)
               else f"the file name carries no number: rename it {p.rid[4:]}-<slug>.md")
        notes.append(Note(p.src.path, 0, f"{why}; id {p.rid}"))


def _fill(p: Planned, h: Header, aliases: dict[str, str], notes: list[Note]) -> None:
    """The front matter of a file that had none, from its header."""
    f, path = p.front, p.src.path
    assert p.rid is not None
    f.set("id", p.rid)
    if h.title:
        f.set("title", h.title)
    else:
        notes.append(Note(path, 0, "no '# Title' line: no title"))
    superseded = any(ln.rel == "superseded-by" for ln in h.links)
    state = map_status(h.status, aliases) if h.status else None
    if superseded:
        state = "superseded"
    word = h.status.strip().strip("*_`").strip().rstrip(".").lower() if h.status else None
    if word is not None and word in aliases and not superseded:
        state = word  # the team's own word for a state (`[statuses.decision]`): kept as it is
    if state:
        f.set("status", state)
    if h.status and word != state:
        f.set("status_text", h.status)
        if state is None:
            notes.append(Note(path, h.status_line, f"status {h.status!r} names no decision status: "
                                                   "kept in status_text; no status set"))  # fmt: skip
    if not h.status and not superseded and h.default_status:
        f.set("status", h.default_status)
        notes.append(Note(path, 0, f"no status: {h.default_status}, as log4brains shows it"))
    elif not h.status and not superseded:
        notes.append(Note(path, 0, "no status: none set (read as proposed; SCH003)"))
    if h.date:
        f.set("date", h.date)
        if not regular_date(h.date):
            notes.append(Note(path, h.date_line, f"date {h.date!r} is not YYYY-MM-DD: kept as "
                                                 "written in date"))  # fmt: skip
    for key, names in h.people.items():
        if names:
            f.new[key] = names
    if h.tags:
        f.new["tags"] = h.tags


def _map_front_status(p: Planned, aliases: dict[str, str], notes: list[Note]) -> None:
    """MADR 3/4: a status word outside the lifecycle (`on hold`) becomes its state, the word
    kept in status_text; and an ID for a file whose name carries none."""
    f = p.front
    if p.rid and not f.has("id") and _SCHEME.from_filename(p.src.path.stem) != p.rid:
        f.set("id", p.rid)
    raw = f.get("status")
    if not isinstance(raw, str) or not raw.strip():
        if not f.has("status"):
            notes.append(Note(p.src.path, 0, "no status: none set (read as proposed; SCH003)"))
        return
    line = p.src.parsed.pos(("status",))[0]
    if canonical_status(raw, Kind.DECISION) in DECISION_STATES or raw.strip().lower() in aliases:
        # a lifecycle state, or the team's own word for one (`[statuses.decision]`); MADR 4's
        # `superseded by ADR-0003` still names its successor, whose side is written too
        p.links += split_links(raw, line)[1]
        return
    rest, links = split_links(raw, line)  # MADR: `accepted; supersedes ADR-0045`
    p.links += links
    state = map_status(rest, aliases) if rest else None
    if state is None and any(ln.rel == "superseded-by" for ln in links):
        state = "superseded"
    if state is None:
        notes.append(Note(p.src.path, line, f"status {raw!r} names no decision status: left as "
                                            "it is (map it in [statuses.decision])"))  # fmt: skip
        return
    f.set("status", state)
    if not f.has("status_text"):
        f.set("status_text", raw)


# -- links -----------------------------------------------------------------------------------


def _neighbours(plans: list[Planned], folder: Path, notes: list[Note]) -> None:
    """The decision records already in tracecard's form beside the imported ones (their folders
    and the decisions folder) that a header links to: added to the plan, so that their side of
    the link is written too (importing one new file mirrors onto the records already there)."""
    targets = [ln.target.strip() for p in plans for ln in p.links]
    wanted = {Path(t.split("#", 1)[0]).name.lower().removesuffix(".md") for t in targets}
    wanted |= {f"ADR-{int(m.group(1)):04d}" for t in targets if (m := _ID_TEXT.match(t))}
    if not wanted:
        return
    have = {p.src.path.resolve() for p in plans} | {p.src.dest.resolve() for p in plans}
    folders = {p.src.dest.parent for p in plans}
    if all(p.src.dest == p.src.path for p in plans):
        folders.add(folder)  # in place; with --to, nothing but the destination is touched
    for path in sorted({f for d in folders if d.is_dir() for f in d.glob("*.md")}):
        if path.resolve() in have or path.name.lower() in NOT_RECORDS:
            continue
        stem = path.stem
        implied = _SCHEME.from_filename(stem)
        if stem.lower() not in wanted and implied not in wanted:
            continue
        src = read(path, path, notes)
        front = front_of(src, notes) if src is not None and src.has_front else None
        if src is None or front is None:
            continue  # not in tracecard's form (yet): the link stays one-sided, and is reported
        given = front.get("id")
        rid = given.strip() if isinstance(given, str) and given.strip() else implied
        if rid:
            have.add(path.resolve())
            plans.append(Planned(src, Kind.DECISION, rid, front))


def _link(plans: list[Planned], notes: list[Note]) -> None:
    """Every link of every header, on its record and, reversed, on the record it names."""
    by_stem = {p.src.path.stem.lower(): p for p in plans if p.rid}
    by_id: dict[str, Planned] = {}
    for p in plans:
        if p.rid:
            by_id.setdefault(p.rid, p)
    for p in list(plans):
        for ln in p.links:
            target, other = _resolve(ln, by_stem, by_id)
            if target is None:
                notes.append(Note(p.src.path, ln.line, f"link {ln.text!r}: names no decision "
                                                       "record; left out"))  # fmt: skip
                continue
            if target == p.rid:
                continue
            _apply(p, ln.rel, target, other, notes, ln)


def _present(folders: set[Path], skip: set[Path]) -> Iterator[tuple[Path, str, dict[str, Any]]]:
    """(file, ID, front matter or {}) of the Markdown files in `folders` that are not in
    `skip` (resolved paths) and have an ID: their `id`, else the number their name carries."""
    for path in sorted({f for d in folders if d.is_dir() for f in d.glob("*.md")}):
        if path.resolve() in skip or path.name.lower() in NOT_RECORDS:
            continue
        src = read(path, path, [])
        data = src.parsed.data if src is not None and isinstance(src.parsed.data, dict) else {}
        given = data.get("id")
        rid = given.strip() if isinstance(given, str) and given.strip() else (
            None if date_named(path.stem) else _SCHEME.from_filename(path.stem))
        if rid:
            yield path, rid, data


def _mirror_written(plans: list[Planned], folder: Path, notes: list[Note]) -> None:
    """Links that records already in tracecard's form carry (an earlier import of part of the
    folder, a MADR 4 file) onto the records of this import they name: importing a folder in
    parts ends with the same links on both sides as importing it at once."""
    by_id = {p.rid: p for p in plans if p.rid and not p.verbatim}
    if not by_id:
        return
    planned = {p.src.path.resolve() for p in plans} | {p.src.dest.resolve() for p in plans}
    folders = {p.src.dest.parent for p in plans}
    if all(p.src.dest == p.src.path for p in plans):
        folders.add(folder)
    carriers: list[tuple[str, dict[str, object]]] = []
    for p in plans:
        if p.rid and not p.verbatim and p.front.doc is not None:
            carriers.append((p.rid, dict(p.front.doc.data)))
    carriers += [(rid, data) for _, rid, data in _present(folders, planned) if data]
    for rid, data in carriers:
        for target in id_list(data.get("supersedes")):
            q = by_id.get(target)
            if q is not None and q.rid != rid:
                _superseded(q, rid, notes)
        for target in id_list(data.get("superseded_by")):
            q = by_id.get(target)
            if q is not None and q.rid != rid:
                q.front.add("supersedes", rid)
        links = data.get("links")
        for link in links if isinstance(links, list) else []:
            if not isinstance(link, dict):
                continue
            rel, dst = link.get("rel"), link.get("id")
            q = by_id.get(dst) if isinstance(dst, str) else None
            if q is not None and isinstance(rel, str) and rel and q.rid != rid:
                q.front.add_link(reverse(rel), rid)


def _resolve(ln: LinkRef, by_stem: dict[str, Planned], by_id: dict[str, Planned]) -> tuple[str | None, Planned | None]:
    t = ln.target.strip()
    m = _ID_TEXT.match(t)
    if m:
        rid = f"ADR-{int(m.group(1)):04d}"
        return rid, by_id.get(rid)
    stem = Path(t.split("#", 1)[0]).name
    stem = stem[:-3] if stem.lower().endswith(".md") else stem
    if stem.lower() in by_stem:
        q = by_stem[stem.lower()]
        return q.rid, q
    implied = None if date_named(stem) else _SCHEME.from_filename(stem)
    return implied, by_id.get(implied) if implied else None


def _apply(p: Planned, rel: str, target: str, q: Planned | None, notes: list[Note], ln: LinkRef) -> None:
    assert p.rid is not None
    if rel == "superseded-by":
        _superseded(p, target, notes)
        if q is not None:
            q.front.add("supersedes", p.rid)
    elif rel == "supersedes":
        if p.rid not in id_list(p.front.get("supersedes")):
            p.front.add("supersedes", target)
        if q is not None:
            _superseded(q, p.rid, notes)
    else:
        p.front.add_link(rel, target)
        if q is not None:
            q.front.add_link(reverse(rel), p.rid)
    if q is None:
        notes.append(Note(p.src.path, ln.line, f"{target} is not part of this import: its side of "
                                               f"the link ({rel}) is not written"))  # fmt: skip


def _superseded(p: Planned, successor: str, notes: list[Note]) -> None:
    f = p.front
    current = f.get("superseded_by")
    named = current.strip() if isinstance(current, str) else None
    raw = f.get("status")
    m = re.match(r"superseded by\s+\[?([A-Za-z][\w.-]*-[\w.-]+)", raw.strip(), re.IGNORECASE) if isinstance(raw, str) else None
    if named is None and m:
        named = m.group(1)
    if named not in (None, successor):
        notes.append(Note(p.src.path, 0, f"superseded by {named} and by {successor}: kept "
                                         f"{named}"))  # fmt: skip
        return
    if canonical_status(raw, Kind.DECISION) != "superseded":
        f.set("status", "superseded")
        notes.append(Note(p.src.path, 0, f"status set to superseded: {successor} supersedes it"))
    if named is None:
        f.set("superseded_by", successor)
