"""The launch gate as tables: text for a terminal, Markdown for a pull-request comment, JSON for
tools, GitHub workflow annotations. Renderers write; they decide nothing (see rules/launch.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import IO

from tracecard import __version__
from tracecard.gate.evaluate import CardReport, GateLine
from tracecard.gate.judge import Verdict
from tracecard.model.findings import Finding, Severity
from tracecard.report.text import (
    criterion_text,
    dumps_json,
    escape_data,
    escape_property,
    fmt_number,
    md,
    md_code,
    one_line,
    threshold_text,
    use_colour,
    value_text,
)

HEADERS = ("requirement", "criterion", "launch", "target", "actual", "verdict")

_VERDICT_COLOUR = {
    Verdict.PASS: "32",
    Verdict.BELOW_TARGET: "33",
    Verdict.FAIL: "31",
    Verdict.MISSING: "31",
}


def _ci_text(report: CardReport, line: GateLine) -> str:
    """The interval as the card writes it (`0.440` stays `0.440`)."""
    row = line.row
    if row.ci is None:
        return ""
    results = report.card.data.get("results")
    if isinstance(results, list) and row.result_index is not None:
        raw = results[row.result_index].get("ci")
        if isinstance(raw, list) and len(raw) == 2:
            return f" [{fmt_number(raw[0])}, {fmt_number(raw[1])}]"
    return f" [{row.ci[0]:g}, {row.ci[1]:g}]"


def cells(report: CardReport, line: GateLine) -> tuple[str, str, str, str, str, str]:
    row = line.row
    actual = value_text(row.actual) + _ci_text(report, line)
    verdict = str(row.verdict) + (" (CI)" if row.ci_warning else "")
    return (
        row.requirement or "?",
        criterion_text(row),
        threshold_text(row.launch, row.direction),
        threshold_text(row.target, row.direction),
        actual,
        verdict,
    )


def card_verdict(report: CardReport) -> str:
    """FAIL or PASS for a gated card; what it would be for one that is not gated."""
    if not report.gated:
        return f"not gated, would {'FAIL' if report.errors else 'PASS'}"
    return "FAIL" if report.failed else "PASS"


def _counts(report: CardReport) -> str:
    parts = [f"{report.errors} error{'s' * (report.errors != 1)}"] if report.errors else []
    if report.warnings:
        parts.append(f"{report.warnings} warning{'s' * (report.warnings != 1)}")
    return ", ".join(parts) or "no findings"


def summary(reports: Sequence[CardReport]) -> str:
    if not reports:
        return "No model cards to check."
    gated = [r for r in reports if r.gated]
    failed = sum(1 for r in gated if r.failed)
    shown = len(reports) - len(gated)
    text = f"{len(reports)} card{'s' * (len(reports) != 1)}: "
    text += f"{failed} failed the launch gate, {len(gated) - failed} passed"
    if shown:
        text += f", {shown} not gated (shown only)"
    return text + "."


# --- text ------------------------------------------------------------------------------------


def text(reports: Sequence[CardReport], out: IO[str], colour: bool | None = None) -> None:
    colour = use_colour(out) if colour is None else colour
    for i, report in enumerate(reports):
        if i:
            out.write("\n")
        _text_card(report, out, colour)
    out.write(("\n" if reports else "") + summary(reports) + "\n")


def _paint(code: str, s: str, colour: bool) -> str:
    return f"\x1b[{code}m{s}\x1b[0m" if colour else s


def _text_card(report: CardReport, out: IO[str], colour: bool) -> None:
    card = report.card
    out.write(_paint("1", one_line(f"{card.id}"), colour)
              + f" ({one_line(card.status or 'no status')})  {one_line(card.path)}\n")
    table = [HEADERS, *(tuple(one_line(c) for c in cells(report, line)) for line in report.lines)]
    widths = [max(len(r[c]) for r in table) for c in range(len(HEADERS))]
    for n, values in enumerate(table):
        padded = [v.ljust(w) for v, w in zip(values, widths, strict=True)]
        if n and colour:
            padded[-1] = _paint(_VERDICT_COLOUR[report.lines[n - 1].row.verdict], padded[-1], True)
        out.write(("  " + "  ".join(padded)).rstrip() + "\n")
    if not report.lines:
        out.write("  (no criteria to check)\n")
    for issue in report.findings:
        tone = "31" if issue.severity is Severity.ERROR and report.gated else "33"
        code = _paint(tone, issue.code, colour)
        out.write(f"  {one_line(issue.path)}:{issue.line}:{issue.col}: {code} {one_line(issue.message)}\n")
    for note in report.notes:
        out.write(f"  note: {note}\n")
    verdict = card_verdict(report)
    tone = "31" if report.failed else "32" if report.gated else "2"
    why = (f"; {one_line(report.card.status or 'no status')} cards never fail it"
           if not report.gated else "")  # fmt: skip
    out.write(f"  gate: {_paint(tone, verdict, colour)} ({_counts(report)}{why})\n")


# --- markdown --------------------------------------------------------------------------------


def _md(s: str) -> str:
    return md(s)


def markdown(reports: Sequence[CardReport], out: IO[str]) -> None:
    out.write("## Launch gate\n\n")
    out.write(f"**{summary(reports)}**\n")
    for report in reports:
        card = report.card
        out.write(f"\n### {_md(card.id or card.path)} ({_md(card.status or 'no status')}): "
                  f"{card_verdict(report)}\n\n{md_code(card.path)}\n\n")  # fmt: skip
        if report.lines:
            out.write("| " + " | ".join(HEADERS) + " |\n")
            out.write("|" + "---|" * len(HEADERS) + "\n")
            for line in report.lines:
                row = [_md(c) for c in cells(report, line)]
                row[-1] = f"**{row[-1]}**" if line.row.verdict.is_error else row[-1]
                out.write("| " + " | ".join(row) + " |\n")
        else:
            out.write("No criteria to check.\n")
        if report.findings or report.notes:
            out.write("\n")
        for issue in report.findings:
            out.write(f"- {issue.severity.value} **{issue.code}** "
                      f"{md_code(f'{issue.path}:{issue.line}')}: {_md(issue.message)}\n")  # fmt: skip
        for note in report.notes:
            out.write(f"- note: {_md(note)}\n")


# --- json ------------------------------------------------------------------------------------


def _number(value: object) -> object:
    """Numbers as plain floats (JSON has no `1.10`); levels and None as they are."""
    return float(value) if isinstance(value, int | float) else value


def _row_json(line: GateLine) -> dict[str, object]:
    row = line.row
    return {
        "requirement": row.requirement,
        "metric": row.metric,
        "dataset": row.dataset,
        "split": row.split,
        "slice": row.slice,
        "gated_slice": row.gated_slice,
        "constraint": row.constraint,
        "direction": row.direction.value,
        "launch": _number(row.launch),
        "target": _number(row.target),
        "actual": _number(row.actual),
        "ci": list(row.ci) if row.ci is not None else None,
        "verdict": str(row.verdict),
        "ci_warning": row.ci_warning,
        "path": line.path,
        "line": line.line,
        "column": line.col,
    }


def _issue_json(issue: Finding) -> dict[str, object]:
    return {
        "path": issue.path,
        "line": issue.line,
        "column": issue.col,
        "code": issue.code,
        "severity": issue.severity.value,
        "message": issue.message,
    }


def _card_json(report: CardReport) -> dict[str, object]:
    card = report.card
    return {
        "id": card.id,
        "path": card.path,
        "status": card.status,
        "gated": report.gated,
        "verdict": "FAIL" if report.failed else "PASS" if report.gated else None,
        "rows": [_row_json(line) for line in report.lines],
        "findings": [_issue_json(i) for i in report.findings],
        "notes": list(report.notes),
    }


def as_json(reports: Sequence[CardReport], out: IO[str]) -> None:
    gated = [r for r in reports if r.gated]
    doc = {
        "version": 1,
        "tool": {"name": "tracecard", "version": __version__},
        "summary": {
            "cards": len(reports),
            "gated": len(gated),
            "failed": sum(1 for r in gated if r.failed),
        },
        "cards": [_card_json(r) for r in reports],
    }
    out.write(dumps_json(doc))


# --- github ----------------------------------------------------------------------------------

_GH_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def github(reports: Sequence[CardReport], out: IO[str]) -> None:
    """Annotations for the gated cards' findings, then the plain tables (GitHub shows at most
    ten annotations per step)."""
    for report in reports:
        if not report.gated:
            continue
        for i in report.findings:
            props = (f"file={escape_property(i.path)},line={i.line},col={i.col},"
                     f"title={escape_property(i.code)}")  # fmt: skip
            out.write(f"::{_GH_LEVEL[i.severity]} {props}::{escape_data(i.message)}\n")
    text(reports, out, colour=False)


RENDERERS: dict[str, Callable[[Sequence[CardReport], IO[str]], None]] = {
    "text": text,
    "markdown": markdown,
    "json": as_json,
    "github": github,
}
