"""The launch gate over the repository: every model card judged against the agreed requirements
it satisfies (via `tracecard.gate`), plus the data handoffs of its evaluation datasets.

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

from tracecard.diagnostics import Severity
from tracecard.gate import Flag, Row, SkipReason, Verdict, gate_card, judge, matching_results
from tracecard.graph import RepoGraph
from tracecard.metrics import Direction, Vocabulary, as_number, normalise
from tracecard.records import Kind, Record, id_list
from tracecard.rules.base import Finding, Rule
from tracecard.rules.requirements import fmt_number, out_of_range, vocabulary

GATED_STATUSES = frozenset({"candidate", "production"})

Path_ = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Issue:
    """One gate finding: a code at a place, and what to do."""

    code: str
    path: str
    line: int
    col: int
    message: str

    @property
    def severity(self) -> Severity:
        return SEVERITY[self.code]


@dataclass(frozen=True, slots=True)
class GateLine:
    """One row of a card's gate table, with the place its value comes from."""

    row: Row
    path: str
    line: int
    col: int


@dataclass(frozen=True)
class CardReport:
    card: Record
    gated: bool
    lines: tuple[GateLine, ...]
    issues: tuple[Issue, ...]
    notes: tuple[str, ...]

    @property
    def errors(self) -> int:
        return sum(1 for i in self.issues if i.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for i in self.issues if i.severity is Severity.WARNING)

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
    reports = tuple(evaluate_card(graph, c, vocab, reqs) for c in graph.of_kind(Kind.MODEL_CARD))
    _CACHE[:] = [(weakref.ref(graph), reports)]
    return reports


def requirements_by_id(graph: RepoGraph) -> dict[str, Record]:
    return {rid: rec for rid, rec in graph.by_id.items() if rec.kind is Kind.REQUIREMENT and rec.ok}


def is_gated(card: Record) -> bool:
    return card.status in GATED_STATUSES


def evaluate_card(
    graph: RepoGraph, card: Record, vocab: Vocabulary, reqs: Mapping[str, Record]
) -> CardReport:
    ctx = _Context(graph, card, vocab, reqs)
    # Only the requirements this card names: a dict of all of them per card is quadratic.
    named = {rid: reqs[rid].data for rid in id_list(card.data.get("satisfies")) if rid in reqs}
    gate = gate_card(card.data, named, vocab)
    notes: list[str] = []
    rows = list(gate.rows)
    for skip in gate.skipped:
        if skip.reason is SkipReason.NOT_A_MAPPING and skip.index is not None:
            # A criterion written as a sentence cannot be judged: the card cannot pass it.
            rows.append(judge({}, None, vocab, criterion_index=skip.index,
                              requirement=skip.requirement))  # fmt: skip
        else:
            notes.append(_skip_note(skip.requirement, skip.reason))
    rows.sort(key=lambda r: ctx.satisfies_index(r.requirement))
    lines: list[GateLine] = []
    issues: list[Issue] = []
    for row in rows:
        place = ctx.row_place(row)
        lines.append(GateLine(row, *place))
        issues += ctx.row_issues(row, place)
    issues += ctx.data_issues(rows)
    if is_gated(card) and not rows:
        issues.append(ctx.issue("GAT009", _satisfies_or_status(card), (
            f"this {card.status} card satisfies no agreed requirement: the launch gate holds it "
            "to nothing; name the requirements it meets in satisfies"
        )))  # fmt: skip
    return CardReport(card, is_gated(card), tuple(lines), tuple(issues), tuple(notes))


def _satisfies_or_status(card: Record) -> Path_:
    return ("satisfies",) if "satisfies" in card.data else ("status",)


_SKIP_NOTES = {
    SkipReason.NOT_AGREED: "{rid} is not agreed yet: not gated",
    SkipReason.UNKNOWN_REQUIREMENT: "{rid}: no such requirement (see LNK001)",
    SkipReason.BAD_ID: "a satisfies entry is not an ID",
    SkipReason.DUPLICATE: "{rid} is named twice in satisfies",
    SkipReason.NOT_A_MAPPING: "{rid} is not a mapping",
    SkipReason.BAD_CRITERIA: "{rid}: criteria is not a list (see SCH001)",
    SkipReason.BAD_CONSTRAINTS: "{rid}: constraints is not a mapping (see SCH001)",
}


