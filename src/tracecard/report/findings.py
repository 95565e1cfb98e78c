"""Reporters: text, json, github and sarif. Each writes a lint result to a stream."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import IO
from urllib.parse import quote

from tracecard import __version__
from tracecard.model.findings import Finding, Severity
from tracecard.report.text import dumps_json, escape_data, escape_property, one_line, use_colour
from tracecard.rules.run import Result

_COLOURS = {Severity.ERROR: "31", Severity.WARNING: "33", Severity.INFO: "36"}


def _counts(result: Result) -> dict[str, int]:
    counts = {s.value: 0 for s in Severity}
    for d in result.diagnostics:
        counts[d.severity.value] += 1
    return counts


def summary(result: Result) -> str:
    c = _counts(result)
    sup = f"; {result.suppressed} suppressed by tracecard-ignore" if result.suppressed else ""
    if not result.diagnostics:
        return f"No findings in {_records(result.records)}{sup}."
    parts = [f"{c[s]} {s}{'s' if c[s] != 1 else ''}" for s in ("error", "warning", "info") if c[s]]
    return f"Found {', '.join(parts)} in {_records(result.records)}{sup}."


def _records(n: int) -> str:
    return f"{n} record" if n == 1 else f"{n} records"


def text(result: Result, out: IO[str]) -> None:
    colour = use_colour(out)
    for d in result.diagnostics:
        code = f"\x1b[{_COLOURS[d.severity]}m{d.code}\x1b[0m" if colour else d.code
        loc = f"\x1b[1m{one_line(d.path)}\x1b[0m" if colour else one_line(d.path)
        out.write(f"{loc}:{d.line}:{d.col}: {code} {one_line(d.message)}\n")
    out.write(summary(result) + "\n")


def as_json(result: Result, out: IO[str]) -> None:
    """The stable JSON structure (version 1), documented in docs/output.md."""
    doc = {
        "version": 1,
        "tool": {"name": "tracecard", "version": __version__},
        "records": result.records,
        "summary": {**_counts(result), "suppressed": result.suppressed},
        "diagnostics": [_json_diagnostic(d) for d in result.diagnostics],
    }
    out.write(dumps_json(doc))


def _json_diagnostic(d: Finding) -> dict[str, object]:
    entry: dict[str, object] = {
        "path": d.path,
        "line": d.line,
        "column": d.col,
        "code": d.code,
        "severity": d.severity.value,
        "message": d.message,
    }
    if d.commit is not None:
        entry["commit"] = d.commit
    return entry


_GH_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def github(result: Result, out: IO[str]) -> None:
    """Workflow commands for annotations, then the plain log (GitHub shows only 10 per step)."""
    for d in result.diagnostics:
        props = f"file={escape_property(d.path)},line={d.line},col={d.col},title={escape_property(d.code)}"
        out.write(f"::{_GH_LEVEL[d.severity]} {props}::{escape_data(d.message)}\n")
    for d in result.diagnostics:
        out.write(f"{one_line(d.path)}:{d.line}:{d.col}: {d.code} {one_line(d.message)}\n")
    out.write(summary(result) + "\n")


_SARIF_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def sarif(result: Result, out: IO[str]) -> None:
    """SARIF 2.1.0, with every rule's metadata, for GitHub code scanning."""
    from tracecard.rules.docs import all_docs

    docs = all_docs()
    index = {d.code: i for i, d in enumerate(docs)}
    rules = [
        {
            "id": d.code,
            "name": d.name,
            "shortDescription": {"text": d.summary},
            "fullDescription": {"text": " ".join(d.sections.get("Why it matters", d.summary).split())},
            "help": {"text": d.sections.get("Fix", ""), "markdown": d.sections.get("Fix", "")},
            "helpUri": f"https://github.com/tracecard/tracecard/blob/main/docs/rules/{d.code}.md",
            "defaultConfiguration": {"level": _SARIF_LEVEL[Severity(d.severity)]},
            "properties": {"tags": [d.family]},
        }
        for d in docs
    ]
    results = [_sarif_result(d, index) for d in result.diagnostics]
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "tracecard",
                        "version": __version__,
                        "informationUri": "https://github.com/tracecard/tracecard",
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": "./"}},
                "results": results,
            }
        ],
    }
    out.write(dumps_json(doc))


def _sarif_result(d: Finding, index: dict[str, int]) -> dict[str, object]:
    key = f"{d.code}\0{d.path}\0{d.message}".encode("utf-8", "surrogateescape")
    fingerprint = hashlib.sha256(key).hexdigest()[:32]
    res: dict[str, object] = {
        "ruleId": d.code,
        "level": _SARIF_LEVEL[d.severity],
        "message": {"text": d.message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": quote(d.path.encode("utf-8", "surrogateescape"), safe="/"), "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": d.line, "startColumn": d.col},
                }
            }
        ],
        "partialFingerprints": {"tracecardFinding/v1": fingerprint},
    }
    if d.code in index:
        res["ruleIndex"] = index[d.code]
    return res


REPORTERS: dict[str, Callable[[Result, IO[str]], None]] = {
    "text": text,
    "json": as_json,
    "github": github,
    "sarif": sarif,
}
