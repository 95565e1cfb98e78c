"""Reporters: the JSON structure, GitHub workflow commands, SARIF 2.1.0."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tracecard.cli import main
from tracecard.model.findings import Finding, Severity
from tracecard.report.findings import (
    REPORTERS,
    as_json,
    escape_data,
    escape_property,
    github,
    sarif,
    text,
)
from tracecard.rules.registry import RULES
from tracecard.rules.run import Result

DIAGS = [
    Finding("docs/decisions/0001-a.md", 4, 9, "SCH001", Severity.ERROR, "status: 'acepted' is not one of ..."),
    Finding("docs/datasets/holdout.md", 12, 1, "BDY003", Severity.WARNING, "template placeholder 'TODO' left in"),
    Finding("docs/model-cards/fraud.md", 7, 3, "LNK005", Severity.WARNING, "decisions names ADR-0002, which is superseded"),
]
RESULT = Result(DIAGS, 2, 17)


def render(fn, result: Result) -> str:  # noqa: ANN001 - a reporter
    out = io.StringIO()
    fn(result, out)
    return out.getvalue()


def test_reporters_table() -> None:
    assert set(REPORTERS) == {"text", "json", "github", "sarif"}


# --- text ---------------------------------------------------------------------------------


def test_text_lines_and_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    out = render(text, RESULT).splitlines()
    assert out[0] == "docs/decisions/0001-a.md:4:9: SCH001 status: 'acepted' is not one of ..."
    assert len(out) == 4
    assert "1 error" in out[-1] and "2 warnings" in out[-1] and "17 records" in out[-1]
    assert "\x1b" not in "".join(out)


# --- json ---------------------------------------------------------------------------------


def test_json_structure() -> None:
    doc = json.loads(render(as_json, RESULT))
    assert doc["version"] == 1
    assert doc["tool"]["name"] == "tracecard" and isinstance(doc["tool"]["version"], str)
    assert doc["records"] == 17
    assert doc["summary"] == {"error": 1, "warning": 2, "info": 0, "suppressed": 2}
    assert [set(d) for d in doc["diagnostics"]] == [
        {"path", "line", "column", "code", "severity", "message"}
    ] * 3
    first = doc["diagnostics"][0]
    assert first == {
        "path": "docs/decisions/0001-a.md",
        "line": 4,
        "column": 9,
        "code": "SCH001",
        "severity": "error",
        "message": "status: 'acepted' is not one of ...",
    }
    assert [d["severity"] for d in doc["diagnostics"]] == ["error", "warning", "warning"]


def test_json_of_a_clean_result() -> None:
    doc = json.loads(render(as_json, Result([], 0, 3)))
    assert doc["diagnostics"] == []
    assert doc["summary"] == {"error": 0, "warning": 0, "info": 0, "suppressed": 0}


def test_json_keeps_non_ascii() -> None:
    d = Finding("docs/datasets/café.md", 1, 1, "PAR001", Severity.ERROR, "naïve ✓")
    out = render(as_json, Result([d], 0, 1))
    assert json.loads(out)["diagnostics"][0]["path"] == "docs/datasets/café.md"


# --- github -------------------------------------------------------------------------------

NASTY = Finding(
    "docs/model-cards/a,b:c.md", 3, 5, "SCH001", Severity.ERROR, "first line\nsecond 100% done\r\nthird"
)


def test_escape_functions() -> None:
    assert escape_data("a%b\r\nc") == "a%25b%0D%0Ac"
    assert escape_property("a%b:c,d\ne") == "a%25b%3Ac%2Cd%0Ae"


def test_github_workflow_command_is_escaped() -> None:
    out = render(github, Result([NASTY], 0, 1))
    first = out.split("\n", 1)[0]
    assert first == (
        "::error file=docs/model-cards/a%2Cb%3Ac.md,line=3,col=5,title=SCH001"
        "::first line%0Asecond 100%25 done%0D%0Athird"
    )


def test_github_levels() -> None:
    diags = [
        DIAGS[0],
        DIAGS[1],
        Finding("docs/x.md", 1, 1, "LNK005", Severity.INFO, "note"),
    ]
    lines = [ln for ln in render(github, Result(diags, 0, 3)).splitlines() if ln.startswith("::")]
    assert [ln.split(" ", 1)[0] for ln in lines] == ["::error", "::warning", "::notice"]
    assert lines[0].startswith("::error file=docs/decisions/0001-a.md,line=4,col=9,title=SCH001::")


def test_github_output_has_one_workflow_command_per_finding() -> None:
    evil = Finding("docs/x.md", 2, 1, "SCH001", Severity.ERROR, "key 'a\n::error file=README.md::pwned'")
    out = render(github, Result([evil], 0, 1))
    commands = [ln for ln in out.splitlines() if ln.startswith("::")]
    assert len(commands) == 1


# --- sarif --------------------------------------------------------------------------------


def sarif_doc(result: Result) -> dict:
    return json.loads(render(sarif, result))


def check_sarif(doc: dict) -> None:
    """The parts of the SARIF 2.1.0 schema that code scanning relies on."""
    assert doc["version"] == "2.1.0"
    assert "sarif" in doc["$schema"] and "2.1.0" in doc["$schema"]
    assert isinstance(doc["runs"], list) and len(doc["runs"]) == 1
    run = doc["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "tracecard"
    rules = driver["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids)), "rule ids must be unique"
    for rule in rules:
        assert re.fullmatch(r"[A-Z]{3}\d{3}", rule["id"])
        assert isinstance(rule["shortDescription"]["text"], str) and rule["shortDescription"]["text"]
        assert rule.get("defaultConfiguration", {}).get("level", "warning") in ("none", "note", "warning", "error")
    for res in run["results"]:
        assert res["ruleId"] in ids
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]
        assert res["level"] in ("none", "note", "warning", "error")
        assert isinstance(res["message"]["text"], str) and res["message"]["text"]
        assert res["locations"], "code scanning needs a location"
        for loc in res["locations"]:
            phys = loc["physicalLocation"]
            uri = phys["artifactLocation"]["uri"]
            assert not uri.startswith("/") and "\\" not in uri and not urlsplit(uri).scheme
            base = phys["artifactLocation"].get("uriBaseId")
            if base is not None:
                assert base in run.get("originalUriBaseIds", {})
            region = phys["region"]
            assert isinstance(region["startLine"], int) and region["startLine"] >= 1
            assert isinstance(region["startColumn"], int) and region["startColumn"] >= 1


def test_sarif_structure() -> None:
    doc = sarif_doc(RESULT)
    check_sarif(doc)
    results = doc["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["SCH001", "BDY003", "LNK005"]
    assert [r["level"] for r in results] == ["error", "warning", "warning"]
    loc = results[0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "docs/decisions/0001-a.md"
    assert loc["region"] == {"startLine": 4, "startColumn": 9}


def test_sarif_carries_every_rule() -> None:
    doc = sarif_doc(Result([], 0, 0))
    check_sarif(doc)
    assert set(RULES) <= {r["id"] for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert doc["runs"][0]["results"] == []


def test_sarif_fingerprints_are_stable_and_distinct() -> None:
    a = sarif_doc(RESULT)["runs"][0]["results"]
    b = sarif_doc(RESULT)["runs"][0]["results"]
    assert [r.get("partialFingerprints") for r in a] == [r.get("partialFingerprints") for r in b]
    prints = [json.dumps(r.get("partialFingerprints"), sort_keys=True) for r in a]
    assert len(set(prints)) == len(prints)


def test_sarif_uri_is_percent_encoded() -> None:
    d = Finding("docs/model-cards/fraud v2 100%.md", 1, 1, "PAR001", Severity.ERROR, "no front matter")
    uri = sarif_doc(Result([d], 0, 1))["runs"][0]["results"][0]["locations"][0]["physicalLocation"][
        "artifactLocation"
    ]["uri"]
    assert uri == "docs/model-cards/fraud%20v2%20100%25.md"


# --- end to end ---------------------------------------------------------------------------


@pytest.fixture
def broken_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "tracecard.toml").write_text("[tracecard]\n")
    folder = tmp_path / "docs" / "decisions"
    folder.mkdir(parents=True)
    (folder / "0001-use-x.md").write_text(
        "---\nid: ADR-0001\nstatus: acepted\n---\n# Use X\n\n## Context\n\nWhy.\n\n## Decision\n\nTODO\n"
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    return tmp_path


def test_check_format_sarif_end_to_end(broken_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--format", "sarif"]) == 1
    doc = json.loads(capsys.readouterr().out)
    check_sarif(doc)
    got = {(r["ruleId"], r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in doc["runs"][0]["results"]}
    assert ("SCH001", 3) in got and ("BDY003", 13) in got


def test_check_format_json_end_to_end(broken_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["summary"]["error"] >= 1 and doc["records"] == 1
    assert {"path": "docs/decisions/0001-use-x.md", "line": 3, "code": "SCH001"}.items() <= {
        k: v for k, v in doc["diagnostics"][0].items() if k in ("path", "line", "code")
    }.items()


def test_check_format_github_end_to_end(broken_repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--format", "github"]) == 1
    out = capsys.readouterr().out
    assert "::error file=docs/decisions/0001-use-x.md,line=3,col=9,title=SCH001::" in out
