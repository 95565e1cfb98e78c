"""The history rules (HIS) on real git repositories made in tmp_path, with pinned authors and
dates: the golden corpus (tests/corpus/HIS*/, scripts replayed into git) and the scenarios of
issue 5 (an accepted decision edited, thresholds changed with and without a decision,
regressions, a rename, a merge, a shallow clone, a plain folder, uncommitted changes).

`tests/test_rules_corpus.py` copies each corpus case and checks it without git, which cannot
hold a history: its bad-case test of a HIS code finds nothing there until it replays
`script.txt` with `replay` below (see `HISTORY_CASES_NEED_REPLAY`).
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import gitscratch
import pytest

from tracecard.cli import main
from tracecard.rules.registry import RULES

pytestmark = pytest.mark.usefixtures("no_home")

CORPUS = Path(__file__).resolve().parent / "corpus"
HIS_CODES = [code for code in RULES if code.startswith("HIS")]
#: `--ignore` for every rule that reads history: the HIS family, and MRV006 (a reviewed
#: version the card never had).
NO_HISTORY_RULES = [arg for code in ("HIS", "MRV006") for arg in ("--ignore", code)]

#: Why test_rules_corpus.py cannot check these cases as they are (it copies files, and a git
#: history is not a file): its `materialise` must call `replay(repo)` when the copy holds a
#: script.txt. Until it does, its bad-case tests of these codes fail with no findings.
HISTORY_CASES_NEED_REPLAY = {code: "history is replayed from script.txt" for code in HIS_CODES}


# --- scratch repositories ------------------------------------------------------------------


class Scratch(gitscratch.Scratch):
    """Commits a day apart."""

    def __init__(self, path: Path, init: bool = True) -> None:
        super().__init__(path, init=init, step=86_400)


def replay(folder: Path) -> Scratch:
    """Turn `folder/script.txt` into the git history of `folder` (in place).

    One command a line ('#' starts a comment):
        write PATH            the lines up to a line `EOF` become the file's content
        replace PATH: OLD => NEW   first occurrence; `\\n` in OLD or NEW is a newline
        mv OLD NEW / rm PATH  through git
        branch NAME           create it and switch to it; `checkout NAME` switches back
        merge NAME AUTHOR SUBJECT   a merge commit (--no-ff)
        commit AUTHOR SUBJECT everything written since; later changes stay uncommitted
    Each commit is one day after the one before, from 2024-01-02.
    """
    repo = Scratch(folder)
    lines = iter((folder / "script.txt").read_text(encoding="utf-8").splitlines())
    for line in lines:
        if line.strip() and not line.startswith("#"):
            _step(repo, line, lines)
    return repo


def _step(repo: Scratch, line: str, lines: Iterator[str]) -> None:
    verb, _, rest = line.partition(" ")
    if verb == "write":
        body = []
        for text in lines:
            if text == "EOF":
                break
            body.append(text)
        repo.write(rest, "\n".join(body) + "\n")
    elif verb == "replace":
        path, _, change = rest.partition(": ")
        old, new = change.replace("\\n", "\n").split(" => ", 1)
        repo.replace(path, old, new)
    elif verb in ("mv", "rm"):
        repo.git(verb, *rest.split())
    elif verb == "branch":
        repo.git("checkout", "-q", "-b", rest)
    elif verb == "checkout":
        repo.git("checkout", "-q", rest)
    elif verb == "merge":
        name, author, subject = rest.split(" ", 2)
        repo.merge(name, subject, author)
    elif verb == "commit":
        author, _, subject = rest.partition(" ")
        repo.commit(subject, author)
    else:
        raise ValueError(f"script.txt: unknown command {line!r}")


# --- running tracecard ---------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str

    @property
    def diagnostics(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = json.loads(self.out)["diagnostics"]
        return found

    def his(self) -> list[dict[str, Any]]:
        return [d for d in self.diagnostics if d["code"].startswith("HIS")]

    def at(self, code: str) -> list[str]:
        return sorted(
            f"{d['path']}:{d['line']}:{d['column']}" for d in self.diagnostics if d["code"] == code
        )


@pytest.fixture
def check(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    def run(repo: Path, *args: str) -> Run:
        capsys.readouterr()
        code = main(["check", str(repo), "--format", "json", *args])
        out, err = capsys.readouterr()
        assert code in (0, 1), err
        assert "Traceback" not in err
        return Run(code, out, err)

    return run


def expected_positions(case: Path) -> list[str]:
    lines = (line.strip() for line in (case / "expected.txt").read_text().splitlines())
    return sorted(line for line in lines if line and not line.startswith("#"))


# --- the golden corpus ---------------------------------------------------------------------


def _corpus_cases() -> Iterator[Any]:
    for code in HIS_CODES:
        for case in sorted((CORPUS / code).iterdir()):
            if case.is_dir():
                yield pytest.param(code, case.name, id=f"{code}/{case.name}")


@pytest.mark.parametrize(("code", "variant"), list(_corpus_cases()))
def test_corpus_case_replayed_into_git(
    code: str, variant: str, tmp_path: Path, check: Callable[..., Run]
) -> None:
    repo = tmp_path / "repo"
    shutil.copytree(CORPUS / code / variant, repo)
    replay(repo)
    run = check(repo)
    if variant.startswith("bad"):
        assert run.at(code) == expected_positions(repo)
        assert {d["code"] for d in run.his()} == {code}, run.his()  # nothing else
        assert run.code == 1
    else:
        assert run.his() == []
    assert run.err == ""


@pytest.mark.parametrize("code", HIS_CODES)
def test_every_history_rule_has_a_replayable_corpus(code: str) -> None:
    for case in ("bad", "good"):
        assert (CORPUS / code / case / "script.txt").is_file()
        assert (CORPUS / code / case / "tracecard.toml").is_file()
    assert (CORPUS / code / "README.md").is_file()
    assert expected_positions(CORPUS / code / "bad")


def test_rules_corpus_replays_history_cases_or_says_what_it_needs() -> None:
    """test_rules_corpus.py checks corpus copies without git; these cases need `replay`."""
    source = (Path(__file__).parent / "test_rules_corpus.py").read_text(encoding="utf-8")
    if "replay(" in source:
        return
    assert set(HISTORY_CASES_NEED_REPLAY) == set(HIS_CODES)


# --- scenarios -----------------------------------------------------------------------------

DECISION = """\
---
id: ADR-0003
title: Set the fraud block threshold for precision
status: proposed
date: 2024-01-01
decision-makers: [Priya, Marco]
---
# Set the fraud block threshold for precision

