"""The one exception that means "cannot continue": the CLI maps it to exit code 2."""

from __future__ import annotations


class UsageError(Exception):
    """A usage, configuration or environment problem: one clear line, exit code 2."""
