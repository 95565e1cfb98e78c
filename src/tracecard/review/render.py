"""`tracecard review` output: Markdown for a pull-request comment, GitHub workflow annotations,
JSON for tools, text for a terminal. Renderers write; they decide nothing (see build.py).

Markdown is read in a minute: a one-line verdict, then only the sections that have content,
each a short table, with links to the records' files (relative paths, or under `link_base`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO
from urllib.parse import quote

from tracecard import __version__
from tracecard.gate.judge import Row
from tracecard.history.timeline import MatchKey, due_slip
from tracecard.model.findings import Finding, Severity
from tracecard.report.text import (
    criterion_text,
    dumps_json,
    escape_data,
    escape_property,
    fmt_number,
    md,
    md_code,
    md_url,
    one_line,
    threshold_text,
    value_text,
)
from tracecard.review.build import (
    Change,
    GateChange,
    GateRowPair,
    GateSide,
    MetricDelta,
    ModelReviewChange,
    RecordChange,
    Review,
    ThresholdChange,
    Transition,
    Trend,
)


@dataclass(frozen=True, slots=True)
class RangeInfo:
    base_ref: str
    head_ref: str
    base: str  # the base revision's commit
    head: str
    merge_base: str
    commits: int  # in base..head
    shallow: bool = False
    checkout: str = ""  # the checked-out commit (HEAD), which history is read from


@dataclass(frozen=True)
class Report:
    range: RangeInfo
    review: Review
    findings: tuple[Finding, ...]
    notes: tuple[str, ...] = ()
    link_base: str = ""  # prefix for file links, e.g. https://github.com/o/r/blob/<sha>/

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.WARNING)

    @property
    def verdict(self) -> str:
        return "FAIL" if self.errors else "PASS"


# --- words shared by every format ------------------------------------------------------------


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' * (n != 1)}"


def counts(review: Review) -> dict[str, int]:
    return {c.value: sum(1 for x in review.changes if x.change is c) for c in Change}


def headline(report: Report) -> str:
    """The verdict in one line: findings, records changed, cards whose gate verdict moved."""
    parts = [_plural(report.errors, "error")] if report.errors else []
    if report.warnings:
        parts.append(_plural(report.warnings, "warning"))
    n = len(report.review.changes)
    detail = ", ".join(f"{v} {k}" for k, v in counts(report.review).items() if v)
    records = f"{_plural(n, 'record')} changed ({detail})" if n else "no record changed"
    parts.append(f"{records} in {_plural(report.range.commits, 'commit')}")
    moved = [f"{g.card} {_gate_word(g.base)} -> {_gate_word(g.head)}"
             for g in report.review.gates if g.verdict_changed]  # fmt: skip
    if moved:
        parts.append("launch gate: " + ", ".join(moved))
    return f"tracecard review: {report.verdict} · " + " · ".join(parts)


def _gate_word(side: GateSide | None) -> str:
    if side is None:
        return "absent"
    return side.verdict if side.gated else f"{side.status or 'no status'} (not gated)"


def _status(change: RecordChange) -> str:
    before, after = change.status(change.base), change.status(change.head)
    if change.change is Change.CHANGED and before != after:
        return f"{before} -> {after}"
    return (after if change.head else before) or "-"


def _what(change: RecordChange) -> str:
    if change.change is not Change.CHANGED:
        return ""
    shown = list(change.keys)
    slip = due_slip(change.base.data, change.head.data) if change.base and change.head else None
    if slip is not None and "labeling" in shown:
        shown[shown.index("labeling")] = f"labeling (due date slipped {slip[0]} -> {slip[1]})"
    keys = ", ".join([*shown, *(["(body)"] if change.body_changed else [])])
    if change.old_id and change.old_id != change.id:
        keys = f"ID was {change.old_id}" + (f"; {keys}" if keys else "")
    if change.renamed_from:
        return f"renamed from {change.renamed_from}" + (f"; {keys}" if keys else "")
    return keys


def _value(value: object) -> str:
    return (
        "-"
        if value is None
        else fmt_number(value)
        if isinstance(value, int | float)
        else str(value)
    )


def _threshold(th: ThresholdChange, value: object) -> str:
    return threshold_text(value, th.direction) if isinstance(value, int | float) else _value(value)


def _looser(th: ThresholdChange) -> str:
    return {True: "looser", False: "stricter", None: "changed"}[th.looser]


def _unexplained(th: ThresholdChange, missing: str) -> str:
    return missing if th.agreed else "not needed (not agreed)"


def _found(r: ModelReviewChange) -> str:
    """`friendly_fraud x2, gift_card_burst`, or `none`."""
    return ", ".join(f"{t} x{n}" if n > 1 else t for t, n in r.failure_types) or "none"


def _reviewed(r: ModelReviewChange) -> str:
    return " ".join(x for x in (r.card or "no card", r.version) if x)


def _delta_text(d: MetricDelta) -> str:
    delta = d.delta
    if d.trend in (Trend.NEW, Trend.REMOVED) or delta is None:
        return str(d.trend)
    return f"{d.trend} ({delta:+.4g})"


def _steps(t: Transition) -> str:
    """`draft -> candidate -> production` when the range's steps chain from base to head."""
    chain = [t.before]
    for step in t.steps:
        if step.before != chain[-1]:
            break
        chain.append(step.after)
    else:
        if chain[-1] == t.after:
            return " -> ".join(chain)
    return f"{t.before} -> {t.after}"


