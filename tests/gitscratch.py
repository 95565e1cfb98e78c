"""A git repository in a temporary folder whose commits are the same on every run.

Author and committer names and dates are pinned through the environment; the global and
system git configuration are ignored, so nothing about the machine leaks in.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

START = 1_704_067_200  # 2024-01-01T00:00:00Z


class Scratch:
    """`step` seconds pass between commits (an hour unless a test wants days)."""

    def __init__(self, path: Path, init: bool = True, step: int = 3600) -> None:
        self.path = path
        self.tick = 0
        self.step = step
        path.mkdir(parents=True, exist_ok=True)
        if init:
            self.git("init", "-q", "-b", "main")

    def env(self, author: str) -> dict[str, str]:
        stamp = f"{START + self.step * self.tick} +0000"
        return {
            **os.environ,
            "GIT_AUTHOR_NAME": author,
            "GIT_AUTHOR_EMAIL": f"{author.lower()}@example.com",
            "GIT_COMMITTER_NAME": author,
            "GIT_COMMITTER_EMAIL": f"{author.lower()}@example.com",
            "GIT_AUTHOR_DATE": stamp,
            "GIT_COMMITTER_DATE": stamp,
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
        }

    def git(self, *args: str, author: str = "Ada", check: bool = True, cwd: Path | None = None) -> str:
        done = subprocess.run(
            ["git", *args], cwd=cwd or self.path, env=self.env(author),
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        if check and done.returncode != 0:
            raise AssertionError(f"git {' '.join(args)}: {done.stderr}")
        return done.stdout.strip()

    def write(self, rel: str, text: str) -> None:
        target = self.path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")

    def replace(self, rel: str, old: str, new: str) -> None:
        text = (self.path / rel).read_text(encoding="utf-8")
        assert old in text, f"{rel} does not contain {old!r}"
        self.write(rel, text.replace(old, new, 1))

    def remove(self, rel: str) -> None:
        (self.path / rel).unlink()

    def commit(self, subject: str, author: str = "Ada") -> str:
        self.tick += 1
        self.git("add", "-A")
        self.git("commit", "-q", "-m", subject, author=author)
        return self.git("rev-parse", "HEAD")

    def merge(self, branch: str, subject: str, author: str = "Ada") -> str:
        self.tick += 1
        self.git("merge", "-q", "--no-ff", "-m", subject, branch, author=author)
        return self.git("rev-parse", "HEAD")
