"""The rule registry: one explicit table of every rule, and of the families their codes start with.

`python scripts/new_rule.py CODE name --family NAME` adds a rule here (and, when its family
is new, the family to FAMILIES); the order of `_ALL` is the order of `tracecard rules`.
"""

from __future__ import annotations

from tracecard.rules import (
    body,
    data_handoffs,
    gate,
    history,
    identity,
    links,
    model_reviews,
    parsing,
    requirements,
    schema,
)
from tracecard.rules.base import Rule

_ALL: list[type[Rule]] = [
    parsing.NoFrontMatter,
    parsing.UnclosedFrontMatter,
    parsing.InvalidYaml,
    parsing.DuplicateKey,
    parsing.NotAMapping,
    parsing.UnknownKind,
    parsing.Unreadable,
    parsing.FileTooLarge,
    parsing.YamlTooComplex,
    schema.SchemaViolation,
    schema.MisspeltKey,
    identity.DuplicateId,
    identity.IdPattern,
    identity.IdFileName,
    identity.MissingId,
    identity.TakenOnAnotherBranch,
    links.UnknownId,
    links.WrongKind,
    links.SupersessionNotMirrored,
    links.SupersessionCycle,
    links.LinkToInactive,
    body.MissingSection,
    body.EmptySection,
    body.Placeholder,
    body.BrokenRelativeLink,
    requirements.CriterionNotMeasurable,
    requirements.UnknownMetric,
    requirements.ThresholdOutOfRange,
    requirements.TargetEasierThanLaunch,
    requirements.NotAnEvaluationDataset,
    requirements.CostlyErrorUnconstrained,
    requirements.AgreedWithoutCriteria,
    requirements.DirectionContradictsMetric,
    requirements.TaskNotStated,
    requirements.CriterionWithoutTarget,
    requirements.AgreedWithoutConstraints,
    requirements.SignOffMissing,
    requirements.SliceNotAnEdgeCase,
    data_handoffs.LabelingUnowned,
    data_handoffs.LabelingOverdue,
    data_handoffs.EvaluationDataUnscoped,
    *gate.GATE_RULES,
    gate.ResultOutOfRange,
    history.AcceptedDecisionEdited,
    history.TransitionNotAllowed,
    history.ThresholdWithoutDecision,
    history.ProductionResultRegressed,
    history.IdChanged,
    history.RecordDeleted,
    history.FailureModeRemovedWithoutDecision,
    history.ModelChangedWithoutDecision,
    history.OperatingPointChangedWithoutDecision,
    history.CriteriaFittedToResults,
    gate.ValueOutsideInterval,
    schema.StatusAssumed,
    model_reviews.ProductionCardNotReviewed,
    model_reviews.ReviewWithoutProduct,
    model_reviews.ReviewWithoutMl,
    model_reviews.FailureTypeNotOnCard,
    model_reviews.ActionNotReflected,
    model_reviews.ReviewedVersionUnknown,
    model_reviews.ReviewWithoutExamples,
]

RULES: dict[str, type[Rule]] = {r.code: r for r in _ALL}

#: Rules whose findings in a record depend on that record alone (and the configuration; each
#: says so with `per_record = True`): run as records are read, cached per file
#: (`tracecard.load.cache`). A rule that reads another record, a file a body links to, git or
#: the date must not be one (tests/test_cache.py checks that cached and uncached results agree).
PER_RECORD: list[type[Rule]] = [r for r in _ALL if r.per_record]

FAMILIES: dict[str, str] = {
    "PAR": "parsing",
    "SCH": "schema",
    "IDN": "identity",
    "LNK": "links",
    "BDY": "body",
    "REQ": "requirements",
    "GAT": "launch gate",
    "HIS": "history",
    "DAT": "data handoffs",
    "MRV": "model reviews",
}

__all__ = ["FAMILIES", "PER_RECORD", "RULES", "Rule"]
