"""The shipped `tracecard-check` hook, run through the real pre-commit.

pre-commit builds a virtualenv for the hook repository and pip-installs tracecard into it (this
needs PyPI or a wheel cache). `pre-commit try-repo` always does that in a store of its own
temporary folder (pre-commit 4 ignores PRE_COMMIT_HOME there), so it runs once here, with
`--all-files`. The other cases run `pre-commit run --config CFG` with the configuration
try-repo would write (this repository at one commit, the one hook) and a PRE_COMMIT_HOME shared
by the module, so their environment is built once.

When the project has uncommitted changes, try-repo makes a new shadow commit on every call;
this module instead snapshots the project once (HEAD plus the changes to tracked files and the
new files git does not ignore) into a temporary repository and pins every call to that commit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
HOOK = "tracecard-check"

GIT_ENV = {
    "GIT_AUTHOR_NAME": "tracecard tests",
    "GIT_AUTHOR_EMAIL": "tests@example.com",
    "GIT_COMMITTER_NAME": "tracecard tests",
    "GIT_COMMITTER_EMAIL": "tests@example.com",
    "GIT_AUTHOR_DATE": "2026-01-05T12:00:00+00:00",
    "GIT_COMMITTER_DATE": "2026-01-05T12:00:00+00:00",
}

BROKEN_DECISION = """\
---
id: ADR-0001
title: Use gradient boosting
status: acepted
---

# Use gradient boosting

## Context

Fraud scoring needs a tabular model.

## Decision

Gradient-boosted trees.
"""

CLEAN_DECISION = BROKEN_DECISION.replace("ADR-0001", "ADR-0002").replace("acepted", "accepted")

CARD = """\
---
id: MC-fraud-detector
title: Fraud detector
status: draft
decisions: [{decision}]
intended_use: Scores checkout orders for fraud.
---

# Fraud detector

## Evaluation Data

The weekly holdout.
"""


def git(*args: str, cwd: Path) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True,
                          text=True).stdout


def _snapshot(tmp: Path) -> tuple[Path, str]:
    """The project as it is on disk (HEAD, changes to tracked files, and new files that git does
    not ignore, so that a module not yet added cannot go missing), at a fixed commit."""
    head = git("rev-parse", "HEAD", cwd=PROJECT).strip()
    changed = [p for p in git("diff", "--name-only", "-z", "HEAD", cwd=PROJECT).split("\0") if p]
    staged_new = [p for p in git("diff", "--cached", "--name-only", "-z", "--diff-filter=A", cwd=PROJECT)
                  .split("\0") if p]
    untracked = [p for p in git("ls-files", "--others", "--exclude-standard", "-z", cwd=PROJECT)
                 .split("\0") if p]
    staged_new += untracked
    if not changed and not staged_new:
        return PROJECT, head
    snap = tmp / "tracecard-snapshot"
    git("clone", "--quiet", "--no-hardlinks", str(PROJECT), str(snap), cwd=tmp)
    git("checkout", "--quiet", head, cwd=snap)
    for rel in dict.fromkeys(changed + staged_new):
        src, dst = PROJECT / rel, snap / rel
        if src.exists():
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
        elif dst.exists():
            dst.unlink()
    git("add", "-A", cwd=snap)
    git("commit", "--quiet", "--no-verify", "-m", "snapshot for the pre-commit test", cwd=snap)
    return snap, git("rev-parse", "HEAD", cwd=snap).strip()


def make_hook_source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Path]:
    """(hook repository, commit, PRE_COMMIT_HOME): the `hook_source` fixture of conftest.py,
    built once per test session and shared by every module that runs the hooks."""
    if shutil.which("git") is None or not (PROJECT / ".git").exists():
        pytest.skip("the project is not a git checkout: try-repo needs one")
    if not (PROJECT / ".pre-commit-hooks.yaml").is_file():
        pytest.fail(".pre-commit-hooks.yaml is missing at the project root")
    tmp = tmp_path_factory.mktemp("pre-commit")
    repo, ref = _snapshot(tmp)
    return repo, ref, tmp / "home"


@pytest.fixture
def records(tmp_path: Path) -> Path:
    """A git repository of records: one broken decision, a clean one, and two cards."""
    root = tmp_path / "records"
    (root / "docs" / "decisions").mkdir(parents=True)
    (root / "docs" / "model-cards").mkdir(parents=True)
    git("init", "--quiet", ".", cwd=root)
    (root / "tracecard.toml").write_text("[tracecard]\n")
    (root / "docs/decisions/0001-use-gradient-boosting.md").write_text(BROKEN_DECISION)
    (root / "docs/decisions/0002-use-gradient-boosting.md").write_text(CLEAN_DECISION)
    (root / "docs/model-cards/fraud-detector.md").write_text(CARD.format(decision="ADR-0002"))
    (root / "docs/model-cards/churn.md").write_text(
        CARD.format(decision="ADR-0099").replace("MC-fraud-detector", "MC-churn")
    )
    git("add", "-A", cwd=root)
    return root


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PRE_COMMIT", "FORCE_COLOR"))}
    env.update(GIT_ENV, PRE_COMMIT_HOME=str(home), NO_COLOR="1")
    return env


def try_repo(hook_source: tuple[Path, str, Path], cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    repo, ref, home = hook_source
    cmd = [sys.executable, "-m", "pre_commit", "try-repo", str(repo), HOOK, "--ref", ref,
           "--color", "never", *args]
    return subprocess.run(cmd, cwd=cwd, env=_env(home), capture_output=True, text=True, timeout=900)


def run_hook(hook_source: tuple[Path, str, Path], cwd: Path, *args: str,
             hooks: tuple[str, ...] = (HOOK,)) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """`pre-commit run` with the configuration try-repo writes, and the session's shared store."""
    repo, ref, home = hook_source
    config = home.parent / "pre-commit-config.yaml"
    ids = "".join(f"    -   id: {h}\n" for h in hooks)
    config.write_text(f"repos:\n-   repo: {repo}\n    rev: {ref}\n    hooks:\n{ids}")
    cmd = [sys.executable, "-m", "pre_commit", "run", "--config", str(config), "--color", "never", *args]
    return subprocess.run(cmd, cwd=cwd, env=_env(home), capture_output=True, text=True, timeout=900)


