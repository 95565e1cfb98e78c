"""JSON Schemas: the bundled one per kind, extended by the repository's own, one validator each.

Validation has a fast path: fastjsonschema compiles each schema to Python and answers "valid?"
for the great majority of records at a fraction of jsonschema's cost. Only a record that fails
is validated again with jsonschema, which lists every error with its path. fastjsonschema
understands drafts 4-7; the bundled schemas keep to keywords it shares with Draft 2020-12, and a
repository schema that uses anything else is validated with jsonschema alone.

No schema may reach the network: a `$ref` that is not a local `#...` pointer is refused before
any validator sees it.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from tracecard.errors import UsageError
from tracecard.model.records import Kind

DRAFT = "https://json-schema.org/draft/2020-12/schema"

# Keywords whose meaning fastjsonschema (draft 7) shares with Draft 2020-12.
_FAST_KEYWORDS = frozenset(
    {
        "$schema", "$id", "$ref", "$defs", "$comment", "title", "description", "default",
        "examples", "type", "enum", "const", "properties", "required", "additionalProperties",
        "patternProperties", "propertyNames", "minProperties", "maxProperties", "items",
        "minItems", "maxItems", "uniqueItems", "contains", "minLength", "maxLength", "pattern",
        "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "anyOf",
        "oneOf", "allOf", "not", "if", "then", "else", "deprecated", "readOnly", "writeOnly",
        "markdownDescription",
    }
)  # fmt: skip


@dataclass(frozen=True)
class SchemaError:
    """One violation: where in the instance (a JSON path), what, and whether it is a missing key."""

    path: tuple[str | int, ...]
    message: str
    at_key: bool  # point at the key (e.g. an unexpected key) rather than the value


def bundled(name: str) -> dict[str, Any]:
    text = resources.files("tracecard").joinpath("schemas", f"{name}.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def kind_schema(kind: Kind) -> dict[str, Any]:
    """The bundled schema of `kind`, with the common properties and definitions merged in."""
    common = bundled("common")
    own = bundled(kind.value)
    merged = dict(own)
    merged["properties"] = {**common.get("properties", {}), **own.get("properties", {})}
    merged["$defs"] = {**common.get("$defs", {}), **own.get("$defs", {})}
    return merged


def effective_schema(kind: Kind, extension: dict[str, Any] | None) -> dict[str, Any]:
    """The kind's schema, and the repository's extension of it when there is one (both apply)."""
    base = kind_schema(kind)
    if not extension:
        return base
    defs = {**base.get("$defs", {}), **extension.get("$defs", {})}
    base_rest = {k: v for k, v in base.items() if k not in ("$defs", "$schema", "$id")}
    ext_rest = {k: v for k, v in extension.items() if k not in ("$defs", "$schema", "$id")}
    return {"$schema": DRAFT, "$defs": defs, "allOf": [base_rest, ext_rest]}


def load_extension(root: Path, rel: str) -> dict[str, Any]:
    """A repository's schema file; refused (exit 2) when unreadable or when it points elsewhere."""
    path = (root / rel).resolve()
    try:
        if not path.is_file():
            raise OSError("not a regular file")
        if path.stat().st_size > 4 * 1024 * 1024:
            raise OSError("larger than 4 MiB")
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise UsageError(f"schema {rel}: cannot read it as JSON: {exc}") from exc
    if not isinstance(schema, dict):
        raise UsageError(f"schema {rel}: a JSON Schema must be an object")
    for pattern in _patterns(schema):
        if _NESTED_QUANTIFIER.search(pattern):
            raise UsageError(f"schema {rel}: pattern {pattern!r} repeats a repetition, which can "
                             "take exponential time on a value: write it without the nesting")
    for ref in _refs(schema):
        if not ref.startswith("#"):
            raise UsageError(
                f"schema {rel}: $ref {ref!r} leaves the file; tracecard never fetches schemas "
                "(no network): copy the definition under $defs and refer to it as '#/$defs/...'"
            )
        if not _resolves(schema, ref):
            raise UsageError(f"schema {rel}: $ref {ref!r} points to nothing in the file: add "
                             "that definition, or correct the pointer")  # fmt: skip
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError as _JSchemaError

    try:
        Draft202012Validator.check_schema(schema)
    except _JSchemaError as exc:
        raise UsageError(f"schema {rel}: not a valid Draft 2020-12 schema: {exc.message}") from exc
    return schema


