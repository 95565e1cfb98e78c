"""The command line: click only. Each module holds one group of commands; `COMMANDS` below is the
one table of what `tracecard` offers, so a command cannot silently go missing.

    check.py      tracecard check, tracecard rules
    authoring.py  tracecard init; the adr, req, card, dataset and model-review groups and their
                  writing and list commands
    gate.py       tracecard card check (the launch gate)
    history.py    tracecard index, tracecard history
    review.py     tracecard review
    importing.py  tracecard import, tracecard card export-hf
    graph.py      tracecard graph
    dashboard.py  tracecard dashboard

Options become typed arguments of plain functions in the feature packages, imported only when
their command runs, so that `tracecard --help` and the pre-commit hook start light.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Sequence

import click

from tracecard import __version__
from tracecard.cli import authoring, check, dashboard, gate, graph, history, importing, review
from tracecard.errors import UsageError
from tracecard.model import clock


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="tracecard")
@click.option("--today", metavar="YYYY-MM-DD", envvar=clock.ENV, show_envvar=True,
              help="The date the run takes as today (date rules, dates written by commands): to "
                   "reproduce a run of another day. Default: the machine's date.")
def cli(today: str | None) -> None:
    """tracecard keeps an ML team's records honest: decision records, requirement translations,
    model cards, dataset sheets and model reviews kept as Markdown with YAML front matter.

    Start with `tracecard check` in a repository; `tracecard rules` lists what it checks.
    Exit codes: 0 clean, 1 findings, 2 usage, configuration or internal error.
    """
    clock.set_today(clock.parse_day(today, "--today") if today else None)


#: Every command of `tracecard`, and the group each belongs to (None: the top level).
COMMANDS: tuple[tuple[click.Group | None, click.Command], ...] = (
    (None, check.check_cmd),
    (None, check.rules_cmd),
    (None, authoring.init_cmd),
    (None, authoring.adr_group),
    (None, authoring.req_group),
    (None, authoring.card_group),
    (None, authoring.dataset_group),
    (None, authoring.model_review_group),
    (authoring.card_group, gate.card_check_cmd),
    (None, history.index_cmd),
    (None, history.history_cmd),
    (None, review.review_cmd),
    (None, importing.import_cmd),
    (authoring.card_group, importing.export_hf_cmd),
    (None, graph.graph_cmd),
    (None, dashboard.dashboard_cmd),
)

for _group, _command in COMMANDS:
    (_group or cli).add_command(_command)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; return the exit code instead of exiting (callable from tests)."""
    for stream in (sys.stdout, sys.stderr):
        # A file name that is not UTF-8 reaches Python as lone surrogates: write them as
        # `\udcff` escapes (valid UTF-8, and valid JSON) rather than fail on them.
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):
                reconfigure(errors="backslashreplace")
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
        from tracecard.report.text import one_line

        click.echo(f"tracecard: error: {one_line(str(exc))}", err=True)
        return 2
    except BrokenPipeError:
        return 1
    except Exception as exc:  # noqa: BLE001 - the last line of defence: never a bare traceback
        if os.environ.get("TRACECARD_DEBUG"):
            raise
        from tracecard.report.text import one_line

        click.echo(f"tracecard: internal error: {type(exc).__name__}: {one_line(str(exc))[:500]} "
                   "(set TRACECARD_DEBUG=1 for the traceback, and please report it)", err=True)
        return 2
    finally:
        held = sys.modules.get("tracecard.edit.transaction")
        if held is not None:
            held.release(restore_signals=argv is not None)
    return rv if isinstance(rv, int) else 0


if __name__ == "__main__":
    raise SystemExit(main())
