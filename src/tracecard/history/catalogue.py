"""`tracecard index`: the catalogue of every record, from the committed git history.

Each record committed at HEAD (not deleted there), with its kind, status, title and path, when
it was created and last updated (date, author, short commit), its status history, and for
model cards its results at every version that changed them. Uncommitted changes are not in
the index: it describes what the repository holds, so that it can itself be committed.

The output is deterministic: records ordered by kind then ID, no run time, no HEAD commit (a
commit that touches no record leaves the index as it was), so `--check` compares a committed
file byte for byte and exits 1 when it is stale. A shallow clone, a folder outside git or a
repository without commits is a usage error (exit 2): an index of a cut history would be wrong.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from tracecard.errors import UsageError
from tracecard.history.timeline import (
    changed_keys,
    is_record_path,
    kind_of,
    read,
    result_changes,
    short,
    status_events,
    status_of,
)
from tracecard.load import config
from tracecard.load.repository import load_graph
from tracecard.model.metrics import Vocabulary
from tracecard.model.records import Kind
from tracecard.report.text import dumps_json, md, md_url, say

if TYPE_CHECKING:  # pragma: no cover
    from tracecard.git.index import History, RecordHistory, Version
    from tracecard.model.graph import RepoGraph

KIND_ORDER = (Kind.DECISION, Kind.REQUIREMENT, Kind.MODEL_CARD, Kind.DATASET, Kind.MODEL_REVIEW)
SECTION = {
    Kind.DECISION: "Decisions",
    Kind.REQUIREMENT: "Requirements",
    Kind.MODEL_CARD: "Model cards",
    Kind.DATASET: "Datasets",
    Kind.MODEL_REVIEW: "Model reviews",
}
FORMAT_VERSION = 1


# --- the entries ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stamp:
    date: str  # author date, ISO 8601
    author: str
    sha: str

    @classmethod
    def of(cls, v: Version) -> Stamp:
        return cls(v.date, v.author, v.commit)

    def json(self) -> dict[str, str]:
        return {
            "date": self.date,
            "author": self.author,
            "commit": short(self.sha),
            "sha": self.sha,
        }

    def markdown(self) -> str:
        return f"{self.date[:10]}, {_cell(self.author)}, `{short(self.sha)}`"


@dataclass(frozen=True, slots=True)
class ResultsAt:
    """A model card's results in one version (that changed them, or created the card)."""

    at: Stamp
    version: Any  # the card's `version` field
    status: str | None
    results: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    kind: Kind
    status: str | None
    title: str | None
    path: str
    created: Stamp
    updated: Stamp
    statuses: tuple[tuple[str | None, Stamp], ...]
    results: tuple[ResultsAt, ...]  # model cards only
    review: Mapping[str, Any] | None = None  # model reviews only: what `review_facts` gives


def entries(hist: History, graph: RepoGraph, vocab: Vocabulary) -> list[Entry]:
    """An entry for every record committed at HEAD, ordered by kind, then ID."""
    settings = graph.settings
    out = []
    for rid, rh in hist.records.items():
        last = rh.latest
        kind = kind_of(settings, last.path, last.data)
        if last.deleted or kind is None or not is_record_path(settings, last.path):
            continue
        out.append(_entry(rid, kind, rh, graph, vocab))
    return sorted(out, key=lambda e: (KIND_ORDER.index(e.kind), e.id))


def _entry(rid: str, kind: Kind, rh: RecordHistory, graph: RepoGraph, vocab: Vocabulary) -> Entry:
    last = rh.latest
    statuses = tuple((e.after, Stamp.of(e.version)) for e in status_events(rh))
    results = _results(rh, vocab) if kind is Kind.MODEL_CARD else ()
    review = review_facts(last.data or {}) if kind is Kind.MODEL_REVIEW else None
    return Entry(
        rid, kind, statuses[-1][0] if statuses else None, _title(rid, last, graph),
        last.path, Stamp.of(rh.created), Stamp.of(last), statuses, results, review,
    )  # fmt: skip


def review_facts(data: Mapping[str, Any]) -> dict[str, Any]:
    """A model review's card, version, date, participant roles, failure types found (with
    how many examples showed each) and number of actions."""
    from tracecard.model import reviews as mr

    when = mr.day(data.get("date"))
    return {
        "card": mr.card_of(data),
        "version": mr.version_text(data.get("version")),
        "date": when.isoformat() if when is not None else None,
        "roles": sorted(mr.roles(data)),
        "failure_types": mr.failure_counts(data),
        "actions": sum(1 for _ in mr.items(data, "actions")),
    }


