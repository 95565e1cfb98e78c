"""What a pull request changes in the records: the model behind `tracecard review`.

Pure: the input is the record histories `tracecard.git.index.read_history` returned and the commits of
the range (`git rev-list BASE..HEAD`, what a pull request shows); the output is a `Review`
value. Git, files and output are the command's business (`review/command.py`), and how a
review looks is the renderers' (`review/render.py`).

The two ends of the range
    Versions come in topological order (every commit after its parents). The state of a
    record at the merge-base is its last version whose commit is not in the range, that is,
    whose commit both ends contain; its state at head is its last version that head contains
    (`Span.after_head` lists the commits of the checked-out history that come after head, when
    `--head` is an ancestor of the checkout). A deletion at either end means "absent there".

What is compared
    records       added, changed (the top-level keys whose value changed; a rename), deleted;
                  added-then-deleted within the range is nothing.
    statuses      the net move from base to head, with the steps the range made on the way;
                  the move is allowed when the lifecycle (`commands.lifecycle.TRANSITIONS`)
                  allows it directly, or when every step of the range was allowed. A record
                  without `status` is in its kind's initial status.
    thresholds    a requirement's criteria, paired by metric, dataset, split and slice
                  (`history.threshold_changes`): every `launch` or `target` that changed or
                  went away, with the decision IDs added to the requirement's `decisions` in
                  the range (its explanation; a requirement that was not agreed needs none).
    results       a card's results, paired the same way (`history.result_changes`): the
                  value before and after, better or worse for the metric's direction.
    launch gate   `gate.gate_card` at both ends (each card against the requirements of its own
                  end) for every card that is `candidate` or `production` at either end and
                  that the range touched, directly or through a requirement it satisfies.

A record deleted instead of retired is an `Issue` of the rule `RecordDeleted`. The other problems a range can
bring in (a lifecycle step not allowed, a threshold changed without a decision, a production
result that regressed, an accepted decision edited, an ID changed) are the HIS rules'
(`rules/history.py`): the command runs them and keeps the findings the range brought in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from tracecard.gate import handoffs
from tracecard.gate.evaluate import problem_rule
from tracecard.gate.judge import Row, gate_card, gated_edge_cases
from tracecard.git.index import IdChange, RecordHistory, Version
from tracecard.history import timeline as history
from tracecard.history.timeline import MatchKey, ResultChange, label
from tracecard.load.config import Settings
from tracecard.model import clock
from tracecard.model.findings import Severity
from tracecard.model.lifecycles import INITIAL, TRANSITIONS
from tracecard.model.metrics import Direction, Vocabulary, as_number
from tracecard.model.records import Kind, id_list
from tracecard.rules.base import Rule
from tracecard.rules.history import RecordDeleted

KindOf = Callable[[str, "dict[str, Any] | None"], "Kind | None"]
KeyPath = tuple[str | int, ...]
Value = float | int | str | None

#: Card statuses the launch gate holds to their requirements.
GATED = frozenset({"candidate", "production"})
#: Statuses a record leaves the repository through, instead of being deleted.
RETIRING = {
    Kind.DECISION: ("deprecated", "superseded"),
    Kind.REQUIREMENT: ("retired",),
    Kind.MODEL_CARD: ("retired",),
    Kind.DATASET: ("retired",),
    Kind.MODEL_REVIEW: (),  # a review is what happened on a day: it stays as it is
}


# --- values ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Span:
    """Which commits the range holds, and which of the read history come after head."""

    in_range: frozenset[str]
    after_head: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class State:
    """A record at one end of the range."""

    path: str
    data: dict[str, Any]  # {} when the front matter could not be read
    commit: str
    body: str | None = None  # a digest of the text below the front matter; None: unknown


class Change(StrEnum):
    ADDED = "added"
    CHANGED = "changed"
    DELETED = "deleted"


@dataclass(frozen=True, slots=True)
class RecordChange:
    id: str
    kind: Kind | None
    change: Change
    base: State | None
    head: State | None
    keys: tuple[str, ...]  # top-level keys whose value differs (changed records)
    commits: tuple[str, ...]  # the range's commits that touched it, oldest first
    old_id: str | None = None  # the ID the record had at base, when the range changed it

    @property
    def body_changed(self) -> bool:
        """The text below the front matter differs between the two ends (when both are known)."""
        if self.base is None or self.head is None:
            return False
        return None not in (self.base.body, self.head.body) and self.base.body != self.head.body

    @property
    def path(self) -> str:
        side = self.head or self.base
        assert side is not None
        return side.path

    @property
    def renamed_from(self) -> str | None:
        if self.base and self.head and self.base.path != self.head.path:
            return self.base.path
        return None

    def status(self, side: State | None) -> str | None:
        return None if side is None else status_of(side.data, self.kind)


@dataclass(frozen=True, slots=True)
class Step:
    before: str
    after: str
    commit: str
    allowed: bool


@dataclass(frozen=True, slots=True)
class Transition:
    id: str
    kind: Kind
    path: str
    before: str
    after: str
    steps: tuple[Step, ...]
    allowed: bool


@dataclass(frozen=True, slots=True)
class ThresholdChange:
    requirement: str
    path: str
    key: MatchKey  # (metric, dataset, split, slice), as the launch gate matches them
    index: int | None  # position in the head's `criteria`; None when the criterion went away
    field: str  # launch | target
    before: Value
    after: Value
    direction: Direction
    looser: bool | None  # True: easier to meet than before; None: cannot say
    decisions: tuple[str, ...]  # decision IDs added to `decisions` in the range
    agreed: bool  # the requirement was agreed at base (a draft is still being negotiated)

    @property
    def explained(self) -> bool:
        """A decision explains the change, or none is needed (the requirement was a draft)."""
        return bool(self.decisions) or not self.agreed

    @property
    def label(self) -> str:
        return label(self.key)


class Trend(StrEnum):
    IMPROVED = "improved"
    WORSE = "worse"
    CHANGED = "changed"  # no known direction, or not a number
    NEW = "new"
    REMOVED = "removed"


@dataclass(frozen=True, slots=True)
class MetricDelta:
    card: str
    path: str
    change: ResultChange  # key, before, after, index in the head's `results`, direction
    trend: Trend

    @property
    def key(self) -> MatchKey:
        return self.change.key

    @property
    def label(self) -> str:
        return self.change.label

    @property
    def delta(self) -> float | None:
        a, b = as_number(self.change.before), as_number(self.change.after)
        return None if a is None or b is None else float(f"{b - a:.12g}")  # no 0.0550000001


@dataclass(frozen=True, slots=True)
class GateSide:
    status: str | None
    rows: tuple[Row, ...]
    #: The handoff issues (data not ready, card incomplete, ...) as (code, is_error, subject):
    #: the same that `tracecard card check` reports for the card at this end.
    issues: tuple[tuple[str, bool, str], ...] = ()

    @property
    def gated(self) -> bool:
        return self.status in GATED

    @property
    def failed(self) -> bool:
        return any(row.verdict.is_error for row in self.rows) or any(e for _, e, _ in self.issues)

    @property
    def verdict(self) -> str:
        return "FAIL" if self.failed else "PASS"


@dataclass(frozen=True, slots=True)
class GateRowPair:
    before: Row | None
    after: Row | None

    @property
    def row(self) -> Row:
        row = self.after or self.before
        assert row is not None
        return row

    @property
    def changed(self) -> bool:
        if self.before is None or self.after is None:
            return True
        return _row_view(self.before) != _row_view(self.after)


@dataclass(frozen=True, slots=True)
class GateChange:
    card: str
    path: str
    base: GateSide | None
    head: GateSide | None
    rows: tuple[GateRowPair, ...]

    @property
    def verdict_changed(self) -> bool:
        def view(side: GateSide | None) -> tuple[bool, str] | None:
            return None if side is None else (side.gated, side.verdict)

        return view(self.base) != view(self.head)

    @property
    def worse(self) -> bool:
        """The card fails the gate at head and did not at base (or was not gated there)."""
        if self.head is None or not (self.head.gated and self.head.failed):
            return False
        return self.base is None or not self.base.gated or not self.base.failed


@dataclass(frozen=True, slots=True)
class Issue:
    """A fact of the range a reviewer must act on, at a key of a record at one end: a finding of
    `rule` whose line is known once the file at head is read (`tracecard.review.command`)."""

    rule: type[Rule]
    record: str
    path: str
    at: KeyPath  # front-matter key path at head; () for the file (a deleted record)
    message: str

    @property
    def code(self) -> str:
        return self.rule.code

    @property
    def severity(self) -> Severity:
        return self.rule.severity


@dataclass(frozen=True, slots=True)
class ModelReviewChange:
    """A model review the range added or changed, as it is at head."""

    id: str
    path: str
    change: Change
    status: str | None
    card: str | None
    version: str | None
    date: str | None
    roles: tuple[str, ...]
    failure_types: tuple[tuple[str, int], ...]  # (type, examples showing it), most first
    actions: int


@dataclass(frozen=True)
class Review:
    changes: tuple[RecordChange, ...] = ()
    transitions: tuple[Transition, ...] = ()
    thresholds: tuple[ThresholdChange, ...] = ()
    results: tuple[MetricDelta, ...] = ()
    gates: tuple[GateChange, ...] = ()
    issues: tuple[Issue, ...] = ()
    paths: Mapping[str, str] = field(default_factory=dict)  # every record's file at head
    reviews: tuple[ModelReviewChange, ...] = ()


# --- the ends of the range --------------------------------------------------------------------


def ends(rec: RecordHistory, span: Span) -> tuple[State | None, State | None]:
    """The record's state at the merge-base and at head (None where it does not exist)."""
    base: Version | None = None
    head: Version | None = None
    for version in rec.versions:
        if version.commit in span.after_head:
            continue
        head = version
        if version.commit not in span.in_range:
            base = version
    return _state(base), _state(head)