def _row_cell(row: Row | None) -> str:
    if row is None:
        return "-"
    return f"{value_text(row.actual)} {row.verdict}" + (" (CI)" if row.ci_warning else "")


def _bound(pair: GateRowPair, name: str) -> str:
    """A row's launch or target, `>= 0.8 -> >= 0.88` when the range changed it."""
    texts = [threshold_text(getattr(r, name), r.direction) for r in (pair.before, pair.after) if r]
    return " -> ".join(dict.fromkeys(texts)) or "-"


def _issues_text(gate: GateChange) -> str:
    """The head's handoff issues (data not ready, card incomplete...), by code: what makes the
    gate fail besides its rows."""
    if gate.head is None or not gate.head.issues:
        return ""
    return "; ".join(f"{code} {subject}" for code, _, subject in gate.head.issues)


def _gate_rows(gate: GateChange) -> tuple[list[GateRowPair], int]:
    changed = [p for p in gate.rows if p.changed]
    return changed, len(gate.rows) - len(changed)


# --- markdown ----------------------------------------------------------------------------------


def _md(s: str) -> str:
    return md(s).replace(" -&gt; ", " → ")


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


class _Markdown:
    def __init__(self, report: Report) -> None:
        self.report = report
        self.review = report.review

    def link(self, text: str, path: str, line: int | None = None) -> str:
        anchor = f"#L{line}" if line else ""
        base = quote(one_line(self.report.link_base), safe=":/#?=&@%+~")  # the user's own URL
        return f"[{_md(text)}]({base}{md_url(path)}{anchor})"

    def record(self, rid: str) -> str:
        path = self.review.paths.get(rid)
        return self.link(rid, path) if path else _md(rid)

    def sections(self) -> Iterator[str]:
        r = self.review
        if self.report.findings:
            yield self.findings()
        if r.changes:
            yield self.records()
        if r.transitions:
            yield self.transitions()
        if r.thresholds:
            yield self.thresholds()
        if r.results:
            yield self.results()
        if r.gates:
            yield self.gates()
        if r.reviews:
            yield self.model_reviews()

    def model_reviews(self) -> str:
        rows = [[self.record(r.id), str(r.change), _md(r.status or "-"),
                 self.record(r.card) + (f" {_md(r.version)}" if r.version else "")
                 if r.card else "-",
                 _md(r.date or "-"), _md(", ".join(r.roles) or "none"), _md(_found(r)),
                 str(r.actions)]
                for r in self.review.reviews]  # fmt: skip
        return "#### Model reviews\n\n" + _table(
            ["review", "change", "status", "card reviewed", "date", "participants",
             "failure types found", "actions"], rows)  # fmt: skip

    def findings(self) -> str:
        live = set(self.review.paths.values())  # a deleted record's file has nothing to link to
        rows = [[f.severity.value, f"**{f.code}**",
                 self.link(f"{f.path}:{f.line}", f.path, f.line) if f.path in live
                 else md_code(f.path), _md(f.message)]
                for f in self.report.findings]  # fmt: skip
        return "#### Findings\n\n" + _table(["", "code", "where", "what to do"], rows)

    def records(self) -> str:
        rows = []
        for c in self.review.changes:
            where = md_code(c.path) if c.change is Change.DELETED else self.link(c.path, c.path)
            kind = c.kind.label if c.kind else "?"
            rows.append([str(c.change), f"**{_md(c.id)}**", kind, _md(_status(c)), where,
                         _md(_what(c))])  # fmt: skip
        return "#### Records\n\n" + _table(
            ["change", "record", "kind", "status", "file", "changed keys"], rows
        )

    def transitions(self) -> str:
        rows = [[self.record(t.id), _md(_steps(t)), "allowed" if t.allowed else "**not allowed**"]
                for t in self.review.transitions]  # fmt: skip
        return "#### Status transitions\n\n" + _table(["record", "status", "lifecycle"], rows)

    def thresholds(self) -> str:
        rows = []
        for th in self.review.thresholds:
            why = ", ".join(self.record(d) for d in th.decisions) or _unexplained(
                th, "**no decision**"
            )
            rows.append([self.record(th.requirement), _md(th.label), th.field,
                         _md(_threshold(th, th.before)), _md(_threshold(th, th.after)), _looser(th),
                         why])  # fmt: skip
        headers = ["requirement", "criterion", "", "before", "after", "", "explained by"]
        return "#### Thresholds\n\n" + _table(headers, rows)

    def results(self) -> str:
        rows = []
        for d in self.review.results:
            trend = _delta_text(d)
            trend = f"**{trend}**" if d.trend is Trend.WORSE else trend
            rows.append([self.record(d.card), _md(d.label), _value(d.change.before),
                         _value(d.change.after), trend])  # fmt: skip
        return "#### Results\n\n" + _table(["card", "result", "before", "after", "change"], rows)

    def gates(self) -> str:
        parts = ["#### Launch gate\n"]
        for g in self.review.gates:
            after = _gate_word(g.head)
            after = f"**{after}**" if g.worse else after
            parts.append(f"\n{self.record(g.card)}: {_md(_gate_word(g.base))} → {_md(after)}\n")
            changed, same = _gate_rows(g)
            if changed:
                parts.append("\n" + _table(
                    ["requirement", "criterion", "launch", "target", "before", "after"],
                    [self.gate_row(p) for p in changed],
                ))  # fmt: skip
            if same:
                more = "" if not changed else " more"
                parts.append(f"\n{same}{more} {'row' if same == 1 else 'rows'} unchanged.\n")
            issues = _issues_text(g)
            if issues:
                parts.append(f"\nAlso at head: {_md(issues)}.\n")
        return "".join(parts)

    def gate_row(self, pair: GateRowPair) -> list[str]:
        row = pair.row
        after = _row_cell(pair.after)
        after = f"**{after}**" if pair.after is not None and pair.after.verdict.is_error else after
        return [_md(row.requirement or "?"), _md(criterion_text(row)),
                _md(_bound(pair, "launch")), _md(_bound(pair, "target")),
                _md(_row_cell(pair.before)), _md(after)]  # fmt: skip


