"""The shipped `tracecard-card-check` hook, run by the real pre-commit (`try-repo`) in git
repositories made in temporary folders.

`try-repo` builds the hook from the project's committed HEAD plus its uncommitted changes to
tracked files, installs it into PRE_COMMIT_HOME (one folder for the module, so a clean checkout
installs once), and runs it as a user's pre-commit would: on every Markdown file with
`--all-files`, else on the staged ones.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

pytest.importorskip("pre_commit")

PROJECT = Path(__file__).resolve().parent.parent
EXAMPLE = PROJECT / "examples" / "launch-gate"
HOOK = "tracecard-card-check"

Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    base = tmp_path_factory.mktemp("precommit")
    home = base / "home"
    home.mkdir()
    pinned = {
        "PRE_COMMIT_HOME": str(base / "pre-commit-home"),
        "HOME": str(home),  # pip's cache and git's global config stay in the temporary folder
        "XDG_CACHE_HOME": str(home / ".cache"),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
        "GIT_AUTHOR_DATE": "2026-03-01T12:00:00+00:00",
        "GIT_COMMITTER_DATE": "2026-03-01T12:00:00+00:00",
        "NO_COLOR": "1",
    }  # fmt: skip
    return {**os.environ, **pinned}


@pytest.fixture(scope="module")
def git(env: dict[str, str]) -> Run:
    def run(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=repo, env=env, check=True,
                              capture_output=True, text=True)  # fmt: skip

    return run


@pytest.fixture(scope="module")
def try_repo(env: dict[str, str], hook_source: tuple[Path, str, Path]) -> Run:
    """try-repo on the project as it is on disk (the session's snapshot: new files included)."""
    source, ref, _ = hook_source

    def run(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
        cmd = [sys.executable, "-m", "pre_commit", "try-repo", str(source), HOOK, "--ref", ref,
               *args]  # fmt: skip
        return subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True,
                              timeout=600, check=False)  # fmt: skip

    return run


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory, git: Run) -> Path:
    """examples/launch-gate as a git repository with one commit."""
    repo = tmp_path_factory.mktemp("hooked") / "launch-gate"
    shutil.copytree(EXAMPLE, repo)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "records")
    return repo


@pytest.fixture(scope="module")
def all_files(example: Path, try_repo: Run) -> subprocess.CompletedProcess[str]:
    return try_repo(example, "--all-files")


def test_hook_is_shipped() -> None:
    text = (PROJECT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert f"- id: {HOOK}" in text
    assert "entry: tracecard card check" in text


def test_all_files_fails_on_the_failing_cards(all_files: subprocess.CompletedProcess[str]) -> None:
    out = all_files.stdout + all_files.stderr
    assert all_files.returncode == 1, out
    assert "Traceback" not in out
    assert "docs/model-cards/spam-filter.md:14:12: GAT001" in out
    assert "docs/model-cards/spam-filter.md:9:13: GAT002" in out
    assert "docs/model-cards/call-transcriber.md:14:14: GAT005" in out
    assert "MC-spam-filter-next (draft)" in out  # shown, never failing


def test_changed_files_gate_only_the_cards_they_affect(
    example: Path, all_files: subprocess.CompletedProcess[str], git: Run, try_repo: Run
) -> None:
    assert all_files.returncode == 1  # the same repository fails with --all-files
    decision = example / "docs" / "decisions" / "0001-spam-filter-favours-precision.md"
    decision.write_text(decision.read_text(encoding="utf-8") + "\nReviewed in March.\n",
                        encoding="utf-8")  # fmt: skip
    git(example, "add", "-A")
    unrelated = try_repo(example, "--verbose")  # a passing hook prints only when verbose
    assert unrelated.returncode == 0, unrelated.stdout + unrelated.stderr
    assert "No model cards to check." in unrelated.stdout

    router = example / "docs" / "model-cards" / "ticket-router.md"
    router.write_text(router.read_text(encoding="utf-8") + "\nRe-measured.\n", encoding="utf-8")
    git(example, "add", "-A")
    passing = try_repo(example, "--verbose")  # the decision and the router: a card that passes
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "MC-ticket-router (candidate)" in passing.stdout
    assert "MC-spam-filter (production)" not in passing.stdout

    dataset = example / "docs" / "datasets" / "spam-eval.md"
    dataset.write_text(dataset.read_text(encoding="utf-8") + "\nRe-sampled.\n", encoding="utf-8")
    git(example, "add", "-A")
    failing = try_repo(example)  # a dataset sheet re-gates the cards evaluated on it
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "MC-spam-filter (production)" in failing.stdout
    git(example, "commit", "-q", "-m", "edits")
