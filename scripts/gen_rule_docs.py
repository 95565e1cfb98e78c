"""Write docs/rules/, one page per rule and an index, from the rules' own docstrings, and the
README's list of rule families from the registry.

The docstrings are the single source (`tracecard rules CODE` prints the same text), so the pages
cannot drift from the code. Run it after adding, changing or removing a rule:

    python scripts/gen_rule_docs.py          # rewrite docs/rules/
    python scripts/gen_rule_docs.py --check  # exit 1 when a page is stale, missing or stray
"""

from __future__ import annotations

import argparse
from pathlib import Path

from tracecard.rules.docs import all_docs, index_markdown, markdown
from tracecard.rules.registry import FAMILIES

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "docs" / "rules"
INDEX = "README.md"
README = ROOT / "README.md"
BEGIN = "<!-- families: written by scripts/gen_rule_docs.py -->\n"
END = "<!-- /families -->\n"


def families_block() -> str:
    """The README's sentence that names every family, from FAMILIES."""
    names = ", ".join(f"{prefix} ({name})" for prefix, name in FAMILIES.items())
    return f"Families: {names}.\n"


def readme_with_families(text: str) -> str:
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        return text
    return text[: start + len(BEGIN)] + families_block() + text[end:]


def readme_stale() -> bool:
    text = README.read_text(encoding="utf-8")
    return BEGIN not in text or readme_with_families(text) != text


def pages() -> dict[str, str]:
    """File name -> content of every page docs/rules/ should hold."""
    docs = all_docs()
    out = {f"{d.code}.md": markdown(d) for d in docs}
    out[INDEX] = index_markdown(docs)
    return out


def differences(wanted: dict[str, str], folder: Path = OUTPUT) -> list[str]:
    """What is out of date in `folder`: stale or missing pages, and pages of removed rules."""
    present = {p.name for p in folder.glob("*.md")} if folder.is_dir() else set()
    problems = [f"stray: {name}" for name in sorted(present - set(wanted))]
    for name, text in wanted.items():
        if name not in present:
            problems.append(f"missing: {name}")
        elif (folder / name).read_bytes() != text.encode("utf-8"):
            problems.append(f"stale: {name}")
    return problems


def write(wanted: dict[str, str], folder: Path = OUTPUT) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for stray in set(p.name for p in folder.glob("*.md")) - set(wanted):
        (folder / stray).unlink()  # the page of a rule that no longer exists
    for name, text in wanted.items():
        path = folder / name
        if not path.is_file() or path.read_bytes() != text.encode("utf-8"):
            path.write_bytes(text.encode("utf-8"))  # bytes: no newline translation


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/rules/ is stale")
    args = parser.parse_args(argv)
    wanted = pages()
    if args.check:
        problems = differences(wanted)
        if readme_stale():
            problems.append("README.md: the family list is stale")
        for problem in problems:
            print(f"docs/rules/ {problem}: run python scripts/gen_rule_docs.py")
        return 1 if problems else 0
    write(wanted)
    text = README.read_text(encoding="utf-8")
    if readme_with_families(text) != text:
        README.write_bytes(readme_with_families(text).encode("utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
