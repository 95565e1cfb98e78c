"""scripts/new_rule.py, on a copy of the project: a rule in a new family and one in a known family
are scaffolded, and the tests that hold rules to account pass on the result."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]


def _copy(tmp: Path) -> Path:
    """The project's files as on disk (tracked and new, not ignored), without .git."""
    if shutil.which("git") is None or not (PROJECT / ".git").exists():
        pytest.skip("the project is not a git checkout")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT, check=True, capture_output=True,
    ).stdout.decode().split("\0")
    root = tmp / "project"
    for rel in filter(None, listed):
        src = PROJECT / rel
        if src.is_file():
            dst = root / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst)
    return root


def _run(root: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    return subprocess.run([sys.executable, *argv], cwd=root, env=env, capture_output=True,
                          text=True)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _copy(tmp_path_factory.mktemp("scaffold"))


def test_scaffold_new_family_and_known_family(project: Path) -> None:
    new = _run(project, "scripts/new_rule.py", "ZZZ001", "stub-for-a-test",
               "--family", "test family", "--severity", "warning")
    assert new.returncode == 0, new.stderr
    known = _run(project, "scripts/new_rule.py", "LNK099", "another-link-stub")
    assert known.returncode == 0, known.stderr
    module = (project / "src/tracecard/rules/test_family.py").read_text()
    assert 'code = "ZZZ001"' in module and "severity = Severity.WARNING" in module
    assert 'code = "LNK099"' in (project / "src/tracecard/rules/links.py").read_text()
    registry = (project / "src/tracecard/rules/registry.py").read_text()
    assert '"ZZZ": "test family"' in registry and "links.AnotherLinkStub," in registry
    for code in ("ZZZ001", "LNK099"):
        assert (project / f"tests/corpus/{code}/bad/expected.txt").is_file()
        assert (project / f"tests/corpus/{code}/good/tracecard.toml").is_file()
        assert (project / f"docs/rules/{code}.md").is_file()
    assert "ZZZ (test family)" in (project / "README.md").read_text()
    suite = _run(project, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                 "tests/test_rules_corpus.py", "tests/test_codes.py", "tests/test_rule_docs.py",
                 "-k", "ZZZ001 or LNK099 or codes or family or generated or docstring")
    assert suite.returncode == 0, suite.stdout[-3000:]
    shown = _run(project, "-m", "tracecard", "rules", "ZZZ001")
    assert shown.returncode == 0 and "stub-for-a-test" in shown.stdout


@pytest.mark.parametrize("argv", [
    ["PAR001", "no-front-matter-again"],       # the code exists
    ["abc001", "lower-case-code"],             # not a code
    ["QQQ001", "Bad_Name", "--family", "x"],   # not a kebab-case name
    ["QQQ001", "no-family-named"],             # a new family needs --family
    ["LNK100", "wrong-family", "--family", "body"],  # LNK is the links family
])
def test_scaffold_refuses_with_a_reason(project: Path, argv: list[str]) -> None:
    before = (project / "src/tracecard/rules/registry.py").read_bytes()
    done = _run(project, "scripts/new_rule.py", *argv)
    assert done.returncode == 2 and "new_rule:" in done.stderr and "Traceback" not in done.stderr
    assert (project / "src/tracecard/rules/registry.py").read_bytes() == before
