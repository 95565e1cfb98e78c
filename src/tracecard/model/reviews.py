"""Model reviews read as values: who took part, what they found, which card and version they
reviewed, and what each record they name holds. Pure: the review rules (MRV), `tracecard
review` and the dashboard read reviews through these, so they agree on every verdict.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tracecard.model import clock
from tracecard.model.graph import RepoGraph
from tracecard.model.records import Kind, Record

#: The participant roles that speak for the product side and for the ML side.
PRODUCT_ROLE = "product"
ML_ROLE = "ml"


#: A record date as a date (see `tracecard.model.clock.as_day`).
day = clock.as_day


def version_text(value: object) -> str | None:
    """A `version` value as text (`3.2.0`, or `3` for a bare number); None when absent."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float)):
        raw = getattr(value, "raw", None)  # a YamlFloat: `3.10` as written, not 3.1
        text = (raw if isinstance(raw, str) else str(value)).strip()
        return text or None
    return None


def same_version(a: str, b: str) -> bool:
    """Whether two version texts name one version: equal, or equal as numbers (YAML reads an
    unquoted `3.10` as the number 3.1, so a card's `"3.10"` and a review's `3.10` agree)."""
    if a == b:
        return True
    try:
        return float(a) == float(b)
    except ValueError:
        return False


def card_of(review: Record | Mapping[str, Any]) -> str | None:
    """The ID of the card a review names (of a record, or of front matter from history)."""
    card = (review.data if isinstance(review, Record) else review).get("card")
    return card.strip() if isinstance(card, str) and card.strip() else None


def roles(data: Mapping[str, Any]) -> set[str]:
    """The roles of a review's participants (from its front matter), in lower case."""
    people = data.get("participants")
    if not isinstance(people, list):
        return set()
    return {p["role"].strip().lower() for p in people  # `ML` is a misspelling SCH001 reports,
            if isinstance(p, dict) and isinstance(p.get("role"), str)}  # not a missing side



def items(data: Mapping[str, Any], key: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """The mappings of the list `key` with their index (anything else in the list is skipped:
    the schema reports it)."""
    value = data.get(key)
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                yield i, item


def failure_types(card: Mapping[str, Any]) -> set[str]:
    """The `type` slugs of a card's failure modes."""
    return {fm["type"].strip() for _, fm in items(card, "failure_modes")
            if isinstance(fm.get("type"), str) and fm["type"].strip()}  # fmt: skip


def edge_case_names(dataset: Mapping[str, Any]) -> set[str]:
    """The names of a dataset's edge cases (a plain string is its own name)."""
    value = dataset.get("edge_cases")
    names: set[str] = set()
    if isinstance(value, list):
        for case in value:
            if isinstance(case, str) and case.strip():
                names.add(case.strip())
            elif isinstance(case, dict) and isinstance(case.get("name"), str):
                names.add(case["name"].strip())
    return names


@dataclass(frozen=True)
class Example:
    """One wrong output a review looked at."""

    index: int
    ref: str | None
    failure_type: str | None
    severity: str | None
    data: Mapping[str, Any]


def examples(data: Mapping[str, Any]) -> list[Example]:
    """The wrong outputs a review looked at (from its front matter)."""
    def text(value: object) -> str | None:
        return value.strip() if isinstance(value, str) and value.strip() else None

    return [Example(i, text(e.get("ref")), text(e.get("failure_type")), text(e.get("severity")), e)
            for i, e in items(data, "examples")]  # fmt: skip


def failure_counts(data: Mapping[str, Any]) -> dict[str, int]:
    """How many of a review's examples show each failure type, most first (then by name)."""
    counts: dict[str, int] = {}
    for ex in examples(data):
        if ex.failure_type is not None:
            counts[ex.failure_type] = counts.get(ex.failure_type, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def summary(data: Mapping[str, Any]) -> str:
    """One line for people: `held 2026-03-12, version 3.2.0; 3 examples (friendly_fraud x2,
    gift_card_burst); 2 actions`."""
    parts = [str(data.get("status") or "no status")]
    when = day(data.get("date"))
    if when is not None:
        parts[0] += f" {when.isoformat()}"
    version = version_text(data.get("version"))
    head = ", ".join(parts + ([f"version {version}"] if version else []))
    counts = failure_counts(data)
    n_ex = len(examples(data))
    found = ", ".join(f"{t} x{n}" if n > 1 else t for t, n in counts.items())
    out = [head, f"{n_ex} example{'s' if n_ex != 1 else ''}" + (f" ({found})" if found else "")]
    n_act = sum(1 for _ in items(data, "actions"))
    out.append(f"{n_act} action{'s' if n_act != 1 else ''}")
    return "; ".join(out)


def reviews(graph: RepoGraph) -> Iterator[Record]:
    """Every readable model review with an ID."""
    return (r for r in graph.of_kind(Kind.MODEL_REVIEW) if r.id is not None)


def held(review: Record) -> bool:
    return review.status == "held"


def reviews_of(graph: RepoGraph, card_id: str) -> list[Record]:
    """The reviews that name `card_id` as the card reviewed, oldest first (by date, then ID)."""
    found = [r for r in reviews(graph) if card_of(r) == card_id]
    return sorted(found, key=lambda r: (day(r.data.get("date")) or datetime.date.min, r.id or ""))


def last_held(graph: RepoGraph, today: datetime.date) -> dict[str, tuple[Record, datetime.date]]:
    """For each card ID, its most recent held review dated on or before `today` with product
    and ML participants, with its date (one pass over the reviews, however many cards there
    are)."""
    best: dict[str, tuple[Record, datetime.date]] = {}
    for rev in reviews(graph):
        card, when = card_of(rev), day(rev.data.get("date"))
        if card is None or when is None or not held(rev) or when > today or not both_sides(rev):
            continue  # a review without product or ML people is not the review the card needs
        if card not in best or (when, rev.id or "") > (best[card][1], best[card][0].id or ""):
            best[card] = (rev, when)
    return best


def both_sides(review: Record) -> bool:
    """The review had a product and an ML participant (MRV002 and MRV003 report it otherwise)."""
    found = roles(review.data)
    return PRODUCT_ROLE in found and ML_ROLE in found


def review_due(card: Record, last: datetime.date | None, today: datetime.date,
               period_days: int) -> bool:  # fmt: skip
    """Whether a card is due a review: in production, and no held review (`last`, from
    `last_held`) in the `period_days` days up to `today`."""
    return card.status == "production" and (last is None or (today - last).days > period_days)
