"""`tracecard index` and `tracecard history`: click only, registered on `tracecard.cli.cli`."""

from __future__ import annotations

import sys

import click


@click.command("index")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(("json", "markdown")),
    default=None,
    help="Default: json when --output ends in .json, else markdown.",
)
@click.option(
    "--output",
    "-o",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="Write the index to FILE (atomically) instead of stdout.",
)
@click.option("--check", is_flag=True,
              help="Write nothing: exit 1 when FILE (--output) differs from the index, byte "
                   "for byte. For CI and the tracecard-index pre-commit hook.")  # fmt: skip
def index_cmd(fmt: str | None, output: str | None, check: bool) -> int:
    """The catalogue of every committed record, from git history.

    Kind, status, title, path, created and last updated (date, author, commit), the status
    history, and each model card's results at every version that changed them. Only committed
    changes are indexed, and the output has no run timestamp, so a committed index file stays
    fresh until a commit changes a record.

    Exit codes: 0 done (or fresh), 1 --check found the file stale or missing, 2 no usable
    history (not a git repository, no commits, a shallow clone) or a usage error.
    """
    from tracecard.history.catalogue import index

    return index(fmt, output, check, sys.stdout, sys.stderr)


@click.command("history")
@click.argument("ident", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(("text", "json")), default="text",
              show_default=True, help="text for people, json for tools.")  # fmt: skip
def history_cmd(ident: str, fmt: str) -> int:
    """One record's timeline: each commit that changed it, with date, author and subject, and
    what it changed (status, launch and target values, results, ID, path, other keys). A
    model card's timeline also shows each model review held of it, at the commit that held it.

    ID may be written `ADR-0007`, `adr-7`, a slug (`fraud-detector`) or the record's file.
    Uncommitted changes come last. Exit 2 for an ID no record has, now or in the history.
    """
    from tracecard.history.command import history

    return history(ident, fmt, sys.stdout, sys.stderr)