def markdown(report: Report, out: IO[str]) -> None:
    mark = "❌" if report.errors else "✅"
    out.write(f"{mark} **{_md(headline(report))}**\n\n")
    info = report.range
    out.write(f"<sub>{md_code(f'{info.base_ref}...{info.head_ref}')}: merge-base "
              f"`{info.merge_base[:12]}`, head `{info.head[:12]}`</sub>\n")  # fmt: skip
    for section in _Markdown(report).sections():
        out.write("\n" + section)
    for note in report.notes:
        out.write(f"\n> note: {_md(note)}\n")


# --- text --------------------------------------------------------------------------------------


def _columns(rows: Sequence[Sequence[str]]) -> Iterator[str]:
    rows = [[one_line(v) for v in r] for r in rows]  # record content: inert, one line
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    for r in rows:
        yield ("  " + "  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True))).rstrip()


def _text_sections(report: Report) -> Iterator[tuple[str, list[list[str]]]]:
    r = report.review
    yield "records", [[str(c.change), c.id, _status(c), c.path, _what(c)] for c in r.changes]
    yield (
        "status transitions",
        [[t.id, _steps(t), "allowed" if t.allowed else "NOT ALLOWED"] for t in r.transitions],
    )
    yield "thresholds", [_threshold_cells(th) for th in r.thresholds]
    yield (
        "results",
        [
            [d.card, d.label, _value(d.change.before), "->", _value(d.change.after), _delta_text(d)]
            for d in r.results
        ],
    )
    yield (
        "model reviews",
        [[m.id, str(m.change), m.status or "-", _reviewed(m), m.date or "-",
          ", ".join(m.roles) or "no participants", _found(m), _plural(m.actions, "action")]
         for m in r.reviews],
    )  # fmt: skip


def _threshold_cells(th: ThresholdChange) -> list[str]:
    why = ", ".join(th.decisions) or _unexplained(th, "NO DECISION")
    before, after = _threshold(th, th.before), _threshold(th, th.after)
    return [th.requirement, th.label, th.field, before, "->", after, _looser(th), why]


def _gate_cells(p: GateRowPair) -> list[str]:
    what = [
        p.row.requirement or "?",
        criterion_text(p.row),
        _bound(p, "launch"),
        _bound(p, "target"),
    ]
    return [*what, _row_cell(p.before), "->", _row_cell(p.after)]


def text(report: Report, out: IO[str]) -> None:
    for f in report.findings:
        out.write(f"{one_line(f.path)}:{f.line}:{f.col}: {f.code} {one_line(f.message)}\n")
    for title, rows in _text_sections(report):
        if rows:
            out.write(f"\n{title}:\n" + "\n".join(_columns(rows)) + "\n")
    for g in report.review.gates:
        out.write("\n" + one_line(f"launch gate {g.card}: {_gate_word(g.base)} -> "
                                   f"{_gate_word(g.head)}") + "\n")  # fmt: skip
        changed, same = _gate_rows(g)
        rows = [_gate_cells(p) for p in changed]
        if rows:
            out.write("\n".join(_columns(rows)) + "\n")
        if same:
            out.write(f"  ({same} unchanged)\n")
        issues = _issues_text(g)
        if issues:
            out.write(one_line(f"  also at head: {issues}") + "\n")
    for note in report.notes:
        out.write(f"\nnote: {one_line(note)}\n")
    out.write(("\n" if report.findings or report.review.changes else "") + one_line(headline(report))
              + "\n")  # fmt: skip


# --- github ------------------------------------------------------------------------------------

_GH_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def github(report: Report, out: IO[str]) -> None:
    """Annotations for the findings, then the plain text (GitHub shows ten per step)."""
    for f in report.findings:
        props = (f"file={escape_property(f.path)},line={f.line},col={f.col},"
                 f"title={escape_property(f.code)}")  # fmt: skip
        out.write(f"::{_GH_LEVEL[f.severity]} {props}::{escape_data(f.message)}\n")
    text(report, out)


# --- json --------------------------------------------------------------------------------------


def _number(value: object) -> object:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    return float(value) if isinstance(value, int | float) else str(value)


def _criterion(key: MatchKey) -> dict[str, object]:
    metric, dataset, split, slice_ = key
    return {"metric": metric, "dataset": dataset, "split": split, "slice": slice_}


def _record_json(c: RecordChange) -> dict[str, object]:
    return {
        "id": c.id,
        "kind": c.kind.value if c.kind else None,
        "change": str(c.change),
        "path": c.path,
        "renamed_from": c.renamed_from,
        "old_id": c.old_id,
        "status": {"base": c.status(c.base), "head": c.status(c.head)},
        "keys": list(c.keys),
        "body_changed": c.body_changed,
        "commits": list(c.commits),
    }


def _transition_json(t: Transition) -> dict[str, object]:
    return {
        "id": t.id, "path": t.path, "from": t.before, "to": t.after, "allowed": t.allowed,
        "steps": [{"from": s.before, "to": s.after, "commit": s.commit, "allowed": s.allowed}
                  for s in t.steps],
    }  # fmt: skip


def _threshold_json(th: ThresholdChange) -> dict[str, object]:
    return {
        "requirement": th.requirement, "path": th.path, **_criterion(th.key),
        "field": th.field, "before": _number(th.before), "after": _number(th.after),
        "direction": th.direction.value, "looser": th.looser, "decisions": list(th.decisions),
        "agreed": th.agreed, "explained": th.explained,
    }  # fmt: skip


def _result_json(d: MetricDelta) -> dict[str, object]:
    return {
        "card": d.card, "path": d.path, **_criterion(d.key),
        "before": _number(d.change.before), "after": _number(d.change.after), "delta": d.delta,
        "direction": d.change.direction.value if d.change.direction is not None else None,
        "trend": str(d.trend),
    }  # fmt: skip


def _side_json(side: GateSide | None) -> dict[str, object] | None:
    if side is None:
        return None
    return {"status": side.status, "gated": side.gated, "verdict": side.verdict,
            "issues": [{"code": code, "error": error, "subject": subject}
                       for code, error, subject in side.issues]}  # fmt: skip


def _row_json(row: Row | None) -> dict[str, object] | None:
    if row is None:
        return None
    return {"launch": _number(row.launch), "target": _number(row.target),
            "actual": _number(row.actual), "verdict": str(row.verdict),
            "ci_warning": row.ci_warning}  # fmt: skip


def _gate_json(g: GateChange) -> dict[str, object]:
    return {
        "card": g.card, "path": g.path, "base": _side_json(g.base), "head": _side_json(g.head),
        "rows": [{"requirement": p.row.requirement, "metric": p.row.metric,
                  "dataset": p.row.dataset, "split": p.row.split, "slice": p.row.slice,
                  "constraint": p.row.constraint, "direction": p.row.direction.value,
                  "changed": p.changed, "base": _row_json(p.before), "head": _row_json(p.after)}
                 for p in g.rows],
    }  # fmt: skip


def _model_review_json(m: ModelReviewChange) -> dict[str, object]:
    return {
        "id": m.id, "path": m.path, "change": str(m.change), "status": m.status, "card": m.card,
        "version": m.version, "date": m.date, "roles": list(m.roles),
        "failure_types": dict(m.failure_types), "actions": m.actions,
    }  # fmt: skip


def as_json(report: Report, out: IO[str]) -> None:
    """The stable structure (version 1), documented in docs/ci.md."""
    r, info = report.review, report.range
    doc = {
        "version": 1,
        "tool": {"name": "tracecard", "version": __version__},
        "range": {"base": {"ref": info.base_ref, "commit": info.base},
                  "head": {"ref": info.head_ref, "commit": info.head},
                  "merge_base": info.merge_base, "commits": info.commits,
                  "shallow": info.shallow},
        "verdict": report.verdict,
        "summary": {"error": report.errors, "warning": report.warnings, **counts(r)},
        "records": [_record_json(c) for c in r.changes],
        "transitions": [_transition_json(t) for t in r.transitions],
        "thresholds": [_threshold_json(th) for th in r.thresholds],
        "results": [_result_json(d) for d in r.results],
        "gates": [_gate_json(g) for g in r.gates],
        "model_reviews": [_model_review_json(m) for m in r.reviews],
        "findings": [{"path": f.path, "line": f.line, "column": f.col, "code": f.code,
                      "severity": f.severity.value, "message": f.message}
                     for f in report.findings],
        "notes": list(report.notes),
    }  # fmt: skip
    out.write(dumps_json(doc))


RENDERERS: dict[str, Callable[[Report, IO[str]], None]] = {
    "markdown": markdown,
    "github": github,
    "json": as_json,
    "text": text,
}
