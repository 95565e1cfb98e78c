"""`tracecard dashboard`: click only, registered on `tracecard.cli.cli`."""

from __future__ import annotations

import sys

import click


@click.command("dashboard")
@click.option("--output", "-o", metavar="DIR", required=True,
              type=click.Path(file_okay=True, dir_okay=True),
              help="The folder to write the site to. It is built next to DIR and moved into "
                   "place when complete; a folder that holds something other than an earlier "
                   "dashboard is refused unless --force.")  # fmt: skip
@click.option("--force", is_flag=True,
              help="Replace DIR even when it is not an earlier dashboard.")
def dashboard_cmd(output: str, force: bool) -> int:
    """The evaluation dashboard: a static site for product and ML people, built from the
    repository and its git history.

    The landing page answers at a glance what is in production, what the candidates are,
    whether each meets the agreed bars (the verdicts of `tracecard card check`, criterion by
    criterion and slice by slice) and which failure types the model reviews found. Each card
    has its metrics across versions as charts with the launch and target bars, and as tables;
    then data readiness, the decision log, and every record rendered with its links in and
    out.

    The site opens from the file system (index.html) and uses no network: no scripts, fonts
    or styles from elsewhere. Publish it from CI as docs/ci.md shows. Needs the extra:
    pip install 'tracecard[dashboard]'.

    Exit codes: 0 written, 2 usage error (DIR is a file, not writable, inside .git, or holds
    something else without --force).
    """
    from tracecard.dashboard.command import dashboard

    return dashboard(output, force, sys.stderr)