def _state(version: Version | None) -> State | None:
    if version is None or version.deleted:
        return None
    return State(version.path, version.data or {}, version.commit, version.body)


def status_of(data: Mapping[str, Any], kind: Kind | None) -> str | None:
    """The lifecycle status (`superseded by ADR-0123` is `superseded`); the initial one if unset."""
    found = history.status_of(data)
    if found is None and data.get("status") is None and kind is not None:
        return INITIAL.get(kind)
    return found


Ends = tuple[State | None, State | None]


def all_ends(
    records: Mapping[str, RecordHistory], span: Span, id_changes: Iterable[IdChange] = ()
) -> dict[str, Ends]:
    """Every record's two ends; a key that an ID change left behind is absent after it.

    (the history index keys the versions after an ID change by the new ID, so the old key's last
    version is not a deletion: without this it would seem to live on in the same file.)"""
    out = {rid: ends(rec, span) for rid, rec in records.items()}
    for ic in id_changes:
        if ic.commit in span.after_head or ic.old_id not in out:
            continue
        base, head = out[ic.old_id]
        if head is not None and (head.path == ic.path or ic.commit in span.in_range
                                 and head.commit not in span.in_range):  # fmt: skip
            head = None  # the old ID is gone at head (changed in place, or with a rename)
        if base is not None and base.path == ic.path and ic.commit not in span.in_range:
            base = None
        out[ic.old_id] = (base, head)
    return out


