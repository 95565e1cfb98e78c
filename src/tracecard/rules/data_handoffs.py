"""Data handoff rules (DAT): labeling as a milestone, and evaluation data scoped by product.

They look at the datasets that something depends on: the datasets an `agreed` requirement's
criteria are measured on, and the evaluation and training datasets of a `candidate` or
`production` card (`results[].dataset`, `training_data`). A dataset nobody depends on yet may
be as vague as it likes.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from tracecard.gate.evaluate import is_gated
from tracecard.gate.handoffs import NOT_READY
from tracecard.model import clock
from tracecard.model.clock import as_day
from tracecard.model.findings import Finding, Severity
from tracecard.model.graph import RepoGraph
from tracecard.model.records import Kind, Record, id_list
from tracecard.rules.base import Rule


@dataclass
class _Use:
    """Who depends on a dataset, and as what."""

    evaluation: list[str] = field(default_factory=list)  # requirement and card IDs
    training: list[str] = field(default_factory=list)  # card IDs

    @property
    def by(self) -> str:
        """`REQ-0002 depends`, `REQ-0002 and MC-x depend`: the subject and its verb."""
        names = list(dict.fromkeys([*self.evaluation, *self.training]))
        if len(names) == 1:
            return f"{names[0]} depends"
        if len(names) > 3:
            return f"{', '.join(names[:3])} and {len(names) - 3} more depend"
        return f"{', '.join(names[:-1])} and {names[-1]} depend"


_USES: list[tuple[weakref.ref[RepoGraph], dict[str, _Use]]] = []


def depended_on(graph: RepoGraph) -> dict[str, _Use]:
    """Dataset ID -> who depends on it: agreed requirements and gated cards (worked out once
    per graph: the three DAT rules ask)."""
    if _USES and _USES[0][0]() is graph:
        return _USES[0][1]
    uses = _depended_on(graph)
    _USES[:] = [(weakref.ref(graph), uses)]
    return uses


def _depended_on(graph: RepoGraph) -> dict[str, _Use]:
    uses: dict[str, _Use] = {}
    for rec in graph.of_kind(Kind.REQUIREMENT):
        if rec.status != "agreed":
            continue
        for crit in _mappings(rec.data.get("criteria")):
            ds = crit.get("dataset")
            if isinstance(ds, str) and rec.id:
                uses.setdefault(ds.strip(), _Use()).evaluation.append(rec.id)
    for card in graph.of_kind(Kind.MODEL_CARD):
        if not is_gated(card) or not card.id:
            continue
        for res in _mappings(card.data.get("results")):
            ds = res.get("dataset")
            if isinstance(ds, str):
                uses.setdefault(ds.strip(), _Use()).evaluation.append(card.id)
        for ds in id_list(card.data.get("training_data")):
            uses.setdefault(ds, _Use()).training.append(card.id)
    return uses


def _mappings(value: object) -> Iterator[Mapping[str, Any]]:
    for item in value if isinstance(value, list) else []:
        if isinstance(item, Mapping):
            yield item


def _datasets(graph: RepoGraph) -> Iterator[tuple[Record, _Use]]:
    mine = graph.scoped(Kind.DATASET)  # the DAT rules report at the dataset
    if not mine:
        return  # (who depends on what is not even worked out)
    uses = depended_on(graph)
    for rec in mine:
        if rec.id in uses:
            yield rec, uses[rec.id]


def _labeling(rec: Record) -> Mapping[str, Any]:
    value = rec.data.get("labeling")
    return value if isinstance(value, Mapping) else {}


class LabelingUnowned(Rule):
    """What it does:
    Warns about a dataset that is not ready (`planned` or `labeling`) while an agreed
    requirement is measured on it or a `candidate` or `production` card is evaluated or
    trained on it, and whose `labeling` does not name an `owner` and a `due` date. The finding
    is at `labeling` (at `status` when there is none).

    A warning: the data is not wrong, but nobody has committed to delivering it.

    Why it matters:
    Labeling is the handoff that most often fails silently: product assumes ML is on it, ML
    waits for product's examples, and weeks pass. A dataset that something depends on needs a
    person who owns the labeling and a date both sides plan around.

    Example:
    ```yaml
    id: DS-fraud-holdout
    status: labeling
    purpose: evaluation
    ```

    Fix:
    Agree who delivers the labels and by when, and write it down:
    `labeling: {owner: Ana Ruiz, due: 2026-07-01}`.
    """

    code = "DAT001"
    name = "labeling-unowned"
    severity = Severity.WARNING

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        for rec, use in _datasets(graph):
            if rec.status not in NOT_READY:
                continue
            labeling = _labeling(rec)
            missing = [k for k in ("owner", "due") if not labeling.get(k)]
            if not missing:
                continue
            path = ("labeling",) if "labeling" in rec.data else ("status",)
            yield self.at(rec, path, (
                f"this dataset is {rec.status} and {use.by} on it, but its labeling has "
                f"no {' and no '.join(missing)}: name who delivers the labels and by when in "
                "labeling: {owner: NAME, due: YYYY-MM-DD}"
            ), key=path == ("labeling",))  # fmt: skip


class LabelingOverdue(Rule):
    """What it does:
    Warns about a dataset still `planned` or `labeling` whose `labeling.due` date has passed
    (before the run's today: `tracecard --today` sets it), while an agreed requirement or a
    gated card depends on it. The finding is at the `due` date.

    A warning, not an error: the finding appears as days pass, without any change to the
    repository, and a commit that did not touch the dataset should not fail because of it.
    `tracecard history DS-...` shows how often the date has slipped.

    Why it matters:
    A labeling deadline that passed without a word is how a launch slips by a quarter:
    everyone downstream still plans on the old date. Making the slip visible is the point of
    treating labeling as a milestone.

    Example:
    ```yaml
    status: labeling
    labeling: {owner: Ana Ruiz, due: 2026-03-01}
    ```

    Fix:
    Finish the labeling and set `status: ready`, or agree a new date with the people who
    depend on it and update `due` (history keeps the old one).
    """

    code = "DAT002"
    name = "labeling-overdue"
    severity = Severity.WARNING

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        today = clock.today()
        for rec, use in _datasets(graph):
            if rec.status not in NOT_READY:
                continue
            due = as_day(_labeling(rec).get("due"))
            if due is None or due >= today:
                continue
            late = (today - due).days
            yield self.at(rec, ("labeling", "due"), (
                f"labeling was due on {due.isoformat()}, {late} days ago, and the dataset is "
                f"still {rec.status} ({use.by} on it): finish it and set status: ready, "
                "or agree a new due date with them"
            ))  # fmt: skip


class EvaluationDataUnscoped(Rule):
    """What it does:
    Warns about an evaluation dataset of an agreed requirement or of a `candidate` or
    `production` card that does not record `composition.product_defined_share` (the share of
    examples that product people defined) or lists no `edge_cases`. One finding per missing
    field, at `composition` (or `status` when there is none) and at `edge_cases` (or `status`).

    Why it matters:
    Evaluation sets assembled by ML alone miss the cases the business cares most about. The
    practice is that product people define a large share of the evaluation data (at least half
    is the usual guideline, checked by GAT006) and name the business-critical edge cases, which
    a requirement can then hold to its bars as gated slices. A sheet that records neither
    cannot show that this happened.

    Example:
    ```yaml
    id: DS-fraud-holdout
    status: ready
    purpose: evaluation
    composition: {size: 48210, includes_production_sample: true}
    ```

    Fix:
    Record the share (`product_defined_share: 0.55`) and list the edge cases product people
    named (`edge_cases: [{name: gift_cards, gated: true}, first_order]`).
    """

    code = "DAT003"
    name = "evaluation-data-unscoped"
    severity = Severity.WARNING

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        for rec, use in _datasets(graph):
            if not use.evaluation or rec.data.get("purpose") == "training":
                continue  # REQ005 reports a criterion on training data
            comp = rec.data.get("composition")
            if not isinstance(comp, Mapping) or comp.get("product_defined_share") is None:
                path = ("composition",) if "composition" in rec.data else ("status",)
                yield self.at(rec, path, (
                    f"this evaluation dataset ({use.by} on it) does not record how much "
                    "of it product people defined: add composition.product_defined_share"
                ), key=path == ("composition",))  # fmt: skip
            if not rec.data.get("edge_cases"):
                path = ("edge_cases",) if "edge_cases" in rec.data else ("status",)
                yield self.at(rec, path, (
                    f"this evaluation dataset ({use.by} on it) lists no edge cases: list "
                    "the business-critical cases product people named, and mark those the "
                    "launch must be held to with gated: true"
                ), key=path == ("edge_cases",))  # fmt: skip
