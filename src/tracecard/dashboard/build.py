"""What the dashboard shows, as plain values: gathered from the graph, the launch gate
(`tracecard.gate.evaluate`, the verdicts of `tracecard card check`), the git history as
`tracecard index` reads it (`tracecard.history.catalogue.entries`) and the model reviews
(`tracecard.model.reviews`). Nothing here writes HTML; `render` turns these into pages.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tracecard.gate.command import with_related
from tracecard.gate.evaluate import CardReport, evaluate
from tracecard.gate.judge import Row, Verdict
from tracecard.gate.render import card_verdict, cells
from tracecard.git.index import WORKTREE
from tracecard.history.timeline import due_slip, match_key, short
from tracecard.load.config import vocabulary
from tracecard.model import clock
from tracecard.model import reviews as mr
from tracecard.model.metrics import Direction, Vocabulary, as_number
from tracecard.model.records import Kind, Record, id_list
from tracecard.report.text import value_text

if TYPE_CHECKING:  # pragma: no cover
    from tracecard.git.index import History
    from tracecard.history.catalogue import Entry
    from tracecard.model.graph import RepoGraph

SEVERITIES = ("critical", "high", "medium", "low")
#: The order cards stand in beside each other: production first, then candidates.
STATUS_ORDER = {"production": 0, "candidate": 1, "draft": 2, "retired": 3}


def page_name(rid: str) -> str:
    """A record's page file name: its ID when that is a safe file name, else a safe form of it
    with a short digest (two IDs never share a page)."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "_", rid)
    if safe == rid and not rid.startswith("."):
        return f"{rid}.html"
    import hashlib

    return f"{safe.lstrip('.')[:80]}-{hashlib.sha1(rid.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}.html"


def severity_rank(severity: str | None) -> int:
    """0 for critical ... 3 for low; 4 for anything else (unknown or missing)."""
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


# --- the values --------------------------------------------------------------------------


@dataclass(frozen=True)
class GateCell:
    """One row of a card's gate, as `tracecard card check` shows it."""

    requirement: str
    criterion: str
    launch: str
    target: str
    actual: str
    verdict: str  # exactly the word `card check` prints (PASS, BELOW TARGET, FAIL, MISSING)
    verdict_key: str  # pass | below | fail | missing: the badge's colour
    key: tuple[Any, ...]  # what rows of two cards share: metric, dataset, split, slice


@dataclass(frozen=True)
class Point:
    label: str  # the card version, or the commit when the version did not change
    date: str
    commit: str
    status: str | None
    value: float | None
    text: str  # the value as the card wrote it
    when: str = ""  # the commit's date, in full (ISO 8601); "" for the work tree


@dataclass(frozen=True)
class Series:
    """One result of a card (metric, dataset, split, slice) across the card's versions."""

    key: tuple[Any, ...]  # (metric, dataset, split, slice), as the gate pairs them
    title: str
    metric: str
    slice: str | None
    direction: Direction
    launch: float | None
    target: float | None
    points: tuple[Point, ...]
    #: The bars each version was held to: the requirement's launch and target as committed at
    #: the version's date (the bars now for the work tree); None where none was in force.
    launches: tuple[float | None, ...] = ()
    targets: tuple[float | None, ...] = ()


@dataclass(frozen=True)
class FailureType:
    """A failure type of one card: from its failure modes and from the reviews' examples."""

    name: str
    severity: str | None  # the most severe seen, on the card or in an example
    on_card: bool
    deprioritised: bool
    mitigation: str | None
    counts: tuple[int, ...]  # examples per review, in the order of `CardView.reviews`
    impact: str | None = None  # the business impact of its most severe example, in the review's words

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class ReviewView:
    id: str
    title: str
    status: str | None
    date: str | None
    version: str | None
    examples: int
    actions: int


