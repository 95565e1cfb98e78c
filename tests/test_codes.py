"""Rule codes are declared once, on their rule, and every finding carries a declared code.

Two guards: a static one (no module outside the rule modules writes a code as a string), and a
dynamic one (every finding of every corpus case, and of the examples, comes from the rule whose
code it carries).
"""

from __future__ import annotations

import ast
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tracecard.load import config
from tracecard.load.repository import load_graph
from tracecard.model.findings import Finding
from tracecard.model.graph import RepoGraph
from tracecard.rules.base import Rule
from tracecard.rules.registry import FAMILIES, RULES
from tracecard.rules.run import run_rules

SRC = Path(__file__).resolve().parents[1] / "src" / "tracecard"
PROJECT = SRC.parents[1]
CODE = re.compile(r"^[A-Z]{3}[0-9]{3}$")


def _rule_modules() -> set[Path]:
    return {Path(__import__(r.__module__, fromlist=["_"]).__file__ or "") for r in RULES.values()}


def _code_literals(path: Path) -> Iterator[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if CODE.match(node.value):
                yield node.lineno, node.value


def test_no_code_literal_outside_the_rule_modules() -> None:
    allowed = _rule_modules()
    stray = [
        f"{path.relative_to(SRC)}:{line}: {code}"
        for path in sorted(SRC.rglob("*.py"))
        if path not in allowed
        for line, code in _code_literals(path)
    ]
    assert stray == []


def test_a_rule_module_writes_only_its_own_codes() -> None:
    """In a rule module, a code string is the `code = ...` of a rule defined there."""
    by_module: dict[str, set[str]] = {}
    for rule in RULES.values():
        by_module.setdefault(rule.__module__, set()).add(rule.code)
    for module, codes in by_module.items():
        path = Path(__import__(module, fromlist=["_"]).__file__ or "")
        written = {code for _, code in _code_literals(path)}
        assert written <= codes, f"{module} writes {sorted(written - codes)}"


def test_every_code_belongs_to_a_family_and_is_unique() -> None:
    classes = [r for r in RULES.values()]
    assert len({r.code for r in classes}) == len(classes)
    assert len({r.name for r in classes}) == len(classes)
    for rule in classes:
        assert CODE.match(rule.code), rule
        assert rule.code[:3] in FAMILIES, rule.code


class _Spy:
    """Wraps every rule's check: each finding must carry the code of the rule that made it."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.wrong: list[tuple[str, Finding]] = []
        self.seen: set[str] = set()
        for rule in RULES.values():
            monkeypatch.setattr(rule, "check", self._wrap(rule, rule.check))

    def _wrap(self, rule: type[Rule], check):  # type: ignore[no-untyped-def]
        spy = self

        def wrapped(self: Rule, graph: RepoGraph) -> Iterator[Finding]:
            for f in check(self, graph):
                spy.seen.add(f.code)
                if f.code != rule.code or f.severity is not rule.severity or f.path == "":
                    spy.wrong.append((rule.code, f))
                yield f

        return wrapped


def _cases() -> list[Path]:
    corpus = Path(__file__).resolve().parent / "corpus"
    cases = [d for d in sorted(corpus.glob("*/*")) if d.is_dir()]
    return cases + [PROJECT / "examples" / "shop", PROJECT / "examples" / "launch-gate"]


def test_every_finding_comes_from_the_rule_of_its_code(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    spy = _Spy(monkeypatch)
    for i, case in enumerate(_cases()):
        root = tmp_path / str(i)
        shutil.copytree(case, root)
        settings = config.load(root)
        run_rules(load_graph(settings), note=lambda line: None)
    assert spy.wrong == []
    # the corpus exercises most codes: a spy that saw nothing would prove nothing
    assert len(spy.seen) >= len(RULES) // 2