def _skip_note(rid: str | None, reason: SkipReason) -> str:
    return _SKIP_NOTES[reason].format(rid=rid or "?")


def criterion_text(row: Row) -> str:
    """`precision@10 on DS-recs-holdout/holdout/new_visitors`, or a constraint's key."""
    metric = row.metric or "?"
    if row.constraint:
        return f"{metric} (operational)"
    where = row.dataset or "?"
    if row.split is not None or row.slice is not None:
        where += f"/{row.split if row.split is not None else '-'}"
    if row.slice is not None:
        where += f"/{row.slice}"
    return f"{metric} on {where}"


def threshold_text(value: object, direction: Direction) -> str:
    if value is None:
        return "-"
    if isinstance(value, str):
        return "any" if value == "none" else value  # explainability levels
    return f"{'>=' if direction is Direction.HIGHER else '<='} {fmt_number(value)}"


def value_text(value: object) -> str:
    return "-" if value is None else value if isinstance(value, str) else fmt_number(value)


class _Context:
    """What placing and wording one card's findings needs."""

    def __init__(
        self, graph: RepoGraph, card: Record, vocab: Vocabulary, reqs: Mapping[str, Record]
    ) -> None:
        self.graph, self.card, self.vocab, self.reqs = graph, card, vocab, reqs
        results = card.data.get("results")
        self.results: list[Any] = results if isinstance(results, list) else []

    def issue(self, code: str, path: Path_, message: str, key: bool = False) -> Issue:
        line, col = self.card.parsed.pos(path, key=key)
        return Issue(code, self.card.path, line, col, message)

    # places

    def satisfies_index(self, rid: str | None) -> int:
        value = self.card.data.get("satisfies")
        if isinstance(value, list):
            for i, entry in enumerate(value):
                if isinstance(entry, str) and entry.strip() == rid:
                    return i
        return 0

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

    def row_issues(self, row: Row, place: tuple[str, int, int]) -> Iterator[Issue]:
        _, line, col = place
        code = {Verdict.FAIL: "GAT001", Verdict.MISSING: "GAT002",
                Verdict.BELOW_TARGET: "GAT003"}.get(row.verdict)  # fmt: skip
        if code is not None:
            yield Issue(code, self.card.path, line, col, self._verdict_message(row))
        if row.ci_warning and row.result_index is not None and row.ci is not None:
            yield self.issue("GAT004", ("results", row.result_index, "ci"), self._ci_message(row))
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
        if row.verdict is Verdict.FAIL and row.constraint:
            side = "above the limit" if lower else "below the minimum"
            return (f"operational {row.metric} is {actual}, {side} {launch} of {rid}: the card "
                    "cannot launch with this figure")  # fmt: skip
        if row.verdict is Verdict.FAIL:
            limit = "maximum" if lower else "minimum"
            side = "above" if lower else "below"
            return (f"{what} is {actual}, {side} the launch {limit} {launch} of {rid}: "
                    "the card cannot launch with this result")  # fmt: skip
        return (f"{what} is {actual}: meets launch {launch} but misses the target "
                f"{value_text(row.target)} of {rid}")  # fmt: skip

    def _missing_message(self, row: Row) -> str:
        ref = self.criterion_ref(row)
        if row.flags & {Flag.NO_METRIC, Flag.NO_DATASET} or Flag.BAD_LAUNCH in row.flags:
            return (f"{ref} cannot be judged: it has no usable metric, dataset or launch value "
                    "(see REQ001 there); the card cannot pass it")  # fmt: skip
        if Flag.BAD_ACTUAL in row.flags:
            return (f"the value for {criterion_text(row)} is not a number: write the measured "
                    "value as a number")  # fmt: skip
        if row.constraint:
            return (f"no operational value for {row.metric}, which {row.requirement} limits to "
                    f"{threshold_text(row.launch, row.direction)}: measure it and add it under "
                    "operational")  # fmt: skip
        return (f"no result for {ref}: {criterion_text(row)}; add a result with the same "
                f"metric, dataset, split and slice{self._near_miss(row)}")  # fmt: skip

    def _near_miss(self, row: Row) -> str:
        base = (row.metric or "").partition("@")[0]
        for i, res in enumerate(self.results):
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

    def _ambiguous(self, row: Row) -> Iterator[Issue]:
        rec = self.reqs.get(row.requirement or "")
        criteria = rec.data.get("criteria") if rec else None
        if row.criterion_index is None or not isinstance(criteria, list):
            return
        found = matching_results(criteria[row.criterion_index], self.results)
        for extra in found[1:]:
            yield self.issue("GAT010", ("results", extra), (
                f"results[{extra}] measures the same metric, dataset, split and slice as "
                f"results[{found[0]}]; the gate uses the first: remove one or set its slice"
            ))  # fmt: skip

    # data handoffs

    def data_issues(self, rows: Sequence[Row]) -> Iterator[Issue]:
        seen: dict[str, str | None] = {}
        for row in rows:
            if not row.constraint and row.dataset is not None and row.dataset not in seen:
                seen[row.dataset] = row.requirement
        for ds_id, rid in seen.items():
            ds = self.graph.get(ds_id.strip())
            if ds is None or ds.kind is not Kind.DATASET or not ds.ok:
                continue  # LNK001 / LNK002 / PAR
            yield from self._dataset_issues(ds_id, ds, self._dataset_path(ds_id, rid))

    def _dataset_path(self, ds_id: str, rid: str | None) -> Path_:
        for i, res in enumerate(self.results):
            if isinstance(res, Mapping) and res.get("dataset") == ds_id:
                return ("results", i, "dataset")
        return self.satisfies_path(rid)

    def _dataset_issues(self, ds_id: str, ds: Record, path: Path_) -> Iterator[Issue]:
        status = self.card.status
        if ds.status != "ready":
            then = "or set the card back to draft" if is_gated(self.card) else "before promoting it"
            yield self.issue("GAT005", path, (
                f"evaluated on {ds_id}, whose status is {ds.status!r}, not ready"
                f"{_labeling(ds)}: a launch candidate needs labeled evaluation data; finish "
                f"the labeling and set status: ready in {ds.path}, {then}"
            ))  # fmt: skip
        composition = ds.data.get("composition")
        comp: Mapping[str, Any] = composition if isinstance(composition, Mapping) else {}
        share = as_number(comp.get("product_defined_share"))
        minimum = self.graph.settings.min_product_defined_share
        if share is not None and share < minimum:
            yield self.issue("GAT006", path, (
                f"product people defined {share:.0%} of {ds_id}, under the {minimum:.0%} minimum "
                "(min_product_defined_share): the business-critical cases may be missing; add "
                f"product-defined examples and update {ds.path}"
            ))  # fmt: skip
        if comp.get("includes_production_sample") is not True:
            production = status == "production"
            said = ("says it does not" if comp.get("includes_production_sample") is False
                    else "does not say it does")  # fmt: skip
            why = ("a production card must be evaluated on data that represents production"
                   if production else "the card cannot go to production on this data")
            yield self.issue("GAT007" if production else "GAT008", path, (
                f"{ds_id} has no sample of real production inputs ({ds.path} {said}: "
                f"composition.includes_production_sample): {why}; add a production sample "
                "and set includes_production_sample: true"
            ))  # fmt: skip


