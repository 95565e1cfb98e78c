"""Model reviews in git: on the reviewed card's timeline (`tracecard history`), in the
catalogue (`tracecard index`), in pull-request review (`tracecard review`), and MRV006."""

from __future__ import annotations

import json
from pathlib import Path

import gitscratch
import pytest

from tracecard.cli import main

CARD = "docs/model-cards/fraud-detector.md"
REVIEW = "docs/model-reviews/0001-fraud-review-march.md"

pytestmark = pytest.mark.usefixtures("no_home")


def card(version: str = "3.1.0", types: tuple[str, ...] = ("friendly_fraud",)) -> str:
    modes = "".join(f"  - {{description: Case {t}, severity: high, type: {t}}}\n" for t in types)
    return (
        f"---\nid: MC-fraud-detector\ntitle: Fraud detector\nstatus: candidate\n"
        f"version: {version}\nfailure_modes:\n{modes}---\n# Fraud detector\n\n"
        "## Intended Use\n\nScores orders.\n\n## Evaluation Data\n\nThe holdout.\n"
    )


def review(status: str = "draft", version: str = "3.1.0", ftype: str = "friendly_fraud") -> str:
    return (
        f"---\nid: MR-0001\ntitle: Fraud review, March\nstatus: {status}\ndate: 2024-01-03\n"
        f"card: MC-fraud-detector\nversion: {version}\n"
        "participants:\n  - {name: Ana Ruiz, role: product}\n  - {name: Priya Nair, role: ml}\n"
        "examples:\n"
        f"  - {{ref: case 88121, expected: released, actual: blocked, failure_type: {ftype},"
        " severity: high, impact: a loyal customer lost}\n"
        f"  - {{ref: case 88305, expected: released, actual: blocked, failure_type: {ftype},"
        " severity: medium}\n"
        "actions:\n  - {kind: failure_mode, record: MC-fraud-detector, item: friendly_fraud,"
        " description: On the card}\n"
        "---\n# Fraud review, March\n\n## Summary\n\nTwo wrong blocks.\n\n## Actions\n\nOne.\n"
    )


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> gitscratch.Scratch:
    """The card at 3.1.0; a draft review; the review held; the card at 3.2.0."""
    scratch = gitscratch.Scratch(tmp_path / "repo")
    scratch.write("tracecard.toml", "# defaults\n")
    scratch.write(CARD, card())
    scratch.commit("Fraud detector 3.1.0")
    scratch.write(REVIEW, review())
    scratch.commit("Plan the March review")
    scratch.replace(REVIEW, "status: draft", "status: held")
    scratch.commit("March review held")
    scratch.replace(CARD, "version: 3.1.0", "version: 3.2.0")
    scratch.commit("Fraud detector 3.2.0")
    monkeypatch.chdir(scratch.path)
    return scratch


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_review_on_the_cards_timeline(repo: gitscratch.Scratch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "history", "MC-fraud-detector", "--format", "json")
    assert code == 0
    events = json.loads(out)["events"]
    subjects = [(e["subject"], e["event"]) for e in events]
    assert subjects == [
        ("Fraud detector 3.1.0", "created"),
        ("March review held", "reviewed"),  # not when it was planned: when it was held
        ("Fraud detector 3.2.0", "edited"),
    ]
    reviewed = events[1]
    assert reviewed["what"] == "MR-0001" and reviewed["before"] == "MC-fraud-detector"
    assert "version 3.1.0" in reviewed["after"] and "friendly_fraud x2" in reviewed["after"]
    code, text = run(capsys, "history", "MC-fraud-detector")
    assert "model review MR-0001 of MC-fraud-detector" in text


def test_review_on_its_own_timeline(repo: gitscratch.Scratch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "history", "MR-1", "--format", "json")
    assert code == 0
    events = [(e["subject"], e["event"]) for e in json.loads(out)["events"]]
    assert events == [
        ("Plan the March review", "created"),
        ("March review held", "status"),
        ("March review held", "reviewed"),
    ]
    code, text = run(capsys, "history", "MR-0001")
    assert text.count("March review held") == 1  # one header for the commit's two events