@dataclass
class CardView:
    record: Record
    report: CardReport
    verdict: str  # as `card check` says it: PASS, FAIL, `not gated, would FAIL`
    gate: list[GateCell]
    series: list[Series] = field(default_factory=list)
    failures: list[FailureType] = field(default_factory=list)
    reviews: list[ReviewView] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.record.id or "?"

    @property
    def status(self) -> str:
        return self.record.status or "no status"

    @property
    def fails(self) -> bool:
        return self.report.errors > 0


@dataclass(frozen=True)
class FeatureView:
    """A requirement (a product feature) with every card that satisfies it, production first."""

    record: Record
    cards: tuple[CardView, ...]
    rows: tuple[tuple[tuple[Any, ...], str], ...]  # (key, criterion text) of every gate row


@dataclass(frozen=True)
class DatasetView:
    record: Record
    purpose: str | None
    owner: str | None
    due: str | None
    late: bool
    slips: tuple[tuple[str, str, str], ...]  # (from, to, the day it was moved)
    share: float | None
    share_low: bool
    sample: bool | None  # includes a production sample
    sample_date: str | None
    sample_age: int | None  # days
    sample_stale: bool
    used_by: tuple[str, ...]


@dataclass
class Site:
    graph: RepoGraph
    today: datetime.date
    history_note: str | None  # why trends are missing or short, for people
    cards: dict[str, CardView]
    features: list[FeatureView]
    datasets: list[DatasetView]
    decisions: list[Record]
    links_in: dict[str, list[tuple[Record, str]]]  # target ID -> (source, field)


# --- gathering ---------------------------------------------------------------------------


def gather(graph: RepoGraph, hist: History | None) -> Site:
    """Everything the site shows. `hist` is the committed history (None outside git)."""
    today = clock.today()
    vocab = vocabulary(graph.settings)
    judged = with_related(graph, evaluate(graph), note=lambda line: None)  # card check's verdicts
    reports = {r.card.id: r for r in judged if r.card.id is not None}
    entries = _entries(graph, hist)
    reviews = _reviews_by_card(graph)
    bars_then = _BarsThen(hist)
    cards = {rid: _card(rep, entries.get(rid), vocab, reviews.get(rid, []), bars_then)
             for rid, rep in reports.items()}  # fmt: skip
    return Site(
        graph=graph,
        today=today,
        history_note=_history_note(hist),
        cards=cards,
        features=_features(graph, cards),
        datasets=_datasets(graph, hist, today),
        decisions=_decision_log(graph),
        links_in=_links_in(graph),
    )


def _history_note(hist: History | None) -> str | None:
    if hist is None or not hist.available:
        why = hist.message if hist is not None else "not a git repository"
        return f"No history: {why}. Each card shows its current results only."
    if hist.shallow:
        return "A shallow clone: trends start at the first commit fetched."
    return None


def _entries(graph: RepoGraph, hist: History | None) -> dict[str, Entry]:
    if hist is None or not hist.available:
        return {}
    from tracecard.history.catalogue import entries

    return {e.id: e for e in entries(hist, graph, vocabulary(graph.settings))
            if e.kind is Kind.MODEL_CARD}  # fmt: skip


_VERDICT_KEYS = {
    Verdict.PASS: "pass", Verdict.BELOW_TARGET: "below", Verdict.FAIL: "fail",
    Verdict.MISSING: "missing",
}  # fmt: skip


def _gate_cells(report: CardReport) -> list[GateCell]:
    out = []
    for line in report.lines:
        row = line.row
        req, crit, launch, target, actual, verdict = cells(report, line)
        key = (row.constraint, row.metric, row.dataset, row.split, row.slice)
        out.append(GateCell(req, crit, launch, target, actual, verdict,
                            _VERDICT_KEYS[row.verdict], key))  # fmt: skip
    return out


def _card(report: CardReport, entry: Entry | None, vocab: Vocabulary,
          reviews: list[Record], bars_then: _BarsThen | None = None) -> CardView:  # fmt: skip
    view = CardView(report.card, report, card_verdict(report), _gate_cells(report))
    view.series = _series(report, entry, vocab, bars_then)
    view.reviews, view.failures = _failures(report.card, reviews)
    return view


