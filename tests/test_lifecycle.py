"""Status transitions, supersession and links: exact bytes, refusals, and all-or-nothing writes."""

from __future__ import annotations

import datetime
import difflib
import json
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
import yaml
from conftest import TODAY

from tracecard.cli import main
from tracecard.edit.lifecycle import INITIAL, REVERSE_RELS, TRANSITIONS
from tracecard.load import schemas
from tracecard.model.records import Kind
from tracecard.rules.registry import RULES

OLD = """\
---
# Written by hand, before tracecard.
id: ADR-0001
title: "Use two-tower retrieval"   # quoted on purpose
status: accepted  # agreed in the March review
date: 2026-03-09
decision-makers: [Tomás Ortega, 'Helen Park']
tags:
  - recommendations   # the team
  - architecture
x-review: {board: "ML council", quorum: 3}
---
# Use two-tower retrieval

## Context

Über-long sessions confuse the towers; naïve fixes did not help.

## Decision

We use a two-tower model.
"""

REQ = """\
---
id: REQ-0001
title: Relevant recommendations
status: draft
criteria:
  - {metric: precision@10, dataset: DS-holdout, split: holdout, launch: 0.25, target: 0.3}
task: {input: one session, output: ten products, items: products in stock}
---
# Relevant recommendations
"""

DATASET = """\
---
id: DS-holdout
status: ready
purpose: evaluation
---
# Holdout
"""


class Run(NamedTuple):
    code: int
    out: str
    err: str


