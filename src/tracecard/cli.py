"""The command line: click only. Options become typed arguments of plain functions."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

import click

from tracecard import __version__
from tracecard.errors import UsageError

FORMATS = ("text", "json", "github", "sarif")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="tracecard")
def cli() -> None:
    """tracecard keeps an ML team's records honest: decision records, requirement translations,
    model cards and dataset sheets kept as Markdown with YAML front matter.

    Start with `tracecard check` in a repository; `tracecard rules` lists what it checks.
    Exit codes: 0 clean, 1 findings, 2 usage, configuration or internal error.
    """


@cli.command("check")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for people, json for tools, github for workflow annotations, sarif for code scanning.")
@click.option("--select", multiple=True, metavar="CODES",
              help="Only these rule codes or prefixes (comma-separated or repeated): --select LNK,BDY001.")
@click.option("--ignore", multiple=True, metavar="CODES", help="Skip these rule codes or prefixes.")
@click.option("--strict/--no-strict", default=None, help="Warnings also make the exit code 1.")
def check_cmd(paths: tuple[str, ...], fmt: str, select: tuple[str, ...], ignore: tuple[str, ...],
              strict: bool | None) -> int:
    """Check records: parsing, schemas, IDs, links, body sections, requirement translations,
    the launch gate, and (in a git repository) their history. `tracecard rules` lists the codes.

    The whole repository is loaded so that links resolve; findings are reported for PATHS
    (files or folders; all records when none are given). The repository root is the nearest
    folder upward with tracecard.toml or [tool.tracecard] in pyproject.toml, else with .git.
    """  # noqa: D301
    from tracecard.commands.check import check

    return check(paths, fmt, select, ignore, strict, sys.stdout)


@cli.command("rules")
@click.argument("code", required=False)
def rules_cmd(code: str | None) -> int:
    """List every rule, or explain one: what it checks, why, an example, the fix.

    CODE may be a prefix: `tracecard rules LNK` explains the whole links family.
    """
    from tracecard.commands.rules import rules

    return rules(code, sys.stdout)


@cli.group("adr")
def adr_group() -> None:
    """Decision records: create, supersede, link, accept, reject, deprecate, list."""


@cli.group("req")
def req_group() -> None:
    """Requirement translations: create, agree, reopen, retire, list."""


@cli.group("card")
def card_group() -> None:
    """Model cards: create, promote, list, and the launch gate (`card check`)."""


@cli.group("dataset")
def dataset_group() -> None:
    """Dataset sheets: create, promote, list."""


def _register_extensions() -> None:
    """Commands defined in their own click modules, registered on the groups above."""
    import importlib

    for name in _EXTENSIONS:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise


#: Modules that add commands to `cli` and its groups (explicit, greppable).
_EXTENSIONS = ("tracecard.cli_authoring", "tracecard.cli_gate", "tracecard.cli_history",
               "tracecard.cli_review")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code instead of exiting (callable from tests)."""
    try:
        rv = cli.main(args=list(argv) if argv is not None else None, prog_name="tracecard",
                      standalone_mode=False)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help() if exc.ctx else str(exc))
        return 2
    except click.UsageError as exc:
        exc.show()
        return 2
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return 2
    except UsageError as exc:
        click.echo(f"tracecard: error: {exc}", err=True)
        return 2
    except BrokenPipeError:
        return 1
    except Exception as exc:  # noqa: BLE001 - the last line of defence: never a bare traceback
        if os.environ.get("TRACECARD_DEBUG"):
            raise
        click.echo(f"tracecard: internal error: {type(exc).__name__}: {exc} "
                   "(set TRACECARD_DEBUG=1 for the traceback, and please report it)", err=True)
        return 2
    return rv if isinstance(rv, int) else 0


_register_extensions()

if __name__ == "__main__":
    raise SystemExit(main())
