"""What the tests of `tracecard import` share: running tracecard in-process, reading front matter."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tracecard.cli import main
from tracecard.load.parse import parse_text

FIXTURES = Path(__file__).parent / "fixtures" / "import"

Run = Callable[..., tuple[int, str]]


@pytest.fixture(name="run")
def run_fixture(capsys: pytest.CaptureFixture[str]) -> Run:
    """`run("import", "madr", "docs")` -> (exit code, stdout)."""

    def go(*args: str) -> tuple[int, str]:
        code = main(list(args))
        return code, capsys.readouterr().out

    return go


def in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in `tmp_path`; durability (fsync) is not under test, speed is."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("os.fsync", lambda fd: None)
    return tmp_path


def front(path: Path) -> dict[str, object]:
    parsed = parse_text(path.read_bytes().decode("utf-8-sig"))
    assert parsed.data is not None, parsed.problems
    return parsed.data
