"""The model: what a record is and what can be said about it.

`records` (Record, Kind, ID schemes), `graph` (RepoGraph: every record by ID, links resolved),
`lifecycles` (the statuses of each kind and the transitions between them), `metrics` (the
metric vocabulary: directions, ranges, aliases), `numbering` (the numbers of numbered IDs),
`findings` (Finding and Severity, the one type every rule and command reports) and `clock`
(what "today" is for a run). Nothing here reads files or runs git.
"""
