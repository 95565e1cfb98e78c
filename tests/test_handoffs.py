"""The handoffs between product and ML (issue 13) seen end to end: a gated slice fails the
gate whatever the aggregate says, a labeling due date that slips shows as a slip in `history`
and `review`, and the configuration's `today` is the day a repository is checked as of."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.gitscratch import Scratch
from tracecard.cli import main
from tracecard.gate.judge import Verdict, gate_card, gated_edge_cases
from tracecard.model import clock

REQUIREMENT = {
    "status": "agreed",
    "criteria": [
        {"metric": "precision", "dataset": "DS-h", "split": "test", "launch": 0.9,
         "target": 0.93, "slices": ["gift_cards"]},
    ],
}  # fmt: skip


def _result(value: float, slice_: str | None = None) -> dict[str, object]:
    out: dict[str, object] = {"metric": "precision", "dataset": "DS-h", "split": "test",
                              "value": value}  # fmt: skip
    if slice_:
        out["slice"] = slice_
    return out


def _verdicts(card: dict[str, object], gated: dict[str, list[str]] | None = None) -> list[tuple]:
    rows = gate_card(card, {"REQ-1": REQUIREMENT}, gated_slices=gated).rows
    return [(r.slice, r.verdict, r.gated_slice) for r in rows]


def test_a_gated_slice_fails_whatever_the_aggregate_says() -> None:
    card = {"satisfies": ["REQ-1"], "results": [_result(0.94), _result(0.61, "gift_cards")]}
    assert _verdicts(card) == [(None, Verdict.PASS, False), ("gift_cards", Verdict.FAIL, True)]


def test_a_gated_slice_without_a_result_is_missing() -> None:
    card = {"satisfies": ["REQ-1"], "results": [_result(0.94)]}
    assert _verdicts(card)[1] == ("gift_cards", Verdict.MISSING, True)


def test_gated_edge_cases_of_the_dataset_are_held_too_once_each() -> None:
    datasets = {"DS-h": {"edge_cases": [{"name": "gift_cards", "gated": True},
                                        {"name": "first_order", "gated": True},
                                        {"name": "mobile"}, "plain"]}}  # fmt: skip
    gated = gated_edge_cases(datasets)
    assert gated == {"DS-h": ["gift_cards", "first_order"]}
    card = {"satisfies": ["REQ-1"], "results": [_result(0.94), _result(0.95, "gift_cards"),
                                                _result(0.92, "first_order")]}  # fmt: skip
    assert _verdicts(card, gated) == [
        (None, Verdict.PASS, False),
        ("gift_cards", Verdict.PASS, True),
        ("first_order", Verdict.BELOW_TARGET, True),
    ]


def test_a_criterion_on_a_slice_holds_no_further_slices() -> None:
    req = {"status": "agreed", "criteria": [{**REQUIREMENT["criteria"][0], "slice": "mobile"}]}
    card = {"satisfies": ["REQ-1"], "results": [_result(0.95, "mobile")]}
    rows = gate_card(card, {"REQ-1": req}).rows
    assert [(r.slice, r.verdict) for r in rows] == [("mobile", Verdict.PASS)]


DATASET = """\
---
id: DS-fraud-holdout
title: Fraud holdout
status: labeling
purpose: evaluation
labeling:
  owner: Marta
  due: 2026-03-01
---
# Fraud holdout
"""
DS_PATH = "docs/datasets/fraud-holdout.md"


@pytest.fixture
def slipping(tmp_path: Path) -> Scratch:
    repo = Scratch(tmp_path / "repo")
    repo.write("tracecard.toml", "# scratch\n")
    repo.write(DS_PATH, DATASET)
    repo.commit("Plan the labeling", "Marta")
    repo.replace(DS_PATH, "due: 2026-03-01", "due: 2026-04-15")
    repo.commit("Labeling slips", "Marta")
    repo.replace(DS_PATH, "due: 2026-04-15", "due: 2026-05-30")
    repo.replace(DS_PATH, "owner: Marta", "owner: Marta Kowalski")
    repo.commit("Labeling slips again", "Marta")
    return repo


def test_history_shows_each_slip_of_a_due_date(
    slipping: Scratch, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(slipping.path)
    assert main(["history", "DS-fraud-holdout", "--format", "json"]) == 0
    events = json.loads(capsys.readouterr().out)["events"]
    slips = [(e["before"], e["after"]) for e in events if e["event"] == "slipped"]
    assert slips == [("2026-03-01", "2026-04-15"), ("2026-04-15", "2026-05-30")]
    # the owner changed in the second slip's commit too: still shown as an edit
    assert any(e["event"] == "edited" and "labeling" in e["what"] for e in events)
    assert main(["history", "DS-fraud-holdout"]) == 0
    text = capsys.readouterr().out
    assert text.count("slipped") == 2


def test_review_names_the_slip(
    slipping: Scratch, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(slipping.path)
    base = slipping.git("rev-list", "--max-parents=0", "HEAD").strip()
    main(["review", "--base", base, "--format", "markdown"])
    out = capsys.readouterr().out
    assert "due date slipped 2026-03-01" in out and "2026-05-30" in out


def test_configured_today_is_used_unless_the_run_sets_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "tracecard.toml").write_text("today = 2026-02-01\n")
    (tmp_path / "docs/datasets").mkdir(parents=True)
    (tmp_path / DS_PATH).write_text(DATASET)
    (tmp_path / "docs/requirements").mkdir(parents=True)
    (tmp_path / "docs/requirements/0001-r.md").write_text(
        "---\nid: REQ-0001\nstatus: agreed\ncriteria:\n"
        "  - {metric: recall, dataset: DS-fraud-holdout, launch: 0.6, target: 0.7}\n---\n# R\n"
    )
    monkeypatch.delenv(clock.ENV, raising=False)
    clock.set_today(None)
    main(["check", str(tmp_path), "--select", "DAT002", "--format", "json"])
    assert json.loads(capsys.readouterr().out)["diagnostics"] == []  # due 03-01, today 02-01
    main(["--today", "2026-06-15", "check", str(tmp_path), "--select", "DAT002", "--format", "json"])
    found = json.loads(capsys.readouterr().out)["diagnostics"]
    assert [(d["code"], d["line"]) for d in found] == [("DAT002", 8)]
    (tmp_path / "tracecard.toml").write_text("today = 'June'\n")
    clock.set_today(None)
    assert main(["check", str(tmp_path)]) == 2
