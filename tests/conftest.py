"""Fixtures shared by every test module.

- `make_repo` builds a small record repository in a temporary folder from {relpath: content}.
- "Today" is fixed for every test (TRACECARD_TODAY, inherited by subprocesses too), so that a
  test that passes today passes next month: `TODAY` is that date.
- `no_home` points HOME (and the XDG folders under it) at a folder that does not exist, so any
  code that writes to the user's home folder fails loudly instead of touching the real one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

#: The date every test runs on (the run's clock: `tracecard --today`, TRACECARD_TODAY).
TODAY = "2026-06-15"
os.environ["TRACECARD_TODAY"] = TODAY

#: What marks the repository root when a test gives no configuration of its own.
DEFAULT_CONFIG = "# tracecard configuration: the defaults.\n"

Files = Mapping[str, str | bytes]


def write_repo(root: Path, files: Files) -> Path:
    """Write `files` under `root`, byte for byte; add an empty tracecard.toml unless the files
    configure the repository themselves (tracecard.toml or pyproject.toml)."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode("utf-8") if isinstance(content, str) else content
        path.write_bytes(data)  # write_text would translate newlines on some platforms
    if "tracecard.toml" not in files and "pyproject.toml" not in files:
        (root / "tracecard.toml").write_text(DEFAULT_CONFIG, encoding="utf-8")
    return root


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Path]:
    """`make_repo({"docs/decisions/0001-x.md": "---\\n...", ...}, name="repo") -> root`."""

    def make(files: Files, name: str = "repo") -> Path:
        return write_repo(tmp_path / name, files)

    return make


@pytest.fixture
def no_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """HOME is a folder that does not exist: writing a cache or config there raises."""
    home = tmp_path / "home-must-not-be-written"
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    for var, sub in (
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_STATE_HOME", ".local/state"),
    ):
        monkeypatch.setenv(var, str(home / sub))
    yield home
    assert not home.exists(), f"something wrote to the home folder: {sorted(home.rglob('*'))}"


@pytest.fixture(scope="session")
def hook_source(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, Path]:
    """The project's hooks as pre-commit installs them: (hook repository, commit,
    PRE_COMMIT_HOME), built once per session (pre-commit pip-installs tracecard there)."""
    from test_precommit import make_hook_source

    return make_hook_source(tmp_path_factory)


@pytest.fixture
def check(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str]]:
    """`tracecard check --format json` run in `repo` in this process: (exit code, output and
    stderr)."""

    from tracecard.cli import main

    def run(repo: Path, *args: str) -> tuple[int, str]:
        capsys.readouterr()
        old = Path.cwd()
        os.chdir(repo)
        try:
            rc = main(["check", "--format", "json", *args])
        finally:
            os.chdir(old)
        out = capsys.readouterr()
        return rc, out.out + "\n--- stderr\n" + out.err

    return run
