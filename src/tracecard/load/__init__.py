"""Loading: from files on disk to a RepoGraph.

`config` (settings from tracecard.toml or pyproject.toml), `discover` (which files are records,
of which kind), `parse` (the exact front-matter parser on libyaml, with source positions, and
the body's sections and links), `schemas` (the JSON Schemas and their generated validators in
`_validators/`), `repository` (`load_graph`: the whole pipeline, files to graph).
"""