## Context

Blocked customers cost more than missed fraud.

## Decision

Block at precision 0.90.
"""
ADR = "docs/decisions/0003-fraud-threshold.md"

REQUIREMENT = """\
---
id: REQ-0002
title: Stop fraud without turning away customers
status: agreed
criteria:
  - metric: precision
    dataset: DS-fraud-holdout
    split: test
    launch: 0.90
    target: 0.95
decisions: [ADR-0003]
---
# Stop fraud without turning away customers
"""
REQ = "docs/requirements/0002-fraud.md"

CARD = """\
---
id: MC-fraud-detector
status: production
version: "3"
results:
  - metric: precision
    dataset: DS-fraud-holdout
    split: test
    value: 0.93
decisions: [ADR-0003]
---
# Fraud detector
"""
CARD_PATH = "docs/model-cards/fraud-detector.md"


@pytest.fixture
def repo(tmp_path: Path) -> Scratch:
    scratch = Scratch(tmp_path / "repo")
    scratch.write("tracecard.toml", "# scratch\n")
    return scratch


def _finding(run: Run, code: str) -> dict[str, Any]:
    found = [d for d in run.his() if d["code"] == code]
    assert len(found) == 1 and len(run.his()) == 1, run.his()
    return found[0]


def test_accepted_decision_edited_two_commits_later_names_the_accepting_commit(
    repo: Scratch, check: Callable[..., Run]
) -> None:
    repo.write(ADR, DECISION)
    repo.commit("Propose ADR-0003", "Marco")
    repo.replace(ADR, "status: proposed", "status: accepted")
    accepted = repo.commit("Accept ADR-0003", "Priya")
    repo.write("docs/decisions/0004-other.md", DECISION.replace("ADR-0003", "ADR-0004"))
    repo.commit("Propose ADR-0004", "Marco")
    repo.replace(ADR, "[Priya, Marco]", "[Marco]")
    edited = repo.commit("Trim the decision-makers", "Marco")
    found = _finding(check(repo.path), "HIS001")
    assert (found["path"], found["line"], found["column"]) == (ADR, 6, 1)
    assert f"accepted in {accepted[:7]} (2024-01-03, Priya)" in found["message"]
    assert edited[:7] in found["message"]


def test_uncommitted_edit_of_an_accepted_decision_counts(
    repo: Scratch, check: Callable[..., Run]
) -> None:
    repo.write(ADR, DECISION.replace("status: proposed", "status: accepted"))
    created = repo.commit("Accept ADR-0003 as written", "Priya")
    repo.replace(ADR, "for precision\nstatus", "for recall\nstatus")
    found = _finding(check(repo.path), "HIS001")
    assert found["line"] == 3 and "uncommitted changes" in found["message"]
    assert created[:7] in found["message"]
    repo.replace(ADR, "for recall\nstatus", "for precision\nstatus")  # undone: nothing to say
    assert check(repo.path).his() == []


def _accepted_decision(repo: Scratch) -> str:
    """ADR-0003 proposed, accepted, then another decision proposed; the accepting commit."""
    repo.write(ADR, DECISION)
    repo.commit("Propose ADR-0003", "Marco")
    repo.replace(ADR, "status: proposed", "status: accepted")
    accepted = repo.commit("Accept ADR-0003", "Priya")
    repo.write("docs/decisions/0004-other.md", DECISION.replace("ADR-0003", "ADR-0004"))
    repo.commit("Propose ADR-0004", "Marco")
    return accepted


BODY_LINE = 8  # `# Set the fraud block threshold for precision`, the body's first heading


def test_body_edit_of_an_accepted_decision_names_the_editing_commit(
    repo: Scratch, check: Callable[..., Run]
) -> None:
    accepted = _accepted_decision(repo)
    repo.replace(ADR, "Block at precision 0.90.", "Block at precision 0.85.")
    edited = repo.commit("Relax the threshold", "Marco")
    found = _finding(check(repo.path), "HIS001")
    assert (found["path"], found["line"], found["column"]) == (ADR, BODY_LINE, 1)
    assert f"accepted in {accepted[:7]} (2024-01-03, Priya)" in found["message"]
    assert f"the body changed in {edited[:7]} (2024-01-05, Marco)" in found["message"]
    assert found["commit"] == edited


def test_body_formatting_is_not_an_edit(repo: Scratch, check: Callable[..., Run]) -> None:
    _accepted_decision(repo)
    text = (repo.path / ADR).read_text(encoding="utf-8")
    reformatted = text.replace("## Context\n", "## Context   \n") + "\n\n"
    (repo.path / ADR).write_bytes(reformatted.replace("\n", "\r\n").encode("utf-8"))
    repo.commit("CRLF, trailing spaces and blank lines", "Marco")
    assert check(repo.path).his() == []
    (repo.path / ADR).write_bytes(text.encode("utf-8"))  # and back to LF, uncommitted
    assert check(repo.path).his() == []


def test_body_edit_reverted_is_not_reported_and_a_later_one_is(
    repo: Scratch, check: Callable[..., Run]
) -> None:
    _accepted_decision(repo)
    repo.replace(ADR, "Block at precision 0.90.", "Block at precision 0.85.")
    repo.commit("Relax the threshold", "Marco")
    repo.replace(ADR, "Block at precision 0.85.", "Block at precision 0.90.")
    repo.commit("Revert the threshold", "Priya")
    assert check(repo.path).his() == []
    repo.replace(ADR, "Blocked customers", "Blocked good customers")
    again = repo.commit("Reword the context", "Marco")
    found = _finding(check(repo.path), "HIS001")
    assert found["commit"] == again and f"the body changed in {again[:7]}" in found["message"]


def test_uncommitted_body_edit_of_an_accepted_decision_counts(
    repo: Scratch, check: Callable[..., Run]
) -> None:
    accepted = _accepted_decision(repo)
    repo.replace(ADR, "Block at precision 0.90.", "Block at precision 0.85.")
    found = _finding(check(repo.path), "HIS001")
    assert (found["line"], found["commit"]) == (BODY_LINE, "WORKTREE")
    assert "the body changed in uncommitted changes" in found["message"]
    assert accepted[:7] in found["message"]
    repo.replace(ADR, "Block at precision 0.85.", "Block at precision 0.90.")
    assert check(repo.path).his() == []


def test_front_matter_and_body_edits_are_reported_apart(
    repo: Scratch, check: Callable[..., Run]
) -> None:
    _accepted_decision(repo)
    repo.replace(ADR, "[Priya, Marco]", "[Marco]")
    repo.replace(ADR, "Block at precision 0.90.", "Block at precision 0.85.")
    edited = repo.commit("Rewrite ADR-0003", "Marco")
    run = check(repo.path)
    assert run.at("HIS001") == [f"{ADR}:6:1", f"{ADR}:{BODY_LINE}:1"]
    assert {d.get("commit") for d in run.his()} == {edited}


@pytest.mark.parametrize("with_decision", [False, True])
def test_threshold_lowered_with_and_without_a_decision(
    with_decision: bool, repo: Scratch, check: Callable[..., Run]
) -> None:
    repo.write(REQ, REQUIREMENT)
    repo.commit("Agree REQ-0002", "Priya")
    repo.replace(REQ, "launch: 0.90", "launch: 0.85")
    if with_decision:
        accepted = DECISION.replace("ADR-0003", "ADR-0004").replace("proposed", "accepted")
        repo.write("docs/decisions/0004-lower.md", accepted)  # a proposed one explains nothing
        repo.replace(REQ, "[ADR-0003]", "[ADR-0003, ADR-0004]")
    lowered = repo.commit("Lower the precision minimum", "Marco")
    run = check(repo.path)
    if with_decision:
        assert run.his() == []
        return
    found = _finding(run, "HIS003")
    assert (found["path"], found["line"], found["column"]) == (REQ, 9, 13)
    assert "from 0.9 to 0.85" in found["message"] and lowered[:7] in found["message"]


def test_a_decision_added_later_explains_the_change(
    repo: Scratch, check: Callable[..., Run]
) -> None:
    repo.write(REQ, REQUIREMENT)
    repo.commit("Agree REQ-0002")
    repo.replace(REQ, "target: 0.95", "target: 0.92")
    repo.commit("Ease the target")
    assert check(repo.path).at("HIS003") == [f"{REQ}:10:13"]
    repo.replace(REQ, "[ADR-0003]", "[ADR-0003, ADR-0009]")
    assert check(repo.path).at("HIS003") == [f"{REQ}:10:13"]  # no such decision: no reason
    nine = DECISION.replace("ADR-0003", "ADR-0009")
    repo.write("docs/decisions/0009-ease.md", nine)
    assert check(repo.path).at("HIS003") == [f"{REQ}:10:13"]  # proposed: not agreed to yet
    repo.write("docs/decisions/0009-ease.md", nine.replace("status: proposed", "status: accepted"))
    assert check(repo.path).his() == []


@pytest.mark.parametrize(("tolerance", "findings"), [(0.0, 1), (0.02, 1), (0.05, 0)])
def test_regression_beyond_and_within_tolerance(
    tolerance: float, findings: int, repo: Scratch, check: Callable[..., Run]
) -> None:
    repo.write("tracecard.toml", f"regression_tolerance = {tolerance}\n")
    repo.write(CARD_PATH, CARD)
    repo.commit("Card v3")
    repo.replace(CARD_PATH, "value: 0.93", "value: 0.90")  # 3.2% worse
    regressed = repo.commit("Card v4", "Marco")
    run = check(repo.path)
    assert run.at("HIS004") == [f"{CARD_PATH}:9:12"] * findings
    if findings:
        assert regressed[:7] in run.his()[0]["message"]


def test_improvement_and_candidate_regressions_are_not_reported(
    repo: Scratch, check: Callable[..., Run]
) -> None:
    repo.write(CARD_PATH, CARD)
    repo.commit("Card v3")
    repo.replace(CARD_PATH, "value: 0.93", "value: 0.95")
    repo.commit("Better")
    assert check(repo.path).his() == []
    repo.replace(CARD_PATH, "status: production", "status: retired")
    repo.replace(CARD_PATH, "value: 0.95", "value: 0.5")
    assert check(repo.path).his() == []


def test_rename_with_an_edit_is_not_a_finding(repo: Scratch, check: Callable[..., Run]) -> None:
    repo.write(ADR, DECISION.replace("status: proposed", "status: accepted"))
    repo.write(REQ, REQUIREMENT)
    repo.commit("Add")
    repo.git("mv", ADR, "docs/decisions/0003-fraud-threshold-precision.md")
    repo.replace("docs/decisions/0003-fraud-threshold-precision.md", "date: 2024-01-01",
                 "date: 2024-01-05")  # fmt: skip
    repo.git("mv", REQ, "docs/requirements/0002-fraud-precision.md")
    repo.replace("docs/requirements/0002-fraud-precision.md", "status: agreed", "status: retired")
    repo.commit("Rename, date, retire")
    assert check(repo.path).his() == []


def test_merge_attributes_a_branch_change_to_the_branch_commit(
    repo: Scratch, check: Callable[..., Run]
) -> None:
    repo.write(REQ, REQUIREMENT)
    repo.write(ADR, DECISION)
    repo.commit("Start")
    repo.git("checkout", "-q", "-b", "ease")
    repo.replace(REQ, "launch: 0.90", "launch: 0.88")
    on_branch = repo.commit("Ease the minimum on a branch", "Marco")
    repo.git("checkout", "-q", "main")
    repo.replace(ADR, "status: proposed", "status: accepted")
    repo.commit("Accept ADR-0003", "Priya")
    merged = repo.merge("ease", "Merge ease")
    found = _finding(check(repo.path), "HIS003")
    assert on_branch[:7] in found["message"] and merged[:7] not in found["message"]


def test_status_transitions(repo: Scratch, check: Callable[..., Run]) -> None:
    repo.write(ADR, DECISION.replace("status: proposed", "status: accepted"))
    repo.commit("Accepted")
    repo.replace(ADR, "status: accepted", "status: rejected")
    bad = repo.commit("Reject after accepting")
    found = _finding(check(repo.path), "HIS002")
    assert (found["line"], found["column"]) == (4, 9) and bad[:7] in found["message"]
    repo.replace(ADR, "status: rejected", "status: accepted")  # undone (uncommitted)
    assert check(repo.path).his() == []


def test_id_changed_in_place(repo: Scratch, check: Callable[..., Run]) -> None:
    repo.write(ADR, DECISION)
    repo.commit("Propose")
    repo.replace(ADR, "id: ADR-0003", "id: ADR-0009")
    changed = repo.commit("Renumber in place")
    found = _finding(check(repo.path), "HIS005")
    assert (found["line"], found["column"]) == (2, 5) and changed[:7] in found["message"]


def test_history_rules_see_only_what_a_shallow_clone_holds(
    tmp_path: Path, repo: Scratch, check: Callable[..., Run]
) -> None:
    # In the full history every change is either allowed or undone: nothing to report.
    repo.write(ADR, DECISION.replace("status: proposed", "status: accepted"))
    repo.write("docs/datasets/holdout.md", "---\nid: DS-holdout\nstatus: ready\n---\n# H\n")
    repo.commit("Accept")
    repo.replace(ADR, "status: accepted", "status: proposed")  # no allowed path leads back ...
    repo.replace(
        "docs/datasets/holdout.md", "id: DS-holdout", "id: DS-eval"
    )  # ... and an ID change
    repo.commit("Oops")
    repo.replace(ADR, "status: proposed", "status: accepted")  # ... both undone
    repo.replace("docs/datasets/holdout.md", "id: DS-eval", "id: DS-holdout")
    repo.commit("Undo")
    assert check(repo.path).his() == []
    for depth in ("1", "2"):
        clone = tmp_path / f"clone{depth}"
        repo.git("clone", "-q", "--depth", depth, f"file://{repo.path}", str(clone))
        run = check(clone)
        assert run.his() == []
        assert len(run.err.splitlines()) == 1 and "shallow clone" in run.err
        assert "fetch-depth: 0" in run.err


def test_plain_folder_runs_the_other_rules_and_says_so_once(
    tmp_path: Path, check: Callable[..., Run]
) -> None:
    folder = tmp_path / "plain"
    Scratch(folder, init=False).write(
        ADR, DECISION.replace("[Priya, Marco]", "[Priya]\nlinks: [{rel: relates-to, id: ADR-0042}]")
    )
    (folder / "tracecard.toml").write_text("")
    run = check(folder)
    assert run.his() == [] and run.at("LNK001")
    assert run.err.splitlines() == [
        f"tracecard: history rules skipped: {folder} is not in a git repository: "
        + "history is not available"
    ]
    assert check(folder, *NO_HISTORY_RULES).err == ""


def test_repository_without_commits(repo: Scratch, check: Callable[..., Run]) -> None:
    repo.write(ADR, DECISION)
    run = check(repo.path)
    assert run.his() == [] and "no commits yet" in run.err and len(run.err.splitlines()) == 1


@pytest.mark.parametrize("git", [True, False])
def test_git_is_not_imported_unless_history_is_read(git: bool, repo: Scratch) -> None:
    """`--ignore HIS` in a repository, or any check of a plain folder, costs what it did
    before history existed: neither GitPython nor tracecard.git.index is imported."""
    repo.write(ADR, DECISION)
    if git:
        repo.commit("Propose")
    else:
        shutil.rmtree(repo.path / ".git")
    args = ["check", str(repo.path), *(NO_HISTORY_RULES if git else [])]
    probe = (
        "import sys; from tracecard.cli import main; "
        f"rc = main({args!r}); "
        "print(rc, 'git' in sys.modules, 'tracecard.git.index' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert done.stdout.split()[-3:] == ["0", "False", "False"], done.stdout + done.stderr


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal(repo: Scratch, monkeypatch: pytest.MonkeyPatch) -> None:
    from tracecard.git import index as gitindex
    from tracecard.history.timeline import read
    from tracecard.load.config import load

    repo.write(ADR, DECISION)
    repo.commit("Propose")
    monkeypatch.setattr(gitindex, "PROGRESS_EVERY", 1)
    terminal, pipe = _Terminal(), io.StringIO()
    assert read(load(repo.path), progress=pipe).available and pipe.getvalue() == ""
    assert read(load(repo.path), progress=terminal).available
    assert terminal.getvalue() == ""  # the cache was warm: nothing to show
    (repo.path / ".git" / "tracecard").rename(repo.path / "old-cache")
    read(load(repo.path), progress=terminal)
    shown = terminal.getvalue()
    assert "tracecard: reading git history: 1/1 versions" in shown
    assert shown.endswith("\r\x1b[K")  # the line is cleared when reading is done


# --- the pure helpers (shared with tracecard review) ---------------------------------------


@pytest.mark.parametrize("exclude", [(), ("docs/decisions/*-draft.md",), ("*/old/*", "*.MD", "docs/[dr]*/x?.md")])
def test_record_paths_answers_as_is_record_path(exclude: tuple[str, ...]) -> None:
    """The test `in_scope` runs on every record's last path is `is_record_path`, made faster."""
    from tracecard.history.timeline import is_record_path, record_paths
    from tracecard.load.config import Settings

    settings = Settings(root=Path("/r"), exclude=exclude)
    paths = [
        "docs/decisions/0001-a.md", "docs/decisions/0002-a-draft.md", "docs/decisions/README.md",
        "docs/decisions/readme.md", "docs/_drafts/x.md", "docs/.hidden/x.md", ".x.md", "x.md",
        "docs/old/x.md", "docs/old/y.MD", "docs/requirements/x1.md", "docs/datasets/x1.md",
        "docs/decisions/x.txt", "docs/decisions/", "docs/decisions/.", "./docs/x.md",
        "docs//decisions/x.md", "docs/./_d/x.md", "/abs/x.md", "", "docs/decisions/x.md.md",
    ]  # fmt: skip
    fast = record_paths(settings)
    assert [fast(p) for p in paths] == [is_record_path(settings, p) for p in paths]
    assert [fast(p) for p in paths] == [is_record_path(settings, p) for p in paths]  # cached