def _reviews_by_card(graph: RepoGraph) -> dict[str, list[Record]]:
    """Each card's reviews, oldest first, as `tracecard.model.reviews.reviews_of` orders them
    (one pass: asking per card would read every record once per card)."""
    out: dict[str, list[Record]] = {}
    for review in mr.reviews(graph):
        card = mr.card_of(review)
        if card is not None:
            out.setdefault(card, []).append(review)
    for found in out.values():
        found.sort(key=lambda r: (mr.day(r.data.get("date")) or datetime.date.min, r.id or ""))
    return out


# --- trends ------------------------------------------------------------------------------


class _BarsThen:
    """The launch and target of a criterion as its requirement said at a given date, from
    the requirement's committed versions (the last one dated at or before it)."""

    def __init__(self, hist: History | None) -> None:
        self.hist = hist

    def at(self, requirement: str | None, key: Any, when: str) -> tuple[float | None, float | None] | None:
        """(launch, target) in force at `when`; None when it cannot be told (no history)."""
        rh = self.hist.get(requirement) if self.hist is not None and requirement else None
        if rh is None or not when:
            return None
        try:
            moment = datetime.datetime.fromisoformat(when)
        except ValueError:
            return None
        data = None
        for v in rh.versions:
            try:
                if v.commit != WORKTREE and datetime.datetime.fromisoformat(v.date) <= moment:
                    data = None if v.deleted else v.data
            except ValueError:
                continue
        crits = [c for c in (data or {}).get("criteria") or [] if isinstance(c, Mapping)]
        # the criterion of this slice, else the criterion its slice rows come from (`slices`,
        # a dataset's gated edge cases): the same metric, dataset and split, no `slice`
        for crit in [c for c in crits if match_key(c) == key] or \
                [c for c in crits if (k := match_key(c)) is not None and k[:3] == key[:3] and k[3] is None]:
            return _num(crit.get("launch")), _num(crit.get("target"))
        return (None, None)


def _series(report: CardReport, entry: Entry | None, vocab: Vocabulary,
            bars_then: _BarsThen | None = None) -> list[Series]:  # fmt: skip
    versions = _versions(report.card, entry)
    bars: dict[Any, Row] = {}
    for line in report.lines:
        row = line.row
        if not row.constraint and row.metric is not None:
            bars.setdefault((row.metric, row.dataset, row.split, row.slice), row)
    keys: dict[Any, str] = {}
    for _, results in versions:
        for item in results:
            key = match_key(item)
            if key is not None:
                keys.setdefault(key, _series_title(key))
    out = []
    for key, title in keys.items():
        found = bars.get(key)
        points = tuple(_point(point, results, key) for point, results in versions)
        direction = found.direction if found is not None else _direction(vocab, key)
        slc = None if key[3] is None else str(key[3])
        launch, target = (_num(found.launch), _num(found.target)) if found else (None, None)
        launches, targets = [], []
        for point in points:
            then = bars_then.at(found.requirement, key, point.when) if bars_then and found else None
            launches.append(then[0] if then is not None else launch)
            targets.append(then[1] if then is not None else target)
        out.append(Series(key, title, str(key[0]), slc, direction, launch, target, points,
                          tuple(launches), tuple(targets)))  # fmt: skip
    return out


def _direction(vocab: Vocabulary, key: Any) -> Direction:
    metric = vocab.lookup(key[0])
    return metric.direction if metric is not None else Direction.HIGHER


def _series_title(key: Any) -> str:
    metric, dataset, split, slc = key
    where = "/".join(str(p) for p in (dataset, split, slc) if p is not None)
    return f"{metric} on {where}"