def test_try_repo_all_files(hook_source: tuple[Path, str, Path], records: Path) -> None:
    proc = try_repo(hook_source, records, "--all-files")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "docs/decisions/0001-use-gradient-boosting.md:4:9: SCH001" in out
    assert "docs/model-cards/churn.md:5:" in out and ": LNK001 " in out
    assert "0002-use-gradient-boosting.md:" not in out and "fraud-detector.md:" not in out


def test_broken_file_fails_with_its_finding(hook_source: tuple[Path, str, Path], records: Path) -> None:
    proc = run_hook(hook_source, records, "--files", "docs/decisions/0001-use-gradient-boosting.md")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "docs/decisions/0001-use-gradient-boosting.md:4:9: SCH001" in out
    assert "0002-use-gradient-boosting.md:" not in out


def test_clean_file_passes_and_links_resolve_across_files(
    hook_source: tuple[Path, str, Path], records: Path
) -> None:
    # The card links to ADR-0002, which is in a file pre-commit does not pass; the broken
    # ADR-0001 is not passed either and must not be reported.
    proc = run_hook(hook_source, records, "--files", "docs/model-cards/fraud-detector.md")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "Passed" in out
    assert "SCH001" not in out and "LNK001" not in out


def test_dangling_link_in_the_given_file(hook_source: tuple[Path, str, Path], records: Path) -> None:
    proc = run_hook(hook_source, records, "--files", "docs/model-cards/churn.md")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "docs/model-cards/churn.md:5:" in out and ": LNK001 " in out
    assert "0001-use-gradient-boosting.md" not in out


def test_staged_changes_only(hook_source: tuple[Path, str, Path], records: Path) -> None:
    """A plain `pre-commit run` checks the staged files: commit the records, then break one."""
    git("commit", "--quiet", "--no-verify", "-m", "records", cwd=records)
    card = records / "docs/model-cards/fraud-detector.md"
    card.write_text(card.read_text().replace("status: draft", "status: drafty"))
    git("add", str(card), cwd=records)
    proc = run_hook(hook_source, records)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "docs/model-cards/fraud-detector.md:4:9: SCH001" in out
    assert "0001-use-gradient-boosting.md:" not in out  # committed, not staged: not passed


def test_the_environment_was_built_once(hook_source: tuple[Path, str, Path], records: Path) -> None:
    run_hook(hook_source, records, "--files", "docs/decisions/0002-use-gradient-boosting.md")
    home = hook_source[2]
    envs = [p for p in home.glob("repo*/py_env-*") if p.is_dir()]
    assert len(envs) == 1, envs
