"""The launch gate over the repository: every model card judged against the agreed requirements
it satisfies (via `tracecard.gate.judge`), plus the data handoffs of its evaluation datasets.

`evaluate(graph)` is computed once per graph and shared by the GAT rules (which report on
`candidate` and `production` cards only) and by `tracecard card check` (which also shows
drafts, never failing them).

Where each finding points (the line a person edits):
    a judged result (FAIL, BELOW TARGET)    the card's `value` of that result
    a confidence-interval warning           the card's `ci` of that result
    an operational value that misses        the card's `operational.<key>` value
    a missing result or operational value   the card's `satisfies` entry of the requirement:
                                            the card is what must change (add the result), and
                                            the finding stays in the card's file, so a
                                            pre-commit run on a changed card reports it. The
                                            message names the criterion and its line.
    a result value that is not a number     that `value`
    a data handoff (dataset not ready, ...) the card's first result on that dataset (its
                                            `dataset` value), else the `satisfies` entry
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tracecard.gate import handoffs
from tracecard.gate.judge import (
    Flag,
    Row,
    SkipReason,
    Verdict,
    gate_card,
    gated_edge_cases,
    judge,
    matching_results,
)
from tracecard.load.config import vocabulary
from tracecard.model import clock
from tracecard.model.findings import Finding, Severity
from tracecard.model.graph import RepoGraph
from tracecard.model.lifecycles import TRANSITIONS
from tracecard.model.metrics import Direction, Vocabulary, normalise
from tracecard.model.records import Kind, Record, id_list
from tracecard.report.text import criterion_text, threshold_text, value_text
from tracecard.rules import gate as gat
from tracecard.rules.base import Rule
from tracecard.rules.links import UnknownId
from tracecard.rules.requirements import AgreedWithoutCriteria, CriterionNotMeasurable
from tracecard.rules.schema import SchemaViolation

GATED_STATUSES = handoffs.GATED_STATUSES

#: The rule that reports each verdict of a gate row.
_VERDICT_RULES: dict[Verdict, type[Rule]] = {
    Verdict.FAIL: gat.LaunchMissed,
    Verdict.MISSING: gat.ResultMissing,
    Verdict.BELOW_TARGET: gat.TargetMissed,
}

Path_ = tuple[str | int, ...]


class GateLine:
    """One row of a card's gate table, with the place its value comes from: the key it is at,
    and its line and column, are worked out when first read (a check reads them only for a row
    with a finding; working them out for every row of every card cost more than the gate)."""

    __slots__ = ("row", "path", "_card", "_ctx", "_pos")

    def __init__(self, row: Row, path: str, card: Record, ctx: _Context) -> None:
        self.row, self.path, self._card, self._ctx = row, path, card, ctx
        self._pos: tuple[int, int] | None = None

    def _place(self) -> tuple[int, int]:
        if self._pos is None:
            self._pos = self._card.parsed.pos(self._ctx.row_path(self.row))
        return self._pos

    @property
    def line(self) -> int:
        return self._place()[0]

    @property
    def col(self) -> int:
        return self._place()[1]


@dataclass(frozen=True)
class CardReport:
    card: Record
    gated: bool
    lines: tuple[GateLine, ...]
    findings: tuple[Finding, ...]
    notes: tuple[str, ...]

    @property
    def errors(self) -> int:
        return sum(1 for i in self.findings if i.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for i in self.findings if i.severity is Severity.WARNING)

    @property
    def failed(self) -> bool:
        """True when the card is gated and has an error: it must not launch."""
        return self.gated and self.errors > 0


# --- evaluation ------------------------------------------------------------------------------

_CACHE: list[tuple[weakref.ref[RepoGraph], tuple[CardReport, ...]]] = []


def evaluate(graph: RepoGraph) -> tuple[CardReport, ...]:
    """A report for every readable model card, computed once per graph."""
    if _CACHE and _CACHE[0][0]() is graph:
        return _CACHE[0][1]
    vocab = vocabulary(graph.settings)
    reqs = requirements_by_id(graph)
    gated = gated_edge_cases({d.id: d.data for d in graph.of_kind(Kind.DATASET) if d.ok and d.id})
    reports = tuple(  # a check of some files wants the findings of the cards among them
        evaluate_card(graph, c, vocab, reqs, gated) for c in graph.of_kind(Kind.MODEL_CARD)
        if graph.in_scope(c)
    )
    _CACHE[:] = [(weakref.ref(graph), reports)]
    return reports


def evaluate_cards(graph: RepoGraph, cards: Sequence[Record]) -> tuple[CardReport, ...]:
    """The reports of `cards` alone (a card's report reads its requirements and datasets,
    never another card's): what `card check` of a few cards needs."""
    vocab = vocabulary(graph.settings)
    reqs = requirements_by_id(graph)
    gated = gated_edge_cases({d.id: d.data for d in graph.of_kind(Kind.DATASET) if d.ok and d.id})
    return tuple(evaluate_card(graph, c, vocab, reqs, gated) for c in cards)


def requirements_by_id(graph: RepoGraph) -> dict[str, Record]:
    return {rid: rec for rid, rec in graph.by_id.items() if rec.kind is Kind.REQUIREMENT and rec.ok}


def is_gated(card: Record) -> bool:
    return card.status in GATED_STATUSES


def evaluate_card(
    graph: RepoGraph,
    card: Record,
    vocab: Vocabulary,
    reqs: Mapping[str, Record],
    gated: Mapping[str, Sequence[str]] | None = None,
) -> CardReport:
    ctx = _Context(graph, card, vocab, reqs)
    # Only the requirements this card names: a dict of all of them per card is quadratic.
    named = {rid: reqs[rid].data for rid in id_list(card.data.get("satisfies")) if rid in reqs}
    gate = gate_card(card.data, named, vocab, gated)
    notes: list[str] = []
    unjudged: list[str] = []  # agreed requirements that state nothing to judge
    rows = list(gate.rows)
    for skip in gate.skipped:
        if skip.reason is SkipReason.NO_CRITERIA:
            unjudged.append(skip.requirement or "?")
        elif skip.reason is SkipReason.NOT_A_MAPPING and skip.index is not None:
            # A criterion written as a sentence cannot be judged: the card cannot pass it.
            rows.append(judge({}, None, vocab, criterion_index=skip.index,
                              requirement=skip.requirement))  # fmt: skip
        else:
            notes.append(_skip_note(skip.requirement, skip.reason))
    order = ctx.satisfies_order()
    rows.sort(key=lambda r: order.get(r.requirement, 0))
    lines: list[GateLine] = []
    issues: list[Finding] = []
    for row in rows:
        line = GateLine(row, card.path, card, ctx)
        lines.append(line)
        issues += ctx.row_issues(row, line)
    issues += ctx.handoff_issues(rows)
    for rid in unjudged:
        issues.append(gat.ResultMissing.at(card, ctx.satisfies_path(rid), (
            f"{rid} is agreed but states no criterion and no constraint (see "
            f"{AgreedWithoutCriteria.code} there): the gate cannot judge this card against it; "
            f"agree the measurable criteria of {rid} first"
        )))  # fmt: skip
    if is_gated(card) and not rows and not unjudged:
        issues.append(gat.CardNotGated.at(card, _satisfies_or_status(card), (
            f"this {card.status} card satisfies no agreed requirement: the launch gate holds it "
            "to nothing; name the requirements it meets in satisfies"
        )))  # fmt: skip
    return CardReport(card, is_gated(card), tuple(lines), tuple(issues), tuple(notes))


def _satisfies_or_status(card: Record) -> Path_:
    return ("satisfies",) if "satisfies" in card.data else ("status",)


_SKIP_NOTES = {
    SkipReason.NOT_AGREED: "{rid} is not agreed yet: not gated",
    SkipReason.UNKNOWN_REQUIREMENT: f"{{rid}}: no such requirement (see {UnknownId.code})",
    SkipReason.BAD_ID: "a satisfies entry is not an ID",
    SkipReason.DUPLICATE: "{rid} is named twice in satisfies",
    SkipReason.NOT_A_MAPPING: "{rid} is not a mapping",
    SkipReason.BAD_CRITERIA: f"{{rid}}: criteria is not a list (see {SchemaViolation.code})",
    SkipReason.BAD_CONSTRAINTS: f"{{rid}}: constraints is not a mapping (see {SchemaViolation.code})",
}


def _skip_note(rid: str | None, reason: SkipReason) -> str:
    return _SKIP_NOTES[reason].format(rid=rid or "?")


class _Context:
    """What placing and wording one card's findings needs."""

    def __init__(
        self, graph: RepoGraph, card: Record, vocab: Vocabulary, reqs: Mapping[str, Record]
    ) -> None:
        self.graph, self.card, self.vocab, self.reqs = graph, card, vocab, reqs
        results = card.data.get("results")
        self.results: list[Any] = results if isinstance(results, list) else []


    # places

    def satisfies_index(self, rid: str | None) -> int:
        value = self.card.data.get("satisfies")
        if isinstance(value, list):
            for i, entry in enumerate(value):
                if isinstance(entry, str) and entry.strip() == rid:
                    return i
        return 0

    def satisfies_order(self) -> dict[str | None, int]:
        """`satisfies_index` of every requirement the card names (others: 0), at once."""
        value = self.card.data.get("satisfies")
        order: dict[str | None, int] = {}
        if isinstance(value, list):
            for i, entry in enumerate(value):
                if isinstance(entry, str):
                    order.setdefault(entry.strip(), i)
        return order

    def satisfies_path(self, rid: str | None) -> Path_:
        value = self.card.data.get("satisfies")
        if isinstance(value, list):
            return ("satisfies", self.satisfies_index(rid))
        return _satisfies_or_status(self.card)

    def row_path(self, row: Row) -> Path_:
        measured = row.verdict is not Verdict.MISSING or Flag.BAD_ACTUAL in row.flags
        if row.constraint:
            key = self._operational_key(row.metric)
            if key is not None and measured:
                return ("operational", key)
        elif row.result_index is not None and measured:
            return ("results", row.result_index, "value")
        return self.satisfies_path(row.requirement)

    def row_place(self, row: Row) -> tuple[str, int, int]:
        line, col = self.card.parsed.pos(self.row_path(row))
        return self.card.path, line, col

    def _operational_key(self, name: str | None) -> str | None:
        operational = self.card.data.get("operational")
        if not isinstance(operational, Mapping) or name is None:
            return None
        for key in operational:
            if isinstance(key, str) and normalise(key) == name:
                return key
        return None

    def criterion_ref(self, row: Row) -> str:
        """`REQ-0002 criterion 2 (docs/requirements/0002-x.md:24)`."""
        rec = self.reqs.get(row.requirement or "")
        if row.constraint or row.criterion_index is None or rec is None:
            return row.requirement or "?"
        line, _ = rec.parsed.pos(("criteria", row.criterion_index))
        return f"{row.requirement} criterion {row.criterion_index + 1} ({rec.path}:{line})"

    # findings per row

    def row_issues(self, row: Row, place: GateLine) -> Iterator[Finding]:
        rule = _VERDICT_RULES.get(row.verdict)
        if rule is not None:
            yield rule.found(self.card.path, place.line, place.col, self._verdict_message(row))
        if row.ci_warning and row.result_index is not None and row.ci is not None:
            yield gat.IntervalMissesLaunch.at(self.card, ("results", row.result_index, "ci"), self._ci_message(row))
        if Flag.AMBIGUOUS_RESULT in row.flags:
            yield from self._ambiguous(row)

    def _verdict_message(self, row: Row) -> str:
        what = criterion_text(row)
        rid = row.requirement
        if row.verdict is Verdict.MISSING:
            return self._missing_message(row)
        actual, launch = value_text(row.actual), value_text(row.launch)
        if row.constraint and row.metric == "explainability":
            if row.verdict is Verdict.FAIL:
                return (f"operational explainability is {actual!r}; {rid} requires {launch} "
                        "explanations: the card cannot launch")  # fmt: skip
            return (f"operational explainability is {actual!r}; {rid} prefers "
                    f"{value_text(row.target)} explanations (target missed)")  # fmt: skip
        lower = row.direction is Direction.LOWER
        if row.verdict is Verdict.FAIL and Flag.OUT_OF_RANGE in row.flags:
            return (f"{what} is {actual}, outside the range of {row.metric}: the gate cannot "
                    f"compare it with the launch value {launch} of {rid}, so the card cannot "
                    "launch with it; write the value on the metric's scale")  # fmt: skip
        if row.verdict is Verdict.FAIL and Flag.OUTSIDE_CI in row.flags and row.ci is not None:
            low, high = sorted(row.ci)
            return (f"{what} is {actual}, outside its own confidence interval [{low:g}, "
                    f"{high:g}]: one of them is wrong, so the gate cannot trust it against the "
                    f"launch value {launch} of {rid}; correct the value or the interval")  # fmt: skip
        if row.verdict is Verdict.FAIL and row.constraint:
            side = "above the limit" if lower else "below the minimum"
            return (f"operational {row.metric} is {actual}, {side} {launch} of {rid}: the card "
                    "cannot launch with this figure")  # fmt: skip
        if row.verdict is Verdict.FAIL:
            limit = "maximum" if lower else "minimum"
            side = "above" if lower else "below"
            gated = (f" ({row.slice} is a gated slice: it must meet the bar on its own, "
                     "whatever the aggregate says)") if row.gated_slice else ""
            return (f"{what} is {actual}, {side} the launch {limit} {launch} of {rid}{gated}: "
                    "the card cannot launch with this result")  # fmt: skip
        return (f"{what} is {actual}: meets launch {launch} but misses the target "
                f"{value_text(row.target)} of {rid}")  # fmt: skip

    def _missing_message(self, row: Row) -> str:
        ref = self.criterion_ref(row)
        if row.flags & {Flag.NO_METRIC, Flag.NO_DATASET} or Flag.BAD_LAUNCH in row.flags:
            return (f"{ref} cannot be judged: it has no usable metric, dataset or launch value "
                    f"(see {CriterionNotMeasurable.code} there); the card cannot pass it")  # fmt: skip
        if Flag.BAD_ACTUAL in row.flags:
            return (f"the value for {criterion_text(row)} is not a number: write the measured "
                    "value as a number")  # fmt: skip
        if row.constraint:
            return (f"no operational value for {row.metric}, which {row.requirement} limits to "
                    f"{threshold_text(row.launch, row.direction)}: measure it and add it under "
                    "operational")  # fmt: skip
        gated = (f" ({row.slice} is a gated slice: the criterion holds it to its bars on its "
                 "own, whatever the aggregate says)") if row.gated_slice else ""
        return (f"no result for {ref}: {criterion_text(row)}{gated}; add a result with the same "
                f"metric, dataset, split and slice{self._near_miss(row)}")  # fmt: skip

    def _near_miss(self, row: Row) -> str:
        base = (row.metric or "").partition("@")[0]
        wanted_slice = (row.slice or "").strip().lower()
        order = sorted(range(len(self.results)), key=lambda i: not (
            isinstance(self.results[i], Mapping) and wanted_slice
            and str(self.results[i].get("slice") or "").strip().lower() == wanted_slice))
        for i in order:
            res = self.results[i]
            if not isinstance(res, Mapping) or res.get("dataset") != row.dataset:
                continue
            name = res.get("metric")
            if isinstance(name, str) and normalise(name).partition("@")[0] == base:
                found = _split_slice(res.get("split"), res.get("slice"))
                wanted = _split_slice(row.split, row.slice)
                return (f" (results[{i}] is {normalise(name)} on {found}; the criterion asks "
                        f"for {row.metric} on {wanted})")  # fmt: skip
        return ""

    def _ci_message(self, row: Row) -> str:
        assert row.ci is not None
        end = row.direction.pessimistic(*row.ci)
        which = "upper" if row.direction is Direction.LOWER else "lower"
        return (f"the confidence interval of {criterion_text(row)} reaches {end:g} at its "
                f"{which} end, which misses the launch value {value_text(row.launch)} of "
                f"{row.requirement}: the result may not hold; measure on more data")  # fmt: skip

    def _ambiguous(self, row: Row) -> Iterator[Finding]:
        rec = self.reqs.get(row.requirement or "")
        criteria = rec.data.get("criteria") if rec else None
        if row.criterion_index is None or not isinstance(criteria, list):
            return
        found = matching_results(criteria[row.criterion_index], self.results)
        for extra in found[1:]:
            yield gat.AmbiguousResult.at(self.card, ("results", extra), (
                f"results[{extra}] measures the same metric, dataset, split and slice as "
                f"results[{found[0]}]; the gate uses the first: remove one or set its slice"
            ))  # fmt: skip

    # data handoffs and the card itself (tracecard.gate.handoffs decides, this words)

    def handoff_issues(self, rows: Sequence[Row]) -> Iterator[Finding]:
        for issue in handoffs.issues(self.card.data, rows, handoff_context(self.graph)):
            if issue.problem in _CARD_ONLY and not is_gated(self.card):
                continue
            finding = self._word(issue)
            if finding is not None:
                yield finding

    def _word(self, issue: handoffs.Issue) -> Finding | None:
        card, at, subject, facts = self.card, issue.path, issue.subject, issue.facts
        ds = self.graph.get(subject) if isinstance(subject, str) else None
        where = ds.path if ds is not None else subject
        P = handoffs.Problem
        if issue.problem is P.DATA_NOT_READY:
            status = facts.get("status")
            todo = ("it is retired: evaluate the card on a current dataset"
                    if status == "retired" else
                    f"finish the labeling and set status: ready in {where}")  # fmt: skip
            return gat.EvaluationDataNotReady.at(card, at, (
                f"evaluated on {subject}, whose status is {status!r}, not ready"
                f"{_labeling(ds)}: a launch candidate needs labeled evaluation data; {todo}, "
                f"{_then_for(card)}"
            ))  # fmt: skip
        if issue.problem is P.SHARE_LOW:
            minimum = self.graph.settings.min_product_defined_share
            return gat.ProductShareLow.at(card, at, (
                f"product people defined {facts['share']:.0%} of {subject}, under the "
                f"{minimum:.0%} minimum (min_product_defined_share): the business-critical cases "
                f"may be missing; add product-defined examples and update {where}"
            ))  # fmt: skip
        if issue.problem is P.NO_PRODUCTION_SAMPLE:
            production = card.status == "production"
            said = "says it does not" if facts.get("said") is False else "does not say it does"
            why = ("a production card must be evaluated on data that represents production"
                   if production else "the card cannot go to production on this data")
            rule = gat.ProductionWithoutProductionSample if production else gat.CandidateWithoutProductionSample
            return rule.at(card, at, (
                f"{subject} has no sample of real production inputs ({where} {said}: "
                f"composition.includes_production_sample): {why}; add a production sample "
                "and set includes_production_sample: true"
            ))  # fmt: skip
        if issue.problem is P.SAMPLE_STALE:
            return gat.ProductionSampleStale.at(card, at, _stale_message(subject, where, facts,
                                                self.graph.settings.max_production_sample_age_days))  # fmt: skip
        if issue.problem is P.INCOMPLETE:
            what = ("the datasets it was trained on" if subject == "training_data"
                    else "the known ways it fails, each with a severity")  # fmt: skip
            return gat.GatedCardIncomplete.at(card, at, (
                f"this {card.status} card has no {subject}: a card that goes to launch names "
                f"{what}; add {subject}"
            ))  # fmt: skip
        if issue.problem is P.TRAINING_NOT_READY:
            return gat.TrainingDataNotReady.at(card, at, (
                f"trained on {subject}, whose status is {facts.get('status')!r}, not ready"
                f"{_labeling(ds)}: the model was trained on data that is still being labeled or "
                f"collected; finish it, set status: ready in {where} and retrain, "
                f"{_then_for(card)}"
            ))  # fmt: skip
        if issue.problem is P.SEVERE_UNACCEPTED:
            refused = facts.get("why")
            reason = "" if refused is None else f" ({refused})"
            placeholder = facts.get("placeholder")
            has = (f"its mitigation {placeholder!r} says nothing" if placeholder
                   else "it has no mitigation")  # fmt: skip
            return gat.SevereFailureModeUnaccepted.at(card, at, (
                f"{subject} is {facts.get('severity')}, {has}, and no accepted decision accepts "
                f"it{reason}: add the mitigation that limits the damage, or name an accepted "
                "decision record in its decision field"
            ))  # fmt: skip
        if issue.problem is P.DEPRIORITISED_UNDECIDED:
            refused = facts.get("why")
            said = "its decision field is empty" if refused is None else str(refused)
            return gat.DeprioritisedWithoutDecision.at(card, at, (
                f"{subject} is deprioritised, but {said}: name the accepted decision record "
                "that deprioritised it in its decision field"
            ))  # fmt: skip
        return None


#: Issues about the card itself rather than its data: reported on gated cards only (a draft's
#: data issues are not reported either; `_CARD_ONLY` keeps the two lists apart for review).
_CARD_ONLY = frozenset({
    handoffs.Problem.INCOMPLETE, handoffs.Problem.TRAINING_NOT_READY,
    handoffs.Problem.SEVERE_UNACCEPTED, handoffs.Problem.DEPRIORITISED_UNDECIDED,
})  # fmt: skip

#: The rule of each handoff problem, by the card's status where it depends on it: what
#: `tracecard review` counts in its gate verdict.
PROBLEM_RULES: dict[handoffs.Problem, type[Rule]] = {
    handoffs.Problem.DATA_NOT_READY: gat.EvaluationDataNotReady,
    handoffs.Problem.SHARE_LOW: gat.ProductShareLow,
    handoffs.Problem.NO_PRODUCTION_SAMPLE: gat.CandidateWithoutProductionSample,
    handoffs.Problem.SAMPLE_STALE: gat.ProductionSampleStale,
    handoffs.Problem.INCOMPLETE: gat.GatedCardIncomplete,
    handoffs.Problem.TRAINING_NOT_READY: gat.TrainingDataNotReady,
    handoffs.Problem.SEVERE_UNACCEPTED: gat.SevereFailureModeUnaccepted,
    handoffs.Problem.DEPRIORITISED_UNDECIDED: gat.DeprioritisedWithoutDecision,
}


def problem_rule(problem: handoffs.Problem, status: str | None) -> type[Rule]:
    if problem is handoffs.Problem.NO_PRODUCTION_SAMPLE and status == "production":
        return gat.ProductionWithoutProductionSample
    return PROBLEM_RULES[problem]


def handoff_context(graph: RepoGraph) -> handoffs.Context:
    """The repository as the handoff checks need it, built once per graph."""
    if _CONTEXT and _CONTEXT[0][0]() is graph:
        return _CONTEXT[0][1]
    ctx = handoffs.Context(
        datasets={d.id: d.data for d in graph.of_kind(Kind.DATASET) if d.ok and d.id},
        decisions={d.id: d.status for d in graph.of_kind(Kind.DECISION) if d.ok and d.id},
        today=clock.today(),
        min_share=graph.settings.min_product_defined_share,
        max_sample_age_days=graph.settings.max_production_sample_age_days,
    )
    _CONTEXT[:] = [(weakref.ref(graph), ctx)]
    return ctx


_CONTEXT: list[tuple[weakref.ref[RepoGraph], handoffs.Context]] = []


def _stale_message(ds_id: str, where: str, facts: Mapping[str, Any], limit: int) -> str:
    drawn = facts.get("drawn")
    if drawn is None:
        return (f"{ds_id} includes a production sample but does not say when it was drawn: add "
                f"composition.production_sample_date to {where}, so that its age can be checked")
    age = facts["age"]
    if age < 0:
        return (f"the production sample of {ds_id} is dated {drawn.isoformat()}, after today: "
                f"correct composition.production_sample_date in {where}")
    return (f"the production sample of {ds_id} was drawn on {drawn.isoformat()}, {age} days ago "
            f"(more than max_production_sample_age_days, {limit}): production has moved on "
            "since; draw and label a fresh sample and re-evaluate this card")


def _then_for(card: Record) -> str:
    """What else the card can do while its data is not ready: only a step its lifecycle allows."""
    if not is_gated(card):
        return "before promoting it"
    allowed = TRANSITIONS[Kind.MODEL_CARD].get(card.status or "", frozenset())
    if "draft" in allowed:
        return "or set the card back to draft"
    return f"or retire the card (a {card.status} card cannot go back to draft)"


def _split_slice(split: object, slice_: object) -> str:
    split_text = "no split" if split is None else f"split {split!r}"
    return split_text + (", no slice" if slice_ is None else f", slice {slice_!r}")


def _labeling(ds: Record | None) -> str:
    labeling = ds.data.get("labeling") if ds is not None else None
    if not isinstance(labeling, Mapping):
        return ""
    parts = [f"{k} {labeling[k]}" for k in ("owner", "due") if labeling.get(k)]
    return f" (labeling: {', '.join(parts)})" if parts else ""