def _title(rid: str, last: Version, graph: RepoGraph) -> str | None:
    """`title:` at HEAD, else the first heading of the file on disk (history has no bodies)."""
    title = (last.data or {}).get("title")
    if isinstance(title, str) and title.strip():
        return title.strip()
    rec = graph.by_id.get(rid)
    return rec.title if rec is not None and rec.path == last.path else None


def _results(rh: RecordHistory, vocab: Vocabulary) -> tuple[ResultsAt, ...]:
    out = []
    for v in rh.versions:
        if v.deleted or v.data is None:
            continue
        if v.before is None or result_changes(v.before, v.data, vocab) or _version_changed(v):
            items = v.data.get("results")
            kept = (
                tuple(r for r in items if isinstance(r, Mapping)) if isinstance(items, list) else ()
            )
            out.append(ResultsAt(Stamp.of(v), v.data.get("version"), status_of(v.data), kept))
    return tuple(out)


def _version_changed(v: Version) -> bool:
    return (
        v.before is not None and v.data is not None and "version" in changed_keys(v.before, v.data)
    )


# --- rendering -----------------------------------------------------------------------------


def as_json(items: list[Entry], link: Callable[[str], str]) -> str:
    doc = {"version": FORMAT_VERSION, "records": [_entry_json(e) for e in items]}
    return dumps_json(doc)


def _entry_json(e: Entry) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": e.id, "kind": e.kind.value, "title": e.title, "status": e.status, "path": e.path,
        "created": e.created.json(), "updated": e.updated.json(),
        "status_history": [{"status": s, **at.json()} for s, at in e.statuses],
    }  # fmt: skip
    if e.review is not None:
        out["review"] = dict(e.review)
    if e.kind is Kind.MODEL_CARD:
        out["results_history"] = [
            {**r.at.json(), "version": r.version, "status": r.status, "results": list(r.results)}
            for r in e.results
        ]
    return out


def as_markdown(items: list[Entry], link: Callable[[str], str]) -> str:
    lines = [
        "# Record index",
        "",
        "Every record committed in this repository, with its history from git. Generated by",
        "`tracecard index`: do not edit by hand.",
    ]
    for kind in KIND_ORDER:
        chosen = [e for e in items if e.kind is kind]
        if chosen:
            lines += ["", f"## {SECTION[kind]}", "", *_record_table(chosen, link)]
    if items:
        lines += ["", "## Status history", "", "| ID | Status changes |", "|---|---|"]
        lines += [f"| {e.id} | {_status_trail(e)} |" for e in items]
    reviews = [e for e in items if e.review is not None]
    if reviews:
        lines += ["", "## Model reviews by card", "", *_reviews_table(reviews, link)]
    cards = [e for e in items if e.results]
    if cards:
        lines += ["", "## Model card results"]
        for e in cards:
            lines += ["", f"### {e.id}", "", *_results_table(e)]
    return "\n".join(lines) + "\n"


def _record_table(items: list[Entry], link: Callable[[str], str]) -> list[str]:
    rows = ["| ID | Title | Status | Created | Last updated |", "|---|---|---|---|---|"]
    for e in items:
        rows.append(
            f"| [{_cell(e.id)}]({link(e.path)}) | {_cell(e.title or '')} | {_cell(e.status or '')} "
            f"| {e.created.markdown()} | {e.updated.markdown()} |"
        )
    return rows


def _reviews_table(items: list[Entry], link: Callable[[str], str]) -> list[str]:
    rows = ["| Card | Review | Status | Date | Version | Failure types found | Actions |",
            "|---|---|---|---|---|---|---|"]  # fmt: skip
    ordered = sorted(items, key=lambda e: (str((e.review or {}).get("card") or ""),
                                           str((e.review or {}).get("date") or ""), e.id))  # fmt: skip
    for e in ordered:
        r = e.review or {}
        found = ", ".join(f"{t} ({n})" for t, n in r.get("failure_types", {}).items())
        rows.append(
            f"| {_cell(r.get('card') or '—')} | [{_cell(e.id)}]({link(e.path)}) "
            f"| {_cell(e.status or '')} | {_cell(r.get('date') or '—')} "
            f"| {_cell(r.get('version') or '—')} | {_cell(found or '—')} | {r.get('actions', 0)} |"
        )
    return rows