def _split_slice(split: object, slice_: object) -> str:
    split_text = "no split" if split is None else f"split {split!r}"
    return split_text + (", no slice" if slice_ is None else f", slice {slice_!r}")


def _labeling(ds: Record) -> str:
    labeling = ds.data.get("labeling")
    if not isinstance(labeling, Mapping):
        return ""
    parts = [f"{k} {labeling[k]}" for k in ("owner", "due") if labeling.get(k)]
    return f" (labeling: {', '.join(parts)})" if parts else ""


# --- the rules -------------------------------------------------------------------------------


class _GateRule(Rule):
    """Reports the gate issues of its code, for cards that are `candidate` or `production`."""

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        for report in evaluate(graph):
            if not report.gated:
                continue
            for issue in report.issues:
                if issue.code == self.code:
                    yield Finding(issue.path, issue.line, issue.col, issue.message)


class LaunchMissed(_GateRule):
    """What it does:
    Reports a result of a `candidate` or `production` card that misses the launch minimum of a
    criterion it must meet (for lower-is-better metrics, a result above the launch maximum).

    Every criterion of every `agreed` requirement the card `satisfies` is held against the
    card's result on the same metric, dataset, split and slice. Lower-is-better metrics are
    fpr, fnr, log_loss, latency and the others the vocabulary marks so. Operational
    results are held against the requirement's constraints the same way: latency, cost and
    size are maxima, throughput a minimum, and `explainability: required` needs a card with
    `explainability: full`. The finding is at the result's `value` (or the `operational` value).
    Draft cards are never reported; `tracecard card check` shows them.

    Why it matters:
    The launch minimum is what product and ML agreed the feature must at least do. A card that
    misses it and is still a candidate is about to ship a model that does not do its job.

    Example:
    ```yaml
    # REQ-0002: {metric: fpr, dataset: DS-fraud-holdout, split: holdout, launch: 0.0015}
    status: candidate
    results:
      - {metric: fpr, dataset: DS-fraud-holdout, split: holdout, value: 0.0021}
    ```

    Fix:
    Improve the model until it meets the launch value, or set the card back to `draft`. If the
    threshold itself is wrong, change the requirement with a decision record that says why.
    """

    code = "GAT001"
    name = "launch-missed"


