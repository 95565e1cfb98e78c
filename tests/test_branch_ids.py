"""IDN005 id-taken-on-another-branch, on real git repositories made in tmp_path (authors,
committers and dates pinned by `Scratch`): a number taken by another file on a local branch
or a remote-tracking branch is reported; the same file, a merged branch, the current branch
and a record renamed on one side only are not; outside git nothing is reported and GitPython
is not imported; `--ignore IDN005` turns it off."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from test_history_rules import Scratch

from tracecard.cli import main

pytestmark = pytest.mark.usefixtures("no_home")

FIRST = "docs/decisions/0001-record-decisions.md"
REDIS = "docs/decisions/0002-use-redis.md"
KAFKA = "docs/decisions/0002-use-kafka.md"


def decision(rid: str, title: str, status: str = "proposed") -> str:
    return (
        f"---\nid: {rid}\ntitle: {title}\nstatus: {status}\n---\n# {title}\n\n"
        "## Context\n\nWhy.\n\n## Decision\n\nWhat.\n"
    )


@pytest.fixture
def check(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, list[dict[str, Any]]]]:
    """`check(repo, *args) -> (exit code, IDN005 diagnostics)`, run in-process."""

    def run(repo: Path, *args: str) -> tuple[int, list[dict[str, Any]]]:
        capsys.readouterr()
        code = main(["check", str(repo), "--format", "json", *args])
        out, err = capsys.readouterr()
        assert code in (0, 1) and "Traceback" not in err, err
        found = [d for d in json.loads(out)["diagnostics"] if d["code"] == "IDN005"]
        return code, found

    return run


Check = Callable[..., tuple[int, list[dict[str, Any]]]]


def started(path: Path) -> Scratch:
    """A repository whose `main` holds ADR-0001 and a tracecard.toml."""
    repo = Scratch(path)
    repo.write("tracecard.toml", "")
    repo.write(FIRST, decision("ADR-0001", "Record decisions", "accepted"))
    repo.commit("Start the decision log")
    return repo


def take_on_branch(repo: Scratch, branch: str, rel: str, rid: str, title: str) -> None:
    """Commit `rel` on a new branch `branch`, and switch back to main."""
    repo.git("checkout", "-q", "-b", branch, "main")
    repo.write(rel, decision(rid, title))
    repo.commit(f"Propose {title}")
    repo.git("checkout", "-q", "main")


def at(found: list[dict[str, Any]]) -> list[str]:
    return sorted(f"{d['path']}:{d['line']}:{d['column']}" for d in found)


def test_number_taken_by_another_file_on_a_local_branch(tmp_path: Path, check: Check) -> None:
    repo = started(tmp_path / "repo")
    take_on_branch(repo, "feature/kafka", KAFKA, "ADR-0002", "Use Kafka")
    repo.write(REDIS, decision("ADR-0002", "Use Redis"))  # not committed yet

    code, found = check(repo.path)
    assert at(found) == [f"{REDIS}:2:5"]  # the id line
    message = found[0]["message"]
    assert "ADR-0002" in message and "feature/kafka" in message and KAFKA in message
    assert "git mv" in message and "tracecard adr new" in message
    assert found[0]["severity"] == "warning" and code == 0
    assert check(repo.path, "--strict")[0] == 1

    # Seen from the other branch, once main has committed its record: the same collision.
    repo.commit("Propose Use Redis")
    repo.git("checkout", "-q", "feature/kafka")
    _, found = check(repo.path)
    assert at(found) == [f"{KAFKA}:2:5"]
    assert "on branch main" in found[0]["message"] and REDIS in found[0]["message"]


def test_number_taken_on_a_remote_tracking_branch(tmp_path: Path, check: Check) -> None:
    origin = started(tmp_path / "origin")
    clone = Scratch(tmp_path / "clone", init=False)
    clone.git("clone", "-q", str(origin.path), ".")
    take_on_branch(origin, "feature/kafka", KAFKA, "ADR-0002", "Use Kafka")
    clone.git("fetch", "-q")
    clone.write(REDIS, decision("ADR-0002", "Use Redis"))

    _, found = check(clone.path)
    assert at(found) == [f"{REDIS}:2:5"]
    assert "on branch origin/feature/kafka" in found[0]["message"]

    clone.git("branch", "-q", "feature/kafka", "origin/feature/kafka")
    _, found = check(clone.path)
    assert len(found) == 1  # one finding per record, naming both branches
    assert "on branches feature/kafka, origin/feature/kafka" in found[0]["message"]


@pytest.mark.parametrize("shared", ["before the fork", "copied from the branch"])
def test_same_path_on_another_branch_is_the_same_record(
    shared: str, tmp_path: Path, check: Check
) -> None:
    repo = started(tmp_path / "repo")
    if shared == "before the fork":
        repo.write(REDIS, decision("ADR-0002", "Use Redis"))
        repo.commit("Propose Use Redis")
        repo.git("checkout", "-q", "-b", "feature/accept-redis")
        repo.replace(REDIS, "status: proposed", "status: accepted")
        repo.commit("Accept Use Redis")
        repo.git("checkout", "-q", "main")
    else:  # the branch added it; main took the file over, uncommitted
        take_on_branch(repo, "feature/redis", REDIS, "ADR-0002", "Use Redis")
        repo.git("checkout", "feature/redis", "--", REDIS)
    repo.replace(REDIS, "title: Use Redis", "title: Use Redis for sessions")

    assert check(repo.path)[1] == []


def test_merged_branches_cost_no_merge_base(
    tmp_path: Path, check: Check, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Git is asked once for the unmerged branch tips; merged ones are never looked at (their
    files were renamed here after the merge), and `git merge-base` runs only for a branch that
    holds a candidate collision."""
    repo = started(tmp_path / "repo")
    for n in range(3, 6):
        old, new = f"docs/decisions/000{n}-x.md", f"docs/decisions/000{n}-y.md"
        take_on_branch(repo, f"done/{n}", old, f"ADR-000{n}", "X")
        repo.merge(f"done/{n}", f"Merge done/{n}")
        repo.git("mv", old, new)
        repo.commit(f"Rename ADR-000{n}")
    take_on_branch(repo, "feature/kafka", KAFKA, "ADR-0002", "Use Kafka")
    repo.write(REDIS, decision("ADR-0002", "Use Redis"))
    trace = tmp_path / "trace.txt"
    monkeypatch.setenv("GIT_TRACE", str(trace))

    assert len(check(repo.path, "--ignore", "HIS")[1]) == 1
    commands = [
        line.split("built-in: git ", 1)[1].split()[0]
        for line in trace.read_text().splitlines()
        if "built-in: git " in line
    ]
    assert commands.count("for-each-ref") == 1
    assert commands.count("merge-base") == 1  # feature/kafka only
    assert set(commands) <= {"version", "for-each-ref", "cat-file", "merge-base"}


