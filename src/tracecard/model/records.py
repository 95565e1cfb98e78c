"""Record, Kind and ID: the values every rule reads."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Any

from tracecard.model.fast import once

if TYPE_CHECKING:  # pragma: no cover
    from tracecard.load.parse import Body, Parsed
    from tracecard.model.findings import Finding


#: Files in record folders that are never records.
NOT_RECORDS = frozenset(
    {"readme.md", "index.md", "template.md", "adr-template.md", "_template.md", "changelog.md"}
)


class Kind(str, Enum):
    DECISION = "decision"
    REQUIREMENT = "requirement"
    MODEL_CARD = "model_card"
    DATASET = "dataset"
    MODEL_REVIEW = "model_review"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Kind.DECISION: "decision",
    Kind.REQUIREMENT: "requirement",
    Kind.MODEL_CARD: "model card",
    Kind.DATASET: "dataset",
    Kind.MODEL_REVIEW: "model review",
}

#: Spellings accepted in a `kind:` key.
KIND_NAMES: dict[str, Kind] = {
    "decision": Kind.DECISION,
    "adr": Kind.DECISION,
    "requirement": Kind.REQUIREMENT,
    "req": Kind.REQUIREMENT,
    "model_card": Kind.MODEL_CARD,
    "model-card": Kind.MODEL_CARD,
    "modelcard": Kind.MODEL_CARD,
    "card": Kind.MODEL_CARD,
    "dataset": Kind.DATASET,
    "datasheet": Kind.DATASET,
    "model_review": Kind.MODEL_REVIEW,
    "model-review": Kind.MODEL_REVIEW,
    "modelreview": Kind.MODEL_REVIEW,
}


@dataclass(frozen=True)
class IdScheme:
    """How a kind's IDs look and how they follow from file names."""

    prefix: str
    numbered: bool  # NNNN-slug.md holds PREFIX-NNNN; otherwise slug.md holds PREFIX-slug

    @once  # every record's ID is matched against it, by several rules
    def pattern(self) -> re.Pattern[str]:
        if self.numbered:
            return re.compile(rf"{re.escape(self.prefix)}-\d{{4,}}\Z")
        return re.compile(rf"{re.escape(self.prefix)}-[a-z0-9]+(?:[-_.][a-z0-9]+)*\Z")

    @once  # (a file name is read against it for every record)
    def _prefixed(self) -> re.Pattern[str]:
        return re.compile(rf"{self.prefix}[-_ ]?(?=\d)", re.IGNORECASE)

    @property
    def example(self) -> str:
        return f"{self.prefix}-0007" if self.numbered else f"{self.prefix}-fraud-detector"

    def from_filename(self, stem: str) -> str | None:
        """The ID a file name implies, or None when it implies none."""
        if self.numbered:
            prefixed = self._prefixed.match(stem)
            if prefixed:  # `ADR-0001-title.md`, `adr-007-title.md`: the number after the prefix
                stem = stem[prefixed.end():]
            m = _NUMBERED.match(stem)
            if not m or DATE_NAME.match(stem):
                return None  # log4brains' YYYYMMDD-slug: a day, not a number
            digits = m.group(1)  # at least four digits, more when the file name has more
            if len(digits) > 18:
                return None  # not a record number: no team writes one this long
            return f"{self.prefix}-{int(digits):0{max(4, len(digits))}d}"
        return f"{self.prefix}-{stem}" if stem else None


_NUMBERED = re.compile(r"(\d+)(?:[-_ ]|\Z)")
#: log4brains' `YYYYMMDD-slug.md`: the leading digits are the day it was written, not a number.
DATE_NAME = re.compile(r"(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])-")

ID_SCHEMES: dict[Kind, IdScheme] = {
    Kind.DECISION: IdScheme("ADR", True),
    Kind.REQUIREMENT: IdScheme("REQ", True),
    Kind.MODEL_CARD: IdScheme("MC", False),
    Kind.DATASET: IdScheme("DS", False),
    Kind.MODEL_REVIEW: IdScheme("MR", True),
}

#: Lifecycle statuses that mean "no longer in force".
INACTIVE_STATUSES = frozenset({"superseded", "retired", "deprecated", "rejected"})


