"""Each kind's lifecycle and the typed-link relations: plain data, cheap to import.

The authoring commands enforce these transitions; the history rules (HIS002) and
`tracecard review` hold past changes to them.
"""

from __future__ import annotations

from tracecard.model.records import Kind

#: Allowed status transitions per kind: status -> the statuses it may change to.
TRANSITIONS: dict[Kind, dict[str, frozenset[str]]] = {
    Kind.DECISION: {
        "proposed": frozenset({"accepted", "rejected"}),
        "accepted": frozenset({"deprecated", "superseded"}),
        "deprecated": frozenset({"superseded"}),
        "rejected": frozenset(),
        "superseded": frozenset(),
    },
    Kind.REQUIREMENT: {
        "draft": frozenset({"agreed", "retired"}),
        "agreed": frozenset({"draft", "retired"}),  # back to draft to renegotiate thresholds
        "retired": frozenset(),
    },
    Kind.MODEL_CARD: {
        "draft": frozenset({"candidate", "retired"}),
        "candidate": frozenset({"production", "draft", "retired"}),  # draft: failed the gate
        "production": frozenset({"retired"}),
        "retired": frozenset(),
    },
    Kind.DATASET: {
        "planned": frozenset({"labeling", "ready", "retired"}),  # ready: labels came with it
        "labeling": frozenset({"ready", "retired"}),
        "ready": frozenset({"labeling", "retired"}),  # labeling: relabel after an audit
        "retired": frozenset(),
    },
    Kind.MODEL_REVIEW: {
        "draft": frozenset({"held"}),  # draft: planned or being written; held: it took place
        "held": frozenset(),
    },
}

def reachable(lifecycle: dict[str, frozenset[str]], status: str) -> frozenset[str]:
    """Every status a path of allowed transitions leads to from `status` (not itself, unless a
    path comes back to it). Between two commits, a status may move along such a path: draft ->
    candidate -> production in one commit is two allowed steps, not a jump."""
    seen: set[str] = set()
    todo = list(lifecycle.get(status, ()))
    while todo:
        nxt = todo.pop()
        if nxt not in seen:
            seen.add(nxt)
            todo.extend(lifecycle.get(nxt, ()))
    return frozenset(seen)


#: The status a new record starts in; a record without `status` is read as being in it.
INITIAL: dict[Kind, str] = {
    Kind.DECISION: "proposed",
    Kind.REQUIREMENT: "draft",
    Kind.MODEL_CARD: "draft",
    Kind.DATASET: "planned",
    Kind.MODEL_REVIEW: "draft",
}

_RELATION_PAIRS = (
    ("relates-to", "relates-to"),
    ("amends", "amended-by"),
    ("clarifies", "clarified-by"),
    ("depends-on", "required-by"),
    ("refines", "refined-by"),
    ("extends", "extended-by"),
    ("implements", "implemented-by"),
    ("blocks", "blocked-by"),
    ("conflicts-with", "conflicts-with"),
)
#: The relation written on the target of a typed link, for each relation on its source.
REVERSE_RELS: dict[str, str] = {
    **{a: b for a, b in _RELATION_PAIRS}, **{b: a for a, b in _RELATION_PAIRS},
}  # fmt: skip