def _versions(card: Record, entry: Entry | None) -> list[tuple[Point, tuple[Mapping[str, Any], ...]]]:
    """(a point with no value yet, the card's results) for each version, oldest first; the
    current file alone when there is no history."""
    results = card.data.get("results")
    items = tuple(r for r in results if isinstance(r, Mapping)) if isinstance(results, list) else ()
    now = mr.version_text(card.data.get("version")) or "now"
    if entry is None or not entry.results:
        return [(Point(now, "", "", card.status, None, ""), items)]
    out = []
    seen: dict[str, int] = {}
    for at in entry.results:
        label = mr.version_text(at.version) or short(at.at.sha)
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            label = f"{label} ({short(at.at.sha)})"
        out.append((Point(label, at.at.date[:10], short(at.at.sha), at.status, None, "", at.at.date),
                    at.results))  # fmt: skip
    if _values(items) != _values(entry.results[-1].results):  # the work tree has moved on
        out.append((Point(f"{now} (uncommitted)", "", "", card.status, None, ""), items))
    return out


def _values(items: Iterable[Mapping[str, Any]]) -> dict[Any, Any]:
    return {match_key(item): item.get("value") for item in items}


def _point(point: Point, results: Iterable[Mapping[str, Any]], key: Any) -> Point:
    for item in results:
        if match_key(item) == key:
            value = item.get("value")
            return Point(point.label, point.date, point.commit, point.status, _num(value),
                         value_text(value) if _num(value) is not None else "not a number", point.when)  # fmt: skip
    return Point(point.label, point.date, point.commit, point.status, None, "—", point.when)


def _num(value: object) -> float | None:
    number = as_number(value)
    return float(number) if number is not None else None


# --- failure types -----------------------------------------------------------------------


def _failures(card: Record, reviews: list[Record]) -> tuple[list[ReviewView], list[FailureType]]:
    views = [_review_view(r) for r in reviews]
    found: dict[str, dict[str, Any]] = {}
    for _, fm in mr.items(card.data, "failure_modes"):
        given = fm.get("type")
        name = (given.strip() if isinstance(given, str) and given.strip()
                else _text(fm.get("description"), 60) or "unnamed")  # fmt: skip
        slot = found.setdefault(name, _slot(len(reviews)))
        slot.update(on_card=True, deprioritised=fm.get("deprioritised") is True,
                    mitigation=_text(fm.get("mitigation"), 400))  # fmt: skip
        slot["severity"] = _worse(slot["severity"], fm.get("severity"))
    for n, review in enumerate(reviews):
        for ex in mr.examples(review.data):
            name = ex.failure_type or "no type given"
            slot = found.setdefault(name, _slot(len(reviews)))
            slot["counts"][n] += 1
            impact = _text(ex.data.get("impact"), 300)
            if impact is not None and (slot["impact"] is None or
                                       severity_rank(ex.severity) < slot["impact_rank"]):  # fmt: skip
                slot["impact"], slot["impact_rank"] = impact, severity_rank(ex.severity)
            slot["severity"] = _worse(slot["severity"], ex.severity)
    types = [FailureType(name, s["severity"], s["on_card"], s["deprioritised"], s["mitigation"],
                         tuple(s["counts"]), s["impact"]) for name, s in found.items()]  # fmt: skip
    types.sort(key=lambda t: (-t.total, severity_rank(t.severity), t.name))
    return views, types


def _slot(n: int) -> dict[str, Any]:
    return {"severity": None, "on_card": False, "deprioritised": False, "mitigation": None,
            "counts": [0] * n, "impact": None, "impact_rank": len(SEVERITIES) + 1}  # fmt: skip


def _worse(a: str | None, b: object) -> str | None:
    b_text = b.strip().lower() if isinstance(b, str) else None
    if b_text is None:
        return a
    return b_text if a is None or severity_rank(b_text) < severity_rank(a) else a


def _review_view(review: Record) -> ReviewView:
    when = mr.day(review.data.get("date"))
    return ReviewView(review.id or "?", review.title or review.id or "?", review.status,
                      when.isoformat() if when else None, mr.version_text(review.data.get("version")),
                      len(mr.examples(review.data)), sum(1 for _ in mr.items(review.data, "actions")))  # fmt: skip


