"""`tracecard review` on scripted pull requests in real git repositories made in tmp_path."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import gitscratch
import pytest

from tracecard.cli import main

REQ = "docs/requirements/0001-fraud-precision.md"
CARD = "docs/model-cards/fraud.md"
ADR = "docs/decisions/0001-precision-first.md"
ADR2 = "docs/decisions/0002-lower-the-bar.md"
DS = "docs/datasets/holdout.md"


class Scratch(gitscratch.Scratch):
    """Commits an hour apart, in a repository with a tracecard.toml."""

    def __init__(self, path: Path) -> None:
        path.mkdir(parents=True, exist_ok=True)
        # MRV001 (a production card's last model review) depends on the day, not on the change
        (path / "tracecard.toml").write_text('ignore = ["MRV001"]\n')
        super().__init__(path)


def front(fields: dict[str, Any], title: str = "Title") -> str:
    return "---\n" + "".join(f"{k}: {v}\n" for k, v in fields.items()) + f"---\n# {title}\n"


#: What an agreed requirement states besides its criteria (REQ009-REQ012), after the lines
#: the tests point at.
SIGNED = (
    "task: {input: one order, output: a fraud score, range: [0, 1]}\nconstraints: {}\n"
    "agreed_by: [{name: Ana, role: product}, {name: Priya, role: ml}]\n"
)
#: What a gated card needs besides its results (GAT014).
COMPLETE = (
    "training_data: [DS-train]\n"
    "failure_modes: [{description: Misses new fraud rings., severity: low}]\n"
)


def requirement(launch: str = "0.80", target: str = "0.81", decisions: str = "[ADR-0001]",
                status: str = "agreed") -> str:  # fmt: skip
    return (
        f"---\nid: REQ-0001\nstatus: {status}\nproduct_requirement: Block fraud.\n"
        "criteria:\n  - metric: precision\n    dataset: DS-holdout\n    split: test\n"
        f"    launch: {launch}\n    target: {target}\n"
        f"decisions: {decisions}\n{SIGNED}---\n# Fraud precision\n"
    )


def card(value: str = "0.85", status: str = "candidate") -> str:
    return (
        f"---\nid: MC-fraud\nstatus: {status}\nsatisfies: [REQ-0001]\nresults:\n"
        "  - metric: precision\n    dataset: DS-holdout\n    split: test\n"
        f"    value: {value}\n{COMPLETE}---\n# Fraud detector\n"
        "\n## Intended Use\n\nScores orders.\n\n## Evaluation Data\n\nThe holdout.\n"
    )


def decision(ident: str, status: str = "accepted") -> str:
    return front({"id": ident, "status": status, "date": "2024-01-01"}) + (
        "\n## Context\n\nFraud costs.\n\n## Decision\n\nPrecision first.\n"
    )


def dataset(status: str = "ready") -> str:
    return front({"id": "DS-holdout", "status": status, "purpose": "evaluation",
                  "composition": "{includes_production_sample: true, production_sample_date: 2026-05-01}"})


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Scratch:
    """main holds one of each kind; the test branches `topic` off it."""
    scratch = Scratch(tmp_path / "repo")
    scratch.write(REQ, requirement())
    scratch.write(CARD, card())
    scratch.write(ADR, decision("ADR-0001"))
    scratch.write(DS, dataset())
    scratch.write("docs/datasets/train.md", front({"id": "DS-train", "status": "ready",
                                                   "purpose": "training"}))
    scratch.commit("Records")
    scratch.git("checkout", "-q", "-b", "topic")
    monkeypatch.chdir(scratch.path)
    monkeypatch.delenv("TRACECARD_DEBUG", raising=False)
    return scratch


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["review", *args])
    out, err = capsys.readouterr()
    return code, out, err


def review_json(
    capsys: pytest.CaptureFixture[str], *args: str, base: str = "main"
) -> tuple[int, dict[str, Any]]:
    code, out, _ = run(capsys, "--base", base, "--format", "json", *args)
    return code, json.loads(out)


def codes(doc: dict[str, Any]) -> list[tuple[str, str, int]]:
    return [(f["code"], f["path"], f["line"]) for f in doc["findings"]]


def line_of(repo: Scratch, rel: str, needle: str) -> int:
    lines = (repo.path / rel).read_text().splitlines()
    return next(i for i, text in enumerate(lines, 1) if needle in text)


# --- what the range changes ------------------------------------------------------------------


def test_added_record_is_new_and_clean(repo: Scratch, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write(ADR2, decision("ADR-0002", "proposed"))
    repo.commit("Propose ADR-0002")
    code, doc = review_json(capsys)
    assert code == 0 and doc["verdict"] == "PASS" and doc["findings"] == []
    assert [(r["id"], r["change"], r["status"]) for r in doc["records"]] == [
        ("ADR-0002", "added", {"base": None, "head": "proposed"})
    ]
    assert doc["range"]["commits"] == 1 and doc["summary"]["added"] == 1


def test_threshold_lowered_without_decision_is_an_error_at_the_value(
    repo: Scratch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write(REQ, requirement(launch="0.75"))
    repo.commit("Lower the launch bar")
    code, doc = review_json(capsys)
    assert code == 1 and doc["verdict"] == "FAIL"
    assert codes(doc) == [("HIS003", REQ, line_of(repo, REQ, "launch: 0.75"))]
    (th,) = doc["thresholds"]
    assert (th["requirement"], th["field"], th["before"], th["after"]) == (
        "REQ-0001",
        "launch",
        0.8,
        0.75,
    )
    assert th["looser"] is True and th["decisions"] == []


def test_threshold_changed_with_a_decision_is_explained(
    repo: Scratch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write(ADR2, decision("ADR-0002"))
    repo.write(REQ, requirement(launch="0.75", target="0.95", decisions="[ADR-0001, ADR-0002]"))
    repo.commit("Lower launch, raise target, per ADR-0002")
    code, doc = review_json(capsys)
    # explained: no error (the raised target leaves the card below it: a warning)
    assert code == 0 and {f["code"] for f in doc["findings"]} <= {"GAT003"}
    assert [(t["field"], t["looser"], t["decisions"]) for t in doc["thresholds"]] == [
        ("launch", True, ["ADR-0002"]),
        ("target", False, ["ADR-0002"]),
    ]


def test_lowered_result_is_worse_and_an_error_only_in_production(
    repo: Scratch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write(CARD, card("0.82"))
    repo.commit("Retrain")
    code, doc = review_json(capsys)
    assert code == 0 and doc["findings"] == []
    (delta,) = doc["results"]
    assert (delta["card"], delta["before"], delta["after"], delta["trend"]) == (
        "MC-fraud",
        0.85,
        0.82,
        "worse",
    )
    assert delta["direction"] == "higher" and delta["delta"] == pytest.approx(-0.03)

    repo.git("checkout", "-q", "main")
    repo.write(CARD, card(status="production"))
    repo.commit("Launch")
    repo.git("checkout", "-q", "-b", "retrain")
    repo.write(CARD, card("0.82", status="production"))
    repo.commit("Retrain in production")
    code, doc = review_json(capsys)
    assert code == 1 and codes(doc) == [("HIS004", CARD, line_of(repo, CARD, "value: 0.82"))]


def test_status_transitions_allowed_and_not(
    repo: Scratch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write(CARD, card(status="production"))  # candidate -> production: allowed
    repo.write(ADR, decision("ADR-0001", "proposed"))  # accepted -> proposed: not allowed
    repo.commit("Launch, and reopen ADR-0001")
    code, doc = review_json(capsys)
    assert code == 1
    moves = {t["id"]: (t["from"], t["to"], t["allowed"]) for t in doc["transitions"]}
    assert moves == {"ADR-0001": ("accepted", "proposed", False),
                     "MC-fraud": ("candidate", "production", True)}  # fmt: skip
    assert codes(doc) == [("HIS002", ADR, line_of(repo, ADR, "status: proposed"))]


def test_steps_that_each_are_allowed_make_an_allowed_move(
    repo: Scratch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write(ADR2, decision("ADR-0002", "proposed"))
    repo.write(CARD, card(status="draft"))
    repo.commit("Back to draft, propose ADR-0002")
    repo.git("checkout", "-q", "-B", "main")  # the base now has the draft card
    repo.git("checkout", "-q", "-b", "launch")
    repo.write(CARD, card(status="candidate"))
    repo.commit("Candidate")
    repo.write(CARD, card(status="production"))
    repo.commit("Production")
    code, doc = review_json(capsys)
    (move,) = doc["transitions"]
    assert (move["from"], move["to"], move["allowed"]) == ("draft", "production", True)
    assert [(s["from"], s["to"]) for s in move["steps"]] == [
        ("draft", "candidate"),
        ("candidate", "production"),
    ]
    assert code == 0


def test_deleted_record_is_an_error(repo: Scratch, capsys: pytest.CaptureFixture[str]) -> None:
    repo.remove(ADR)
    repo.commit("Remove ADR-0001")
    code, doc = review_json(capsys)
    # the deletion, and the requirement that still names the deleted decision (as `check` says)
    assert code == 1 and codes(doc) == [
        ("HIS006", ADR, 1), ("LNK001", REQ, line_of(repo, REQ, "decisions:"))]
    assert [(r["id"], r["change"]) for r in doc["records"]] == [("ADR-0001", "deleted")]


def test_history_rule_findings_of_the_range(
    repo: Scratch, capsys: pytest.CaptureFixture[str]
) -> None:
    body = decision("ADR-0001").split("# Title\n", 1)[1]
    repo.write(ADR, front({"id": "ADR-0001", "status": "accepted", "date": "2024-01-01",
                           "decision-makers": "[Grace]"}) + body)  # fmt: skip
    repo.write(DS, dataset().replace("DS-holdout", "DS-holdout-v2"))
    repo.commit("Edit accepted ADR-0001, rename the dataset's ID")
    code, doc = review_json(capsys)
    assert code == 1
    his = [c for c in codes(doc) if c[0].startswith("HIS")]
    assert his == [
        ("HIS005", DS, line_of(repo, DS, "id: DS-holdout-v2")),
        ("HIS001", ADR, line_of(repo, ADR, "decision-makers:")),
    ]
    # the records that still name DS-holdout are broken, as `check` says
    assert {(c[0], c[1]) for c in codes(doc)} >= {("LNK001", CARD), ("LNK001", REQ)}
    changed = {r["id"]: (r["change"], r["keys"]) for r in doc["records"]}
    assert changed == {"ADR-0001": ("changed", ["decision-makers"]),
                       "DS-holdout-v2": ("changed", ["id"])}  # fmt: skip


def test_history_findings_from_before_the_range_are_left_out(
    repo: Scratch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.git("checkout", "-q", "main")
    repo.write(ADR, decision("ADR-0001", "proposed"))  # accepted -> proposed, on main
    repo.commit("Reopen ADR-0001")
    repo.git("checkout", "-q", "-b", "later")
    repo.write(ADR2, decision("ADR-0002", "proposed"))
    repo.commit("Propose ADR-0002")
    code, doc = review_json(capsys)
    assert code == 0 and doc["findings"] == []
    assert main(["check", "--select", "HIS"]) == 1
    assert "HIS002" in capsys.readouterr().out


def test_superseding_an_accepted_decision_is_fine(
    repo: Scratch, capsys: pytest.CaptureFixture[str]
) -> None:
    body = decision("ADR-0001").split("# Title\n", 1)[1]
    repo.write(ADR, front({"id": "ADR-0001", "status": "superseded", "date": "2024-01-01",
                           "superseded_by": "ADR-0002"}) + body)  # fmt: skip
    repo.write(ADR2, front({"id": "ADR-0002", "status": "accepted", "date": "2024-01-01",
                            "supersedes": "[ADR-0001]"}) + body)  # fmt: skip
    repo.commit("ADR-0002 supersedes ADR-0001")
    code, doc = review_json(capsys)
    # a warning only: the requirement still links the superseded decision (as `check` says)
    assert code == 0 and codes(doc) == [("LNK005", REQ, line_of(repo, REQ, "decisions:"))]
    assert [(t["id"], t["allowed"]) for t in doc["transitions"]] == [("ADR-0001", True)]


def test_retired_instead_of_deleted_is_fine(
    repo: Scratch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write(DS, dataset("retired"))
    repo.commit("Retire the holdout")
    code, doc = review_json(capsys)
    assert "HIS006" not in {c[0] for c in codes(doc)}
    # ... but the candidate card evaluated on it is not ready to launch, as `check` says
    assert code == 1 and ("GAT005", CARD) in {(c[0], c[1]) for c in codes(doc)}


# --- the launch gate before and after -------------------------------------------------------


def test_gate_before_and_after(repo: Scratch, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write(CARD, card("0.78"))
    repo.commit("Retrain")
    code, doc = review_json(capsys)
    (gate,) = doc["gates"]
    assert gate["card"] == "MC-fraud"
    assert (gate["base"]["verdict"], gate["head"]["verdict"]) == ("PASS", "FAIL")
    (row,) = gate["rows"]
    assert (row["base"]["verdict"], row["head"]["verdict"]) == ("PASS", "FAIL")
    # the failing gate is an error of the review, at the value, as in `tracecard check`
    assert row["changed"] and code == 1 and doc["verdict"] == "FAIL"
    assert codes(doc) == [("GAT001", CARD, line_of(repo, CARD, "value: 0.78"))]


def test_gate_of_a_card_whose_requirement_changed(
    repo: Scratch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write(ADR2, decision("ADR-0002"))
    repo.write(REQ, requirement(launch="0.88", decisions="[ADR-0001, ADR-0002]"))
    repo.commit("Raise the launch bar")
    _, doc = review_json(capsys)
    (gate,) = doc["gates"]
    assert (gate["base"]["verdict"], gate["head"]["verdict"]) == ("PASS", "FAIL")
    assert gate["rows"][0]["base"]["launch"] == 0.8 and gate["rows"][0]["head"]["launch"] == 0.88


def test_draft_card_has_no_gate_section(repo: Scratch, capsys: pytest.CaptureFixture[str]) -> None:
    repo.git("checkout", "-q", "main")
    repo.write(CARD, card(status="draft"))
    repo.commit("Draft")
    repo.git("checkout", "-q", "-b", "draft-work")
    repo.write(CARD, card("0.5", status="draft"))
    repo.commit("Experiment")
    _, doc = review_json(capsys)
    assert doc["gates"] == [] and doc["results"][0]["trend"] == "worse"


# --- markdown, github, text -----------------------------------------------------------------


def test_markdown_has_a_verdict_line_and_only_sections_with_content(
    repo: Scratch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write(REQ, requirement(launch="0.75"))
    repo.write(CARD, card("0.70"))
    repo.commit("Lower the bar and the model")
    code, out, _ = run(capsys, "--base", "main", "--format", "markdown",
                       "--link-base", "https://example.com/blob/abc/")  # fmt: skip
    first = out.splitlines()[0]
    assert code == 1 and "FAIL" in first and "MC-fraud" in first
    assert re.findall(r"^#### (.+)$", out, re.MULTILINE) == [
        "Findings",
        "Records",
        "Thresholds",
        "Results",
        "Launch gate",
    ]
    assert "**HIS003**" in out and f"(https://example.com/blob/abc/{REQ}#L" in out
    assert f"[MC-fraud](https://example.com/blob/abc/{CARD})" in out
    assert "**no decision**" in out and "**worse" in out


def test_markdown_of_an_empty_range(repo: Scratch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--base", "main", "--format", "markdown")
    assert code == 0 and "PASS" in out.splitlines()[0] and "####" not in out


def test_github_annotations_then_plain_summary(
    repo: Scratch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.remove(ADR)
    repo.commit("Remove ADR-0001")
    code, out, _ = run(capsys, "--base", "main", "--format", "github")
    lines = out.splitlines()
    assert code == 1 and lines[0].startswith(f"::error file={ADR},line=1,col=1,title=HIS006::")
    assert f"{ADR}:1:1: HIS006 " in out and lines[-1].startswith("tracecard review: FAIL")


def test_every_renderer_is_a_format() -> None:
    from tracecard.cli.review import FORMATS
    from tracecard.review.render import RENDERERS

    assert sorted(FORMATS) == sorted(RENDERERS)


def test_text_is_the_default(repo: Scratch, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write(CARD, card(status="production"))
    repo.commit("Launch")
    code, out, _ = run(capsys, "--base", "main")
    assert code == 0 and "candidate -> production" in out and "allowed" in out


# --- the range: merge-base, head, merge commits -------------------------------------------------


def test_base_that_moved_on_after_branching(
    repo: Scratch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write(CARD, card("0.87"))
    repo.commit("Retrain on topic")
    repo.git("checkout", "-q", "main")
    repo.remove(ADR)  # main deletes a record and changes the requirement after topic branched
    repo.write(REQ, requirement(launch="0.70"))
    repo.commit("Main moves on")
    repo.git("checkout", "-q", "topic")
    code, doc = review_json(capsys)
    assert code == 0 and doc["findings"] == []
    assert [(r["id"], r["change"]) for r in doc["records"]] == [("MC-fraud", "changed")]
    assert doc["range"]["merge_base"] != repo.git("rev-parse", "main")
    assert doc["range"]["commits"] == 1


def test_pull_request_merge_commit_shows_only_the_branch(
    repo: Scratch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write(CARD, card("0.87"))
    repo.commit("Retrain on topic")
    repo.git("checkout", "-q", "main")
    repo.write(DS, dataset("labeling"))
    repo.commit("Relabel on main")
    repo.tick += 1
    repo.git("checkout", "-q", "--detach", "main")  # what actions/checkout does for a PR
    repo.git("merge", "-q", "--no-ff", "topic", "-m", "Merge topic into main")
    code, doc = review_json(capsys)
    assert [r["id"] for r in doc["records"]] == ["MC-fraud"]
    assert doc["range"]["commits"] == 2  # the branch commit and the merge
    # the card the branch touched is evaluated on data main set back to labeling
    assert code == 1 and codes(doc) == [("GAT005", CARD, line_of(repo, CARD, "dataset:"))]


def test_head_may_be_an_ancestor_of_the_checkout(
    repo: Scratch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write(CARD, card("0.87"))
    first = repo.commit("Retrain")
    repo.remove(ADR)
    repo.commit("Remove ADR-0001")
    code, doc = review_json(capsys, "--head", first)
    assert code == 0 and [r["id"] for r in doc["records"]] == ["MC-fraud"]
    repo.git("checkout", "-q", "-b", "elsewhere", "main")
    code, _, err = run(capsys, "--base", "main", "--head", "topic")
    assert code == 2 and "ancestor" in err


# --- usage errors ---------------------------------------------------------------------------


def test_unknown_ref_and_not_a_repository(
    repo: Scratch, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    code, out, err = run(capsys, "--base", "no-such-branch")
    assert code == 2 and "no-such-branch" in err and out == ""
    code, _, err = run(capsys, "--base", "--all")
    assert code == 2
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "tracecard.toml").write_text("")
    monkeypatch.chdir(plain)
    code, _, err = run(capsys, "--base", "main")
    assert code == 2 and "not in a git repository" in err


def test_shallow_clone_without_the_merge_base(
    repo: Scratch, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    repo.write(CARD, card("0.87"))
    repo.commit("Retrain on topic")
    repo.git("checkout", "-q", "main")
    repo.write(DS, dataset("labeling"))
    repo.commit("Main moves on")
    clone = tmp_path / "clone"
    repo.git("clone", "-q", "--depth", "1", "--branch", "topic", f"file://{repo.path}", str(clone))
    monkeypatch.chdir(clone)
    code, _, err = run(capsys, "--base", "origin/main")
    assert code == 2 and "shallow clone: fetch with fetch-depth: 0" in err
    repo.git("fetch", "-q", "--depth", "1", "origin", "main:refs/remotes/origin/main", cwd=clone)
    code, out, err = run(capsys, "--base", "origin/main")
    assert code == 2 and "shallow clone: fetch with fetch-depth: 0" in err and out == ""
    deeper = tmp_path / "deeper"  # deep enough to hold the merge-base: the review can run
    repo.git("clone", "-q", "--depth", "2", "--branch", "topic", f"file://{repo.path}", str(deeper))
    repo.git("fetch", "-q", "--depth", "2", "origin", "main:refs/remotes/origin/main", cwd=deeper)
    monkeypatch.chdir(deeper)
    code, doc = review_json(capsys, base="origin/main")
    assert code == 0 and [r["id"] for r in doc["records"]] == ["MC-fraud"]
    assert doc["range"]["shallow"] and "fetch-depth: 0" in doc["notes"][0]
    monkeypatch.chdir(clone)
    repo.git("fetch", "-q", "--unshallow", "origin", cwd=clone)
    code, doc = review_json(capsys, base="origin/main")
    assert code == 0 and [r["id"] for r in doc["records"]] == ["MC-fraud"]


# --- the documented workflow ----------------------------------------------------------------


def test_documented_workflow_is_the_example_and_fetches_everything() -> None:
    import yaml  # type: ignore[import-untyped]

    project = Path(__file__).resolve().parents[1]
    example = (project / "examples/ci/tracecard-review.yml").read_text()
    doc = (project / "docs/ci.md").read_text()
    assert f"```yaml\n{example}```" in doc
    flow = yaml.safe_load(example)
    steps = flow["jobs"]["tracecard"]["steps"]
    assert steps[0]["with"]["fetch-depth"] == 0
    runs = " ".join(step.get("run", "") for step in steps)
    assert "tracecard check --format github" in runs and "--format sarif" in runs
    assert 'tracecard review --base "origin/${GITHUB_BASE_REF}" --format markdown' in runs
    assert flow["permissions"]["pull-requests"] == "write"


def test_a_proposed_decision_explains_no_threshold_change(
    repo: Scratch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.write(ADR2, decision("ADR-0002", "proposed"))
    repo.write(REQ, requirement(launch="0.75", decisions="[ADR-0001, ADR-0002]"))
    repo.commit("Lower launch, per a decision not yet taken")
    code, doc = review_json(capsys)
    assert [(t["field"], t["decisions"]) for t in doc["thresholds"]] == [("launch", [])]
    assert code == 1 and ("HIS003", REQ, line_of(repo, REQ, "launch: 0.75")) in codes(doc)