def test_threshold_changes_pair_criteria_by_metric_dataset_split_and_slice() -> None:
    from tracecard.history.timeline import threshold_changes

    def crit(metric: str, launch: float, **extra: object) -> dict[str, object]:
        return {"metric": metric, "dataset": "DS-x", "split": "test", "launch": launch, **extra}

    before = {"criteria": [crit("precision", 0.9, target=0.95), crit("Recall", 0.6)]}
    after = {"criteria": [crit("recall", 0.6), crit("precision", 0.85)]}  # reordered, renamed
    changes = threshold_changes(before, after)
    assert [(c.label, c.field, c.before, c.after, c.index) for c in changes] == [
        ("precision on DS-x/test", "launch", 0.9, 0.85, 1),
        ("precision on DS-x/test", "target", 0.95, None, 1),
    ]
    moved = {"criteria": [crit("precision", 0.9, split="validation")]}
    assert [(c.field, c.after, c.index) for c in threshold_changes(before, moved)][:1] == [
        ("launch", None, None)  # a criterion on another split is not the same criterion
    ]


def test_result_changes_know_the_direction_and_the_tolerance() -> None:
    from tracecard.history.timeline import result_changes
    from tracecard.model.metrics import Vocabulary

    def card(precision: float, latency: float) -> dict[str, object]:
        return {
            "results": [
                {"metric": "precision", "dataset": "DS-x", "value": precision},
                {"metric": "latency_p95_ms", "dataset": "DS-x", "value": latency},
                {"metric": "team_score", "dataset": "DS-x", "value": 1},
            ]
        }

    changes = result_changes(card(0.90, 40), card(0.88, 36), Vocabulary.builtin())
    precision, latency = changes
    assert precision.worse_by() == pytest.approx(0.02) and latency.worse_by() == -4
    assert precision.regressed(0.0) and not precision.regressed(0.05)
    assert not latency.regressed(0.0)
    new = result_changes(None, card(0.9, 40), Vocabulary.builtin())
    assert [c.before for c in new] == [None, None, None] and not new[0].regressed(0.0)


