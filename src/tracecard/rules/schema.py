"""Schema: front matter must satisfy its kind's JSON Schema (and the repository's extension)."""

from __future__ import annotations

from collections.abc import Iterator

from tracecard.graph import RepoGraph
from tracecard.rules.base import Finding, Rule
from tracecard.schemas import validators


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
    name = "schema-violation"

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        per_kind = validators(graph.settings)
        for rec in graph.records:
            if not rec.ok or rec.kind is None:
                continue
            for err in per_kind[rec.kind].errors(rec.data):
                yield self.at(rec, err.path, err.message, key=err.at_key)