def _status_trail(e: Entry) -> str:
    return " → ".join(f"{_cell(s or '(none)')} ({at.markdown()})" for s, at in e.statuses)


def _results_table(e: Entry) -> list[str]:
    from tracecard.history.timeline import label, match_key

    columns: dict[Any, str] = {}
    for r in e.results:
        for item in r.results:
            key = match_key(item)
            if key is not None:
                columns.setdefault(key, label(key))
    head = ["Date", "Commit", "Author", "Version", "Status", *columns.values()]
    rows = ["| " + " | ".join(_cell(h) for h in head) + " |", "|" + "---|" * len(head)]
    for r in e.results:
        values = {match_key(item): item.get("value") for item in reversed(r.results)}
        cells = [r.at.date[:10], f"`{short(r.at.sha)}`", _cell(r.at.author),
                 _cell(_text(r.version)), _cell(r.status or "")]  # fmt: skip
        cells += [_cell(_text(values.get(key))) for key in columns]
        rows.append("| " + " | ".join(cells) + " |")
    return rows


def _text(value: Any) -> str:
    return "—" if value is None else str(value)


def _cell(text: str) -> str:
    return md(str(text))


RENDERERS: dict[str, Callable[[list[Entry], Callable[[str], str]], str]] = {
    "json": as_json,
    "markdown": as_markdown,
}


# --- the command ---------------------------------------------------------------------------


def index(fmt: str | None, output: str | None, check: bool, out: IO[str], err: IO[str]) -> int:
    if check and not output:
        raise UsageError("--check compares the index with a file: name it with --output FILE")
    target = Path(output) if output else None
    explicit = fmt is not None
    fmt = fmt or ("json" if target is not None and target.suffix.lower() == ".json" else "markdown")
    settings = config.load(config.find_root(Path.cwd()))
    hist = read(settings, progress=err)
    if not hist.available or hist.shallow:
        raise UsageError(f"cannot build the index: {hist.message}")
    graph = load_graph(settings)
    from tracecard.load.config import vocabulary

    items = entries(hist, graph, vocabulary(settings))
    _say_uncommitted(graph, hist, err)
    text = RENDERERS[fmt](items, _linker(settings.root, target))
    if target is None:
        out.write(text)
        return 0
    if check:
        again = f"tracecard index --output {target}" + (f" --format {fmt}" if explicit else "")
        return _compare(target, text, again, err)
    _write(settings.root, target, text.encode("utf-8"))
    say(f"tracecard: wrote {target} ({len(items)} records)", err)
    return 0


def _linker(root: Path, target: Path | None) -> Callable[[str], str]:
    """Links from the index file's folder to each record (from the root on stdout)."""
    base = target.resolve().parent if target is not None else root.resolve()

    def link(path: str) -> str:
        return md_url(Path(os.path.relpath(root.resolve() / path, base)).as_posix())

    return link


def _say_uncommitted(graph: RepoGraph, hist: History, err: IO[str]) -> None:
    missing = sorted(r.id for r in graph.records if r.id is not None and hist.get(r.id) is None)
    if missing:
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        say(f"tracecard: not committed yet, so not in the index: {', '.join(missing[:5])}{more}",
            err)


def _compare(target: Path, text: str, again: str, err: IO[str]) -> int:
    try:
        current = target.read_bytes()
    except FileNotFoundError:
        current = None
    except OSError as exc:
        raise UsageError(f"{target}: cannot read: {exc.strerror or exc}") from exc
    if current == text.encode("utf-8"):
        return 0
    what = "is missing" if current is None else "is stale"
    say(f"tracecard: {target} {what}: run `{again}` and commit it", err)
    return 1


def _write(root: Path, target: Path, data: bytes) -> None:
    """The index, written like a record: inside the repository, under the lock, atomically."""
    from tracecard.edit import transaction

    transaction.inside(root, target)  # before any folder is made for it
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"{target}: cannot write: {exc.strerror or exc}") from exc
    with transaction.locked(root):
        before = target.read_bytes() if target.is_file() and not target.is_symlink() else None
        if target.is_symlink():
            target.unlink()  # the index is a file of its own, never written through a link
        transaction.apply(root, [transaction.Write(target, data, before)])
