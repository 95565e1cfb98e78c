"""Rules: what `tracecard check` checks.

`registry` (RULES, every rule by code, and FAMILIES), `base` (Rule: a code, a name, a
severity, the docstring that is its documentation, and a check over the RepoGraph), one module
per family (`parsing`, `schema`, `identity`, `links`, `body`, `requirements`,
`gate`, `history`), `run` (running the selected rules), `check` (the `tracecard check`
command) and `docs` (`tracecard rules` and docs/rules/, generated from the docstrings).

Importing this package imports no rule: `from tracecard.rules.registry import RULES` does.
"""
