"""`tracecard graph`: the records and their typed links, drawn.

`build` (pure: the nodes and labelled edges of a RepoGraph, and the part of it that `--id`,
`--depth` and `--kind` select), `render` (Mermaid and Graphviz DOT text, every piece of record
content escaped so that a title cannot add a node, an edge or a line) and `command`
(`tracecard graph` itself).
"""
