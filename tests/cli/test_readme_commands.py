"""The README's command-line block lists every command, so a reader sees them all."""

from __future__ import annotations

from pathlib import Path

from ctstui.cli import COMMANDS

README = Path(__file__).resolve().parents[2] / "README.md"


def command_block() -> str:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Command line") :]
    start = section.index("```\n") + 4
    return section[start : section.index("```\n", start)]


def test_every_command_has_a_usage_line_in_the_readme():
    lines = command_block().splitlines()
    missing = [
        c.name
        for c in COMMANDS
        if not any(f"{line} ".startswith(f"ctstui {c.name} ") for line in lines)
    ]
    assert missing == []