def test_an_old_decision_about_something_else_explains_nothing(
    repo: Scratch, check: Callable[..., Run]
) -> None:
    old = DECISION.replace("ADR-0003", "ADR-0001").replace("status: proposed", "status: accepted")
    repo.write("docs/decisions/0001-record.md", old.replace("fraud block threshold", "decision log"))
    repo.write(REQ, REQUIREMENT)
    repo.commit("Agree REQ-0002")
    repo.replace(REQ, "target: 0.95", "target: 0.92")
    repo.replace(REQ, "[ADR-0003]", "[ADR-0003, ADR-0001]")
    repo.commit("Ease the target, citing an old decision")
    assert check(repo.path).at("HIS003") == [f"{REQ}:10:13"]
    # the same decision, written for the change (in its commit), explains it
    repo.write("docs/decisions/0009-ease.md", old.replace("ADR-0001", "ADR-0009"))
    repo.replace(REQ, "ADR-0001]", "ADR-0001, ADR-0009]")
    repo.commit("Write the decision")
    assert check(repo.path).his() == []


def test_a_constraint_loosened_without_a_decision(repo: Scratch, check: Callable[..., Run]) -> None:
    with_constraints = REQUIREMENT.replace("decisions:", "constraints:\n  latency_p95_ms: 50\n"
                                           "  explainability: required\ndecisions:")  # fmt: skip
    repo.write(REQ, with_constraints)
    repo.commit("Agree REQ-0002")
    repo.replace(REQ, "latency_p95_ms: 50", "latency_p95_ms: 500")
    loosened = repo.commit("Loosen latency")
    found = _finding(check(repo.path), "HIS003")
    assert (found["path"], found["line"], found["column"]) == (REQ, 12, 19)
    assert loosened[:7] in found["message"]
    repo.replace(REQ, "  latency_p95_ms: 500\n", "")  # removed: reported at `constraints`
    repo.commit("Drop the latency constraint")
    assert check(repo.path).at("HIS003") == [f"{REQ}:12:3"]  # the constraints mapping
    repo.replace(REQ, "constraints:\n", "constraints:\n  latency_p95_ms: 50\n")
    repo.commit("Put it back")
    assert check(repo.path).his() == []


