"""The rule registry: one explicit table of every rule, and of the families their codes start with.

`scripts/new_rule.py` adds a rule (and, when it is new, its family) here.

Families: PAR parsing, SCH schema, IDN identity, LNK links, BDY body, REQ requirement
translations, GAT launch gate, HIS history (rules with `needs_history`: git is read only when
one of them is selected).
"""

from __future__ import annotations

from tracecard.rules import (
    body,
    branches,
    gate,
    history,
    identity,
    links,
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
    branches.TakenOnAnotherBranch,
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
    *gate.GATE_RULES,
    gate.ResultOutOfRange,
    history.AcceptedDecisionEdited,
    history.TransitionNotAllowed,
    history.ThresholdWithoutDecision,
    history.ProductionResultRegressed,
    history.IdChanged,
    history.RecordDeleted,
]

RULES: dict[str, type[Rule]] = {r.code: r for r in _ALL}

FAMILIES: dict[str, str] = {
    "PAR": "parsing",
    "SCH": "schema",
    "IDN": "identity",
    "LNK": "links",
    "BDY": "body",
    "REQ": "requirements",
    "GAT": "launch gate",
    "HIS": "history",
}

__all__ = ["FAMILIES", "RULES", "Rule"]
