"""History: what git says about the records, for people.

`timeline` (history for a run: loading it through `tracecard.git.index`, and the pure reading
of versions: status changes, threshold and result changes, events), `command`
(`tracecard history ID`) and `catalogue` (`tracecard index`). The HIS rules live in
`tracecard.rules.history`.
"""
