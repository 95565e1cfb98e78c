"""What the launch gate asks of a card besides its rows: its data handoffs (evaluation and
training data ready, scoped by product, sampled from production recently enough) and the card
itself (complete, failure modes mitigated or accepted).

Pure, like `tracecard.gate.judge`: front matter in, `Issue`s out. `tracecard.gate.evaluate`
words them as findings at the card's lines (GAT005-008, GAT013-017); `tracecard review` counts
them in the gate verdict at each end of a range, so that the two never disagree.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from tracecard.gate.judge import Row
from tracecard.model.clock import as_day
from tracecard.model.metrics import as_number

#: Card statuses the gate holds to their requirements.
GATED_STATUSES = frozenset({"candidate", "production"})
#: Dataset statuses that are not ready yet (retired data was ready once).
NOT_READY = frozenset({"planned", "labeling"})
#: Failure-mode severities that need a mitigation or an accepting decision.
SEVERE = frozenset({"high", "critical"})
#: Decision statuses that count as an accepted decision.
ACCEPTED = frozenset({"accepted"})

Path_ = tuple[str | int, ...]


class Problem(StrEnum):
    DATA_NOT_READY = "data_not_ready"  # an evaluation dataset not `ready`
    SHARE_LOW = "share_low"  # product-defined share under the minimum
    NO_PRODUCTION_SAMPLE = "no_production_sample"  # no sample of production inputs
    SAMPLE_STALE = "sample_stale"  # production sample too old, undated or in the future
    INCOMPLETE = "incomplete"  # no training_data / no failure_modes
    TRAINING_NOT_READY = "training_not_ready"  # trained on data still planned or labeling
    SEVERE_UNACCEPTED = "severe_unaccepted"  # high/critical, no mitigation, no accepted decision
    DEPRIORITISED_UNDECIDED = "deprioritised_undecided"  # deprioritised, no accepted decision


@dataclass(frozen=True, slots=True)
class Issue:
    problem: Problem
    path: Path_  # where in the card a person edits
    subject: str  # the dataset ID, the failure mode's name, or the missing key
    facts: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Context:
    """The rest of the repository, as far as the card's handoffs need it."""

    datasets: Mapping[str, Mapping[str, Any]]  # dataset ID -> front matter
    decisions: Mapping[str, str | None]  # decision ID -> status
    today: datetime.date
    min_share: float = 0.5
    max_sample_age_days: int = 180


def issues(card: Mapping[str, Any], rows: Sequence[Row], ctx: Context) -> list[Issue]:
    """Every handoff issue of a card, whatever its status (callers gate on the status)."""
    status = card.get("status")
    out = list(_data(card, rows, ctx, status))
    out += _complete(card)
    out += _training(card, ctx)
    modes = card.get("failure_modes")
    for i, mode in enumerate(modes if isinstance(modes, list) else []):
        if isinstance(mode, Mapping):
            out += _failure_mode(i, mode, ctx)
    return out


# --- data handoffs -------------------------------------------------------------------------


def _results(card: Mapping[str, Any]) -> list[Any]:
    results = card.get("results")
    return results if isinstance(results, list) else []


def satisfies_path(card: Mapping[str, Any], rid: str | None) -> Path_:
    value = card.get("satisfies")
    if isinstance(value, list):
        for i, entry in enumerate(value):
            if isinstance(entry, str) and entry.strip() == rid:
                return ("satisfies", i)
        return ("satisfies", 0)
    return ("satisfies",) if "satisfies" in card else ("status",)


def dataset_path(card: Mapping[str, Any], ds_id: str, rid: str | None) -> Path_:
    """The card's first result on the dataset (its `dataset` value), else the satisfies entry."""
    for i, res in enumerate(_results(card)):
        if isinstance(res, Mapping) and res.get("dataset") == ds_id:
            return ("results", i, "dataset")
    return satisfies_path(card, rid)


