"""The CLI starts light: a pre-commit run must not pay for what it does not use."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("git", "jsonschema", "tracecard.load.repository", "tracecard.edit.lifecycle", "tracecard.gate.render")


def test_importing_the_cli_loads_no_command_machinery() -> None:
    code = f"import sys, tracecard.cli; print(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == []


def test_card_check_formats_match_the_renderers() -> None:
    from tracecard.cli.gate import FORMATS
    from tracecard.gate.render import RENDERERS

    assert set(FORMATS) == set(RENDERERS)
