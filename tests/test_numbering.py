"""The next free number counts the working tree and every local and remote-tracking branch."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import git as gitpython
import pytest

from tracecard.cli import main
from tracecard.git import branches
from tracecard.model import numbering
from tracecard.model.records import Kind

DECISIONS = "docs/decisions"


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True)
    return done.stdout.strip()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A git repository with one commit holding ADR-0001 and ADR-0002, as the working folder."""
    home = tmp_path / "home-must-not-be-written"
    monkeypatch.setattr(os, "fsync", lambda fd: None)  # durability is not under test; speed is
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Ada Lovelace")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "ada@example.com")
        monkeypatch.setenv(f"GIT_{who}_DATE", "2026-01-05T10:00:00+0000")
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    monkeypatch.chdir(root)
    assert main(["init"]) == 0
    for title in ("First", "Second"):
        assert main(["adr", "new", title]) == 0
    commit(root, "two decisions")
    yield root
    assert not home.exists(), "something wrote to the home folder"


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def on_branch(root: Path, branch: str, title: str) -> None:
    """Add a decision on a new branch (with tracecard itself), then go back to main."""
    git(root, "checkout", "-q", "-b", branch)
    assert main(["adr", "new", title]) == 0
    commit(root, title)
    git(root, "checkout", "-q", "main")


def adr_new(capsys: pytest.CaptureFixture[str], title: str) -> tuple[str, str]:
    capsys.readouterr()
    assert main(["adr", "new", title]) == 0
    out, err = capsys.readouterr()
    return out.strip(), err


@pytest.mark.parametrize(
    ("name", "number"),
    [
        ("0007-use-two-tower.md", 7),
        ("0008-x.md", 8),  # decimal, not octal
        ("012_use_kafka.md", 12),
        ("0003.md", 3),
        ("ADR-0042", 42),
        ("README.md", None),
        ("use-kafka.md", None),
        ("0007-x.txt", None),
    ],
)
def test_number_of(name: str, number: int | None) -> None:
    assert numbering.number_of(Kind.DECISION, name) == number


def test_local_branch_took_the_next_number(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    on_branch(repo, "feature/ranking", "Two-stage ranking")
    assert not (repo / DECISIONS / "0003-two-stage-ranking.md").exists()
    path, err = adr_new(capsys, "Drop cold start")
    assert path == f"{DECISIONS}/0004-drop-cold-start.md"
    assert err == (
        "tracecard: ADR-0003 is taken on branch feature/ranking (0003-two-stage-ranking.md); "
        "using ADR-0004\n"
    )


def test_remote_tracking_branch_from_a_clone(repo: Path, capsys: pytest.CaptureFixture[str],
                                             monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    on_branch(repo, "feature/ranking", "Two-stage ranking")
    git(repo, "checkout", "-q", "-b", "feature/threshold")  # also 0003, written by hand
    (repo / DECISIONS / "0003-fraud-threshold.md").write_text("---\nstatus: proposed\n---\n# X\n")
    commit(repo, "by hand")
    git(repo, "checkout", "-q", "main")
    clone = repo.parent / "clone"
    git(repo.parent, "clone", "-q", str(repo), str(clone))
    monkeypatch.chdir(clone)
    assert git(clone, "branch", "--list") == "* main"  # only remote-tracking refs hold 0003
    path, err = adr_new(capsys, "In the clone")
    assert path == f"{DECISIONS}/0004-in-the-clone.md"
    assert "ADR-0003 is taken on branches origin/feature/ranking (0003-two-stage-ranking.md), " in err
    assert "origin/feature/threshold (0003-fraud-threshold.md); using ADR-0004" in err


def test_numbers_below_the_local_highest_are_not_reported(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    on_branch(repo, "old", "Old branch")  # takes 0003
    for title in ("Third", "Fourth"):
        adr_new(capsys, title)  # 0004 (skipping 0003), then 0005
    path, err = adr_new(capsys, "Fifth")
    assert path == f"{DECISIONS}/0006-fifth.md" and err == ""


def test_requirements_count_branches_too(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(repo, "checkout", "-q", "-b", "req-branch")
    assert main(["req", "new", "Stop fraud"]) == 0
    commit(repo, "req")
    git(repo, "checkout", "-q", "main")
    capsys.readouterr()
    assert main(["req", "new", "Relevance"]) == 0
    out, err = capsys.readouterr()
    assert out.strip() == "docs/requirements/0002-relevance.md"
    assert "REQ-0001 is taken on branch req-branch" in err


def test_branch_without_the_folder(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(repo, "checkout", "-q", "--orphan", "empty")
    git(repo, "rm", "-q", "-r", "--cached", ".")
    (repo / "other.txt").write_text("x")
    git(repo, "add", "other.txt")
    git(repo, "commit", "-q", "-m", "unrelated history")
    git(repo, "checkout", "-q", "-f", "main")
    path, err = adr_new(capsys, "Third")
    assert path == f"{DECISIONS}/0003-third.md" and err == ""


def test_repository_without_commits(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    git(tmp_path, "init", "-q", "-b", "main")
    folder = tmp_path / DECISIONS
    folder.mkdir(parents=True)
    assert branches.next_number(Kind.DECISION, folder, set()).number == 1


def test_a_few_git_calls_whatever_the_number_of_branches(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for i in range(12):
        on_branch(repo, f"feature/{i}", f"Branch {i}")
    calls: list[tuple[str, ...]] = []
    real = gitpython.cmd.Git.execute

    def counting(self: gitpython.cmd.Git, command: object, *args: object, **kwargs: object) -> object:
        calls.append(tuple(map(str, command)) if isinstance(command, (list, tuple)) else (str(command),))
        return real(self, command, *args, **kwargs)

    monkeypatch.setattr(gitpython.cmd.Git, "execute", counting)
    taken = branches.branch_numbers(Kind.DECISION, repo / DECISIONS)
    newest = {t.branch: t.number for t in taken if t.number > 2}
    assert newest == {f"feature/{i}": 3 + i for i in range(12)}
    assert len(calls) <= 4, calls


def test_many_skipped_numbers_are_summarised() -> None:
    taken = tuple(numbering.Taken(n, f"b{n}", f"docs/decisions/{n:04d}-x.md") for n in range(3, 11))
    lines = numbering.skipped_message(Kind.DECISION, taken, 11)
    assert lines[0] == "ADR-0003 is taken on branch b3 (0003-x.md); using ADR-0011"
    assert lines[-1] == "3 more numbers below ADR-0011 are taken on other branches"
    assert len(lines) == 6