class ResultMissing(_GateRule):
    """What it does:
    Reports a criterion of an agreed requirement that a `candidate` or `production` card has no
    usable result for.

    Missing means: no result with the same metric (`Precision@10` and `precision_at_10` are
    `precision@10`), dataset, split and slice; a result whose value is not a number; or a
    criterion that cannot be judged at all. Also a constraint (latency, cost, size,
    explainability) the card has no `operational` value for. The finding is at the card's
    `satisfies` entry for the requirement (at the `value` when it is not a number): the card is
    what must change, and the message names the criterion and its line in the requirement.

    Why it matters:
    A missing result is not a passing one. "We did not measure it" is the most common way a
    model ships without meeting the requirement, and the gate must fail until someone measures.

    Example:
    ```yaml
    # REQ-0002 asks for precision on DS-fraud-holdout, split holdout, slice first_order
    satisfies: [REQ-0002]
    results:
      - {metric: precision, dataset: DS-fraud-holdout, split: holdout, value: 0.93}
    ```

    Fix:
    Measure the model on the criterion's dataset, split and slice and add the result (with
    the same names) to `results`, or the operational figure under `operational`.
    """

    code = "GAT002"
    name = "result-missing"


class TargetMissed(_GateRule):
    """What it does:
    Warns when a `candidate` or `production` card's result meets the launch minimum of a
    criterion but not its target (for lower-is-better metrics, is at or under the launch
    maximum but above the target), and when an operational value misses a preferred level
    (`explainability: preferred` and a card that is not fully explainable). The finding is at
    the result's `value`.

    Why it matters:
    The model may launch, but it does not yet deliver the value the feature was meant to have.
    The gap should be a known, visible fact in review, not a surprise later.

    Example:
    ```yaml
    # REQ-0002: {metric: precision, dataset: DS-fraud-holdout, launch: 0.90, target: 0.93}
    results:
      - {metric: precision, dataset: DS-fraud-holdout, value: 0.91}
    ```

    Fix:
    Nothing blocks the launch. Improve the model to reach the target, or record the decision
    to launch below it (and why) in a decision record; suppress the warning for this card with
    `tracecard-ignore: [GAT003]` if the team has accepted the gap.
    """

    code = "GAT003"
    name = "target-missed"
    severity = Severity.WARNING


