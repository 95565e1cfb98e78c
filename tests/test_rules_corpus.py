"""The golden corpus, one folder per rule code, and the selection and configuration around it.

tests/corpus/<CODE>/bad/ is a tiny repository whose expected.txt lists, one per line, the
`path:line:col` of every finding of CODE that `tracecard check` must produce ('#' starts a
comment); tests/corpus/<CODE>/good/ is a near miss that must produce none. More cases of one
code go in sibling folders named bad-<what>/ and good-<what>/. Every code in the rule table must
have a corpus: adding a rule without one fails here.

Inputs that git cannot hold comfortably (binary, non-UTF-8, over the size limit) are written
into the copy of the case by GENERATED below; the corpus folder keeps a README.md saying so.
Rules that need git history can add a case the same way, by generating the repository.

Cases that show a checker bug are marked xfail(strict=True) in XFAIL, with the bug described:
fixing the bug makes the test pass, and strict makes it fail until the mark is removed.
"""

from __future__ import annotations

import json
import shutil
import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tracecard.cli import main
from tracecard.load.config import Settings
from tracecard.model.findings import Severity
from tracecard.rules.registry import RULES

pytestmark = pytest.mark.usefixtures("no_home")

CORPUS = Path(__file__).resolve().parent / "corpus"
#: Folders of the corpus that are not rule codes.
NOT_CODES = frozenset({"clean"})
#: A check of a tiny repository, broken input included, must answer well within this.
MAX_SECONDS = 3.0

LIMIT = Settings(root=Path(".")).max_file_size