#: Shapes of regular expressions that backtrack exponentially or polynomially: a group that
#: holds a quantifier or an alternation and is itself repeated (`(a+)+`, `((a+))+`,
#: `(a|aa)*`, `(?:x+){2,}`), and an unbounded repetition followed by another of the same kind
#: (`a*a*`, `\\s*\\s*`). A pattern of these shapes is refused rather than run on record text.
_NESTED_QUANTIFIER = re.compile(
    r"\((?:[^\\]|\\.)*?(?:[+*}]|\|)(?:[^\\]|\\.)*?\)[+*{]"
    r"|(\\?[^\\()|\[\]])[*+]\??\1[*+]"
)


def _patterns(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "pattern" and isinstance(v, str):
                yield v
            elif k == "patternProperties" and isinstance(v, dict):
                yield from (p for p in v if isinstance(p, str))
                for sub in v.values():
                    yield from _patterns(sub)
            else:
                yield from _patterns(v)
    elif isinstance(node, list):
        for v in node:
            yield from _patterns(v)


def _resolves(schema: Any, ref: str) -> bool:
    """Whether a local `$ref` (`#`, `#/$defs/x`, or an `$anchor`) names a part of `schema`."""
    from urllib.parse import unquote

    fragment = unquote(ref[1:])
    if not fragment:
        return True
    if not fragment.startswith("/"):  # a plain-name fragment: an $anchor somewhere in the file
        return fragment in _anchors(schema)
    node = schema
    for part in fragment[1:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and len(part) < 10 \
                and int(part) < len(node):  # fmt: skip
            node = node[int(part)]
        else:
            return False
    return True


def _anchors(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("$anchor", "$dynamicAnchor") and isinstance(v, str):
                found.add(v)
            else:
                found |= _anchors(v)
    elif isinstance(node, list):
        for v in node:
            found |= _anchors(v)
    return found


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("$ref", "$dynamicRef") and isinstance(v, str):
                yield v
            else:
                yield from _refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from _refs(v)


def _keywords(node: Any, acc: set[str]) -> set[str]:
    """Keywords used anywhere in a schema (property names under `properties` excluded)."""
    if isinstance(node, dict):
        for k, v in node.items():
            if k in ("properties", "patternProperties", "$defs"):
                acc.add(k)
                if isinstance(v, dict):
                    for sub in v.values():
                        _keywords(sub, acc)
            elif k in ("enum", "const", "examples", "default", "required"):
                acc.add(k)
            else:
                acc.add(k)
                _keywords(v, acc)
    elif isinstance(node, list):
        for v in node:
            _keywords(v, acc)
    return acc


def fingerprint(schema: dict[str, Any]) -> str:
    """A digest of a schema, to tell whether pre-generated validator code still matches it."""
    return hashlib.sha256(json.dumps(schema, sort_keys=True).encode()).hexdigest()


def fast_definition(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema as fastjsonschema should see it (it reads draft 7 for the shared keywords)."""
    body = {k: v for k, v in schema.items() if k != "$schema"}
    body["$schema"] = "http://json-schema.org/draft-07/schema#"
    return body


class Validator:
    """Validates front-matter data against one effective schema."""

    def __init__(self, schema: dict[str, Any], kind: Kind | None = None) -> None:
        self.schema = schema
        self._fast: Callable[[Any], Any] | None = None
        self._full: Any = None
        if _keywords(schema, set()) <= _FAST_KEYWORDS:
            self._fast = _pregenerated(kind, schema) or _compile_fast(schema)

    def errors(self, data: dict[str, Any]) -> list[SchemaError]:
        if self._fast is not None:
            try:
                self._fast(data)
                return []
            except Exception:  # noqa: BLE001 - any failure sends us to the full validator
                pass
        try:
            return list(self._full_errors(data))
        except RecursionError:
            raise UsageError("a repository schema refers to itself without end (a $ref that "
                             "leads back to where it started): break the loop") from None

    def _full_errors(self, data: dict[str, Any]) -> Iterator[SchemaError]:
        if self._full is None:
            from jsonschema import Draft202012Validator

            self._full = Draft202012Validator(self.schema)
        for err in sorted(self._full.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
            yield from _explain(err)


def _pregenerated(kind: Kind | None, schema: dict[str, Any]) -> Callable[[Any], Any] | None:
    """The validator generated into tracecard.load._validators for a bundled schema, if current.

    Compiling the four schemas costs about 0.1 s, a fifth of a pre-commit run's budget;
    scripts/gen_validators.py writes the code once, and the digest guards against drift.
    """
    if kind is None:
        return None
    try:
        module = importlib.import_module(f"tracecard.load._validators.{kind.value}")
    except ImportError:
        return None
    if getattr(module, "SCHEMA_SHA256", None) != fingerprint(schema):
        return None
    return module.validate  # type: ignore[no-any-return]


def _compile_fast(schema: dict[str, Any]) -> Callable[[Any], Any] | None:
    import fastjsonschema

    body = fast_definition(schema)

    def refuse(uri: str) -> Any:
        raise ValueError(f"no network: {uri}")

    try:
        return fastjsonschema.compile(body, handlers={"http": refuse, "https": refuse}, use_formats=False)
    except Exception:  # noqa: BLE001 - a schema it cannot compile is validated by jsonschema
        return None


def _explain(err: Any) -> Iterator[SchemaError]:
    """jsonschema errors -> SchemaError values that point at the right key or value."""
    path = tuple(err.absolute_path)
    if err.validator in ("anyOf", "oneOf") and err.context:
        from jsonschema.exceptions import best_match

        # The branch whose type matched says the most (a string too short, not "not an array"):
        # drop the branches that failed on the type of the value itself.
        typed = [e for e in err.context if e.validator != "type" or e.relative_path]
        inner = best_match(typed or err.context)
        yield from _explain(inner)
        return
    if err.validator == "required":
        yield SchemaError(path, err.message + _where(path), True)
        return
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        known = set(err.schema.get("properties", {}))
        for key in err.instance:
            if key not in known:
                yield SchemaError(path + (key,), f"unexpected key '{key}'{_where(path)}", True)
        return
    yield SchemaError(path, _message(err), False)


def _where(path: tuple[str | int, ...]) -> str:
    return f" in '{_dotted(path)}'" if path else ""


def _dotted(path: tuple[str | int, ...]) -> str:
    out = ""
    for p in path:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _message(err: Any) -> str:
    where = _dotted(tuple(err.absolute_path))
    msg = err.message
    title = err.schema.get("title") if isinstance(err.schema, dict) else None
    if err.validator == "pattern" and title:
        msg = f"{err.instance!r} is not a valid {title}"
    elif err.validator == "minLength" and err.instance == "":
        msg = "must not be empty"
    elif err.validator == "type" and err.instance is None:
        wanted = err.validator_value if isinstance(err.validator_value, str) else "value"
        msg = f"is empty (null): write {_A_TYPE.get(wanted, wanted)}, or remove the key"
    elif err.validator == "type" and isinstance(err.instance, str):
        if err.validator_value == "boolean" and err.instance.lower() in _YAML11_BOOLS:
            msg += ": write true or false (YAML 1.2 does not read yes/no/on/off as booleans)"
        elif err.validator_value in ("number", "integer") and _numeric(err.instance):
            msg += ": write the number without quotes"
        elif err.validator_value in ("number", "integer"):
            msg += ": write a number"
    return f"{where}: {msg}" if where else msg


_YAML11_BOOLS = frozenset({"yes", "no", "on", "off", "y", "n"})
_A_TYPE = {"object": "a mapping (key: value lines)", "array": "a list", "string": "a text",
           "number": "a number", "integer": "a whole number", "boolean": "true or false"}  # fmt: skip


def _numeric(text: str) -> bool:
    try:
        float(text.strip().rstrip("%"))
    except ValueError:
        return False
    return True


_VALIDATORS: dict[tuple[str, tuple[tuple[str, str], ...]], dict[Kind, Validator]] = {}


def validators(settings: Any) -> dict[Kind, Validator]:
    """One validator per kind for these settings, built once per process."""
    key = (str(settings.root), tuple(sorted((k.value, v) for k, v in settings.schemas.items())))
    hit = _VALIDATORS.get(key)
    if hit is None:
        hit = {}
        for kind in Kind:
            rel = settings.schemas.get(kind)
            ext = load_extension(settings.root, rel) if rel else None
            hit[kind] = Validator(effective_schema(kind, ext), None if ext else kind)
        _VALIDATORS[key] = hit
    return hit
