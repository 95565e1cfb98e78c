"""The run's clock: what "today" is. Every rule and command that needs the date asks here.

A run sets it once, from `tracecard --today YYYY-MM-DD` or the `TRACECARD_TODAY` environment
variable (for tests, and to reproduce a CI run on another day); otherwise it is the machine's
local date, read once per run so that one run never straddles midnight.
"""

from __future__ import annotations

import datetime
import os

from tracecard.errors import UsageError

ENV = "TRACECARD_TODAY"

_today: datetime.date | None = None


def parse_day(text: str, where: str) -> datetime.date:
    """`YYYY-MM-DD` as a date; UsageError naming `where` the text came from otherwise."""
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{where}: {text!r} is not a date: write YYYY-MM-DD") from None


def set_today(day: datetime.date | None) -> None:
    """Fix "today" for the rest of the run (None: back to the environment or the machine)."""
    global _today, _from_machine
    _today = day
    _from_machine = False


_configured: datetime.date | None = None


def set_configured(day: datetime.date | None) -> None:
    """The repository's own `today` from its configuration (an example or an archived
    repository checked as of a fixed day): used when neither --today nor TRACECARD_TODAY set
    one."""
    global _configured
    _configured = day
    if _today is not None and _from_machine:
        _set_machine_or(day)


_from_machine = False


def _set_machine_or(day: datetime.date | None) -> None:
    global _today, _from_machine
    _today = day if day is not None else datetime.date.today()
    _from_machine = day is None


def today() -> datetime.date:
    """The run's date: as set, else TRACECARD_TODAY, else the configuration's `today`, else the
    machine's date (then kept)."""
    global _today
    if _today is None:
        env = os.environ.get(ENV, "").strip()
        if env:
            _today = parse_day(env, ENV)
        else:
            _set_machine_or(_configured)
    assert _today is not None
    return _today


def as_day(value: object) -> datetime.date | None:
    """A date as records write it (YYYY-MM-DD text, or a YAML date) as a date; None when it is
    not one. The one place a record's date is read."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None
