"""`tracecard check` and `tracecard rules`: click only."""

from __future__ import annotations

import os
import sys

import click

FORMATS = ("text", "json", "github", "sarif")


@click.command("check")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="text for people, json for tools, github for workflow annotations, sarif for code scanning.")
@click.option("--select", multiple=True, metavar="CODES",
              help="Only these rule codes or prefixes (comma-separated or repeated): --select LNK,BDY001.")
@click.option("--ignore", multiple=True, metavar="CODES", help="Skip these rule codes or prefixes.")
@click.option("--strict/--no-strict", default=None, help="Warnings also make the exit code 1.")
@click.option("--staged", is_flag=True,
              help="For pre-commit: PATHS are the changed files; also report on what uncommitted "
                   "deletions and renames break (the deleted file, and every record that still "
                   "links to an ID that is gone). With no PATHS, only that.")
@click.option("--no-cache", "no_cache", is_flag=True,
              help="Read and check every file afresh, and write no cache (also TRACECARD_NO_CACHE=1). "
                   "By default, in a git repository, what each file yields and the last result are "
                   "kept under .git/tracecard/cache/ and reused while the files, the configuration, "
                   "the schemas, the day, the codes chosen, git's refs and tracecard are the same; "
                   "outside git nothing is cached. The findings are the same either way. "
                   "Many files to parse are shared out over the cores (TRACECARD_JOBS=1: one process).")
def check_cmd(paths: tuple[str, ...], fmt: str, select: tuple[str, ...], ignore: tuple[str, ...],
              strict: bool | None, staged: bool, no_cache: bool) -> int:
    """Check records: parsing, schemas, IDs, links, body sections, requirement translations,
    the launch gate, and (in a git repository) their history. `tracecard rules` lists the codes.

    The whole repository is loaded so that links resolve; findings are reported for PATHS
    (files or folders; all records when none are given). The repository root is the nearest
    folder upward with tracecard.toml or [tool.tracecard] in pyproject.toml, else with .git.
    """  # noqa: D301
    from tracecard.rules.check import check

    code = check(paths, fmt, select, ignore, strict, sys.stdout, staged=staged, use_cache=not no_cache)
    if _own_process():
        # The tracecard command itself: exit without freeing every record one by one (a tenth
        # of a second on a large repository, and half of a pre-commit run's remaining time).
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BrokenPipeError:
            os._exit(1)
        os._exit(code)
    return code


def _own_process() -> bool:
    """True when this process is the `tracecard` command (or `python -m tracecard`), not a
    test or another program that called the CLI in process."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    if spec is not None and spec.name == "tracecard.__main__":
        return True
    return spec is None and os.path.basename(sys.argv[0]) in ("tracecard", "tracecard.exe")


@click.command("rules")
@click.argument("code", required=False)
def rules_cmd(code: str | None) -> int:
    """List every rule, or explain one: what it checks, why, an example, the fix.

    CODE may be a prefix: `tracecard rules LNK` explains the whole links family.
    """
    from tracecard.rules.command import rules

    return rules(code, sys.stdout)