def test_index_lists_reviews(repo: gitscratch.Scratch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run(capsys, "index", "--format", "json")
    assert code == 0
    entry = next(r for r in json.loads(out)["records"] if r["id"] == "MR-0001")
    assert entry["kind"] == "model_review" and entry["status"] == "held"
    assert entry["review"] == {
        "card": "MC-fraud-detector", "version": "3.1.0", "date": "2024-01-03",
        "roles": ["ml", "product"], "failure_types": {"friendly_fraud": 2}, "actions": 1,
    }  # fmt: skip
    code, md = run(capsys, "index")
    assert "## Model reviews\n" in md and "## Model reviews by card\n" in md
    row = next(line for line in md.splitlines() if line.startswith("| MC-fraud-detector | [MR-0001]"))
    assert "| held | 2024-01-03 | 3.1.0 | friendly\\_fraud (2) | 1 |" in row  # escaped Markdown


def test_pull_request_with_a_review(repo: gitscratch.Scratch, capsys: pytest.CaptureFixture[str]) -> None:
    repo.git("checkout", "-q", "-b", "topic")
    repo.write("docs/model-reviews/0002-fraud-review-june.md", review("held", "3.3.0", "gift_card_burst")
               .replace("MR-0001", "MR-0002").replace("March", "June"))  # fmt: skip
    repo.commit("June review")
    code, out = run(capsys, "review", "--base", "main", "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["verdict"] == "FAIL"
    assert doc["model_reviews"] == [{
        "id": "MR-0002", "path": "docs/model-reviews/0002-fraud-review-june.md", "change": "added",
        "status": "held", "card": "MC-fraud-detector", "version": "3.3.0", "date": "2024-01-03",
        "roles": ["ml", "product"], "failure_types": {"gift_card_burst": 2}, "actions": 1,
    }]  # fmt: skip
    found = sorted((f["code"], f["line"]) for f in doc["findings"])
    # a type the card does not list (MRV004), and a version the card never had (MRV006)
    assert found == [("MRV004", 12), ("MRV006", 7)]
    code, md = run(capsys, "review", "--base", "main", "--format", "markdown")
    assert "#### Model reviews" in md and "gift\\_card\\_burst x2" in md
    code, text = run(capsys, "review", "--base", "main")
    assert "model reviews:" in text and "MC-fraud-detector 3.3.0" in text


def test_an_earlier_version_is_a_known_version(
    repo: gitscratch.Scratch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out = run(capsys, "check", "--format", "json", "--select", "MRV")
    assert json.loads(out)["diagnostics"] == [] and code == 0  # MR-0001 reviewed 3.1.0
    repo.replace(REVIEW, "version: 3.1.0", "version: 3.1")  # uncommitted
    repo.replace(CARD, "version: 3.2.0", 'version: "3.20"')  # the review's 3.2 below is this
    code, out = run(capsys, "check", "--format", "json", "--select", "MRV")
    found = json.loads(out)["diagnostics"]
    assert [(d["code"], d["line"]) for d in found] == [("MRV006", 7)]
    assert "3.1.0, 3.2.0, 3.20" in found[0]["message"]
    repo.replace(REVIEW, "version: 3.1", "version: 3.2")  # YAML reads it as 3.2, the card's "3.20"
    code, out = run(capsys, "check", "--format", "json", "--select", "MRV")
    assert json.loads(out)["diagnostics"] == []


def test_pull_request_that_drops_a_failure_mode_a_review_found(
    repo: gitscratch.Scratch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The card loses the failure mode the held review found: the review of the pull request
    reports it at the review, which the pull request did not touch."""
    repo.git("checkout", "-q", "-b", "topic")
    repo.write(CARD, card("3.2.0", types=("account_takeover",)))
    repo.commit("Tidy the failure modes")
    code, out = run(capsys, "review", "--base", "main", "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["model_reviews"] == []
    found = sorted((f["code"], f["path"], f["line"]) for f in doc["findings"]
                   if f["code"].startswith("MRV"))  # fmt: skip
    assert found == [("MRV004", REVIEW, 12), ("MRV005", REVIEW, 15)]


def test_review_events_sit_with_their_commit() -> None:
    """History is topological and dates need not follow it: a review's event joins the
    record's events of the same commit, else goes before the first later one."""
    from tracecard.git.index import Version
    from tracecard.history.timeline import Event, EventKind, with_reviews

    def at(commit: str, date: str) -> Version:
        return Version(commit, None, date, "A", "a@x", "p.md", {}, False, "s")

    own = [Event(EventKind.CREATED, at("c1", "2026-01-01")),
           Event(EventKind.EDITED, at("c3", "2026-03-01")),  # merged later, dated earlier
           Event(EventKind.EDITED, at("c2", "2026-02-01"))]  # fmt: skip
    same = Event(EventKind.REVIEWED, at("c3", "2026-03-01"), "MR-0001")
    apart = Event(EventKind.REVIEWED, at("c9", "2026-01-15"), "MR-0002")
    merged = with_reviews(own, [apart, same])
    assert [(e.version.commit, e.kind.value) for e in merged] == [
        ("c1", "created"), ("c9", "reviewed"), ("c3", "edited"), ("c3", "reviewed"),
        ("c2", "edited"),
    ]


def test_new_review_skips_a_number_another_branch_holds(
    repo: gitscratch.Scratch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo.git("checkout", "-q", "-b", "june-review")
    repo.write("docs/model-reviews/0002-fraud-review-june.md", review().replace("MR-0001", "MR-0002"))
    repo.commit("June review, on its branch")
    repo.git("checkout", "-q", "main")
    capsys.readouterr()
    assert main(["model-review", "new", "Fraud review, July", "--card", "MC-fraud-detector"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "docs/model-reviews/0003-fraud-review-july.md"
    assert "MR-0002 is taken on branch june-review" in err