class IntervalMissesLaunch(_GateRule):
    """What it does:
    Warns when a result's confidence interval `ci: [low, high]` reaches past the launch
    minimum at its pessimistic end (the low end for higher-is-better metrics, the high end for
    lower-is-better ones) although the value itself passes. The finding is at the `ci`.

    Why it matters:
    The point value passes, but the evaluation cannot tell the model apart from one that
    fails: on another sample of the same size it may well miss the launch minimum.

    Example:
    ```yaml
    # launch: 0.90 for precision
    - {metric: precision, dataset: DS-fraud-holdout, value: 0.91, ci: [0.87, 0.94]}
    ```

    Fix:
    Evaluate on more data (a larger holdout or slice) to narrow the interval, or improve the
    model until the whole interval clears the launch value.
    """

    code = "GAT004"
    name = "interval-misses-launch"
    severity = Severity.WARNING


class EvaluationDataNotReady(_GateRule):
    """What it does:
    Reports a `candidate` or `production` card whose evaluation data is not ready: a dataset
    named by a criterion of a requirement the card satisfies has a status other than `ready`
    (`planned`, `labeling`, `retired`). The finding is at the card's first result on that
    dataset.

    Why it matters:
    Labeling that was never scoped as a deliverable is the data handoff that fails most
    often: results measured on half-labeled data are not the results the gate was agreed on.

    Example:
    ```yaml
    # docs/datasets/fraud-holdout.md
    status: labeling
    labeling: {owner: risk operations, due: 2026-05-30}
    ```

    Fix:
    Finish the labeling, re-measure, and set the dataset's `status: ready`; until then keep the
    card in `draft`.
    """

    code = "GAT005"
    name = "evaluation-data-not-ready"


class ProductShareLow(_GateRule):
    """What it does:
    Warns when an evaluation dataset of a `candidate` or `production` card records a
    `composition.product_defined_share` under the configured minimum
    (`min_product_defined_share`, default 0.5). Sheets that do not record the share are not
    reported. The finding is at the card's first result on that dataset.

    Why it matters:
    An evaluation set assembled by the ML side alone tends to miss the business-critical edge
    cases that product people know about; the guideline is that they define at least half.

    Example:
    ```yaml
    composition: {size: 20000, product_defined_share: 0.1, includes_production_sample: true}
    ```

    Fix:
    Ask the product side for the cases that matter (first orders, high-value baskets, ...) and
    add them to the dataset, then update the share. A team with another guideline sets
    `min_product_defined_share` in its configuration.
    """

    code = "GAT006"
    name = "product-share-low"
    severity = Severity.WARNING


class ProductionWithoutProductionSample(_GateRule):
    """What it does:
    Reports a `production` card evaluated on a dataset whose sheet does not record a sample of
    real production inputs (`composition.includes_production_sample: true`). The finding is at
    the card's first result on that dataset.

    Why it matters:
    Evaluation data that does not represent production inputs is the last handoff that fails:
    the model meets every criterion on curated data and disappoints on real traffic.

    Example:
    ```yaml
    composition: {size: 20000, product_defined_share: 0.6, includes_production_sample: false}
    ```

    Fix:
    Add a recent sample of production inputs to the evaluation dataset, re-measure, and set
    `includes_production_sample: true` with its `production_sample_date`.
    """

    code = "GAT007"
    name = "production-without-production-sample"


class CandidateWithoutProductionSample(_GateRule):
    """What it does:
    Warns when a `candidate` card is evaluated on a dataset whose sheet does not record a
    sample of real production inputs. GAT007 makes this an error once the card is `production`.
    The finding is at the card's first result on that dataset.

    Why it matters:
    The card cannot go to production on this data; better to find out while it is a candidate.

    Example:
    ```yaml
    composition: {size: 20000, product_defined_share: 0.6}
    ```

    Fix:
    Add a sample of production inputs to the evaluation dataset before promoting the card, and
    set `includes_production_sample: true`.
    """

    code = "GAT008"
    name = "candidate-without-production-sample"
    severity = Severity.WARNING


