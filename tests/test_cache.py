"""The caches of `tracecard check` (tracecard.load.cache) never change a result.

Every comparison runs the same check three ways, cold (an empty cache), warm (the cache the
cold run wrote) and with --no-cache, and requires the same output byte for byte: on every case
of the golden corpus and the example repository, after edits, after a configuration or schema
change, with a damaged cache, on another day, and with two runs at once.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from gitscratch import Scratch
from test_rules_corpus import CORPUS, XFAIL, _variants, materialise

from tracecard.load import discover
from tracecard.rules.registry import PER_RECORD, RULES

pytestmark = pytest.mark.usefixtures("no_home")

ROOT = Path(__file__).resolve().parent.parent


def committed(repo: Path) -> Path:
    """`repo` as a git repository with everything committed (kept if it is one already)."""
    if not (repo / ".git").exists():
        scratch = Scratch(repo)
        scratch.git("add", "-A")
        scratch.git("commit", "-q", "--no-verify", "-m", "records")
    return repo


def cache_dir(repo: Path) -> Path:
    return repo / ".git" / "tracecard" / "cache"


def three_ways(check: Callable[..., tuple[int, str]], repo: Path, *args: str) -> tuple[int, str]:
    """Cold, warm and uncached runs; they must agree. Returns the common result."""
    shutil.rmtree(cache_dir(repo), ignore_errors=True)
    cold = check(repo, *args)
    assert cache_dir(repo).is_dir(), "a check in a git repository writes its cache"
    warm = check(repo, *args)
    uncached = check(repo, "--no-cache", *args)
    assert cold == uncached, "the first run with a cache differs from a run without"
    assert warm == uncached, "a run from the cache differs from a run without"
    return uncached


def _corpus_cases() -> Iterator[object]:
    for code in RULES:
        for kind in ("bad", "good"):
            for variant in _variants(code, kind):
                if (CORPUS / code / variant).is_dir() and (code, variant) not in XFAIL:
                    yield pytest.param(code, variant, id=f"{code}/{variant}")


@pytest.mark.parametrize(("code", "variant"), list(_corpus_cases()))
def test_corpus_case_same_cold_warm_and_uncached(
    code: str, variant: str, tmp_path: Path, check: Callable[..., tuple[int, str]]
) -> None:
    repo = committed(materialise(code, variant, tmp_path))
    three_ways(check, repo)


def test_example_repository_same_three_ways(tmp_path: Path, check: Callable[..., tuple[int, str]]) -> None:
    repo = committed(Path(shutil.copytree(ROOT / "examples" / "shop", tmp_path / "shop")))
    rc, out = three_ways(check, repo)
    assert '"code"' in out or rc == 0


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return committed(Path(shutil.copytree(ROOT / "examples" / "shop", tmp_path / "shop")))


def _records(repo: Path) -> list[Path]:
    return sorted(p for p in (repo / "docs").rglob("*.md") if p.name.lower() != "readme.md")


def test_warm_run_reads_no_file_and_parses_nothing(
    shop: Path, check: Callable[..., tuple[int, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    first = check(shop)

    def refuse(*args: object) -> None:
        raise AssertionError("a warm run of an unchanged repository parsed a file")

    monkeypatch.setattr(discover, "parse_text", refuse)
    assert check(shop) == first


def test_one_changed_file_is_the_only_one_parsed(
    shop: Path, check: Callable[..., tuple[int, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    check(shop)
    target = _records(shop)[0]
    target.write_text(target.read_text(encoding="utf-8").replace("---\n", "---\ntags: [edited]\n", 1),
                      encoding="utf-8")  # fmt: skip
    parsed = _count_parses(monkeypatch)
    warm = check(shop)
    assert len(parsed) == 1
    monkeypatch.undo()
    assert warm == check(shop, "--no-cache")


def test_edits_are_seen(shop: Path, check: Callable[..., tuple[int, str]]) -> None:
    three_ways(check, shop)
    records = _records(shop)
    # A new finding (an unknown link), a fixed one, a deleted record, a new record.
    first = records[0]
    first.write_text(first.read_text(encoding="utf-8").replace("---\n", "---\nlinks: [{rel: relates-to, id: ADR-9999}]\n", 1),
                     encoding="utf-8")  # fmt: skip
    records[1].unlink()
    new = shop / "docs" / "decisions" / "0099-new-one.md"
    new.write_text("---\nid: ADR-0099\ntitle: New\nstatus: proposed\n---\n# New\n\n## Context\n\nx\n",
                   encoding="utf-8")  # fmt: skip
    before = check(shop)
    assert before == check(shop, "--no-cache")
    assert "ADR-9999" in before[1]
    # The same size and content length, written again with a new mtime: still right.
    text = new.read_text(encoding="utf-8")
    new.write_text(text.replace("status: proposed", "status: accepted"), encoding="utf-8")
    assert check(shop) == check(shop, "--no-cache")


def test_an_old_mtime_on_changed_content_is_read_again(shop: Path, check: Callable[..., tuple[int, str]]) -> None:
    """A file changed and given back its old size and mtime (as `touch -r` or a checkout may)
    has another inode or is within the racy window; either way its bytes decide."""
    three_ways(check, shop)
    target = _records(shop)[0]
    st = target.stat()
    text = target.read_text(encoding="utf-8")
    changed = text.replace("title:", "titel:", 1)
    assert len(changed) == len(text)
    tmp = target.with_suffix(".tmp")
    tmp.write_text(changed, encoding="utf-8")
    os.replace(tmp, target)  # a new inode, as an editor that saves by renaming gives
    os.utime(target, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert check(shop) == check(shop, "--no-cache")


def test_configuration_change_is_seen(shop: Path, check: Callable[..., tuple[int, str]]) -> None:
    three_ways(check, shop)
    config = shop / "tracecard.toml"
    text = config.read_text(encoding="utf-8") if config.is_file() else ""
    config.write_text(text + '\n[sections]\ndecision = ["Context", "Decision", "A section nobody wrote"]\n',
                      encoding="utf-8")  # fmt: skip
    rc, out = check(shop)
    assert (rc, out) == check(shop, "--no-cache")
    assert "A section nobody wrote" in out


def test_select_ignore_and_today_are_part_of_the_key(shop: Path, check: Callable[..., tuple[int, str]]) -> None:
    three_ways(check, shop)
    for args in (("--select", "BDY"), ("--ignore", "REQ,GAT"), ("--select", "SCH001")):
        assert check(shop, *args) == check(shop, "--no-cache", *args)
    for day in ("2020-01-01", "2031-12-31"):
        os.environ["TRACECARD_TODAY"] = day
        try:
            assert check(shop) == check(shop, "--no-cache")
        finally:
            os.environ["TRACECARD_TODAY"] = "2026-06-15"


def test_a_link_target_appearing_is_seen(tmp_path: Path, check: Callable[..., tuple[int, str]]) -> None:
    repo = tmp_path / "repo"
    (repo / "docs" / "decisions").mkdir(parents=True)
    (repo / "tracecard.toml").write_text("", encoding="utf-8")
    (repo / "docs" / "decisions" / "0001-a.md").write_text(
        "---\nid: ADR-0001\ntitle: A\nstatus: proposed\n---\n# A\n\n## Context\n\nSee [the plan](../plan.md).\n\n"
        "## Decision\n\nx\n", encoding="utf-8")  # fmt: skip
    committed(repo)
    _, before = three_ways(check, repo)
    assert "BDY004" in before
    (repo / "docs" / "plan.md").write_text("the plan\n", encoding="utf-8")
    after = check(repo)
    assert after == check(repo, "--no-cache")
    assert "BDY004" not in after[1]


def test_a_linked_record_going_away_is_seen(shop: Path, check: Callable[..., tuple[int, str]]) -> None:
    """Links to record files are not kept as dependencies of the whole result (the key holds
    every record file already): deleting one must still be seen."""
    _, before = three_ways(check, shop)
    assert "BDY004" not in before
    linked = [p for p in _records(shop) if f"]({p.name})" in "".join(q.read_text(encoding="utf-8")
                                                                  for q in _records(shop))]  # fmt: skip
    assert linked, "the example links from one record to another"
    linked[0].unlink()
    after = check(shop)
    assert after == check(shop, "--no-cache")
    assert "BDY004" in after[1]


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty", "other-pickle"])
def test_a_damaged_cache_is_ignored_and_rebuilt(
    shop: Path, check: Callable[..., tuple[int, str]], damage: str
) -> None:
    expected = three_ways(check, shop)
    files = [p for p in cache_dir(shop).rglob("*.pickle")]
    assert len(files) > 2
    for path in files:
        data = path.read_bytes()
        if damage == "truncate":
            path.write_bytes(data[: len(data) // 2])
        elif damage == "garbage":
            path.write_bytes(os.urandom(len(data)))
        elif damage == "empty":
            path.write_bytes(b"")
        else:
            import pickle

            path.write_bytes(pickle.dumps({"not": "an entry"}))
    assert check(shop) == expected
    assert check(shop) == expected  # and what the damaged run wrote back is right too


def test_one_damaged_shard_among_good_ones(shop: Path, check: Callable[..., tuple[int, str]]) -> None:
    expected = three_ways(check, shop)
    (cache_dir(shop) / "result-check.pickle").unlink()
    shard = sorted(p for p in cache_dir(shop).rglob("[0-9a-f].pickle"))[0]
    shard.write_bytes(shard.read_bytes()[:-7] + b"garbage")
    assert check(shop) == expected


def test_no_cache_writes_nothing_and_the_env_turns_it_off(
    shop: Path, check: Callable[..., tuple[int, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    check(shop, "--no-cache")
    assert not cache_dir(shop).exists()
    monkeypatch.setenv("TRACECARD_NO_CACHE", "1")
    check(shop)
    assert not cache_dir(shop).exists()


def test_nothing_is_cached_outside_git(tmp_path: Path, check: Callable[..., tuple[int, str]]) -> None:
    repo = Path(shutil.copytree(ROOT / "examples" / "shop", tmp_path / "shop"))
    before = sorted(p.relative_to(repo) for p in repo.rglob("*"))
    first = check(repo)
    assert check(repo) == first == check(repo, "--no-cache")
    assert sorted(p.relative_to(repo) for p in repo.rglob("*")) == before


def test_staged_check_of_one_changed_file(shop: Path, check: Callable[..., tuple[int, str]]) -> None:
    check(shop)
    target = _records(shop)[2]
    target.write_text(target.read_text(encoding="utf-8").replace("---\n", "---\nsupersedes: [ADR-4242]\n", 1),
                      encoding="utf-8")  # fmt: skip
    rel = str(target.relative_to(shop))
    assert check(shop, "--staged", rel) == check(shop, "--no-cache", "--staged", rel)
    assert check(shop, "--staged", rel) == check(shop, "--no-cache", "--staged", rel)


def test_two_runs_at_once(shop: Path) -> None:
    env = {**os.environ, "NO_COLOR": "1"}
    cmd = [sys.executable, "-m", "tracecard", "check", "--format", "json"]
    expected = subprocess.run([*cmd, "--no-cache"], cwd=shop, capture_output=True, text=True, env=env)
    for _ in range(2):
        shutil.rmtree(cache_dir(shop), ignore_errors=True)
        procs = [subprocess.Popen(cmd, cwd=shop, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                 for _ in range(2)]  # fmt: skip
        for proc in procs:
            out, err = proc.communicate(timeout=120)
            assert (proc.returncode, out, err) == (expected.returncode, expected.stdout, expected.stderr)
        again = subprocess.run(cmd, cwd=shop, capture_output=True, text=True, env=env)
        assert (again.returncode, again.stdout, again.stderr) == (expected.returncode, expected.stdout, expected.stderr)
    assert not [p for p in cache_dir(shop).rglob("*") if p.name.startswith(".tmp-")]


def test_per_record_rules_read_one_record() -> None:
    """The rules whose findings are cached per file are the ones that read no other record,
    no file around the record, git or the date (a rule added to PER_RECORD by mistake shows
    here, or in the corpus comparisons above)."""
    import inspect

    for rule in PER_RECORD:
        source = inspect.getsource(rule)
        for forbidden in ("graph.by_id", "graph.get(", "graph.links", "graph.duplicates", "today()",
                          "history_of", "os.path.exists", "referrers"):  # fmt: skip
            assert forbidden not in source, f"{rule.code} reads {forbidden}: not a single-record rule"
        assert not rule.needs_history and not rule.needs_git


def test_entries_round_trip_without_the_yaml_tree(shop: Path, check: Callable[..., tuple[int, str]]) -> None:
    """What a warm run builds from the cache answers positions like a fresh parse."""
    from tracecard.load import config
    from tracecard.load.cache import FileCache
    from tracecard.load.repository import load_graph

    check(shop)
    settings = config.load(shop)
    cache = FileCache.open(settings)
    assert cache is not None
    cached = load_graph(settings, local_rules=PER_RECORD, cache=cache)
    assert cache.hits == len(cached.records) and cache.misses == 0
    fresh = load_graph(settings)
    for a, b in zip(cached.records, fresh.records, strict=True):
        assert (a.path, a.id, a.kind, a.data) == (b.path, b.id, b.kind, b.data)
        for key in a.data:
            assert a.parsed.pos((key,)) == b.parsed.pos((key,))
            assert a.parsed.pos((key,), key=True) == b.parsed.pos((key,), key=True)
        assert a.parsed.digest == b.parsed.digest
        assert list(a.parsed.body_lines) == list(b.parsed.body_lines)


@pytest.fixture(scope="module")
def generated_git(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import gen_repo
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    root = tmp_path_factory.mktemp("scoped") / "repo"
    gen_repo.generate(120, root, seed=11, git=True)
    # defects of single records and across records, uncommitted: every other requirement
    # states no task (REQ009), every third dataset's production sample is old (GAT017)
    for i, path in enumerate(sorted((root / "docs/requirements").glob("*.md"))):
        if i % 2 == 0:
            text = path.read_text(encoding="utf-8")
            path.write_text(re.sub(r"task:\n(  .*\n)+", "", text), encoding="utf-8")
    for i, path in enumerate(sorted((root / "docs/datasets").glob("*.md"))):
        if i % 3 == 0:
            text = path.read_text(encoding="utf-8")
            path.write_text(re.sub(r"production_sample_date: \S+", "production_sample_date: 2020-01-01",
                                   text), encoding="utf-8")  # fmt: skip
    return root


def test_a_check_of_some_files_reports_what_the_whole_check_reports_there(
    generated_git: Path, check: Callable[..., tuple[int, str]]
) -> None:
    """A check of one file works out only that file's findings (the launch gate, links,
    history and data-handoff rules skip the rest): they must be exactly the whole check's
    findings in that file, with or without the cache, with or without --staged."""
    import json

    _, full = check(generated_git, "--no-cache")
    everything = json.loads(full.split("\n--- stderr\n")[0])["diagnostics"]
    assert {d["code"][:3] for d in everything} >= {"GAT", "REQ"}  # the sample has findings
    files = _records(generated_git)
    sample = files[:: max(1, len(files) // 12)]
    for path in sample:
        rel = path.relative_to(generated_git).as_posix()
        want = [d for d in everything if d["path"] == rel]
        for args in ((rel,), ("--no-cache", rel), ("--staged", rel)):
            _, out = check(generated_git, *args)
            got = json.loads(out.split("\n--- stderr\n")[0])["diagnostics"]
            assert got == want, f"check {' '.join(args)}"


class _Evil:
    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, ...]:
        return (Path.touch, (self.marker,))


def test_a_cache_file_can_never_run_code(shop: Path, check: Callable[..., tuple[int, str]], tmp_path: Path) -> None:
    """A planted file in the cache folder, even with the right header, is data or nothing."""
    import pickle

    from tracecard.load import cache as cache_mod

    expected = three_ways(check, shop)
    marker = tmp_path / "ran"
    for path in cache_dir(shop).rglob("*.pickle"):
        tag = {"result-check.pickle": "result", "index.pickle": "index"}.get(path.name, "shard")
        header = b"tracecard-cache %d %s %s\n" % (cache_mod.FORMAT, tag.encode(),
                                                    cache_mod._folder_ident(path.parent))  # fmt: skip
        path.write_bytes(header + pickle.dumps(((tag, cache_mod.FORMAT), _Evil(marker))))
    assert check(shop) == expected
    assert not marker.exists()


def test_a_cache_copied_from_elsewhere_is_not_read(
    shop: Path, check: Callable[..., tuple[int, str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A repository copied with its .git (a ZIP, a backup) brings its cache along; the copy's
    cache folder is another folder, so nothing in it is trusted: every file is read again."""
    check(shop)
    copy = Path(shutil.copytree(shop, tmp_path / "copy", symlinks=True))
    parsed = _count_parses(monkeypatch)
    got = check(copy)
    assert len(parsed) == len(_records(copy))
    monkeypatch.undo()
    assert got == check(copy, "--no-cache")


def test_an_entry_of_the_wrong_shape_is_read_afresh(shop: Path, check: Callable[..., tuple[int, str]]) -> None:
    """An entry that unpickles but holds the wrong things (a damaged write that still parses)
    is dropped and its file read again."""
    from tracecard.load import cache as cache_mod

    expected = three_ways(check, shop)
    (cache_dir(shop) / "result-check.pickle").unlink()
    for path in cache_dir(shop).rglob("[0-9a-f].pickle"):
        parts = cache_mod.read_pickle(path, "shard")
        shard = {k: e for part in parts for k, e in cache_mod.unpack(part).items()}
        damaged = {key: (True, "no-such-kind", *entry[2:]) for key, entry in shard.items()}
        cache_mod.dump_pickle(path, "shard", [cache_mod.pack(damaged)])
    assert check(shop) == expected
    assert check(shop) == expected


def _count_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts front matter is parsed from from now on (each a file read afresh)."""
    parsed: list[str] = []
    real = discover.parse_text

    def counting(text: str) -> object:
        parsed.append(text)
        return real(text)

    monkeypatch.setattr(discover, "parse_text", counting)
    return parsed
