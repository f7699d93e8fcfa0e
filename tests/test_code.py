"""The code itself: pyflakes finds no unused import or variable, no undefined name and no
dictionary key written twice (a repeated message key silently replaces the first text)."""
from __future__ import annotations

from pathlib import Path

from pyflakes.api import checkPath
from pyflakes.reporter import Reporter

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["app.py", "kam_core", "pages", "ui", "bench", "tests"]


class Collect(Reporter):
    def __init__(self):
        self.found: list[str] = []

    def unexpectedError(self, filename, msg):
        self.found.append(f"{filename}: {msg}")

    def syntaxError(self, filename, msg, lineno, offset, text):
        self.found.append(f"{filename}:{lineno}: {msg}")

    def flake(self, message):
        self.found.append(str(message))


def test_pyflakes_finds_nothing():
    report = Collect()
    for source in SOURCES:
        path = ROOT / source
        for file in sorted(path.rglob("*.py") if path.is_dir() else [path]):
            if ".venv" not in file.parts:
                checkPath(str(file), report)
    assert report.found == []