def _dataset_sheet(size: int) -> bytes:
    """A dataset sheet with its evaluation set pasted into the body, exactly `size` bytes."""
    head = b"---\nid: DS-fraud-holdout\nstatus: ready\n---\n# Fraud holdout\n\n"
    head += b"| order | label |\n|---|---|\n"
    row = b"| 1000001 | legit |\n"
    text = head + row * ((size - len(head) - 1) // len(row))
    text += b" " * (size - len(text) - 1) + b"\n"
    assert len(text) == size
    return text


#: (code, case folder) -> files written into the copy of the case before it is checked.
GENERATED: dict[tuple[str, str], dict[str, bytes]] = {
    ("PAR007", "bad"): {
        "docs/model-cards/pr-curve.md": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x02\x80",
        "docs/decisions/0003-threshold-review.md": (
            "---\nid: ADR-0003\ntitle: Überprüfung der Schwellenwerte\nstatus: accepted\n---\n"
            "# Überprüfung der Schwellenwerte\n"
        ).encode("latin-1"),
        "docs/requirements/0004-checkout-latency.md": (
            "---\r\nid: REQ-0004\r\nstatus: draft\r\n---\r\n# Checkout latency\r\n"
        ).encode("utf-16"),
        "docs/datasets/fraud-holdout.md": (
            "---\nid: DS-fraud-holdout\nstatus: ready\n---\n# Fraud holdout\n\n"
            "Orders flagged as “friendly fraud” by the payments team are labeled by hand.\n"
        ).encode("cp1252"),
    },
    ("PAR008", "bad"): {"docs/datasets/fraud-holdout.md": _dataset_sheet(LIMIT + 1)},
    ("PAR008", "good"): {"docs/datasets/fraud-holdout.md": _dataset_sheet(LIMIT)},
}

#: (code, case folder) -> the checker bug the case shows.
XFAIL: dict[tuple[str, str], str] = {}


# --- running the checker ------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    code: int
    out: str
    err: str
    seconds: float

    @property
    def doc(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.out)
        return data

    def codes(self) -> set[str]:
        return {d["code"] for d in self.doc["diagnostics"]}

    def at(self, code: str) -> list[str]:
        """Sorted `path:line:col` of the findings of `code` (a list: duplicates count)."""
        found = (d for d in self.doc["diagnostics"] if d["code"] == code)
        return sorted(f"{d['path']}:{d['line']}:{d['column']}" for d in found)


@pytest.fixture
def tracecard(capsys: pytest.CaptureFixture[str]) -> Callable[..., Run]:
    """Run the CLI in-process and capture what it writes."""

    def run(*argv: str) -> Run:
        capsys.readouterr()
        start = time.perf_counter()
        rc = main(list(argv))
        seconds = time.perf_counter() - start
        captured = capsys.readouterr()
        return Run(rc, captured.out, captured.err, seconds)

    return run


def check_json(tracecard: Callable[..., Run], repo: Path, *args: str) -> Run:
    run: Run = tracecard("check", str(repo), "--format", "json", *args)
    assert "Traceback" not in run.err, run.err
    assert run.code in (0, 1), f"exit {run.code}: {run.err}"
    return run


# --- the corpus ---------------------------------------------------------------------------


def _variants(code: str, kind: str) -> list[str]:
    folder = CORPUS / code
    if not folder.is_dir():
        return [kind]
    names = [p.name for p in folder.iterdir() if p.is_dir()]
    return sorted(n for n in names if n == kind or n.startswith(kind + "-")) or [kind]


def _cases(kind: str) -> Iterator[Any]:
    for code in RULES:
        for variant in _variants(code, kind):
            reason = XFAIL.get((code, variant))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            yield pytest.param(code, variant, id=f"{code}/{variant}", marks=marks)


def materialise(code: str, variant: str, tmp_path: Path) -> Path:
    """A copy of the case with its generated files, so nothing is written into the tree."""
    source = CORPUS / code / variant
    assert source.is_dir(), f"no corpus case {source.relative_to(CORPUS.parent)}: add one"
    repo = tmp_path / "repo"
    shutil.copytree(source, repo)
    for rel, data in GENERATED.get((code, variant), {}).items():
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    if (repo / "script.txt").is_file():  # a history case: its commits are replayed into git
        from test_history_rules import replay

        replay(repo)
    return repo


def expected_positions(case: Path) -> list[str]:
    text = (case / "expected.txt").read_text(encoding="utf-8")
    lines = (line.strip() for line in text.splitlines())
    return sorted(line for line in lines if line and not line.startswith("#"))


@pytest.mark.parametrize("code", list(RULES))
def test_every_rule_has_a_corpus(code: str) -> None:
    folder = CORPUS / code
    for case in ("bad", "good"):
        where = f"tests/corpus/{code}/{case}/"
        assert (folder / case / "tracecard.toml").is_file(), f"{where} is missing"
    assert expected_positions(folder / "bad"), f"tests/corpus/{code}/bad/expected.txt lists nothing"


def test_every_corpus_folder_is_a_rule() -> None:
    folders = {p.name for p in CORPUS.iterdir() if p.is_dir() and not p.name.startswith(".")}
    assert folders - NOT_CODES <= set(RULES), "corpus folders for codes that no longer exist"


@pytest.mark.parametrize(("code", "variant"), list(_cases("bad")))
def test_bad_case_gives_exactly_the_expected_findings(
    code: str, variant: str, tmp_path: Path, tracecard: Callable[..., Run]
) -> None:
    repo = materialise(code, variant, tmp_path)
    run = check_json(tracecard, repo)
    assert run.at(code) == expected_positions(repo)
    if RULES[code].severity is Severity.ERROR:
        assert run.code == 1
    assert run.seconds < MAX_SECONDS


@pytest.mark.parametrize(("code", "variant"), list(_cases("bad")))
def test_a_check_of_one_file_reports_there_what_the_whole_check_does(
    code: str, variant: str, tmp_path: Path, tracecard: Callable[..., Run]
) -> None:
    """A check of some files (pre-commit's) lets rules skip the records it does not report on:
    what they report in a file must not depend on that. Every bad case, every file with a
    finding, alone and (in git) as pre-commit passes it with --staged."""
    repo = materialise(code, variant, tmp_path)
    whole = check_json(tracecard, repo, "--no-cache").doc["diagnostics"]
    paths = sorted({d["path"] for d in whole if (repo / d["path"]).is_file()})
    modes: tuple[tuple[str, ...], ...] = (("--no-cache",), ())
    if (repo / ".git").exists():
        modes += (("--staged",),)
    for rel in paths:
        want = [d for d in whole if d["path"] == rel]
        for args in modes:
            run = tracecard("check", str(repo / rel), "--format", "json", *args)
            assert run.code in (0, 1), run.err
            got = [d for d in run.doc["diagnostics"] if d["path"] == rel or "--staged" not in args]
            assert got == want, f"check {' '.join(args)} {rel}"


@pytest.mark.parametrize(("code", "variant"), list(_cases("good")))
def test_good_case_gives_no_finding_of_its_code(
    code: str, variant: str, tmp_path: Path, tracecard: Callable[..., Run]
) -> None:
    repo = materialise(code, variant, tmp_path)
    run = check_json(tracecard, repo)
    assert run.at(code) == []
    assert run.seconds < MAX_SECONDS


def test_madr4_folder_checks_clean(tmp_path: Path, tracecard: Callable[..., Run]) -> None:
    repo = tmp_path / "madr4"
    shutil.copytree(CORPUS / "clean" / "madr4", repo)
    run = check_json(tracecard, repo)
    assert run.doc["diagnostics"] == []
    assert run.doc["records"] == 3  # README.md and adr-template.md are not records
    assert run.code == 0


#: Files whose bytes are the point of their case; git must keep them (tests/corpus/.gitattributes).
BYTE_EXACT = (
    "SCH001/bad/docs/decisions/0001-use-two-tower-retrieval.md",
    "SCH001/good/docs/decisions/0001-use-two-tower-retrieval.md",
)


@pytest.mark.parametrize("rel", BYTE_EXACT)
def test_crlf_and_bom_inputs_kept_byte_for_byte(rel: str) -> None:
    data = (CORPUS / rel).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf---\r\n\r\n\r\n"), "BOM, CRLF and blank lines were lost"
    assert data.count(b"\n") == data.count(b"\r\n")


# --- selection, suppression and configuration ---------------------------------------------

DECISION = """\
---
id: ADR-0001
status: acepted
links: [{rel: relates-to, id: ADR-0042}]
---
# Use two-tower retrieval

## Context

TODO: describe the latency problem.

## Decision

We use a two-tower model.
"""

#: Three findings of three families: SCH001 at 3:9, LNK001 at 4:31, BDY003 at 10:1.
MIXED = {"docs/decisions/0001-use-two-tower-retrieval.md": DECISION}


@pytest.mark.parametrize(
    ("args", "present", "absent"),
    [
        ((), {"SCH001", "LNK001", "BDY003"}, set()),
        (("--select", "LNK"), {"LNK001"}, {"SCH001", "BDY003"}),
        (("--select", "lnk,BDY003"), {"LNK001", "BDY003"}, {"SCH001"}),
        (("--select", "LNK", "--select", "SCH"), {"LNK001", "SCH001"}, {"BDY003"}),
        (("--ignore", "BDY"), {"SCH001", "LNK001"}, {"BDY003"}),
        (("--ignore", "SCH001,BDY003"), {"LNK001"}, {"SCH001", "BDY003"}),
        # The longer, more specific prefix wins, whichever side it is on.
        (("--select", "LNK001", "--ignore", "LNK"), {"LNK001"}, {"SCH001", "BDY003"}),
        (("--select", "LNK", "--ignore", "LNK001"), set(), {"LNK001", "SCH001", "BDY003"}),
        (("--select", "ALL", "--ignore", "SCH"), {"LNK001", "BDY003"}, {"SCH001"}),
    ],
)
def test_select_and_ignore_by_prefix(
    args: tuple[str, ...],
    present: set[str],
    absent: set[str],
    make_repo: Callable[..., Path],
    tracecard: Callable[..., Run],
) -> None:
    run = check_json(tracecard, make_repo(MIXED), *args)
    assert present <= run.codes()
    assert not absent & run.codes()
    if "--select" in args:
        assert run.codes() == present


def test_warnings_alone_exit_0_unless_strict(
    make_repo: Callable[..., Path], tracecard: Callable[..., Run]
) -> None:
    repo = make_repo(MIXED)
    assert check_json(tracecard, repo, "--select", "BDY003").code == 0
    assert check_json(tracecard, repo, "--select", "BDY003", "--strict").code == 1


@pytest.mark.parametrize("option", ["--select", "--ignore"])
@pytest.mark.parametrize("code", ["NOPE1", "PAR999", "XYZ"])
def test_unknown_code_on_the_command_line_is_exit_2(
    option: str, code: str, make_repo: Callable[..., Path], tracecard: Callable[..., Run]
) -> None:
    run = tracecard("check", str(make_repo(MIXED)), option, code)
    assert run.code == 2
    assert code in run.err
    assert "Traceback" not in run.err


def test_tracecard_ignore_suppresses_for_that_record_only(
    make_repo: Callable[..., Path], tracecard: Callable[..., Run]
) -> None:
    quiet = DECISION.replace("id: ADR-0001\n", "id: ADR-0002\ntracecard-ignore: [BDY003, LNK]\n")
    repo = make_repo(
        {
            "docs/decisions/0001-use-two-tower-retrieval.md": DECISION,
            "docs/decisions/0002-use-two-tower-retrieval.md": quiet,
        }
    )
    run = check_json(tracecard, repo)
    quiet_path = "docs/decisions/0002-use-two-tower-retrieval.md"
    assert run.at("BDY003") == ["docs/decisions/0001-use-two-tower-retrieval.md:10:1"]
    assert run.at("LNK001") == ["docs/decisions/0001-use-two-tower-retrieval.md:4:31"]
    loud_path = "docs/decisions/0001-use-two-tower-retrieval.md"
    assert run.at("SCH001") == [f"{loud_path}:3:9", f"{quiet_path}:4:9"]
    assert run.doc["summary"]["suppressed"] == 2
    text = tracecard("check", str(repo))
    assert "2 suppressed" in text.out.splitlines()[-1]


CONFIGS = {
    "pyproject": ("pyproject.toml", "[project]\nname = 'shop'\n\n[tool.tracecard]\n{body}"),
    "tracecard.toml": ("tracecard.toml", "{body}"),
    "tracecard.toml table": ("tracecard.toml", "[tracecard]\n{body}"),
}


@pytest.mark.parametrize("where", list(CONFIGS))
@pytest.mark.parametrize(
    ("body", "args", "present", "absent"),
    [
        ('select = ["LNK"]\n', (), {"LNK001"}, {"SCH001", "BDY003"}),
        ('ignore = ["BDY", "SCH001"]\n', (), {"LNK001"}, {"SCH001", "BDY003"}),
        ('select = ["LNK001"]\nignore = ["LNK"]\n', (), {"LNK001"}, {"SCH001", "BDY003"}),
        # The command line wins: its --select replaces the file's.
        ('select = ["LNK"]\n', ("--select", "SCH"), {"SCH001"}, {"LNK001", "BDY003"}),
        ('ignore = ["SCH"]\n', ("--ignore", "LNK"), {"BDY003"}, {"SCH001", "LNK001"}),
    ],
)
def test_configuration_selects_and_the_command_line_wins(
    where: str,
    body: str,
    args: tuple[str, ...],
    present: set[str],
    absent: set[str],
    make_repo: Callable[..., Path],
    tracecard: Callable[..., Run],
) -> None:
    name, template = CONFIGS[where]
    repo = make_repo({**MIXED, name: template.format(body=body)})
    run = check_json(tracecard, repo, *args)
    assert present <= run.codes()
    assert not absent & run.codes()


def test_command_line_select_wins_over_configured_ignore(
    make_repo: Callable[..., Path], tracecard: Callable[..., Run]
) -> None:
    repo = make_repo({**MIXED, "tracecard.toml": 'ignore = ["BDY003"]\n'})
    assert check_json(tracecard, repo, "--select", "BDY003").codes() == {"BDY003"}


@pytest.mark.parametrize(
    ("name", "text", "needle"),
    [
        ("tracecard.toml", 'selct = ["LNK"]\n', "selct"),
        ("tracecard.toml", "[tracecard]\ncolour = true\n", "colour"),
        ("pyproject.toml", "[tool.tracecard]\nignore = []\nstrictness = 1\n", "strictness"),
        ("tracecard.toml", 'select = ["NOPE1"]\n', "NOPE1"),
        ("tracecard.toml", 'select = "LNK\n', "tracecard.toml"),
    ],
)
def test_bad_configuration_is_exit_2(
    name: str, text: str, needle: str, make_repo: Callable[..., Path], tracecard: Callable[..., Run]
) -> None:
    run = tracecard("check", str(make_repo({**MIXED, name: text})))
    assert run.code == 2
    assert needle in run.err
    assert "Traceback" not in run.err


# --- repository schema extensions ----------------------------------------------------------

CARD = """\
---
id: MC-{slug}
status: candidate
{extra}intended_use: Score card-not-present orders for fraud before payment capture.
---
# Fraud detector

## Evaluation Data

The fraud holdout set.
"""

EXTENSION = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "required": ["risk_tier"],
    "properties": {
        "risk_tier": {
            "description": "How much harm a wrong prediction can do, for the review board.",
            "enum": ["low", "high"],
        }
    },
}