class CardNotGated(_GateRule):
    """What it does:
    Warns when a `candidate` or `production` card satisfies no `agreed` requirement (no
    `satisfies`, or only draft, retired or unknown requirements), so the launch gate has
    nothing to hold it to. The finding is at `satisfies` (or `status` when there is none).

    Why it matters:
    A card passes a gate with no criteria by default. Launching it says "it works" without
    saying against what.

    Example:
    ```yaml
    status: candidate
    satisfies: []
    ```

    Fix:
    Name the requirements the model is meant to meet in `satisfies`, and agree them; or keep
    the card in `draft`.
    """

    code = "GAT009"
    name = "card-not-gated"
    severity = Severity.WARNING


class AmbiguousResult(_GateRule):
    """What it does:
    Warns when a card has two or more results with the same metric, dataset, split and slice
    that a criterion matches. The gate uses the first; the finding is at each other one.

    Why it matters:
    Two values for one measurement leave the reader to guess which one is real, and the gate
    may be judging the stale one.

    Example:
    ```yaml
    results:
      - {metric: recall, dataset: DS-fraud-holdout, split: holdout, value: 0.61}
      - {metric: recall, dataset: DS-fraud-holdout, split: holdout, value: 0.66}
    ```

    Fix:
    Keep the current result and delete the other; a result on a subset belongs under its own
    `slice`.
    """

    code = "GAT010"
    name = "ambiguous-result"
    severity = Severity.WARNING


class ResultOutOfRange(Rule):
    """What it does:
    Reports a model card result (its `value`, or an end of its `ci`) outside the range of its
    metric: a proportion such as precision or recall above 1, a latency, loss or error rate
    below 0, or outside the `min`/`max` of a team metric. Cards of every status are checked.

    Why it matters:
    A result on the wrong scale (`value: 93` for a precision of 0.93) passes every launch
    minimum written as a fraction, so the gate would let through a model nobody measured on
    the requirement's terms.

    Example:
    ```yaml
    results:
      - {metric: precision, value: 93.5, dataset: DS-fraud-holdout, split: holdout}
    ```

    Fix:
    Write the value on the metric's scale: `value: 0.935`.
    """

    code = "GAT011"
    name = "result-out-of-range"

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        vocab = vocabulary(graph.settings)
        for card in graph.of_kind(Kind.MODEL_CARD):
            results = card.data.get("results")
            if not isinstance(results, list):
                continue
            for i, result in enumerate(results):
                if not isinstance(result, dict) or not isinstance(result.get("metric"), str):
                    continue
                metric = vocab.lookup(result["metric"])
                if metric is None:
                    continue
                yield from self._check_result(card, i, result, metric, vocab)

    def _check_result(
        self, card: Record, i: int, result: dict[str, Any], metric: Any, vocab: Vocabulary
    ) -> Iterator[Finding]:
        value = result.get("value")
        if as_number(value) is not None and not vocab.in_range(metric, value):
            msg = out_of_range(metric, "value", value)
            yield self.at(card, ("results", i, "value"), f"{msg}: the gate cannot compare it")
        ci = result.get("ci")
        if isinstance(ci, list):
            for j, end in enumerate(ci[:2]):
                if as_number(end) is not None and not vocab.in_range(metric, end):
                    msg = out_of_range(metric, "ci end", end)
                    yield self.at(card, ("results", i, "ci", j), f"{msg}: write the interval on the metric's scale")


GATE_RULES: tuple[type[_GateRule], ...] = (
    LaunchMissed,
    ResultMissing,
    TargetMissed,
    IntervalMissesLaunch,
    EvaluationDataNotReady,
    ProductShareLow,
    ProductionWithoutProductionSample,
    CandidateWithoutProductionSample,
    CardNotGated,
    AmbiguousResult,
)

SEVERITY: dict[str, Severity] = {r.code: r.severity for r in GATE_RULES}
