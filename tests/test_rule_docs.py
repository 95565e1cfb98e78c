"""Every rule documents itself, and docs/rules/ is exactly what its docstrings generate."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from tracecard.cli import main
from tracecard.rules.docs import SECTIONS, all_docs, index_markdown, markdown, rule_doc
from tracecard.rules.registry import RULES

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs" / "rules"
HINT = "run python scripts/gen_rule_docs.py"

Cli = Callable[..., tuple[int, str, str]]


@pytest.mark.parametrize("code", list(RULES))
def test_rule_has_every_doc_section(code: str) -> None:
    doc = rule_doc(RULES[code])
    assert doc.name, f"{code} has no name"
    for title in SECTIONS:
        assert doc.sections.get(title, "").strip(), f"{code}: docstring lacks a '{title}:' section"


@pytest.mark.parametrize("code", list(RULES))
def test_rule_page_is_generated_from_its_docstring(code: str) -> None:
    page = DOCS / f"{code}.md"
    assert page.is_file(), f"docs/rules/{code}.md is missing: {HINT}"
    assert page.read_text(encoding="utf-8") == markdown(rule_doc(RULES[code])), f"stale: {HINT}"


def test_rule_index_is_generated() -> None:
    index = DOCS / "README.md"
    assert index.is_file(), f"docs/rules/README.md is missing: {HINT}"
    assert index.read_text(encoding="utf-8") == index_markdown(all_docs()), f"stale: {HINT}"


def test_no_page_for_a_rule_that_does_not_exist() -> None:
    pages = {p.stem for p in DOCS.glob("*.md")} - {"README"}
    assert pages <= set(RULES), f"pages of removed rules {sorted(pages - set(RULES))}: {HINT}"


def _script() -> ModuleType:
    path = ROOT / "scripts" / "gen_rule_docs.py"
    spec = importlib.util.spec_from_file_location("gen_rule_docs", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generator_writes_and_checks(tmp_path: Path) -> None:
    gen = _script()
    wanted = gen.pages()
    (tmp_path / "XYZ999.md").write_text("# a removed rule\n", encoding="utf-8")
    assert gen.differences(wanted, tmp_path)
    gen.write(wanted, tmp_path)
    assert gen.differences(wanted, tmp_path) == []
    assert not (tmp_path / "XYZ999.md").exists()
    assert gen.main(["--check"]) == 0, HINT


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Cli:
    def run(*argv: str) -> tuple[int, str, str]:
        rc = main(list(argv))
        out, err = capsys.readouterr()
        return rc, out, err

    return run


@pytest.mark.usefixtures("no_home")
@pytest.mark.parametrize("code", list(RULES))
def test_rules_command_explains_one_rule(code: str, cli: Cli) -> None:
    rc, out, _ = cli("rules", code)
    assert rc == 0
    assert out.startswith(code)
    for title in SECTIONS:
        assert f"{title}:" in out


@pytest.mark.usefixtures("no_home")
def test_rules_command_lists_every_rule(cli: Cli) -> None:
    rc, out, _ = cli("rules")
    assert rc == 0
    assert [line.split()[0] for line in out.splitlines() if line.strip()] == list(RULES)


@pytest.mark.usefixtures("no_home")
@pytest.mark.parametrize("code", ["NOPE", "XYZ001"])
def test_rules_command_refuses_an_unknown_code(code: str, cli: Cli) -> None:
    rc, _, err = cli("rules", code)
    assert rc == 2
    assert code in err
    assert "Traceback" not in err


def test_readme_names_every_family() -> None:
    assert not _script().readme_stale(), HINT
