"""Files read in child processes (tracecard.load.parallel) give the same findings as files read
in the run's own process: on every corpus case, on the example repository, cold and warm, and
when a child fails."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from test_cache import _corpus_cases, cache_dir, committed
from test_rules_corpus import materialise

from tracecard.load import discover, parallel, repository
from tracecard.rules import run

pytestmark = pytest.mark.usefixtures("no_home")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Share out even the smallest repository, one file at a time, over three processes;
    the list holds the size of each share a child was given."""
    monkeypatch.setattr(parallel, "MIN_SHARE", 1)
    monkeypatch.setattr(parallel, "RUN", 1)
    monkeypatch.setattr(run, "_ASIDE_MIN", 0)  # and the history rules in a child of their own
    given: list[int] = []
    real = parallel.Child.__init__

    def counting(self: parallel.Child[int], work: Callable[[list[int]], object], share: list[int]) -> None:
        given.append(len(share))
        real(self, work, share)

    monkeypatch.setattr(parallel.Child, "__init__", counting)
    return given


def serial_and_parallel(
    check: Callable[..., tuple[int, str]], repo: Path, monkeypatch: pytest.MonkeyPatch, given: list[int]
) -> tuple[int, str]:
    monkeypatch.setenv("TRACECARD_JOBS", "1")
    serial = check(repo, "--no-cache")
    assert not given
    monkeypatch.setenv("TRACECARD_JOBS", "3")
    shutil.rmtree(cache_dir(repo), ignore_errors=True)
    cold = check(repo)
    uncached = check(repo, "--no-cache")
    warm = check(repo)
    assert cold == serial, "files read by children gave other findings"
    assert uncached == serial, "files read by children (no cache) gave other findings"
    assert warm == serial, "the entries children made give other findings when read back"
    return serial


@pytest.mark.parametrize(("code", "variant"), list(_corpus_cases()))
def test_corpus_case_same_serial_and_parallel(
    code: str, variant: str, tmp_path: Path, check: Callable[..., tuple[int, str]],
    monkeypatch: pytest.MonkeyPatch, forks: list[int],
) -> None:
    repo = committed(materialise(code, variant, tmp_path))
    files = [p for p in repo.rglob("*.md") if ".git" not in p.parts]
    serial_and_parallel(check, repo, monkeypatch, forks)
    if len(files) >= 3:
        assert forks, "the files were not shared out"


def test_example_repository_same_serial_and_parallel(
    tmp_path: Path, check: Callable[..., tuple[int, str]], monkeypatch: pytest.MonkeyPatch, forks: list[int],
) -> None:
    repo = committed(Path(shutil.copytree(ROOT / "examples" / "shop", tmp_path / "shop")))
    rc, out = serial_and_parallel(check, repo, monkeypatch, forks)
    assert rc == 0
    # The cold run: two readers, one writing the cache in the background, one running the
    # history rules; the run without a cache: two readers and the history rules' child; the
    # warm run reads every file from the entries written (and the whole result).
    assert len(forks) == 7 and forks.count(1) == 3 and all(size > 1 for size in forks if size != 1)


def test_entries_written_in_the_background_are_read_back(
    tmp_path: Path, check: Callable[..., tuple[int, str]], monkeypatch: pytest.MonkeyPatch, forks: list[int],
) -> None:
    repo = committed(Path(shutil.copytree(ROOT / "examples" / "shop", tmp_path / "shop")))
    monkeypatch.setenv("TRACECARD_JOBS", "2")
    cold = check(repo)
    assert forks.count(1) == 2  # the background save, and the history rules
    (cache_dir(repo) / "result-check.pickle").unlink()  # not the whole result: the entries

    def refuse(*args: object) -> None:
        raise AssertionError("a file was parsed again: its entry was not written")

    monkeypatch.setattr(discover, "parse_text", refuse)
    assert check(repo) == cold


def test_a_failing_child_costs_nothing_but_time(
    tmp_path: Path, check: Callable[..., tuple[int, str]], monkeypatch: pytest.MonkeyPatch, forks: list[int],
) -> None:
    repo = committed(Path(shutil.copytree(ROOT / "examples" / "shop", tmp_path / "shop")))
    (repo / "docs" / "decisions" / "0001-broken.md").write_text("---\nid: [unclosed\n---\n", encoding="utf-8")
    monkeypatch.setenv("TRACECARD_JOBS", "1")
    expected = check(repo, "--no-cache")
    assert expected[0] == 1

    def crash(*args: object) -> None:
        raise MemoryError("a child that runs out of memory")

    monkeypatch.setattr(repository, "_read_share", crash)
    monkeypatch.setenv("TRACECARD_JOBS", "2")
    assert check(repo, "--no-cache") == expected
    shutil.rmtree(cache_dir(repo), ignore_errors=True)
    assert check(repo) == expected
    assert forks
    monkeypatch.undo()
    assert check(repo) == expected  # what the parent read after all was cached correctly


def test_history_rules_in_a_failing_child_run_here(
    tmp_path: Path, check: Callable[..., tuple[int, str]], monkeypatch: pytest.MonkeyPatch, forks: list[int],
) -> None:
    repo = committed(Path(shutil.copytree(ROOT / "examples" / "shop", tmp_path / "shop")))
    accepted = next((repo / "docs" / "decisions").glob("0001-*.md"))
    accepted.write_text(accepted.read_text(encoding="utf-8") + "\nEdited after acceptance.\n", encoding="utf-8")
    monkeypatch.setenv("TRACECARD_JOBS", "1")
    expected = check(repo, "--no-cache")
    assert "HIS001" in expected[1]  # a finding only the history rules make
    monkeypatch.setenv("TRACECARD_JOBS", "2")
    assert check(repo, "--no-cache") == expected
    assert forks.count(1) == 1  # the history rules ran in a child

    def lost(self: parallel.Child[int]) -> None:
        self.cancel()  # every child fails: readers and history rules alike

    monkeypatch.setattr(parallel.Child, "result", lost)
    assert check(repo, "--no-cache") == expected


def test_shares_hold_every_item_once() -> None:
    items = list(range(5000))
    split = parallel.shares(items, 3)
    assert len(split) == 3
    assert sorted(i for share in split for i in share) == items
    assert parallel.shares(items[: parallel.MIN_SHARE * 2 - 1], 4) == [items[: parallel.MIN_SHARE * 2 - 1]]


@pytest.mark.parametrize(("value", "expected"), [("1", 1), ("3", 3), ("0", 1), ("many", 1), ("999", 64)])
def test_jobs_from_the_environment(value: str, expected: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRACECARD_JOBS", value)
    assert parallel.jobs() == expected


def test_a_damaged_part_of_a_shard_is_read_afresh(
    tmp_path: Path, check: Callable[..., tuple[int, str]], monkeypatch: pytest.MonkeyPatch, forks: list[int],
) -> None:
    from tracecard.load import cache as cache_mod

    repo = committed(Path(shutil.copytree(ROOT / "examples" / "shop", tmp_path / "shop")))
    monkeypatch.setenv("TRACECARD_JOBS", "3")
    cold = check(repo)
    (cache_dir(repo) / "result-check.pickle").unlink()
    shards = list(cache_dir(repo).rglob("[0-9a-f].pickle"))
    parts = {path: cache_mod.read_pickle(path, "shard") for path in shards}
    assert any(len(p) > 1 for p in parts.values()), "children's entries are kept as they packed them"
    for path, held in parts.items():
        cache_mod.dump_pickle(path, "shard", [*held[:-1], b"\x80garbage"])
    assert check(repo) == cold
    assert check(repo) == cold