@dataclass(frozen=True, eq=False)
class Record:
    """One record file, parsed. `data` is None when the front matter could not be read."""

    path: str  # posix, relative to the repository root
    kind: Kind | None
    parsed: Parsed
    body: Body
    id: str | None
    id_from_file: bool  # True when the ID was derived from the file name (no `id:` key)
    #: The findings of the single-record rules (`Rule.per_record`), once known: from the
    #: parse cache, or run as the repository is loaded. None: not run for this record.
    local: tuple[Finding, ...] | None = field(default=None, repr=False)
    #: The key of this record's parse-cache entry, while the entry is still to be written.
    cache_key: str | None = field(default=None, repr=False)

    # `data`, `ok` and `status` are read by most rules for every record: worked out once each
    # (the front matter of a loaded record does not change; the status words are set before
    # any record is loaded).

    @once
    def data(self) -> dict[str, Any]:
        return self.parsed.data or {}

    @once
    def ok(self) -> bool:
        return self.parsed.data is not None

    @once
    def status(self) -> str | None:
        """The lifecycle status, with MADR's `superseded by ADR-0123` read as `superseded`, and
        a team's own status word (`[statuses]` in the configuration) as the state it maps to."""
        return canonical_status(self.data.get("status"), self.kind)

    @property
    def superseded_by(self) -> str | None:
        """The successor's ID, from `superseded_by` or from MADR's status form."""
        v = self.data.get("superseded_by")
        if isinstance(v, str) and v.strip():
            return v.strip()
        s = self.data.get("status")
        if isinstance(s, str):
            m = _SUPERSEDED_BY.match(s.strip())
            if m:
                return m.group(1)
        return None

    @property
    def title(self) -> str | None:
        t = self.data.get("title")
        if isinstance(t, str) and t.strip():
            return t.strip()
        for h in self.body.headings:
            if h.level == 1:
                return h.text
        return None

    @property
    def suppressed(self) -> tuple[str, ...]:
        v = self.data.get("tracecard-ignore")
        if isinstance(v, str):
            v = [v]
        if not isinstance(v, list):
            return ()
        return tuple(str(c).strip() for c in v if str(c).strip())


# `superseded by ADR-0123`, `superseded by [ADR-0123](0123-x.md)` (MADR 3 writes a link)
_SUPERSEDED_BY = re.compile(r"superseded by\s+\[?([A-Za-z][\w.-]*-[\w.-]+)", re.IGNORECASE)


def id_list(value: Any) -> list[str]:
    """A list of IDs from a list, or from one string (`ADR-1, ADR-2` as real files have)."""
    if isinstance(value, str):
        return [p.strip() for p in value.split(",") if p.strip()]
    if isinstance(value, list):
        return [v.strip() for v in value if isinstance(v, str) and v.strip()]
    return []


def spellings(ident: str, kind: Kind | None = None) -> list[str]:
    """The IDs `ident` may stand for, as written first: `ADR-0007` also as `adr-7`, `ADR7` and
    (with `kind`) `7`; `MC-fraud` also as `fraud`. Every command that takes an ID reads it so."""
    ident = ident.strip()
    out = [ident]
    schemes = [ID_SCHEMES[kind]] if kind is not None else list(ID_SCHEMES.values())
    m = re.fullmatch(r"([A-Za-z]*)-?0*(\d{1,18})", ident)
    for scheme in schemes:
        if scheme.numbered and m and m.group(1).upper() in ((scheme.prefix,) if kind is None
                                                            else ("", scheme.prefix)):
            out.append(f"{scheme.prefix}-{int(m.group(2)):04d}")
            out.append(f"{scheme.prefix}-{m.group(2)}")  # a number wider than four digits
        if not scheme.numbered and not ident.upper().startswith(scheme.prefix + "-"):
            out.append(f"{scheme.prefix}-{ident}")
        if ident.upper().startswith(scheme.prefix + "-"):
            out.append(scheme.prefix + ident[len(scheme.prefix):])
    return list(dict.fromkeys(out))


def resolve_id(known: Iterable[str], ident: str, kind: Kind | None = None) -> str | None:
    """The one of `known` that `ident` names (exact first, then any case), or None."""
    pool = set(known)
    folded = {k.casefold(): k for k in sorted(pool)}
    for candidate in spellings(ident, kind):
        if candidate in pool:
            return candidate
    for candidate in spellings(ident, kind):
        if candidate.casefold() in folded:
            return folded[candidate.casefold()]
    return None


#: The team's own status words per kind (`[statuses]` of the configuration), set once per run
#: by `tracecard.load.repository.load_graph`.
STATUS_ALIASES: dict[Kind, dict[str, str]] = {}


def canonical_status(value: object, kind: Kind | None = None) -> str | None:
    """A `status` value as a lifecycle state: lower case, `superseded by X` as `superseded`, a
    configured alias as the state it stands for (of `kind`, or of any kind when unknown)."""
    if not isinstance(value, str):
        return None
    s = value.strip().lower()
    if s.startswith("superseded"):
        return "superseded"
    tables = [STATUS_ALIASES.get(kind, {})] if kind is not None else STATUS_ALIASES.values()
    for table in tables:
        if s in table:
            return table[s]
    return s
