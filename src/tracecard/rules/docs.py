"""Rule documentation, read from each rule's docstring (so docs cannot drift from code)."""

from __future__ import annotations

import inspect
from dataclasses import dataclass

from tracecard.rules.base import Rule
from tracecard.rules.registry import FAMILIES, RULES

SECTIONS = ("What it does", "Why it matters", "Example", "Fix")


@dataclass(frozen=True)
class RuleDoc:
    code: str
    name: str
    severity: str
    family: str
    sections: dict[str, str]

    @property
    def summary(self) -> str:
        first = self.sections.get("What it does", "").split("\n\n", 1)[0]
        return " ".join(first.split())


def rule_doc(rule: type[Rule]) -> RuleDoc:
    text = inspect.cleandoc(rule.__doc__ or "")
    sections: dict[str, str] = {}
    current: str | None = None
    lines: list[str] = []
    for line in text.splitlines():
        head = line.rstrip(":").strip()
        if line.endswith(":") and head in SECTIONS:
            if current:
                sections[current] = "\n".join(lines).strip()
            current, lines = head, []
        elif current:
            lines.append(line)
    if current:
        sections[current] = "\n".join(lines).strip()
    family = FAMILIES.get(rule.code[:3], rule.code[:3].lower())
    return RuleDoc(rule.code, rule.name, rule.severity.value, family, sections)


def all_docs() -> list[RuleDoc]:
    return [rule_doc(r) for r in RULES.values()]


def markdown(doc: RuleDoc) -> str:
    """The docs/rules/CODE.md page of one rule."""
    out = [
        f"# {doc.code} {doc.name}",
        "",
        f"Family: {doc.family} · Default severity: {doc.severity}",
        "",
    ]
    for title in SECTIONS:
        out += [f"## {title}", "", doc.sections.get(title, ""), ""]
    out += [
        "## Suppressing it",
        "",
        f"For one record: `tracecard-ignore: [{doc.code}]` in its front matter. For the "
        f"repository: `ignore = [\"{doc.code}\"]` in `[tool.tracecard]`, or `--ignore {doc.code}`.",
        "",
    ]
    return "\n".join(out)


def index_markdown(docs: list[RuleDoc]) -> str:
    out = ["# Rules", "", "Generated from the rules' docstrings by `python scripts/gen_rule_docs.py`.", ""]
    out += ["| code | name | family | severity | what it checks |", "|---|---|---|---|---|"]
    for d in docs:
        out.append(f"| [{d.code}]({d.code}.md) | {d.name} | {d.family} | {d.severity} | {d.summary} |")
    return "\n".join(out) + "\n"