def _extended_repo(make_repo: Callable[..., Path], schema: dict[str, Any]) -> Path:
    return make_repo(
        {
            "pyproject.toml": '[tool.tracecard.schemas]\nmodel_card = "schemas/card-extra.json"\n',
            "schemas/card-extra.json": json.dumps(schema, indent=2),
            "docs/model-cards/fraud-a.md": CARD.format(slug="fraud-a", extra=""),
            "docs/model-cards/fraud-b.md": CARD.format(slug="fraud-b", extra="risk_tier: huge\n"),
            "docs/model-cards/fraud-c.md": CARD.format(slug="fraud-c", extra="risk_tier: high\n"),
            **MIXED,
        }
    )


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a connection or resolve a name fails the test."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


@pytest.mark.usefixtures("no_network")
def test_schema_extension_adds_a_required_field(
    make_repo: Callable[..., Path], tracecard: Callable[..., Run]
) -> None:
    run = check_json(tracecard, _extended_repo(make_repo, EXTENSION))
    missing = "docs/model-cards/fraud-a.md:1:1"  # at the object that lacks it
    wrong = "docs/model-cards/fraud-b.md:4:12"  # at the value
    elsewhere = "docs/decisions/0001-use-two-tower-retrieval.md:3:9"  # MIXED's own finding
    assert run.at("SCH001") == sorted([missing, wrong, elsewhere])


@pytest.mark.usefixtures("no_network")
@pytest.mark.parametrize(
    "ref", ["https://example.com/x.json", "http://example.com/x.json#/$defs/tier", "tiers.json"]
)
def test_schema_extension_that_leaves_the_file_is_refused(
    ref: str, make_repo: Callable[..., Path], tracecard: Callable[..., Run]
) -> None:
    schema = {**EXTENSION, "properties": {"risk_tier": {"description": "Tier.", "$ref": ref}}}
    run = tracecard("check", str(_extended_repo(make_repo, schema)), "--format", "json")
    assert run.code == 2
    assert ref in run.err and "schemas/card-extra.json" in run.err
    assert "Traceback" not in run.err
    assert run.seconds < MAX_SECONDS


def test_missing_schema_extension_is_exit_2(
    make_repo: Callable[..., Path], tracecard: Callable[..., Run]
) -> None:
    config = '[schemas]\nmodel_card = "schemas/nowhere.json"\n'
    repo = make_repo({**MIXED, "tracecard.toml": config})
    run = tracecard("check", str(repo))
    assert run.code == 2
    assert "schemas/nowhere.json" in run.err
    assert "Traceback" not in run.err
