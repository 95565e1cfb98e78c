"""`tracecard history ID`: one record's timeline, commit by commit.

Each commit that changed the record, oldest first (topological order), with its date, author
and subject, and what it changed: creation, status, launch and target values, result values
(better or worse by the metric's direction), ID, path, other front-matter keys, deletion.
Uncommitted changes come last. Each model review held of a model card shows on the card's
timeline (and on the review's own) at the commit that made it held. A deleted record still has its history; an ID that no record
has, now or in the history, is exit 2.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from tracecard.errors import UsageError
from tracecard.history.timeline import (
    Event,
    EventKind,
    history_of,
    kind_of,
    record_timeline,
    review_events,
    short,
    with_reviews,
)
from tracecard.load import config
from tracecard.load.repository import load_graph
from tracecard.model.records import resolve_id
from tracecard.report.text import dumps_json, one_line, say

if TYPE_CHECKING:  # pragma: no cover
    from tracecard.git.index import History, RecordHistory
    from tracecard.model.graph import RepoGraph
    from tracecard.model.records import Record


def history(ident: str, fmt: str, out: IO[str], err: IO[str]) -> int:
    settings = config.load(config.find_root(Path.cwd()))
    graph = load_graph(settings)
    hist = history_of(graph)
    if not hist.available:
        raise UsageError(f"no history for {ident}: {hist.message}")
    rid = resolve(ident, graph, hist)
    rh = hist.records[rid]
    if hist.shallow:
        say(f"tracecard: {hist.message}", err)
    if all(short(v.commit) == "uncommitted" for v in rh.versions):
        say(f"tracecard: {rid} is not committed yet: its history starts with its first commit",
            err)
    from tracecard.load.config import vocabulary

    events = record_timeline(rh, vocabulary(settings), hist.shallow)
    events = with_reviews(events, review_events(hist, settings, rid))
    RENDERERS[fmt](_header(rid, rh, graph), events, out)
    return 0


def resolve(ident: str, graph: RepoGraph, hist: History) -> str:
    """The ID `ident` names: exact, any case, `adr-7` for ADR-0007, or a record's file."""
    known = set(hist.records)
    wanted = ident.strip()
    if wanted in known:
        return wanted
    found = resolve_id(known, wanted)
    if found is not None:
        return found
    path = Path(wanted)
    if path.suffix == ".md" and path.exists():
        for rec in graph.records:
            if rec.id in known and (graph.settings.root / rec.path).resolve() == path.resolve():
                return rec.id
    raise UsageError(f"unknown ID {ident!r}: no record has it, now or in the git history")


# --- rendering -----------------------------------------------------------------------------


def _header(rid: str, rh: RecordHistory, graph: RepoGraph) -> dict[str, Any]:
    rec: Record | None = graph.by_id.get(rid)
    last = rh.latest
    kind = rec.kind if rec is not None else kind_of(graph.settings, last.path, last.data)
    data = last.data or last.before or {}
    return {
        "id": rid,
        "kind": kind.value if kind is not None else None,
        "title": rec.title if rec is not None else data.get("title"),
        "path": last.path,
        "deleted": last.deleted,
    }


def describe(e: Event) -> str:
    """One line for people: `status: proposed -> accepted`."""
    k = e.kind
    if k is EventKind.CREATED:
        return f"created (status {e.after})" if e.after else "created"
    if k is EventKind.FIRST_SEEN:
        return f"first seen, status {e.after} (shallow clone: created at or before this commit)"
    if k is EventKind.DELETED:
        return "deleted"
    if k is EventKind.RENAMED:
        return f"renamed from {e.before}"
    if k is EventKind.EDITED:
        return f"edited: {e.what}" if e.what != "body" else "edited: body or formatting"
    if k is EventKind.REVIEWED:
        return f"model review {e.what} of {e.before or 'no card'}: {e.after}"
    if k is EventKind.SLIPPED:
        return f"labeling due date slipped: {e.before} -> {e.after} ({_days(e)} later)"
    if k is EventKind.RESULT:
        return f"{e.what}: {_change(e.before, e.after)}{_verdict(e)}"
    return f"{e.what}: {_change(e.before, e.after)}"


def _days(e: Event) -> str:
    import datetime

    days = (datetime.date.fromisoformat(e.after) - datetime.date.fromisoformat(e.before)).days
    return f"{days} day" + ("s" if days != 1 else "")


def _change(before: Any, after: Any) -> str:
    if before is None:
        return f"new, {after}"
    if after is None:
        return f"removed (was {before})"
    return f"{before} -> {after}"


def _verdict(e: Event) -> str:
    return "" if e.better is None else " (better)" if e.better else " (worse)"


def as_text(head: dict[str, Any], events: list[Event], out: IO[str]) -> None:
    title = f"  {one_line(str(head['title']))}" if head["title"] else ""
    out.write(f"{one_line(head['id'])}{title}\n")
    state = "deleted" if head["deleted"] else one_line(head["path"])
    out.write(f"{head['kind'] or 'record'}, {state}\n")
    width = max((len(e.version.author) for e in events), default=0)
    current = None
    for e in events:
        v = e.version
        if v.commit != current:  # a review's event may share a commit with the record's own
            current = v.commit
            if short(v.commit) == "uncommitted":
                out.write("\nuncommitted changes\n")
            else:
                who = one_line(v.author)
                out.write(f"\n{v.date[:10]}  {short(v.commit)}  {who:<{width}}  "
                          f"{one_line(v.subject)}\n")
        out.write(f"    {one_line(describe(e))}\n")


def as_json(head: dict[str, Any], events: list[Event], out: IO[str]) -> None:
    doc = {**head, "events": [_event_json(e) for e in events]}
    out.write(dumps_json(doc))


def _event_json(e: Event) -> dict[str, Any]:
    v = e.version
    committed = short(v.commit) != "uncommitted"
    return {
        "commit": v.commit if committed else None,
        "short": short(v.commit),
        "date": v.date if committed else None,
        "author": v.author if committed else None,
        "subject": v.subject,
        "event": e.kind.value,
        "what": e.what,
        "before": e.before,
        "after": e.after,
        "text": describe(e),
    }


RENDERERS: dict[str, Callable[[dict[str, Any], list[Event], IO[str]], None]] = {
    "text": as_text,
    "json": as_json,
}