def test_merged_branch_is_not_reported(tmp_path: Path, check: Check) -> None:
    """feature/kafka took 0002 and was merged; main then renumbered it to 0003 and took 0002
    for another record. The branch still holds 0002-use-kafka.md, but HEAD contains it."""
    repo = started(tmp_path / "repo")
    take_on_branch(repo, "feature/kafka", KAFKA, "ADR-0002", "Use Kafka")
    repo.merge("feature/kafka", "Merge feature/kafka")
    repo.git("mv", KAFKA, "docs/decisions/0003-use-kafka.md")
    repo.replace("docs/decisions/0003-use-kafka.md", "ADR-0002", "ADR-0003")
    repo.write(REDIS, decision("ADR-0002", "Use Redis"))
    repo.commit("Renumber Kafka, propose Redis")

    assert check(repo.path)[1] == []


def test_current_branch_is_not_compared_with_itself(tmp_path: Path, check: Check) -> None:
    """An uncommitted rename: HEAD's own branch still holds the old path."""
    repo = started(tmp_path / "repo")
    repo.write(REDIS, decision("ADR-0002", "Use Redis"))
    repo.commit("Propose Use Redis")
    repo.git("mv", REDIS, "docs/decisions/0002-use-redis-for-sessions.md")

    assert check(repo.path)[1] == []


