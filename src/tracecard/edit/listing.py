"""`adr list`, `req list`, `card list`, `dataset list`, `model-review list`: one kind's records,
as a table or JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Any

from tracecard.edit.lifecycle import Workspace
from tracecard.errors import UsageError
from tracecard.model.lifecycles import TRANSITIONS
from tracecard.model.records import ID_SCHEMES, Kind, Record
from tracecard.report.text import dumps_json, one_line, say

FORMATS = ("text", "json")


def list_records(kind: Kind, statuses: Sequence[str], fmt: str, out: IO[str], err: IO[str]) -> int:
    wanted = _statuses(kind, statuses)
    ws = Workspace.open()
    records = [r for r in ws.graph.records if r.kind is kind]
    unreadable = [r for r in records if not r.ok]
    rows = [_row(kind, r) for r in sorted(records, key=_sort_key) if r.ok]
    if wanted:
        rows = [row for row in rows if row["status"] in wanted]
    if fmt == "json":
        out.write(dumps_json(rows))
    else:
        _table(kind, rows, out)
    if unreadable:
        names = ", ".join(r.path for r in unreadable)
        say(f"tracecard: not listed, front matter unreadable: {names}", err)
    return 0


def _statuses(kind: Kind, given: Sequence[str]) -> set[str]:
    """`--status accepted --status proposed` or `--status accepted,proposed`."""
    wanted = {s.strip().lower() for v in given for s in v.split(",") if s.strip()}
    unknown = sorted(wanted - set(TRANSITIONS[kind]))
    if unknown:
        known = ", ".join(TRANSITIONS[kind])
        raise UsageError(f"unknown {kind.label} status {', '.join(unknown)}: use {known}")
    return wanted


def _sort_key(rec: Record) -> tuple[str, int, str]:
    rid = rec.id or ""
    head, _, tail = rid.rpartition("-")
    if rec.kind is not None and ID_SCHEMES[rec.kind].numbered and tail.isdigit() and len(tail) <= 18:
        return (head, int(tail), rec.path)
    return (rid, 0, rec.path)


def _row(kind: Kind, rec: Record) -> dict[str, Any]:
    row: dict[str, Any] = {"id": rec.id, "status": rec.status, "title": rec.title}
    if kind in (Kind.DECISION, Kind.MODEL_REVIEW):
        date = rec.data.get("date")
        row["date"] = str(date) if date is not None else None
    if kind is Kind.MODEL_REVIEW:
        for key in ("card", "version"):
            value = rec.data.get(key)
            row[key] = str(value) if isinstance(value, (str, int, float)) else None
    if kind is Kind.DECISION:
        if rec.superseded_by:
            row["superseded_by"] = rec.superseded_by
    row["path"] = rec.path
    return row


def _table(kind: Kind, rows: list[dict[str, Any]], out: IO[str]) -> None:
    if not rows:
        say(f"no {kind.label} records", out)
        return
    columns = ["id", "status"] + (["date"] if kind is Kind.DECISION else [])
    columns += ["date", "card", "version"] if kind is Kind.MODEL_REVIEW else []
    columns += ["title"]
    cells = [[one_line(_cell(row, c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = [[c.upper() for c in columns]] + cells
    for line in lines:
        say("  ".join(v.ljust(w) for v, w in zip(line, widths)).rstrip(), out)


def _cell(row: dict[str, Any], column: str) -> str:
    value = row.get(column)
    if column == "status" and row.get("superseded_by"):
        return f"superseded by {row['superseded_by']}"
    return "-" if value is None else str(value)
