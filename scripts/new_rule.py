"""Scaffold a rule: the class, its registration, its corpus, its docs. One command, one file to edit.

    python scripts/new_rule.py REQ009 criterion-without-owner --family requirements
    python scripts/new_rule.py REV001 review-without-product --family "model reviews"

What it writes:
- the rule class, appended to the family's module under src/tracecard/rules/ (a new family gets
  a new module, named after the family). Its docstring has the four sections `tracecard rules`
  and docs/rules/ are made of, and its check is a working stub: it reports a record whose front
  matter has the key `stub-<code>` (lower case), so that the suite is green at once;
- the registration: the class in `_ALL` of src/tracecard/rules/registry.py, and, for a new
  family, its prefix in `FAMILIES`;
- tests/corpus/<CODE>/bad/ (a record with that key, and expected.txt with the position of the
  finding) and tests/corpus/<CODE>/good/ (the same record without it);
- docs/rules/ and the README's family list, regenerated (scripts/gen_rule_docs.py).

Then edit the rule's module: the docstring, and the check (replace the stub's condition), and
make the two corpus records show the real bad case and its near miss.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULES_DIR = ROOT / "src" / "tracecard" / "rules"
REGISTRY = RULES_DIR / "registry.py"
CORPUS = ROOT / "tests" / "corpus"
CODE = re.compile(r"^[A-Z]{3}[0-9]{3}$")
NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
#: Modules under rules/ that are not families.
NOT_FAMILIES = frozenset({"__init__", "base", "registry", "run", "check", "docs", "command"})

MODULE_HEAD = '''"""{title} rules ({prefix}): what they check is said on each rule's class."""

from __future__ import annotations

from collections.abc import Iterator

from tracecard.model.findings import Finding, Severity
from tracecard.model.graph import RepoGraph
from tracecard.rules.base import Rule
'''

CLASS = '''

class {cls}(Rule):
    """What it does:
    Reports a record whose front matter has the key `{key}` (a stub: say here what this rule
    reports, and where the finding points).

    Why it matters:
    Say what goes wrong for the team when this is not caught.

    Example:
    ```yaml
    {key}: true
    ```

    Fix:
    Say what to change, in the words a reader of the finding needs.
    """

    code = "{code}"
    name = "{name}"
    severity = Severity.{severity}

    def check(self, graph: RepoGraph) -> Iterator[Finding]:
        for rec in graph.records:
            if rec.ok and "{key}" in rec.data:
                yield self.at(rec, ("{key}",), "{key} is set: remove it", key=True)