def range_versions(rec: RecordHistory, span: Span) -> list[Version]:
    return [
        v for v in rec.versions if v.commit in span.in_range and v.commit not in span.after_head
    ]


# --- records -----------------------------------------------------------------------------------


def record_change(
    rec: RecordHistory, at_ends: Ends, span: Span, kind_of: KindOf
) -> RecordChange | None:
    base, head = at_ends
    if base is None and head is None:
        return None
    keys: tuple[str, ...] = ()
    if base is None:
        change = Change.ADDED
    elif head is None:
        change = Change.DELETED
    else:
        change, keys = Change.CHANGED, changed_keys(base.data, head.data)
        same_body = base.body is None or head.body is None or base.body == head.body
        if not keys and base.path == head.path and same_body:
            return None
    side = head or base
    assert side is not None
    commits = tuple(dict.fromkeys(v.commit for v in range_versions(rec, span)))
    return RecordChange(rec.id, kind_of(side.path, side.data), change, base, head, keys, commits)


def _id_changes_joined(
    changes: list[RecordChange], renamed: Iterable[IdChange]
) -> list[RecordChange]:
    """A record whose ID the range changed is one changed record, not a deletion and an addition."""
    by_id = {c.id: c for c in changes}
    for ic in renamed:
        old, new = by_id.get(ic.old_id), by_id.get(ic.new_id)
        if old is None or new is None or old.change is not Change.DELETED or new.head is None:
            continue
        if new.change is not Change.ADDED:
            continue
        base = old.base
        assert base is not None
        keys = changed_keys(base.data, new.head.data)
        commits = tuple(dict.fromkeys(old.commits + new.commits))
        by_id[ic.new_id] = RecordChange(
            new.id, new.kind, Change.CHANGED, base, new.head, keys, commits, ic.old_id
        )
        del by_id[ic.old_id]
    return [by_id[c.id] for c in changes if c.id in by_id]