Tc = Callable[..., Run]


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A git repository set up by `tracecard init`, holding the hand-written records above."""
    home = tmp_path / "home-must-not-be-written"
    monkeypatch.setattr(os, "fsync", lambda fd: None)  # durability is not under test; speed is
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    root = tmp_path / "repo"
    root.mkdir()
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(["git", "config", "user.name", "Ada Lovelace"], cwd=root, check=True)
    monkeypatch.chdir(root)
    assert main(["init"]) == 0
    write(root, "docs/decisions/0001-use-two-tower-retrieval.md", OLD)
    write(root, "docs/requirements/0001-relevant-recommendations.md", REQ)
    write(root, "docs/datasets/holdout.md", DATASET)
    yield root
    assert not home.exists(), "something wrote to the home folder"


@pytest.fixture
def tc(capsys: pytest.CaptureFixture[str]) -> Tc:
    def run(*argv: str) -> Run:
        capsys.readouterr()
        code = main(list(argv))
        out, err = capsys.readouterr()
        return Run(code, out, err)

    return run


def write(root: Path, rel: str, text: str, newline: str = "\n") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.replace("\n", newline).encode("utf-8"))
    return path


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def assert_checks(tc: Tc) -> None:
    res = tc("check", "--format", "json")
    errors = [d for d in json.loads(res.out)["diagnostics"] if d["severity"] == "error"]
    assert res.code == 0 and not errors, errors


def changed_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(True), after.splitlines(True), n=0)
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]


# -- the lifecycle table ----------------------------------------------------------------------


def test_transitions_cover_the_schema_statuses() -> None:
    for kind, lifecycle in TRANSITIONS.items():
        schema = schemas.kind_schema(kind)["properties"]["status"]
        enum = schema.get("enum") or next(b["enum"] for b in schema["anyOf"] if "enum" in b)
        assert set(lifecycle) == set(enum), kind
        assert INITIAL[kind] in lifecycle
        for source, targets in lifecycle.items():
            assert targets <= set(lifecycle) and source not in targets, (kind, source)
    assert set(TRANSITIONS) == set(Kind)


def test_reverse_relations_are_an_involution() -> None:
    for rel, back in REVERSE_RELS.items():
        assert REVERSE_RELS[back] == rel


# -- supersession -------------------------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_supersedes_changes_only_the_intended_lines(repo: Path, tc: Tc, newline: str) -> None:
    old = write(repo, "docs/decisions/0001-use-two-tower-retrieval.md", OLD, newline)
    res = tc("adr", "new", "Two-stage ranking", "--supersedes", "ADR-0001")
    assert res.code == 0 and res.out == "docs/decisions/0002-two-stage-ranking.md\n"
    expected = (
        OLD.replace("status: accepted  # agreed", "status: superseded  # agreed")
        .replace("date: 2026-03-09", f"date: {TODAY}")
        .replace("quorum: 3}\n---\n", "quorum: 3}\nsuperseded_by: ADR-0002\n---\n")
        .replace("\n", newline)
    )
    assert old.read_bytes() == expected.encode("utf-8")
    assert changed_lines(OLD, expected.replace(newline, "\n")) == [
        "-status: accepted  # agreed in the March review\n",
        "-date: 2026-03-09\n",
        "+status: superseded  # agreed in the March review\n",
        f"+date: {TODAY}\n",
        "+superseded_by: ADR-0002\n",
    ]
    new = (repo / "docs/decisions/0002-two-stage-ranking.md").read_text()
    assert "supersedes: [ADR-0001]\n" in new
    assert_checks(tc)


def test_supersede_command(repo: Path, tc: Tc) -> None:
    tc("adr", "new", "Two-stage ranking")
    new = repo / "docs/decisions/0002-two-stage-ranking.md"
    new_before = new.read_text()
    res = tc("adr", "supersede", "ADR-0001", "ADR-0002")
    assert res.code == 0
    assert changed_lines(new_before, new.read_text()) == ["+supersedes: [ADR-0001]\n"]
    assert "superseded_by: ADR-0002\n" in (repo / "docs/decisions/0001-use-two-tower-retrieval.md").read_text()
    assert_checks(tc)
    before = snapshot(repo)
    again = tc("adr", "supersede", "1", "2")
    assert again.code == 0 and "nothing changed" in again.out
    assert snapshot(repo) == before


def test_supersede_mends_a_half_written_supersession(repo: Path, tc: Tc) -> None:
    tc("adr", "new", "Two-stage ranking")
    old = repo / "docs/decisions/0001-use-two-tower-retrieval.md"
    old.write_text(OLD.replace("status: accepted", "status: superseded by ADR-0002"))
    assert tc("adr", "supersede", "ADR-0001", "ADR-0002").code == 0
    assert old.read_text() == OLD.replace("status: accepted", "status: superseded by ADR-0002")
    assert_checks(tc)


@pytest.mark.parametrize(
    ("argv", "why"),
    [
        (["adr", "supersede", "ADR-0001", "ADR-0001"], "itself"),
        (["adr", "supersede", "ADR-0002", "ADR-0001"], "proposed"),  # a proposal is not superseded
        (["adr", "supersede", "ADR-0001", "REQ-0001"], "not a decision"),
        (["adr", "supersede", "ADR-0001", "ADR-0077"], "unknown ID"),
        (["adr", "new", "Third", "--supersedes", "ADR-0002"], "proposed"),
    ],
)
def test_supersede_refusals(repo: Path, tc: Tc, argv: list[str], why: str) -> None:
    tc("adr", "new", "Two-stage ranking")
    before = snapshot(repo)
    res = tc(*argv)
    assert res.code == 2 and why in res.err and res.err.count("\n") == 1
    assert snapshot(repo) == before


def test_already_superseded_by_another(repo: Path, tc: Tc) -> None:
    tc("adr", "new", "Second", "--supersedes", "ADR-0001")
    tc("adr", "new", "Third")
    tc("adr", "accept", "3")
    before = snapshot(repo)
    res = tc("adr", "supersede", "ADR-0001", "ADR-0003")
    assert res.code == 2 and "already superseded by ADR-0002" in res.err
    assert snapshot(repo) == before


# -- links ------------------------------------------------------------------------------------


def test_link_both_ways(repo: Path, tc: Tc) -> None:
    req = repo / "docs/requirements/0001-relevant-recommendations.md"
    res = tc("adr", "link", "ADR-0001", "clarifies", "REQ-0001")
    assert res.code == 0
    # in the style of the record's other lists: block lists here
    assert changed_lines(REQ, req.read_text()) == ["+links:\n", "+  - rel: clarified-by\n", "+    id: ADR-0001\n"]
    adr = (repo / "docs/decisions/0001-use-two-tower-retrieval.md").read_text()
    assert changed_lines(OLD, adr) == ["+links:\n", "+  - rel: clarifies\n", "+    id: REQ-0001\n"]
    assert_checks(tc)
    before = snapshot(repo)
    assert "nothing changed" in tc("adr", "link", "1", "clarifies", "REQ-1").out
    assert snapshot(repo) == before


def test_link_refusals_leave_files_alone(repo: Path, tc: Tc) -> None:
    before = snapshot(repo)
    for argv in (
        ["adr", "link", "ADR-0001", "supersedes", "REQ-0001"],
        ["adr", "link", "ADR-0001", "likes", "REQ-0001"],
        ["adr", "link", "REQ-0001", "amends", "ADR-0001"],  # SRC must be a decision
        ["adr", "link", "ADR-0001", "amends", "ADR-0001"],
        ["adr", "link", "ADR-0001", "amends", "MC-nothing"],
    ):
        res = tc(*argv)
        assert res.code == 2 and res.err.count("\n") == 1, argv
    assert snapshot(repo) == before


# -- transitions ------------------------------------------------------------------------------


def test_accept(repo: Path, tc: Tc) -> None:
    tc("adr", "new", "Two-stage ranking")
    path = repo / "docs/decisions/0002-two-stage-ranking.md"
    before = path.read_text()
    res = tc("adr", "accept", "ADR-0002")
    assert res.out == "ADR-0002: proposed -> accepted (docs/decisions/0002-two-stage-ranking.md)\n"
    assert changed_lines(before, path.read_text()) == ["-status: proposed\n", "+status: accepted\n"]
    assert_checks(tc)
    again = tc("adr", "accept", "ADR-0002")
    assert again.code == 0 and "already accepted" in again.out


def test_accept_sets_the_date(repo: Path, tc: Tc) -> None:
    path = write(repo, "docs/decisions/0002-x.md", "---\nstatus: proposed\ndate: 2026-01-02\n---\n"
                 "# X\n\n## Context\n\nC.\n\n## Decision\n\nD.\n")  # fmt: skip
    assert tc("adr", "reject", "2").code == 0
    assert path.read_text().startswith(f"---\nstatus: rejected\ndate: {TODAY}\n---\n")


def test_decision_without_status_is_read_as_proposed(repo: Path, tc: Tc) -> None:
    """MADR makes every key optional; the status goes after the last key."""
    path = write(repo, "docs/decisions/0002-x.md", "---\ndeciders: ann, bob\n---\n# X\n\n## Context\n\nC.\n\n## Decision\n\nD.\n")
    assert tc("adr", "accept", "ADR-0002").code == 0
    assert path.read_text().startswith(f"---\ndeciders: ann, bob\nstatus: accepted\ndate: {TODAY}\n---\n# X\n")


@pytest.mark.parametrize(
    ("rel", "text", "argv"),
    [
        ("docs/decisions/0002-x.md", "status: rejected", ["adr", "accept", "ADR-0002"]),
        ("docs/decisions/0002-x.md", "status: proposed", ["adr", "deprecate", "ADR-0002"]),
        ("docs/decisions/0002-x.md", "status: accepted", ["adr", "reject", "ADR-0002"]),
        ("docs/decisions/0002-x.md", "status: superseded by ADR-0001", ["adr", "accept", "ADR-0002"]),
        ("docs/decisions/0002-x.md", "status: on hold", ["adr", "accept", "ADR-0002"]),
        ("docs/model-cards/ranker.md", "status: draft", ["card", "promote", "MC-ranker", "--to", "production"]),
        ("docs/model-cards/ranker.md", "status: production", ["card", "promote", "ranker", "--to", "candidate"]),
        ("docs/datasets/labels.md", "status: retired", ["dataset", "promote", "DS-labels", "--to", "ready"]),
        ("docs/requirements/0002-x.md", "status: retired", ["req", "agree", "REQ-0002"]),
    ],
)
def test_refused_transitions_leave_files_byte_identical(repo: Path, tc: Tc, rel: str, text: str,
                                                        argv: list[str]) -> None:  # fmt: skip
    body = "# X\n\n## Context\n\nC.\n\n## Decision\n\nD.\n\n## Intended Use\n\nU.\n\n## Evaluation Data\n\nE.\n"
    write(repo, rel, f"---\n{text}   # keep me\n---\n{body}", newline="\r\n")
    before = snapshot(repo)
    res = tc(*argv)
    assert res.code == 2 and res.out == "" and res.err.count("\n") == 1
    assert snapshot(repo) == before


def test_unknown_and_wrong_kind_ids(repo: Path, tc: Tc) -> None:
    before = snapshot(repo)
    unknown = tc("adr", "accept", "ADR-0042")
    assert unknown.code == 2 and unknown.err == "tracecard: error: unknown ID 'ADR-0042': no record has it (`tracecard adr list`)\n"
    wrong = tc("req", "agree", "ADR-0001")
    assert wrong.code == 2 and wrong.err == "tracecard: error: ADR-0001 is a decision, not a requirement\n"
    assert tc("card", "promote", "DS-holdout", "--to", "candidate").code == 2
    assert snapshot(repo) == before


def test_bom_crlf_and_non_ascii_survive_an_accept(repo: Path, tc: Tc) -> None:
    text = "---\r\nstatus: 'proposed'   # ‘quoted’\r\ndate: 2026-01-02\r\n---\r\n# Größe\r\n\r\n" \
        "## Context\r\n\r\nÆ.\r\n\r\n## Decision\r\n\r\nØ.\r\n"
    path = repo / "docs/decisions/0002-grosse.md"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert tc("adr", "accept", "ADR-0002").code == 0
    expected = text.replace("'proposed'", "'accepted'").replace("2026-01-02", TODAY)
    assert path.read_bytes() == b"\xef\xbb\xbf" + expected.encode("utf-8")


def test_adr_tools_record_without_front_matter_is_refused(repo: Path, tc: Tc) -> None:
    write(repo, "docs/decisions/0002-adr-tools.md", "# 2. Adr tools\n\nDate: 2020-01-01\n\n## Status\n\nAccepted\n")
    before = snapshot(repo)
    res = tc("adr", "new", "Third", "--supersedes", "2")
    assert res.code == 2 and "no front matter" in res.err and res.err.count("\n") == 1
    assert snapshot(repo) == before


def test_unparseable_record_is_refused(repo: Path, tc: Tc) -> None:
    write(repo, "docs/decisions/0002-broken.md", "---\nid: ADR-0002\nstatus: [proposed\n---\n# Broken\n")
    before = snapshot(repo)
    res = tc("adr", "accept", "ADR-0002")
    assert res.code == 2 and res.err.count("\n") == 1
    assert snapshot(repo) == before


def test_other_lifecycles(repo: Path, tc: Tc) -> None:
    assert tc("req", "agree", "REQ-1").out == (
        "REQ-0001: draft -> agreed (docs/requirements/0001-relevant-recommendations.md)\n"
    )
    assert tc("req", "reopen", "REQ-0001").code == 0
    tc("card", "new", "Ranker")
    assert tc("card", "promote", "ranker", "--to", "candidate").code == 2  # GAT014: incomplete
    card = repo / "docs/model-cards/ranker.md"
    card.write_text(card.read_text().replace(
        "training_data: []\n",
        "training_data: [DS-holdout]\nfailure_modes: [{description: Cold start., severity: low}]\n",
    ))  # fmt: skip
    assert tc("card", "promote", "ranker", "--to", "candidate").code == 0
    assert tc("card", "promote", "MC-ranker", "--to", "draft").code == 0
    tc("dataset", "new", "Click logs")
    for status in ("labeling", "ready", "retired"):
        assert tc("dataset", "promote", "DS-click-logs", "--to", status).code == 0
    assert "status: retired\n" in (repo / "docs/datasets/click-logs.md").read_text()
    assert "date:" not in (repo / "docs/model-cards/ranker.md").read_text().split("---")[1]
    assert_checks(tc)


def test_agree_by_records_both_sides_with_today(repo: Path, tc: Tc) -> None:
    path = repo / "docs/requirements/0001-relevant-recommendations.md"
    assert tc("req", "agree", "REQ-1", "--by", "ml:Priya Nair").code == 0
    data = yaml.safe_load(path.read_text().split("---")[1])
    assert data["status"] == "agreed"
    assert data["agreed_by"] == [
        {"name": "Priya Nair", "role": "ml", "date": datetime.date(2026, 6, 15)}
    ]
    # the other side signs later: no status change, the sign-off is added; twice is once
    for _ in range(2):
        assert tc("req", "agree", "REQ-0001", "--by", "product: Ana  Ruiz").code == 0
    data = yaml.safe_load(path.read_text().split("---")[1])
    assert [(e["role"], e["name"]) for e in data["agreed_by"]] == [
        ("ml", "Priya Nair"), ("product", "Ana Ruiz")
    ]
    assert_checks(tc)


@pytest.mark.parametrize("by", ["boss:Ana", "product:", "Ana", "ml:A\x1bB"])
def test_agree_by_refuses_a_bad_sign_off(repo: Path, tc: Tc, by: str) -> None:
    before = snapshot(repo)
    res = tc("req", "agree", "REQ-1", "--by", by.replace("\\x1b", "\x1b"))
    assert res.code == 2
    assert snapshot(repo) == before


def test_agree_is_refused_when_the_check_would_fail(repo: Path, tc: Tc) -> None:
    if "REQ007" not in RULES:
        pytest.skip("the requirements rules are not in this tree")
    write(repo, "docs/requirements/0002-empty.md", "---\nstatus: draft\n---\n# Empty\n")
    before = snapshot(repo)
    res = tc("req", "agree", "REQ-0002")
    assert res.code == 2 and "REQ007" in res.err and "nothing written" in res.err
    assert snapshot(repo) == before


# -- all or nothing ---------------------------------------------------------------------------


def fail_second_replace(monkeypatch: pytest.MonkeyPatch, exc: BaseException) -> list[str]:
    """The second file of a change fails to move into place (`os.replace` for a changed file,
    `os.link` for a new one: the two share one count)."""
    calls: list[str] = []
    real_replace, real_link = os.replace, os.link

    def flaky(real):  # type: ignore[no-untyped-def]
        def move(src: str, dst: str) -> None:
            calls.append(str(dst))
            if len(calls) == 2:
                raise exc
            real(src, dst)
        return move

    monkeypatch.setattr(os, "replace", flaky(real_replace))
    monkeypatch.setattr(os, "link", flaky(real_link))
    return calls


@pytest.mark.parametrize(
    ("exc", "code"), [(OSError(28, "No space left on device"), 2), (KeyboardInterrupt(), 130)]
)
def test_second_write_failing_puts_the_first_back(repo: Path, tc: Tc, monkeypatch: pytest.MonkeyPatch,
                                                  exc: BaseException, code: int) -> None:  # fmt: skip
    before = snapshot(repo)
    calls = fail_second_replace(monkeypatch, exc)
    res = tc("adr", "new", "Two-stage ranking", "--supersedes", "ADR-0001")
    assert res.code == code
    assert len(calls) >= 2
    assert snapshot(repo) == before
    assert not any(p.name.endswith(".tmp") for p in (repo / "docs/decisions").iterdir())


def test_link_second_write_failing(repo: Path, tc: Tc, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(repo)
    fail_second_replace(monkeypatch, OSError(5, "Input/output error"))
    res = tc("adr", "link", "ADR-0001", "relates-to", "REQ-0001")
    assert res.code == 2 and "unchanged" in res.err
    assert snapshot(repo) == before
