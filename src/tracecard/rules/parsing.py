"""Parsing: the file must be a readable Markdown record with a YAML mapping as front matter."""

from __future__ import annotations

from tracecard.rules.base import ParseRule


class NoFrontMatter(ParseRule):
    """What it does:
    Reports a record file that does not start with a `---` front-matter block (an empty file
    included).

    Why it matters:
    Everything tracecard knows about a record (its ID, status, links, thresholds) lives in the
    front matter. Without it the file is prose that no check can hold to account.

    Example:
    ```markdown
    # Use two-tower retrieval

    Status: accepted
    ```

    Fix:
    Start the file with the front matter, then the body:
    ```markdown
    ---
    id: ADR-0007
    status: accepted
    date: 2026-03-02
    ---
    # Use two-tower retrieval
    ```
    """

    code = "PAR001"
    name = "no-front-matter"


class UnclosedFrontMatter(ParseRule):
    """What it does:
    Reports front matter that opens with `---` on the first line but is never closed.

    Why it matters:
    Without the closing fence the whole file would be read as YAML, and the body as keys.

    Example:
    ```markdown
    ---
    id: ADR-0007
    status: accepted
    # Use two-tower retrieval
    ```

    Fix:
    Add a line with `---` after the last front-matter key.
    """

    code = "PAR002"
    name = "unclosed-front-matter"


class InvalidYaml(ParseRule):
    """What it does:
    Reports front matter that is not valid YAML, at the line and column where the YAML parser
    stopped.

    Why it matters:
    A record whose front matter cannot be read is invisible to every other check: its links,
    thresholds and status are lost.

    Example:
    ```yaml
    ---
    id: REQ-0003
    owners: [ana, ben
    ---
    ```

    Fix:
    Correct the YAML at the reported position (here: close the list with `]`). Quote values
    that contain `: ` or start with `{`, `[`, `*`, `&`, `!`, `%` or `@`.
    """

    code = "PAR003"
    name = "invalid-yaml"


class DuplicateKey(ParseRule):
    """What it does:
    Reports a key that appears twice in the same front-matter mapping, at the second one.

    Why it matters:
    YAML loaders keep one of the two values silently; people reading the file see both and
    cannot tell which one tracecard, or any other tool, will use.

    Example:
    ```yaml
    status: proposed
    date: 2026-03-02
    status: accepted
    ```

    Fix:
    Keep one of the keys and delete the other.
    """

    code = "PAR004"
    name = "duplicate-key"


class NotAMapping(ParseRule):
    """What it does:
    Reports front matter that is valid YAML but not a mapping (a list, or a lone string).

    Why it matters:
    Record fields are keys of a mapping; a list or a string carries no `id`, `status` or links.

    Example:
    ```yaml
    ---
    - ADR-0007
    - accepted
    ---
    ```

    Fix:
    Write one `key: value` line per field: `id: ADR-0007`, `status: accepted`.
    """

    code = "PAR005"
    name = "front-matter-not-a-mapping"


class UnknownKind(ParseRule):
    """What it does:
    Reports a `kind:` key whose value is not one of the record kinds.

    Why it matters:
    The kind decides which schema, ID pattern and rules apply; an unknown kind means none do.

    Example:
    ```yaml
    kind: model
    ```

    Fix:
    Use `decision`, `requirement`, `model_card`, `dataset` or `model_review` (or remove `kind:`
    and keep the file in its kind's folder).
    """

    code = "PAR006"
    name = "unknown-kind"


class Unreadable(ParseRule):
    """What it does:
    Reports a file that cannot be read as UTF-8 text: a binary file, another encoding, or a
    file the operating system refuses to open. The position is the first offending byte.

    Why it matters:
    Records are text shared across editors and platforms; tracecard reads them as UTF-8 and will
    not guess.

    Example:
    A record saved as Latin-1 from an old editor: `Überprüfung` is stored as byte `0xdc`.

    Fix:
    Save the file as UTF-8 (a byte-order mark is accepted), or move the binary file out of the
    record folder.
    """

    code = "PAR007"
    name = "unreadable-file"


class FileTooLarge(ParseRule):
    """What it does:
    Reports a record file larger than `max_file_size` (1,000,000 bytes unless configured); the
    file is not read.

    Why it matters:
    A record is a page of prose and a screen of metadata. A file this large is almost always a
    data dump or a generated file in the wrong folder, and reading it would slow every commit.

    Example:
    `docs/datasets/holdout.md` with the whole evaluation set pasted into it.

    Fix:
    Move the data out and link to it, or raise `max_file_size` in the configuration.
    """

    code = "PAR008"
    name = "file-too-large"


class YamlTooComplex(ParseRule):
    """What it does:
    Reports front matter whose anchors and aliases expand to more than 20,000 YAML nodes, or
    refer to themselves.

    Why it matters:
    A few lines of nested aliases (a "billion laughs" document) can expand to billions of
    values and hang any tool that reads them. Front matter never needs this.

    Example:
    ```yaml
    a: &a [x, x, x, x, x, x, x, x, x]
    b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
    c: [*b, *b, *b, *b, *b, *b, *b, *b, *b]
    ```

    Fix:
    Write the values out; remove the anchors (`&name`) and aliases (`*name`).
    """

    code = "PAR009"
    name = "yaml-too-complex"