@pytest.mark.parametrize("how", ["later", "same second", "uncommitted"])
def test_criteria_fitted_to_results_in_commit_order(
    repo: Scratch, check: Callable[..., Run], how: str
) -> None:
    """HIS010 orders versions as commits do: the working tree comes last, and two commits of
    the same second by ancestry (not by the clock of a machine)."""
    if how == "same second":
        repo.step = 0
    card = CARD.replace("value: 0.93", "value: 0.905").replace("version:", "satisfies: [REQ-0002]\nversion:")
    repo.write(CARD_PATH, card)
    repo.commit("The model's results")
    draft = REQUIREMENT.replace("status: agreed", "status: draft")
    repo.write(REQ, draft)
    repo.commit("Draft the requirement")
    repo.write(REQ, REQUIREMENT)  # agreed at 0.90: 0.905 clears it by a hair
    if how != "uncommitted":
        repo.commit("Agree it")
    assert check(repo.path).at("HIS010") == [f"{REQ}:9:13"]


def test_run_rules_lets_go_of_history_once_its_rules_have_run(tmp_path: Path) -> None:
    """`tracecard check` asks run_rules to drop the history after the rules that read it
    (they run first), so that it and what the other rules build are not held at once: the
    findings are the same, and the history is no longer kept for the graph."""
    from tracecard.history import timeline
    from tracecard.load.config import load
    from tracecard.load.repository import load_graph
    from tracecard.rules.run import Result, run_rules

    for name in ("kept", "released"):
        shutil.copytree(CORPUS / "HIS001" / "bad", tmp_path / name)
        replay(tmp_path / name)

    def found(result: Result) -> list[tuple[str, int, int, str, str]]:
        return [(d.path, d.line, d.col, d.code, d.message) for d in result.diagnostics]

    kept = run_rules(load_graph(load(tmp_path / "kept")))
    assert timeline._LOADED  # kept for whoever reads it next (the dashboard, a review)
    released = run_rules(load_graph(load(tmp_path / "released")), release_history=True)
    assert not timeline._LOADED
    assert found(kept) == found(released) and "HIS001" in {d.code for d in released.diagnostics}
