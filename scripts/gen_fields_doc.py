"""Write docs/fields.md, the field reference of the record kinds, from the JSON Schemas.

The schemas are the single source: every field's type and description in the page comes from
them, so the page cannot drift. Run it after changing a schema:

    python scripts/gen_fields_doc.py          # rewrite docs/fields.md
    python scripts/gen_fields_doc.py --check  # exit 1 when docs/fields.md is stale
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_DIR = ROOT / "src" / "tracecard" / "schemas"
OUTPUT = ROOT / "docs" / "fields.md"

#: Schema file stem -> section heading, in the order the page shows them.
KINDS: dict[str, str] = {
    "decision": "Decision records",
    "requirement": "Requirement translations",
    "model_card": "Model cards",
    "dataset": "Dataset sheets",
    "model_review": "Model reviews",
}

Schema = dict[str, Any]
Row = tuple[str, str, str]

_HEADER = """\
# Record fields

<!-- Generated from src/tracecard/schemas/ by scripts/gen_fields_doc.py: edit the schemas. -->

Every record is a Markdown file whose YAML front matter holds the fields below. The keys
common to all kinds (`id`, `title`, `status`, `owners`, `tags`, `links`, `tracecard-ignore`)
open each table; the kind's own fields follow. Objects that tracecard defines reject keys it
does not know, so a misspelt key is reported; the top level of a record accepts any other key
(site generators and Hugging Face add their own). Nested fields are written `parent.child`,
and `parent[].child` for a field of each item of a list.
"""


def load_schema(name: str, schema_dir: Path = SCHEMA_DIR) -> Schema:
    data: Schema = json.loads((schema_dir / f"{name}.schema.json").read_text(encoding="utf-8"))
    return data


def merged_schema(kind: str, schema_dir: Path = SCHEMA_DIR) -> Schema:
    """The kind's effective schema: common properties and $defs, then the kind's own on top."""
    common = load_schema("common", schema_dir)
    own = load_schema(kind, schema_dir)
    return {
        **own,
        "properties": {**common.get("properties", {}), **own.get("properties", {})},
        "$defs": {**common.get("$defs", {}), **own.get("$defs", {})},
    }


def resolve(schema: Schema, defs: dict[str, Schema]) -> Schema:
    """Follow a local `#/$defs/name` reference, if the schema is one."""
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def type_name(schema: Schema, defs: dict[str, Schema]) -> str:
    """A short, human type for a schema: `list of IDs`, `number >= 0`, `` `low` | `high` ``."""
    if "$ref" in schema:
        target = resolve(schema, defs)
        return str(target["title"]) if "title" in target else type_name(target, defs)
    if "enum" in schema:
        return " | ".join(f"`{v}`" for v in schema["enum"])
    for key in ("anyOf", "oneOf"):
        if key in schema:
            inherited = {"type": schema["type"]} if "type" in schema else {}
            return " or ".join(type_name({**inherited, **b}, defs) for b in schema[key])
    kind = schema.get("type", "any")
    if kind == "array":
        return _list_of(schema, defs)
    if "pattern" in schema:
        return f"{kind} matching `{schema['pattern']}`"
    return _bounded(str(kind), schema)


def _list_of(schema: Schema, defs: dict[str, Schema]) -> str:
    items = schema.get("items")
    branches = items.get("anyOf", [items]) if isinstance(items, dict) else []
    inner = " or ".join(_plural(type_name(b, defs)) for b in branches) or "values"
    count = schema.get("minItems")
    if count is not None and count == schema.get("maxItems"):
        return f"list of {count} {inner}"
    return f"list of {inner}"


_IRREGULAR_PLURALS = {"criterion": "criteria"}


def _plural(noun: str) -> str:
    if noun in _IRREGULAR_PLURALS:
        return _IRREGULAR_PLURALS[noun]
    if noun.endswith(("s", ")")):
        return noun
    if noun.endswith("y"):
        return noun[:-1] + "ies"
    return noun + "s"


def _bounded(kind: str, schema: Schema) -> str:
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is not None and high is not None:
        return f"{kind} in {low}..{high}"
    if low is not None:
        return f"{kind} >= {low}"
    if high is not None:
        return f"{kind} <= {high}"
    return kind


def rows(schema: Schema, defs: dict[str, Schema], prefix: str = "") -> Iterator[Row]:
    """One row per field, depth first, with the fields of nested objects after their parent."""
    required = set(schema.get("required", ()))
    for name, prop in schema.get("properties", {}).items():
        path = prefix + name
        description = prop.get("description", "")
        if name in required:
            description = "**Required.** " + description
        yield path, type_name(prop, defs), description
        yield from _nested(prop, defs, path)
    extra = schema.get("additionalProperties")
    if isinstance(extra, dict) and prefix:
        yield from _extra_row(extra, defs, prefix)


def _extra_row(extra: Schema, defs: dict[str, Schema], prefix: str) -> Iterator[Row]:
    target = resolve(extra, defs)
    placeholder = f"{prefix}<name>"
    description = extra.get("description") or target.get("description", "")
    yield placeholder, type_name(extra, defs), description
    yield from _nested(extra, defs, placeholder)


def _nested(prop: Schema, defs: dict[str, Schema], path: str) -> Iterator[Row]:
    """The rows of the objects a field holds: itself, its list items, or its anyOf branches."""
    target = resolve(prop, defs)
    if target.get("type") == "object" and {"properties", "additionalProperties"} & set(target):
        yield from rows(target, defs, path + ".")
    items = target.get("items")
    if isinstance(items, dict):
        for branch in items.get("anyOf", [items]):
            inner = resolve(branch, defs)
            if "properties" in inner:
                yield from rows(inner, defs, path + "[].")
    for branch in target.get("anyOf", ()):
        inner = resolve(branch, defs)
        if inner.get("type") == "array":
            yield from _nested(inner, defs, path)


def _cell(text: str) -> str:
    """Table-cell safe: one line, pipes escaped (GitHub honours the escape inside code spans)."""
    return text.replace("\n", " ").replace("|", "\\|")


def render(schema_dir: Path = SCHEMA_DIR) -> str:
    """The whole page."""
    parts = [_HEADER]
    for kind, heading in KINDS.items():
        schema = merged_schema(kind, schema_dir)
        parts.append(f"\n## {heading} (`kind: {kind}`)\n\n{schema['description']}\n")
        parts.append("\n| field | type | description |\n|---|---|---|\n")
        for name, kind_type, description in rows(schema, schema["$defs"]):
            parts.append(f"| `{name}` | {_cell(kind_type)} | {_cell(description)} |\n")
    return "".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if docs/fields.md is stale")
    args = parser.parse_args(argv)
    text = render()
    current = OUTPUT.read_text(encoding="utf-8") if OUTPUT.exists() else ""
    if args.check:
        if current != text:
            print(f"{OUTPUT.relative_to(ROOT)} is stale: run python scripts/gen_fields_doc.py")
            return 1
        return 0
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
