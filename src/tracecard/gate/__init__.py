"""The launch gate.

`judge` (pure: one card's results against the criteria of the requirements it satisfies,
row by row), `evaluate` (the gate over a RepoGraph: every card, its findings placed at the
lines a person edits, the data handoffs), `render` (text, markdown, json and github output of
`tracecard card check`) and `command` (`card check` itself). The GAT rules that report the
gate's findings in `tracecard check` live in `tracecard.rules.gate`.
"""
