"""`tracecard index` and `tracecard history` on real git repositories with pinned dates."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_history_rules import ADR, CARD, CARD_PATH, DECISION, REQ, REQUIREMENT, Scratch

from tracecard.cli import main

pytestmark = pytest.mark.usefixtures("no_home")


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str


Cli = Callable[..., Run]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    def run(*argv: str) -> Run:
        capsys.readouterr()
        code = main(list(argv))
        out, err = capsys.readouterr()
        assert "Traceback" not in err
        return Run(code, out, err)

    return run


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Scratch:
    """Four records over five commits (one a day from 2024-01-02); the cwd is the repo."""
    r = Scratch(tmp_path / "repo")
    r.write("tracecard.toml", "# index tests\n")
    r.write(ADR, DECISION)
    r.write(REQ, REQUIREMENT)
    r.commit("Propose ADR-0003, agree REQ-0002", "Marco")
    r.replace(ADR, "status: proposed", "status: accepted")
    r.commit("Accept ADR-0003", "Priya")
    r.write(CARD_PATH, CARD.replace("status: production", "status: candidate"))
    r.write(
        "docs/datasets/holdout.md", "---\nid: DS-fraud-holdout\nstatus: ready\n---\n# Holdout\n"
    )
    r.commit("Fraud detector v3", "Marco")
    r.replace(CARD_PATH, "status: candidate", "status: production")
    r.commit("Ship v3", "Priya")
    r.replace(CARD_PATH, 'version: "3"', 'version: "4"')
    r.replace(CARD_PATH, "value: 0.93", "value: 0.95")
    r.commit("Fraud detector v4", "Marco")
    monkeypatch.chdir(r.path)
    return r


def _sha(repo: Scratch, rev: str) -> str:
    return repo.git("rev-parse", rev)


# --- index ---------------------------------------------------------------------------------


def test_index_json_has_every_record_with_its_history(repo: Scratch, cli: Cli) -> None:
    run = cli("index", "--format", "json")
    assert run.code == 0 and run.err == ""
    doc = json.loads(run.out)
    assert doc["version"] == 1
    assert [r["id"] for r in doc["records"]] == [
        "ADR-0003", "REQ-0002", "MC-fraud-detector", "DS-fraud-holdout",
    ]  # fmt: skip
    adr = doc["records"][0]
    first, accept = _sha(repo, "HEAD~4"), _sha(repo, "HEAD~3")
    assert adr == {
        "id": "ADR-0003",
        "kind": "decision",
        "title": "Set the fraud block threshold for precision",
        "status": "accepted",
        "path": ADR,
        "created": {"date": "2024-01-02T00:00:00+00:00", "author": "Marco",
                    "commit": first[:7], "sha": first},
        "updated": {"date": "2024-01-03T00:00:00+00:00", "author": "Priya",
                    "commit": accept[:7], "sha": accept},
        "status_history": [
            {"status": "proposed", "date": "2024-01-02T00:00:00+00:00", "author": "Marco",
             "commit": first[:7], "sha": first},
            {"status": "accepted", "date": "2024-01-03T00:00:00+00:00", "author": "Priya",
             "commit": accept[:7], "sha": accept},
        ],
    }  # fmt: skip
    card = doc["records"][2]
    assert [s["status"] for s in card["status_history"]] == ["candidate", "production"]
    versions = card["results_history"]
    assert [(v["version"], v["status"], v["results"][0]["value"]) for v in versions] == [
        ("3", "candidate", 0.93),
        ("4", "production", 0.95),
    ]
    assert "results_history" not in adr


def test_index_markdown_is_deterministic_and_readable(repo: Scratch, cli: Cli) -> None:
    first = cli("index").out
    assert cli("index", "--format", "markdown").out == first
    accept = _sha(repo, "HEAD~3")[:7]
    assert (
        f"| [ADR-0003]({ADR}) | Set the fraud block threshold for precision | accepted "
        f"| 2024-01-02, Marco, `{_sha(repo, 'HEAD~4')[:7]}` | 2024-01-03, Priya, `{accept}` |"
    ) in first
    assert (
        f"| ADR-0003 | proposed (2024-01-02, Marco, `{_sha(repo, 'HEAD~4')[:7]}`) → accepted"
        in first
    )
    assert (
        "| Date | Commit | Author | Version | Status | precision on DS-fraud-holdout/test |"
        in first
    )
    assert f"| 2024-01-06 | `{_sha(repo, 'HEAD')[:7]}` | Marco | 4 | production | 0.95 |" in first
    for heading in ("## Decisions", "## Requirements", "## Model cards", "## Datasets"):
        assert heading in first


def test_index_check_fresh_stale_and_missing(repo: Scratch, cli: Cli) -> None:
    target = "docs/RECORDS.md"
    assert cli("index", "--check", "--output", target).code == 1  # missing
    wrote = cli("index", "--output", target)
    assert wrote.code == 0 and (repo.path / target).is_file()
    assert "](decisions/0003-fraud-threshold.md)" in (repo.path / target).read_text()
    assert cli("index", "--check", "--output", target) == Run(0, "", "")
    repo.commit("Commit the index")  # touches no record: the index stays fresh
    assert cli("index", "--check", "--output", target).code == 0
    repo.replace(ADR, "status: accepted", "status: deprecated")
    assert cli("index", "--check", "--output", target).code == 0  # uncommitted: not indexed
    repo.commit("Deprecate ADR-0003", "Priya")
    stale = cli("index", "--check", "--output", target)
    assert stale.code == 1 and "is stale" in stale.err and f"--output {target}" in stale.err
    cli("index", "--output", target)
    assert cli("index", "--check", "--output", target).code == 0


def test_index_json_output_by_suffix(repo: Scratch, cli: Cli) -> None:
    assert cli("index", "--output", "records.json").code == 0
    assert json.loads((repo.path / "records.json").read_text())["version"] == 1
    assert cli("index", "--check", "-o", "records.json").code == 0
    assert cli("index", "--check", "-o", "records.json", "--format", "markdown").code == 1


def test_uncommitted_record_is_left_out_and_named(repo: Scratch, cli: Cli) -> None:
    repo.write("docs/decisions/0009-new.md", DECISION.replace("ADR-0003", "ADR-0009"))
    run = cli("index", "--format", "json")
    assert "ADR-0009" not in run.out
    assert run.err == "tracecard: not committed yet, so not in the index: ADR-0009\n"


def test_index_needs_full_history(repo: Scratch, tmp_path: Path, cli: Cli,
                                  monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    assert cli("index", "--check").code == 2  # --check needs --output
    clone = tmp_path / "shallow"
    repo.git("clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone))
    monkeypatch.chdir(clone)
    shallow = cli("index")
    assert shallow.code == 2 and "shallow clone" in shallow.err and shallow.out == ""
    partial = cli("history", "ADR-0003")  # a timeline is still worth showing, cut and said so
    assert partial.code == 0 and "shallow clone" in partial.err
    assert "first seen, status accepted (shallow clone" in partial.out
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "tracecard.toml").write_text("")
    monkeypatch.chdir(plain)
    outside = cli("index")
    assert outside.code == 2 and "not in a git repository" in outside.err
    assert cli("history", "ADR-0003").code == 2


# --- history -------------------------------------------------------------------------------


def test_history_text_timeline(repo: Scratch, cli: Cli) -> None:
    run = cli("history", "mc-fraud-detector")
    assert run.code == 0 and run.err == ""
    head, v3 = _sha(repo, "HEAD")[:7], _sha(repo, "HEAD~2")[:7]
    assert run.out.splitlines() == [
        "MC-fraud-detector  Fraud detector",
        f"model_card, {CARD_PATH}",
        "",
        f"2024-01-04  {v3}  Marco  Fraud detector v3",
        "    created (status candidate)",
        "",
        f"2024-01-05  {_sha(repo, 'HEAD~1')[:7]}  Priya  Ship v3",
        "    status: candidate -> production",
        "",
        f"2024-01-06  {head}  Marco  Fraud detector v4",
        "    precision on DS-fraud-holdout/test: 0.93 -> 0.95 (better)",
        "    edited: version",
    ]


def test_history_json_with_uncommitted_changes(repo: Scratch, cli: Cli) -> None:
    repo.replace(REQ, "launch: 0.90", "launch: 0.85")
    run = cli("history", "REQ-2", "--format", "json")
    doc = json.loads(run.out)
    assert (doc["id"], doc["kind"], doc["path"], doc["deleted"]) == (
        "REQ-0002",
        "requirement",
        REQ,
        False,
    )
    created, lowered = doc["events"]
    assert created["event"] == "created" and created["author"] == "Marco"
    assert lowered == {
        "commit": None, "short": "uncommitted", "date": None, "author": None,
        "subject": "uncommitted changes", "event": "threshold",
        "what": "launch of precision on DS-fraud-holdout/test", "before": 0.9, "after": 0.85,
        "text": "launch of precision on DS-fraud-holdout/test: 0.9 -> 0.85",
    }  # fmt: skip


def test_history_of_a_deleted_record_and_of_an_unknown_id(repo: Scratch, cli: Cli) -> None:
    repo.git("rm", "-q", "docs/datasets/holdout.md")
    repo.commit("Drop the holdout sheet")
    gone = cli("history", "DS-fraud-holdout")
    assert gone.code == 0 and gone.out.splitlines()[1] == "dataset, deleted"
    assert gone.out.rstrip().endswith("deleted")
    unknown = cli("history", "ADR-0042")
    assert unknown.code == 2 and "ADR-0042" in unknown.err and unknown.out == ""


def test_history_of_an_uncommitted_record_says_so(repo: Scratch, cli: Cli) -> None:
    repo.write("docs/decisions/0009-new.md", DECISION.replace("ADR-0003", "ADR-0009"))
    run = cli("history", "ADR-0009")
    assert run.code == 0 and "not committed yet" in run.err
    assert "uncommitted changes" in run.out


# --- the shipped pre-commit hook -----------------------------------------------------------

PROJECT = Path(__file__).resolve().parent.parent


def test_shipped_index_hook_checks_the_file_it_names(repo: Scratch, cli: Cli) -> None:
    """Run the `tracecard-index` entry of .pre-commit-hooks.yaml, with its default args."""
    clientlib = pytest.importorskip("pre_commit.clientlib")
    hooks = {h["id"]: h for h in clientlib.load_manifest(str(PROJECT / ".pre-commit-hooks.yaml"))}
    hook = hooks["tracecard-index"]
    assert not hook["pass_filenames"] and hook["always_run"] and "pre-push" in hook["stages"]
    program, *argv = hook["entry"].split()
    assert program == "tracecard"
    assert cli(*argv, *hook["args"]).code == 1  # no index committed yet
    target = hook["args"][hook["args"].index("--output") + 1]
    assert cli("index", "--output", target).code == 0
    repo.commit("Add the record index")
    assert cli(*argv, *hook["args"]) == Run(0, "", "")