def changed_keys(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[str, ...]:
    names = list(dict.fromkeys([*after, *before]))
    return tuple(k for k in names if before.get(k, _ABSENT) != after.get(k, _ABSENT))


_ABSENT = object()


# --- status transitions ------------------------------------------------------------------------


def allowed(kind: Kind, before: str, after: str) -> bool:
    """The lifecycle allows `before -> after` (statuses it does not know are the schema's
    business)."""
    lifecycle = TRANSITIONS.get(kind, {})
    if before not in lifecycle or after not in lifecycle:
        return True
    return after in lifecycle[before]


def transition(change: RecordChange, rec: RecordHistory, span: Span) -> Transition | None:
    kind = change.kind
    if kind is None or change.base is None or change.head is None:
        return None
    before, after = change.status(change.base), change.status(change.head)
    if before is None or after is None or before == after:
        return None
    steps = tuple(_steps(kind, range_versions(rec, span)))
    ok = allowed(kind, before, after) or (bool(steps) and all(s.allowed for s in steps))
    return Transition(change.id, kind, change.path, before, after, steps, ok)


def _steps(kind: Kind, versions: Iterable[Version]) -> Iterator[Step]:
    for v in versions:
        if v.deleted or v.before is None or v.data is None:
            continue
        before, after = status_of(v.before, kind), status_of(v.data, kind)
        if before is not None and after is not None and before != after:
            yield Step(before, after, v.commit, allowed(kind, before, after))


# --- thresholds and results (history/timeline.py pairs them the way the launch gate does) -------------


def threshold_changes(
    change: RecordChange, vocab: Vocabulary,
    explains: Callable[[str, str], bool] = lambda requirement, decision: True,
) -> list[ThresholdChange]:
    if change.kind is not Kind.REQUIREMENT or change.base is None or change.head is None:
        return []
    before, after = change.base.data, change.head.data
    added = tuple(d for d in history.added_decisions(before, after) if explains(change.id, d))
    agreed = change.status(change.base) == "agreed"
    criteria = after.get("criteria")
    found = []
    for t in history.threshold_changes(before, after):
        entry = criteria[t.index] if t.index is not None and isinstance(criteria, list) else {}
        direction = _direction(entry, t.key[0], vocab)
        found.append(ThresholdChange(change.id, change.path, t.key, t.index, t.field, t.before,
                                     t.after, direction, _looser(direction, t.before, t.after),
                                     added, agreed))  # fmt: skip
    return found


def _direction(entry: object, metric: str, vocab: Vocabulary) -> Direction:
    word = entry.get("direction") if isinstance(entry, Mapping) else None
    if isinstance(word, str) and word.strip().lower() in ("higher", "lower"):
        return Direction(word.strip().lower())
    known = vocab.lookup(metric)
    return known.direction if known is not None else Direction.HIGHER


def _looser(direction: Direction, before: object, after: object) -> bool | None:
    a, b = as_number(before), as_number(after)
    if a is not None and after is None:
        return True  # a threshold that went away asks nothing any more
    if a is None or b is None:
        return None
    return direction.better(a, b)


def metric_deltas(change: RecordChange, vocab: Vocabulary) -> list[MetricDelta]:
    if change.kind is not Kind.MODEL_CARD or change.base is None or change.head is None:
        return []
    found = history.result_changes(change.base.data, change.head.data, vocab)
    return [MetricDelta(change.id, change.path, r, _trend(r)) for r in found]


def _trend(r: ResultChange) -> Trend:
    if r.before is None:
        return Trend.NEW
    if r.after is None:
        return Trend.REMOVED
    worse = r.worse_by()
    if worse is None or worse == 0:
        return Trend.CHANGED
    return Trend.WORSE if worse > 0 else Trend.IMPROVED


# --- the launch gate ---------------------------------------------------------------------------


def _row_key(row: Row) -> tuple[object, ...]:
    return (row.requirement, row.constraint, row.metric, row.dataset, row.split, row.slice)


def _row_view(row: Row) -> tuple[object, ...]:
    return (row.launch, row.target, row.actual, row.verdict, row.ci_warning)


def gate_side(
    card: State | None,
    requirements: Mapping[str, Mapping[str, Any]],
    vocab: Vocabulary,
    gated: Mapping[str, Sequence[str]] | None = None,
    context: handoffs.Context | None = None,
) -> GateSide | None:
    if card is None:
        return None
    rows = gate_card(card.data, requirements, vocab, gated).rows
    status = status_of(card.data, Kind.MODEL_CARD)
    found: list[tuple[str, bool, str]] = []
    if context is not None and status in GATED:
        for issue in handoffs.issues(card.data, rows, context):
            rule = problem_rule(issue.problem, status)
            found.append((rule.code, rule.severity is Severity.ERROR, issue.subject))
    return GateSide(status, rows, tuple(found))


def gate_change(
    card_id: str, base: GateSide | None, head: GateSide | None, path: str
) -> GateChange:
    old = {_row_key(r): r for r in (base.rows if base else ())}
    new = {_row_key(r): r for r in (head.rows if head else ())}
    pairs = tuple(GateRowPair(old.get(k), new.get(k)) for k in dict.fromkeys([*new, *old]))
    return GateChange(card_id, path, base, head, pairs)


# --- the whole review --------------------------------------------------------------------------


@dataclass(frozen=True)
class Inputs:
    """Everything `build` reads besides the histories."""

    span: Span
    kind_of: KindOf
    vocab: Vocabulary
    id_changes: tuple[IdChange, ...] = ()  # from History.id_changes; those in the range count
    #: Whether decision D explains a threshold change of requirement R (HIS003's test: an
    #: accepted decision about R); by default any added decision does.
    explains: Callable[[str, str], bool] = lambda requirement, decision: True
    #: The settings the gate's handoff checks read (None: the defaults).
    settings: Settings | None = None


def build(records: Mapping[str, RecordHistory], inputs: Inputs) -> Review:
    span, vocab = inputs.span, inputs.vocab
    changes: list[RecordChange] = []
    transitions: list[Transition] = []
    thresholds: list[ThresholdChange] = []
    deltas: list[MetricDelta] = []
    states = all_ends(records, span, inputs.id_changes)
    for rid in sorted(records):
        change = record_change(records[rid], states[rid], span, inputs.kind_of)
        if change is None:
            continue
        changes.append(change)
        moved = transition(change, records[rid], span)
        if moved is not None:
            transitions.append(moved)
        thresholds += threshold_changes(change, vocab, inputs.explains)
        deltas += metric_deltas(change, vocab)
    renamed = [c for c in inputs.id_changes if c.commit in span.in_range]
    changes = _id_changes_joined(changes, renamed)
    issues = tuple(deleted_issues(changes, renamed))
    paths = {rid: head.path for rid, (_, head) in states.items() if head is not None}
    return Review(tuple(changes), tuple(transitions), tuple(thresholds), tuple(deltas),
                  tuple(_gates(states, changes, inputs)), issues, paths,
                  tuple(model_reviews(changes)))  # fmt: skip


def model_reviews(changes: Iterable[RecordChange]) -> Iterator[ModelReviewChange]:
    """The model reviews the range added or changed, with what each found, as at head."""
    from tracecard.model import reviews as mr

    for c in changes:
        if c.kind is not Kind.MODEL_REVIEW or c.head is None:
            continue
        data = c.head.data
        when = mr.day(data.get("date"))
        yield ModelReviewChange(
            c.id, c.head.path, c.change, c.status(c.head), mr.card_of(data),
            mr.version_text(data.get("version")), when.isoformat() if when else None,
            tuple(sorted(mr.roles(data))), tuple(mr.failure_counts(data).items()),
            sum(1 for _ in mr.items(data, "actions")),
        )  # fmt: skip


def _gates(
    states: Mapping[str, Ends], changes: list[RecordChange], inputs: Inputs
) -> Iterator[GateChange]:
    kinds = {c.id: c.kind for c in changes}
    for side in (0, 1):
        for rid, pair in states.items():
            state = pair[side]
            if rid not in kinds and state is not None:
                kinds[rid] = inputs.kind_of(state.path, state.data)
    reqs = [_of_kind(states, kinds, side, Kind.REQUIREMENT) for side in (0, 1)]
    datasets = [_of_kind(states, kinds, side, Kind.DATASET) for side in (0, 1)]
    gated = [gated_edge_cases(datasets[side]) for side in (0, 1)]
    contexts = [_handoff_context(datasets[side], _of_kind(states, kinds, side, Kind.DECISION),
                                 inputs.settings) for side in (0, 1)]  # fmt: skip
    touched = {c.id for c in changes}
    for rid, (base, head) in sorted(states.items()):
        if kinds.get(rid) is not Kind.MODEL_CARD or not _is_affected(rid, base, head, touched):
            continue
        before = gate_side(base, reqs[0], inputs.vocab, gated[0], contexts[0])
        after = gate_side(head, reqs[1], inputs.vocab, gated[1], contexts[1])
        if (before and before.gated) or (after and after.gated):
            yield gate_change(rid, before, after, (head or base).path)  # type: ignore[union-attr]


def _handoff_context(
    datasets: Mapping[str, Mapping[str, Any]],
    decisions: Mapping[str, Mapping[str, Any]],
    settings: Settings | None,
) -> handoffs.Context:
    defaults = settings or Settings(root=Path("."))
    return handoffs.Context(
        datasets=datasets,
        decisions={did: status_of(data, Kind.DECISION) for did, data in decisions.items()},
        today=clock.today(),
        min_share=defaults.min_product_defined_share,
        max_sample_age_days=defaults.max_production_sample_age_days,
    )


def _of_kind(
    states: Mapping[str, Ends], kinds: Mapping[str, Kind | None], side: int, kind: Kind
) -> dict[str, dict[str, Any]]:
    """The front matter of every record of `kind` at one end (0 base, 1 head), by ID."""
    out = {}
    for rid, pair in states.items():
        state = pair[side]
        if state is not None and kinds.get(rid) is kind:
            out[rid] = state.data
    return out


def _ids_in(value: object) -> Iterator[str]:
    """Every string in a card's front matter: the datasets, decisions and requirements it names
    anywhere (results, training data, failure modes' decisions), and some text besides."""
    if isinstance(value, str):
        yield value.strip()
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from _ids_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from _ids_in(item)


def _is_affected(rid: str, base: State | None, head: State | None, touched: set[str]) -> bool:
    if rid in touched:
        return True
    satisfied = {r for s in (base, head) if s is not None for r in id_list(s.data.get("satisfies"))}
    named = {ident for s in (base, head) if s is not None for ident in _ids_in(s.data)}
    return bool((satisfied | named) & touched)


# --- issues ------------------------------------------------------------------------------------

def deleted_issues(
    changes: Iterable[RecordChange], id_changes: Iterable[IdChange]
) -> Iterator[Issue]:
    """A record that is gone at head (not one whose ID changed: `IdChanged` reports that). The
    rule `RecordDeleted` itself sees uncommitted deletions; the review finds those of the
    range here."""
    renamed = {c.old_id for c in id_changes}
    for c in changes:
        if c.change is Change.DELETED and c.id not in renamed:
            yield _deleted(c)


def _deleted(c: RecordChange) -> Issue:
    kind = c.kind
    if kind is not None and not RETIRING[kind]:
        return Issue(RecordDeleted, c.id, c.path, (), (
            f"{c.id} was deleted: restore the file ({kind.label}s are kept as the record of "
            "what happened), so that the records that name it still resolve"
        ))  # fmt: skip
    ways = " or ".join(f"status: {s}" for s in RETIRING[kind]) if kind else "a retiring status"
    return Issue(RecordDeleted, c.id, c.path, (), (
        f"{c.id} was deleted: restore the file and set {ways} instead, so that the records "
        "that name it still resolve and its history stays readable"
    ))  # fmt: skip