def _text(value: object, limit: int) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = " ".join(value.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- features ----------------------------------------------------------------------------


def _features(graph: RepoGraph, cards: Mapping[str, CardView]) -> list[FeatureView]:
    by_req: dict[str, list[CardView]] = {}
    for view in cards.values():
        if view.record.status == "retired":
            continue
        for rid in _satisfies(view.record):
            by_req.setdefault(rid, []).append(view)
    out = []
    for req in graph.of_kind(Kind.REQUIREMENT):
        if req.id is None or req.status == "retired":
            continue
        mine = sorted(by_req.get(req.id, []), key=lambda v: (STATUS_ORDER.get(v.status, 9), v.id))
        rows: dict[tuple[Any, ...], str] = {}
        for view in mine:
            for cell in view.gate:
                if cell.requirement == req.id:
                    rows.setdefault(cell.key, cell.criterion)
        out.append(FeatureView(req, tuple(mine), tuple(rows.items())))
    out.sort(key=lambda f: (f.record.status != "agreed", not f.cards, f.record.id or ""))
    return out


def _satisfies(card: Record) -> list[str]:
    return id_list(card.data.get("satisfies"))


# --- data readiness ----------------------------------------------------------------------


def _datasets(graph: RepoGraph, hist: History | None, today: datetime.date) -> list[DatasetView]:
    settings = graph.settings
    users: dict[str, set[str]] = {}
    for card in graph.of_kind(Kind.MODEL_CARD):
        for link in graph.links(card):
            if link.field in ("results.dataset", "training_data"):
                users.setdefault(link.target, set()).add(card.id or "?")
    out = []
    for ds in graph.of_kind(Kind.DATASET):
        data = ds.data
        labeling = _mapping(data.get("labeling"))
        comp = _mapping(data.get("composition"))
        due = clock.as_day(labeling.get("due"))
        share = _num(comp.get("product_defined_share"))
        drawn = clock.as_day(comp.get("production_sample_date"))
        age = (today - drawn).days if drawn is not None else None
        sample = comp.get("includes_production_sample")
        out.append(DatasetView(
            record=ds,
            purpose=_text(data.get("purpose"), 40),
            owner=_text(labeling.get("owner"), 120),
            due=due.isoformat() if due else None,
            late=due is not None and due < today and ds.status in ("planned", "labeling"),
            slips=_slips(hist, ds.id),
            share=share,
            share_low=share is not None and share < settings.min_product_defined_share,
            sample=sample if isinstance(sample, bool) else None,
            sample_date=drawn.isoformat() if drawn else None,
            sample_age=age,
            sample_stale=age is not None and age > settings.max_production_sample_age_days,
            used_by=tuple(sorted(users.get(ds.id or "", ()))),
        ))  # fmt: skip
    return out


def _mapping(value: object) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _slips(hist: History | None, rid: str | None) -> tuple[tuple[str, str, str], ...]:
    rh = hist.get(rid) if hist is not None and hist.available and rid else None
    if rh is None:
        return ()
    found = []
    for v in rh.versions:
        slip = due_slip(v.before, v.data)
        if slip is not None:
            found.append((slip[0], slip[1], v.date[:10]))
    return tuple(found)


# --- decisions and links -----------------------------------------------------------------


def _decision_log(graph: RepoGraph) -> list[Record]:
    """Decisions, newest first (by their date, then ID)."""
    def key(rec: Record) -> tuple[datetime.date, str]:
        return clock.as_day(rec.data.get("date")) or datetime.date.min, rec.id or ""

    return sorted((d for d in graph.of_kind(Kind.DECISION) if d.id), key=key, reverse=True)


def _links_in(graph: RepoGraph) -> dict[str, list[tuple[Record, str]]]:
    out: dict[str, list[tuple[Record, str]]] = {}
    for rec in graph.records:
        for link in graph.links(rec):
            out.setdefault(link.target, []).append((rec, link.field))
    return out
