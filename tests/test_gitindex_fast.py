"""A warm history read whose cache holds HEAD needs neither git nor GitPython."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from test_gitindex import FOLDERS, Scratch, madr_key, read, record

from tracecard.git import index as gitindex


@pytest.fixture
def repo(tmp_path: Path) -> Scratch:
    repo = Scratch(tmp_path / "repo")
    for n in (1, 2):
        repo.write(f"docs/decisions/000{n}-x.md", record(f"ADR-000{n}"))
        repo.commit(f"Add ADR-000{n}")
    return repo


def test_warm_read_is_served_from_the_files_and_equals_the_git_read(repo: Scratch) -> None:
    cold = read(repo)
    assert cold.stats.cache == "cold"
    fast = gitindex._cached_without_git(repo.path, FOLDERS, madr_key)
    assert fast is not None and fast.head == cold.head and fast.records == cold.records


def test_a_new_commit_is_not_answered_from_the_stale_cache(repo: Scratch) -> None:
    read(repo)
    repo.write("docs/decisions/0001-x.md", record("ADR-0001", "accepted"))
    repo.commit("Accept")
    assert gitindex._cached_without_git(repo.path, FOLDERS, madr_key) is None
    assert read(repo).stats.cache == "extended"


def test_packed_refs_and_a_detached_head_are_followed(repo: Scratch) -> None:
    head = read(repo).head
    repo.git("pack-refs", "--all")
    assert not (repo.path / ".git/refs/heads/main").exists()
    assert gitindex._head_commit(repo.path / ".git", repo.path / ".git") == head
    repo.git("checkout", "-q", "--detach")
    assert gitindex._head_commit(repo.path / ".git", repo.path / ".git") == head


def test_a_shallow_clone_takes_the_normal_path(repo: Scratch, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    repo.git("clone", "-q", "--depth", "1", f"file://{repo.path}", str(clone))
    assert gitindex._cached_without_git(clone, FOLDERS, madr_key) is None


def test_git_is_not_imported_on_a_warm_run(repo: Scratch) -> None:
    read(repo)
    code = (
        "import sys; from tracecard.git import index as gitindex; from test_gitindex import FOLDERS, madr_key;"
        f"h = gitindex.read_history(__import__('pathlib').Path({str(repo.path)!r}),"
        " FOLDERS, madr_key);"
        "print(h.stats.cache, 'git' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=Path(__file__).parent,
    )  # fmt: skip
    assert out.stdout.split() == ["hit", "False"], out.stderr
