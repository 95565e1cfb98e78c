"""tracecard: keeps an ML team's decision records, requirements and model cards honest."""

__version__ = "0.1.0"
