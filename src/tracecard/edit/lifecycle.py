"""Changing records that exist: status transitions, supersession and typed links.

The lifecycles and the reverse of each link relation are defined here, once; the history
rules import `TRANSITIONS`. Every command checks everything before it writes anything:
the IDs, the transition, the edits (verified by `tracecard.edit.frontmatter`), and the check rules on the
repository as it would be (`commit` refuses a change that gives a record a new error). Then
`write_all` writes each file atomically and puts back what it already wrote when a later
write fails, so two records are never left half-updated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from tracecard.edit import frontmatter as edit
from tracecard.edit import transaction
from tracecard.errors import UsageError
from tracecard.load import config
from tracecard.load.discover import relpath
from tracecard.load.markdown import scan_body
from tracecard.load.parse import parse_text
from tracecard.load.repository import load_graph
from tracecard.model import clock
from tracecard.model.findings import Finding, Severity
from tracecard.model.graph import RepoGraph
from tracecard.model.lifecycles import INITIAL, REVERSE_RELS, TRANSITIONS  # noqa: F401 (re-exported)
from tracecard.model.records import ID_SCHEMES, Kind, Record, id_list, resolve_id
from tracecard.report.text import say
from tracecard.rules.registry import RULES
from tracecard.rules.run import run_rules


def today() -> str:
    return clock.today().isoformat()


# -- finding records ------------------------------------------------------------------------


@dataclass(frozen=True)
class Workspace:
    """The repository the command works on: its settings and every record in it."""

    graph: RepoGraph
    #: Only the settings were read, no record: for a command that writes a new record and
    #: touches no other (`adr new` without links), which must stay fast in a large repository.
    light: bool = False

    @classmethod
    def open(cls, start: Path | None = None, light: bool = False,
             settings: config.Settings | None = None) -> Workspace:  # fmt: skip
        """The repository, read under its write lock (held until the command ends), so that
        what the command changes is what it read."""
        if settings is None:
            settings = config.load(config.find_root(start or Path.cwd()))
        transaction.lock(settings.root)
        if light:
            from tracecard.edit.transaction import recover

            recover(settings.root)
            return cls(RepoGraph.build(settings, []), light=True)
        return cls(load_graph(settings))

    @property
    def settings(self) -> config.Settings:
        return self.graph.settings

    @property
    def graph_paths(self) -> set[str]:
        return {r.path for r in self.graph.records}

    def path_of(self, rec: Record) -> Path:
        return self.settings.root / rec.path

    def find(self, kind: Kind, ident: str) -> Record:
        """The one record of `kind` that `ident` names (`ADR-0007`, `adr-7`, `7`, or its path)."""
        rid = self._resolve(kind, ident.strip())
        if rid in self.graph.duplicates:
            paths = ", ".join(r.path for r in self.graph.duplicates[rid])
            raise UsageError(f"{rid} is held by several records ({paths}): renumber one first")
        rec = self.graph.by_id[rid]
        if rec.kind is not kind:
            got = rec.kind.label if rec.kind else "record of unknown kind"
            raise UsageError(f"{rid} is a {got}, not a {kind.label}")
        if not rec.ok:  # tracecard edits front matter only, and never rewrites what it cannot read
            problem = rec.parsed.problems[0] if rec.parsed.problems else None
            why = f"line {problem.line}: {problem.message}" if problem else "unreadable front matter"
            raise UsageError(f"{rec.path}: {why}; not edited")
        return rec

    def _resolve(self, kind: Kind, ident: str) -> str:
        found = resolve_id(self.graph.by_id, ident, kind)
        if found is not None:
            return found
        if ident.endswith(".md"):
            given = Path(ident).resolve()
            for rec in self.graph.records:
                if rec.id and self.path_of(rec).resolve() == given:
                    return rec.id
        hint = f"`tracecard {_GROUP[kind]} list`"
        raise UsageError(f"unknown ID {ident!r}: no record has it ({hint})")


_GROUP = {
    Kind.DECISION: "adr", Kind.REQUIREMENT: "req", Kind.MODEL_CARD: "card", Kind.DATASET: "dataset",
    Kind.MODEL_REVIEW: "model-review",
}  # fmt: skip


# -- transitions ----------------------------------------------------------------------------


def current_status(kind: Kind, rec: Record) -> str:
    """The record's status, or the kind's initial one when it has none."""
    return rec.status or INITIAL[kind]


def check_transition(kind: Kind, rec: Record, target: str) -> str:
    """The current status, when it may change to `target`; otherwise a one-line refusal."""
    lifecycle = TRANSITIONS[kind]
    now = current_status(kind, rec)
    if target not in lifecycle:
        raise UsageError(f"{target!r} is not a {kind.label} status ({', '.join(lifecycle)})")
    if now not in lifecycle:
        raise UsageError(
            f"{rec.id} has status {now!r}, which is not a {kind.label} status "
            f"({', '.join(lifecycle)}): set it by hand first"
        )
    if target not in lifecycle[now]:
        allowed = " or ".join(sorted(lifecycle[now])) or "nothing (it is final)"
        what = f"a {kind.label} that is {now}"
        raise UsageError(f"{rec.id} is {now}: {what} can change to {allowed}, not to {target}")
    return now


def set_status(doc: edit.Document, kind: Kind, status: str) -> None:
    doc.set_scalar("status", status)
    if kind is Kind.DECISION:  # MADR: `date` is when the decision was last updated
        doc.set_scalar("date", clock.today())
    if kind is Kind.MODEL_REVIEW and status == "held" and not _held_on_or_before_today(doc):
        doc.set_scalar("date", clock.today())  # held today, unless written up after the day


def _held_on_or_before_today(doc: edit.Document) -> bool:
    """Whether a review's `date` is a day that has come (a review written up afterwards keeps
    the day it took place; a planned day still ahead becomes today)."""
    from tracecard.model.reviews import day

    held_on = day(doc.data.get("date"))
    return held_on is not None and held_on <= clock.today()


def supersede_edits(ws: Workspace, old: Record, new_id: str) -> edit.Document | None:
    """The old decision's document, changed to name `new_id` as its successor (None when it
    already does)."""
    if old.id == new_id:
        raise UsageError(f"{new_id} cannot supersede itself")
    if old.superseded_by not in (None, new_id):
        raise UsageError(f"{old.id} is already superseded by {old.superseded_by}")
    done = old.status == "superseded"
    if done and old.superseded_by == new_id:
        return None
    if not done:
        check_transition(Kind.DECISION, old, "superseded")
    doc = load_doc(ws, old)
    if not done:
        set_status(doc, Kind.DECISION, "superseded")
    doc.set_scalar("superseded_by", new_id)
    return doc


def check_rel(rel: str) -> str:
    rel = rel.strip().lower()
    if rel.startswith(("supersede", "replace")):
        raise UsageError(f"'{rel}' is not a link: use `tracecard adr supersede OLD NEW`")
    if rel not in REVERSE_RELS:
        raise UsageError(f"unknown relation {rel!r}: use one of {', '.join(sorted(REVERSE_RELS))}")
    return rel


def has_link(rec: Record, rel: str, target: str) -> bool:
    links = rec.data.get("links")
    return isinstance(links, list) and {"rel": rel, "id": target} in links


def load_doc(ws: Workspace, rec: Record) -> edit.Document:
    return edit.load(ws.path_of(rec))


# -- writing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    """One file to write: its new content, and its bytes before (None for a new file)."""

    path: Path
    kind: Kind
    doc: edit.Document
    original: bytes | None


def change_of(ws: Workspace, rec: Record, doc: edit.Document) -> Change:
    assert rec.kind is not None
    return Change(ws.path_of(rec), rec.kind, doc, doc.original)


def commit(ws: Workspace, changes: Sequence[Change]) -> None:
    """Write the changes, unless one of them would give a record an error `tracecard check`
    did not report before (an agreed requirement without criteria, a card promoted past a
    failing gate, a template that lacks a required section)."""
    found = new_errors(ws, changes)
    if found:
        d = found[0]
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise UsageError(
            f"refused, {d.path}:{d.line} would fail the check: {d.code} {d.message}{more}; "
            "nothing written"
        )
    write_all(changes, ws.settings.root)


def new_errors(ws: Workspace, changes: Sequence[Change]) -> list[Finding]:
    """Errors on the changed records that the repository as it would be has and now has not:
    every rule `tracecard check` runs, the history rules included (what is written counts as
    one more uncommitted version).

    Positions are left out of the comparison: an edit moves the lines of what follows it."""
    settings = ws.settings
    rules = list(RULES.values())  # history rules too: the change is one more uncommitted version
    if ws.light:  # new records only, linked to nothing: they have no history and no neighbours
        rules = [r for r in rules if not r.needs_history and not r.needs_git]
    changed = {relpath(settings, ch.path): _record_from(settings, ch) for ch in changes}
    records = [changed.get(r.path, r) for r in ws.graph.records]
    records += [rec for path, rec in changed.items() if path not in ws.graph_paths]
    after = run_rules(RepoGraph.build(settings, records), rules, note=_quiet).diagnostics
    errors = [d for d in after if d.path in changed and d.severity is Severity.ERROR]
    if not errors:  # the common case: the repository as it is need not be checked at all
        return []
    before = {_key(d) for d in run_rules(ws.graph, rules, note=_quiet).diagnostics
              if d.path in changed}  # fmt: skip
    return [d for d in errors if _key(d) not in before]


def _quiet(line: str) -> None:
    """Where a writing command sends the line about skipped history rules: nowhere."""


def _key(d: Finding) -> tuple[str, str, str]:
    return d.path, d.code, d.message


def _record_from(settings: config.Settings, ch: Change) -> Record:
    """The record `ch` would write, as `discover` would read it."""
    parsed = parse_text(ch.doc.text())
    data = parsed.data or {}
    rid = data.get("id")
    from_file = not (isinstance(rid, str) and rid.strip())
    rid = ID_SCHEMES[ch.kind].from_filename(ch.path.stem) if from_file else str(rid).strip()
    body = scan_body(parsed.body_lines, parsed.body_start)
    return Record(relpath(settings, ch.path), ch.kind, parsed, body, rid, from_file)


def write_all(changes: Sequence[Change], root: Path) -> None:
    """Write every change or none (`tracecard.edit.transaction`): exclusive for new files,
    refused for a file changed since it was read, undone as a whole when interrupted."""
    for ch in changes:  # everything verified before the first byte is written
        ch.doc.to_bytes()
        if ch.original is None and ch.path.exists():
            raise UsageError(f"{ch.path}: already exists; nothing written")
    writes = [transaction.Write(ch.path, ch.doc.to_bytes(), ch.original) for ch in changes]
    transaction.apply(root, [w for w in writes if w.data != w.before])


# -- commands -------------------------------------------------------------------------------


def transition(kind: Kind, idents: str | Sequence[str], target: str, out: IO[str],
               signers: Sequence[tuple[str, str]] = ()) -> int:  # fmt: skip
    """`adr accept|reject|deprecate`, `req agree|retire|reopen`, `card|dataset promote --to`,
    for one record or several: every one is checked first, then all are written in one
    transaction, or none when one is refused. `signers` ((role, name) pairs, `req agree --by`)
    are added to `agreed_by`, dated today, in the same write; on an already agreed
    requirement they are added alone."""
    if target == "superseded":
        raise UsageError("a decision is superseded by another: `tracecard adr supersede OLD NEW`")
    ws = Workspace.open()
    changes, lines, seen = [], [], set()
    for ident in [idents] if isinstance(idents, str) else idents:
        rec = ws.find(kind, ident)
        if rec.id in seen:
            continue
        seen.add(rec.id)
        if current_status(kind, rec) == target and rec.status is not None:
            if not signers:
                lines.append(f"{rec.id} is already {target}; nothing changed")
                continue
            doc = load_doc(ws, rec)
            added = sign(doc, rec, signers)
            changes.append(change_of(ws, rec, doc))
            lines.append(f"{rec.id} is already {target}; signed off by {added} ({rec.path})")
            continue
        now = check_transition(kind, rec, target)
        doc = load_doc(ws, rec)
        set_status(doc, kind, target)
        signed = f"; signed off by {sign(doc, rec, signers)}" if signers else ""
        changes.append(change_of(ws, rec, doc))
        assumed = " (it had no status: read as " + now + ")" if rec.status is None else ""
        lines.append(f"{rec.id}: {now} -> {target} ({rec.path}){assumed}{signed}")
    if changes:
        commit(ws, changes)
    for line in lines:
        say(line, out)
    return 0


def sign(doc: edit.Document, rec: Record, signers: Sequence[tuple[str, str]]) -> str:
    """Add each (role, name) to `agreed_by` with today's date; who was added, for the message
    (someone already listed with that role is not added twice)."""
    listed = rec.data.get("agreed_by")
    known = {
        (e.get("role"), e.get("name")) for e in (listed if isinstance(listed, list) else [])
        if isinstance(e, dict)
    }  # fmt: skip
    added = []
    for role, name in signers:
        if (role, name) not in known:
            doc.append_mapping_to_list(
                "agreed_by", {"name": name, "role": role, "date": clock.today().isoformat()}
            )
            known.add((role, name))
        added.append(f"{name} ({role})")
    return ", ".join(added)


def supersede(old_ident: str, new_ident: str, out: IO[str]) -> int:
    """`adr supersede OLD NEW`: OLD becomes superseded by NEW, and NEW lists OLD."""
    ws = Workspace.open()
    old, new = ws.find(Kind.DECISION, old_ident), ws.find(Kind.DECISION, new_ident)
    assert old.id is not None and new.id is not None
    if new.status in ("rejected", "deprecated", "superseded"):
        raise UsageError(f"{new.id} is {new.status}: only a current decision can supersede another")
    changes = []
    old_doc = supersede_edits(ws, old, new.id)
    if old_doc is not None:
        changes.append(change_of(ws, old, old_doc))
    if old.id not in id_list(new.data.get("supersedes")):
        new_doc = load_doc(ws, new)
        new_doc.append_to_list("supersedes", old.id)
        changes.append(change_of(ws, new, new_doc))
    if not changes:
        say(f"{new.id} already supersedes {old.id}; nothing changed", out)
        return 0
    commit(ws, changes)
    say(f"{new.id} supersedes {old.id} ({old.path}, {new.path})", out)
    return 0


def link(src_ident: str, rel: str, dst_ident: str, out: IO[str]) -> int:
    """`adr link SRC REL DST`: `{rel: REL, id: DST}` on SRC, and the reverse relation on DST."""
    ws = Workspace.open()
    rel = check_rel(rel)
    src = ws.find(Kind.DECISION, src_ident)
    dst = find_any(ws, dst_ident)
    assert src.id is not None and dst.id is not None
    if src.id == dst.id:
        raise UsageError(f"{src.id} cannot link to itself")
    changes = []
    for rec, r, other in ((src, rel, dst.id), (dst, REVERSE_RELS[rel], src.id)):
        if not has_link(rec, r, other):
            doc = load_doc(ws, rec)
            doc.append_mapping_to_list("links", {"rel": r, "id": other})
            changes.append(change_of(ws, rec, doc))
    if not changes:
        say(f"{src.id} {rel} {dst.id} is already recorded on both; nothing changed", out)
        return 0
    commit(ws, changes)
    say(f"{src.id} {rel} {dst.id}; {dst.id} {REVERSE_RELS[rel]} {src.id}", out)
    return 0


def find_any(ws: Workspace, ident: str) -> Record:
    """A record of any kind, by its exact ID or the normalised spelling of its kind's IDs."""
    for kind in Kind:
        found = resolve_id((r for r, rec in ws.graph.by_id.items() if rec.kind is kind), ident, kind)
        if found is not None:
            return ws.find(kind, found)
    raise UsageError(f"unknown ID {ident!r}: no record has it")