'''

RECORD = """---
id: ADR-0001
title: Keep decisions as records
status: proposed
date: 2026-01-05
{extra}---
# Keep decisions as records

## Context

The team needs to know why the model is the way it is.

## Decision

Write a decision record for every choice that changes what the model does.
"""


class ScaffoldError(Exception):
    pass


def class_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def module_name(family: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "_", family.lower()).strip("_")
    if not slug or not slug[0].isalpha():
        raise ScaffoldError(f"family {family!r} does not make a module name")
    return slug


def families(registry: str) -> dict[str, str]:
    block = registry[registry.index("FAMILIES"):]
    return dict(re.findall(r'^\s+"([A-Z]{3})": "([^"]+)",$', block, flags=re.M))


def family_module(prefix: str, registry: str) -> str | None:
    """The module that holds the rules of `prefix` now, from the codes in the rule modules."""
    for path in sorted(RULES_DIR.glob("*.py")):
        if path.stem in NOT_FAMILIES:
            continue
        if re.search(rf'^    code = "{prefix}[0-9]{{3}}"$', path.read_text(), flags=re.M):
            return path.stem
    return None


def plan(code: str, name: str, family: str | None, severity: str) -> dict[str, object]:
    if not CODE.match(code):
        raise ScaffoldError(f"{code!r} is not a rule code: three capitals and three digits")
    if not NAME.match(name):
        raise ScaffoldError(f"{name!r} is not a rule name: lower-case words joined by '-'")
    registry = REGISTRY.read_text(encoding="utf-8")
    prefix = code[:3]
    known = families(registry)
    if re.search(rf'^    code = "{code}"$', "".join(p.read_text() for p in RULES_DIR.glob("*.py")),
                 flags=re.M):
        raise ScaffoldError(f"{code} exists already: `tracecard rules {code}`")
    if (CORPUS / code).exists():
        raise ScaffoldError(f"tests/corpus/{code}/ exists already")
    new_family = prefix not in known
    if new_family and not family:
        raise ScaffoldError(f"{prefix} is a new family: name it with --family")
    if not new_family and family and family != known[prefix]:
        raise ScaffoldError(f"{prefix} is the {known[prefix]!r} family, not {family!r}")
    module = family_module(prefix, registry) if not new_family else None
    if module is None:
        module = module_name(family or known[prefix])
        if (RULES_DIR / f"{module}.py").exists() and not new_family:
            pass
        elif (RULES_DIR / f"{module}.py").exists() or module in NOT_FAMILIES:
            raise ScaffoldError(f"rules/{module}.py exists and holds another family: "
                                "choose another family name")
    cls = class_name(name)
    if re.search(rf"^class {cls}\b", registry + "".join(p.read_text() for p in RULES_DIR.glob("*.py")),
                 flags=re.M):
        raise ScaffoldError(f"a rule class {cls} exists already: choose another name")
    return {"code": code, "name": name, "prefix": prefix, "family": family or known[prefix],
            "new_family": new_family, "module": module, "cls": cls,
            "severity": severity.upper(), "key": f"stub-{code.lower()}"}


def write_rule(p: dict[str, object]) -> None:
    path = RULES_DIR / f"{p['module']}.py"
    text = path.read_text(encoding="utf-8") if path.exists() else MODULE_HEAD.format(
        title=str(p["family"]).capitalize(), prefix=p["prefix"])
    for needed, line in (("Iterator", "from collections.abc import Iterator"),
                         ("Finding", "from tracecard.model.findings import Finding, Severity"),
                         ("RepoGraph", "from tracecard.model.graph import RepoGraph")):
        if not re.search(rf"^(from|import) .*\b{needed}\b", text, flags=re.M):
            text = text.replace("\nfrom tracecard.rules.base import Rule",
                                f"\n{line}\nfrom tracecard.rules.base import Rule", 1)
    if not re.search(r"^from tracecard.model.findings import .*\bSeverity\b", text, flags=re.M):
        text = text.replace("\nfrom tracecard.rules.base import Rule",
                            "\nfrom tracecard.model.findings import Severity"
                            "\nfrom tracecard.rules.base import Rule", 1)
    text = text.rstrip("\n") + "\n" + CLASS.format(**p)
    path.write_text(text, encoding="utf-8")


def register(p: dict[str, object]) -> None:
    text = REGISTRY.read_text(encoding="utf-8")
    module, cls = str(p["module"]), str(p["cls"])
    imports = re.search(r"from tracecard\.rules import \(\n(.*?)\)\n", text, flags=re.S)
    assert imports is not None, "registry.py: the import of the family modules is missing"
    names = {n.strip().rstrip(",") for n in imports.group(1).splitlines() if n.strip()}
    names.add(module)
    block = "".join(f"    {n},\n" for n in sorted(names))
    text = text[: imports.start(1)] + block + text[imports.end(1):]
    end = text.index("\n]\n", text.index("_ALL: list"))
    text = text[:end] + f"\n    {module}.{cls}," + text[end:]
    if p["new_family"]:
        fam_end = text.index("\n}\n", text.index("FAMILIES: dict"))
        text = text[:fam_end] + f'\n    "{p["prefix"]}": "{p["family"]}",' + text[fam_end:]
    REGISTRY.write_text(text, encoding="utf-8")


def write_corpus(p: dict[str, object]) -> None:
    key = str(p["key"])
    for case, extra in (("bad", f"{key}: true\n"), ("good", "")):
        folder = CORPUS / str(p["code"]) / case
        (folder / "docs" / "decisions").mkdir(parents=True)
        (folder / "tracecard.toml").write_text(
            f"# {p['code']} {case}: " + ("the stub's finding\n" if extra else "its near miss\n"),
            encoding="utf-8")
        (folder / "docs/decisions/0001-keep-decisions-as-records.md").write_text(
            RECORD.format(extra=extra), encoding="utf-8")
    (CORPUS / str(p["code"]) / "bad" / "expected.txt").write_text(
        "# At the key the stub reports (line 6, column 1).\n"
        "docs/decisions/0001-keep-decisions-as-records.md:6:1\n", encoding="utf-8")


def _tracecard_importable() -> bool:
    """The scaffold writes nothing unless the docs can be generated afterwards."""
    probe = subprocess.run([sys.executable, "-c", "import tracecard.rules.registry"],
                           capture_output=True, env=_env())  # fmt: skip
    return probe.returncode == 0


def _env() -> dict[str, str]:
    """This checkout's src/ first on the path, whichever tracecard is installed."""
    import os

    path = os.environ.get("PYTHONPATH", "")
    return {**os.environ, "PYTHONPATH": str(ROOT / "src") + (os.pathsep + path if path else "")}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Scaffold a rule: class, registration, corpus and docs.",
        epilog="Example: python scripts/new_rule.py REV001 review-without-product "
               "--family 'model reviews'")
    parser.add_argument("code", help="the new code, e.g. REQ009 (its first three letters name "
                                     "the family)")
    parser.add_argument("name", help="kebab-case name, e.g. criterion-without-owner")
    parser.add_argument("--family", help="the family's name (required for a new family, e.g. "
                                         "'model reviews'; for a known one it must match)")
    parser.add_argument("--severity", choices=("error", "warning", "info"), default="error")
    args = parser.parse_args(argv)
    if not _tracecard_importable():
        print("new_rule: this Python cannot import tracecard and its dependencies: run it with "
              "the project's environment, .venv/bin/python scripts/new_rule.py ...; nothing "
              "written", file=sys.stderr)  # fmt: skip
        return 2
    try:
        p = plan(args.code, args.name, args.family, args.severity)
    except ScaffoldError as exc:
        print(f"new_rule: {exc}", file=sys.stderr)
        return 2
    write_rule(p)
    register(p)
    write_corpus(p)
    subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_rule_docs.py")], check=True,
                   env=_env())  # fmt: skip
    print(f"{p['code']} {p['name']}: edit src/tracecard/rules/{p['module']}.py (class "
          f"{p['cls']}: its docstring and its check), make the records in "
          f"tests/corpus/{p['code']}/ show the real case (format: tests/test_rules_corpus.py), "
          f"then run {sys.executable} "
          "scripts/gen_rule_docs.py")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