@pytest.mark.parametrize("renamed_here", [True, False])
def test_record_renamed_on_one_side_only(renamed_here: bool, tmp_path: Path, check: Check) -> None:
    """Both sides inherited 0002-use-redis.md; one renamed it. The merge folds the rename in."""
    repo = started(tmp_path / "repo")
    repo.write(REDIS, decision("ADR-0002", "Use Redis"))
    repo.commit("Propose Use Redis")
    repo.git("checkout", "-q", "-b", "feature/other")
    if not renamed_here:
        repo.git("mv", REDIS, "docs/decisions/0002-use-redis-for-sessions.md")
    repo.write("docs/decisions/0003-other.md", decision("ADR-0003", "Other"))
    repo.commit("Work on the branch")
    repo.git("checkout", "-q", "main")
    if renamed_here:
        repo.git("mv", REDIS, "docs/decisions/0002-use-redis-for-sessions.md")
        repo.commit("Rename")

    assert check(repo.path)[1] == []


def test_repository_without_commits_compares_with_fetched_branches(
    tmp_path: Path, check: Check
) -> None:
    origin = started(tmp_path / "origin")
    take_on_branch(origin, "feature/kafka", KAFKA, "ADR-0002", "Use Kafka")
    repo = Scratch(tmp_path / "repo")
    repo.git("remote", "add", "origin", str(origin.path))
    repo.git("fetch", "-q", "origin")
    repo.write("tracecard.toml", "")
    repo.write(REDIS, decision("ADR-0002", "Use Redis"))

    _, found = check(repo.path)
    assert at(found) == [f"{REDIS}:2:5"]
    assert "origin/feature/kafka" in found[0]["message"]


def test_ignore_idn005(tmp_path: Path, check: Check) -> None:
    repo = started(tmp_path / "repo")
    take_on_branch(repo, "feature/kafka", KAFKA, "ADR-0002", "Use Kafka")
    repo.write(REDIS, decision("ADR-0002", "Use Redis"))

    assert len(check(repo.path)[1]) == 1
    assert check(repo.path, "--ignore", "IDN005")[1] == []
    assert check(repo.path, "--ignore", "IDN")[1] == []


def _probe(folder: Path, *args: str) -> tuple[list[dict[str, Any]], bool]:
    """Check `folder` in a fresh interpreter: (IDN005 diagnostics, whether git was imported)."""
    argv = ["check", str(folder), "--format", "json", *args]
    probe = (
        "import io, sys, contextlib; from tracecard.cli import main; out = io.StringIO()\n"
        f"with contextlib.redirect_stdout(out): main({argv!r})\n"
        "print(out.getvalue()); print('git' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    *report, imported = done.stdout.strip().splitlines()
    found = [d for d in json.loads("\n".join(report))["diagnostics"] if d["code"] == "IDN005"]
    return found, imported == "True"


def test_outside_git_nothing_is_reported_and_git_is_not_imported(tmp_path: Path) -> None:
    folder = tmp_path / "plain"
    plain = Scratch(folder, init=False)
    plain.write("tracecard.toml", "")
    plain.write(KAFKA, decision("ADR-0002", "Use Kafka"))
    plain.write(REDIS, decision("ADR-0002", "Use Redis"))  # IDN001, not IDN005

    assert _probe(folder) == ([], False)


def test_git_is_not_imported_without_another_branch_or_with_idn005_ignored(
    tmp_path: Path,
) -> None:
    repo = started(tmp_path / "repo")
    repo.write(REDIS, decision("ADR-0002", "Use Redis"))
    assert _probe(repo.path, "--ignore", "HIS") == ([], False)  # main is the only branch

    (repo.path / REDIS).unlink()
    take_on_branch(repo, "feature/kafka", KAFKA, "ADR-0002", "Use Kafka")
    repo.write(REDIS, decision("ADR-0002", "Use Redis"))
    found, imported = _probe(repo.path, "--ignore", "HIS")
    assert len(found) == 1 and imported
    assert _probe(repo.path, "--ignore", "HIS,IDN005") == ([], False)