def _data(
    card: Mapping[str, Any], rows: Sequence[Row], ctx: Context, status: object
) -> Iterator[Issue]:
    seen: dict[str, str | None] = {}
    for row in rows:
        if not row.constraint and row.dataset is not None and row.dataset not in seen:
            seen[row.dataset] = row.requirement
    for ds_id, rid in seen.items():
        ds = ctx.datasets.get(ds_id.strip())
        if ds is None:
            continue  # reported by the links and parsing rules
        ds_status = ds.get("status")
        composition = ds.get("composition")
        comp: Mapping[str, Any] = composition if isinstance(composition, Mapping) else {}
        share = as_number(comp.get("product_defined_share"))
        sample = comp.get("includes_production_sample")
        low = share is not None and share < ctx.min_share
        if ds_status == "ready" and not low and sample is True and status != "production":
            continue  # no issue: where one would point is not worked out
        path = dataset_path(card, ds_id, rid)
        if ds_status != "ready":
            yield Issue(Problem.DATA_NOT_READY, path, ds_id, {"status": ds_status})
        if low:
            yield Issue(Problem.SHARE_LOW, path, ds_id, {"share": share})
        if sample is not True:
            yield Issue(Problem.NO_PRODUCTION_SAMPLE, path, ds_id, {"said": sample})
        elif status == "production":
            yield from _sample_age(ds_id, comp, path, ctx)


def _sample_age(
    ds_id: str, comp: Mapping[str, Any], path: Path_, ctx: Context
) -> Iterator[Issue]:
    drawn = as_day(comp.get("production_sample_date"))
    if drawn is None:
        yield Issue(Problem.SAMPLE_STALE, path, ds_id, {"drawn": None})
        return
    age = (ctx.today - drawn).days
    if age > ctx.max_sample_age_days or age < 0:
        yield Issue(Problem.SAMPLE_STALE, path, ds_id, {"drawn": drawn, "age": age})


# --- the card itself -----------------------------------------------------------------------


def _complete(card: Mapping[str, Any]) -> Iterator[Issue]:
    for key in ("training_data", "failure_modes"):
        if not card.get(key):
            yield Issue(Problem.INCOMPLETE, ("status",), key)


def _training(card: Mapping[str, Any], ctx: Context) -> Iterator[Issue]:
    training = card.get("training_data")
    for i, ds_id in enumerate(training if isinstance(training, list) else []):
        ds = ctx.datasets.get(ds_id.strip()) if isinstance(ds_id, str) else None
        if ds is not None and ds.get("status") in NOT_READY:
            yield Issue(Problem.TRAINING_NOT_READY, ("training_data", i), ds_id,
                        {"status": ds.get("status")})  # fmt: skip


def mode_name(i: int, mode: Mapping[str, Any]) -> str:
    kind = mode.get("type")
    return kind if isinstance(kind, str) and kind.strip() else f"failure mode {i + 1}"


def _failure_mode(i: int, mode: Mapping[str, Any], ctx: Context) -> Iterator[Issue]:
    why = accepting_decision(mode.get("decision"), ctx.decisions)
    name = mode_name(i, mode)
    severity = mode.get("severity")
    mitigated = given(mode.get("mitigation"))
    if isinstance(severity, str) and severity in SEVERE and not mitigated and why is not True:
        yield Issue(Problem.SEVERE_UNACCEPTED, ("failure_modes", i, "severity"), name,
                    {"severity": severity, "why": why,
                     "placeholder": mode.get("mitigation") if mode.get("mitigation") else None})  # fmt: skip
    if mode.get("deprioritised") is True and why is not True:
        yield Issue(Problem.DEPRIORITISED_UNDECIDED, ("failure_modes", i, "deprioritised"), name,
                    {"why": why})  # fmt: skip


def accepting_decision(value: object, decisions: Mapping[str, str | None]) -> bool | str | None:
    """True for an accepted decision; None when none is named; else why it does not count."""
    if value is None:
        return None
    if not isinstance(value, str):
        return "its decision is not an ID"
    ident = value.strip()
    if ident not in decisions:
        return f"{ident} is not a decision record"
    status = decisions[ident]
    if status not in ACCEPTED:
        return f"{ident} is {status or 'without a status'}, not accepted"
    return True


#: Words that hold a place rather than say something (a mitigation of "TBD" mitigates nothing).
_PLACEHOLDER = re.compile(
    r"^\W*(tbd|tbc|todo|to do|fixme|xxx|n/?a|none|nothing|no|nil|null|-+|\?+|\.+|"
    r"\[?more information needed\]?|to be (decided|determined|defined|confirmed))\W*$",
    re.IGNORECASE,
)


def given(value: object) -> bool:
    """A text that says something: not empty and not a placeholder such as TBD or n/a."""
    return isinstance(value, str) and bool(value.strip()) and not _PLACEHOLDER.match(value)
