"""Schema: front matter must satisfy its kind's JSON Schema (and the repository's extension)."""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Iterator
from typing import Any

from tracecard.load.schemas import validators
from tracecard.model.findings import Finding, Severity
from tracecard.model.graph import RepoGraph
from tracecard.model.records import Kind
from tracecard.rules.base import Rule


class SchemaViolation(Rule):
    """What it does:
    Validates each record's front matter against the JSON Schema of its kind (Draft 2020-12,
    shipped with tracecard), extended by the repository's own schema when the configuration
    names one. Every violation is reported at the key or value to edit; a missing required key
    is reported at the object that lacks it.

    Why it matters:
    A misspelt status (`acepted`), a threshold written as text (`"0.7"`) or a date in another
    format silently drops a record out of the launch gate and the history. The schema is the
    contract the other checks rely on. Values are read as written: `2026-03-09` stays a string,
    `yes` is not a boolean, `1.10` keeps its trailing zero.

    Example:
    ```yaml
    status: acepted
    criteria:
      - metric: precision@10
        launch: "0.7"
    ```

    Fix:
    Use a value the schema allows (`status: accepted`, `launch: 0.7`). `tracecard rules SCH001`
    and docs/fields.md list every field of every kind.
    """

    code = "SCH001"
    per_record = True  # tracecard.load.cache keeps its findings per file
    name = "schema-violation"

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        per_kind = validators(graph.settings)
        statuses = graph.settings.statuses
        for rec in graph.records:
            if not rec.ok or rec.kind is None:
                continue
            data = front = rec.data
            aliases = statuses.get(rec.kind)
            raw = data.get("status")
            if aliases and isinstance(raw, str) and raw.strip().lower() in aliases:
                data = {**data, "status": aliases[raw.strip().lower()]}  # a team's own word
            for err in per_kind[rec.kind].errors(data):
                yield self.at(rec, err.path, _with_statuses(rec.kind, err.path, err.message), key=err.at_key)
            for path in _DATE_FIELDS:
                value = _get(front, path)
                if isinstance(value, str) and len(value) == 10 and _DATE.match(value) and _not_a_day(value):
                    yield self.at(rec, path, f"{value!r} is not a date on the calendar")


def _with_statuses(kind: Kind, path: tuple[str | int, ...], message: str) -> str:
    """A finding about `status` (missing or not allowed) names the statuses the kind has."""
    if tuple(path) == ("status",) or (not path and "'status'" in message):
        from tracecard.model.lifecycles import TRANSITIONS

        states = list(TRANSITIONS[kind])
        if all(f"'{s}'" in message for s in states):
            return message  # the schema's own message lists them already
        return f"{message}: write one of {', '.join(states)}"
    return message


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")


#: The date fields of the bundled schemas (their pattern checks the form, not the calendar).
_DATE_FIELDS: tuple[tuple[str, ...], ...] = (
    ("date",), ("labeling", "due"), ("composition", "production_sample_date"),
)  # fmt: skip


def _get(data: dict[str, Any], path: tuple[str, ...]) -> object:
    node: object = data
    for key in path:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def _not_a_day(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return int(text[5:7]) in range(1, 13) and int(text[8:10]) in range(1, 32)  # else SCH001 above
    return False


class MisspeltKey(Rule):
    """What it does:
    Warns about a top-level front-matter key that the kind's schema does not define but that
    is spelt almost like one it does (`satisifes` for `satisfies`, `superseeded_by` for
    `superseded_by`). Keys unlike any known key are left alone: real repositories carry keys
    of their own (`nav_order`, `parent`).

    Why it matters:
    The schema allows extra keys, so a misspelt one is silently ignored: the card's
    requirements are never gated, the supersession never recorded.

    Example:
    ```yaml
    satisifes: [REQ-0002]
    ```

    Fix:
    Correct the spelling: `satisfies: [REQ-0002]`.
    """

    code = "SCH002"
    per_record = True  # tracecard.load.cache keeps its findings per file
    name = "misspelt-key"
    severity = Severity.WARNING

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        per_kind = validators(graph.settings)
        known_by_kind: dict[object, tuple[set[str], list[str]]] = {}
        for rec in graph.records:
            if not rec.ok or rec.kind is None:
                continue
            found = known_by_kind.get(rec.kind)
            if found is None:
                keys = _known_keys(per_kind[rec.kind].schema)
                found = known_by_kind[rec.kind] = (keys, sorted(keys))
            known, in_order = found
            for key in rec.data:
                if key in known:  # (a set: the list was searched key by key)
                    continue
                close = difflib.get_close_matches(key.lower(), in_order, n=1, cutoff=0.8)
                if close:
                    yield self.at(rec, (key,), f"unknown key '{key}': did you mean '{close[0]}'?", key=True)


def _known_keys(schema: dict[str, Any]) -> set[str]:
    keys = set(schema.get("properties", {}))
    for part in schema.get("allOf", []):
        keys |= set(part.get("properties", {}))
    return keys


class StatusAssumed(Rule):
    """What it does:
    Reports a record with no `status` (decision records may leave it out, as MADR allows): it
    is read as being in the first status of its kind's lifecycle (a decision as `proposed`),
    and the finding says so. Info by default: raise it with `--select`/severity settings in
    CI if your records must say their status. The finding is at the top of the front matter.

    Why it matters:
    A decision that has guided the team for two years but says no status is read as merely
    proposed: it can be rejected with one command, and the history rules do not protect it as
    an accepted decision. Saying the status makes what everyone assumes visible.

    Example:
    ```yaml
    ---
    title: Use PostgreSQL for the feature store
    date: 2023-02-01
    ---
    ```

    Fix:
    Write the status the record really has (`status: accepted`). A team that uses its own
    words (MADR's "on hold") maps them onto the lifecycle in the configuration:
    `[statuses.decision]` with `"on hold" = "proposed"`.
    """

    code = "SCH003"
    per_record = True  # tracecard.load.cache keeps its findings per file
    name = "status-assumed"
    severity = Severity.INFO

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        from tracecard.model.lifecycles import INITIAL

        for rec in graph.records:
            if not rec.ok or rec.kind is None or "status" in rec.data:
                continue
            first = INITIAL[rec.kind]
            yield self.at(rec, (), (
                f"no status: read as {first}, the first status of a {rec.kind.label}; write "
                f"the status it has (`status: {first}`, or what the team agreed)"
            ))  # fmt: skip
