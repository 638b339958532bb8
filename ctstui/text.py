"""Untrusted text made safe to print: control characters become visible escapes.

Plain Python.  Titles, notes and imported cells may hold ANSI escapes, tabs,
newlines or other control characters; printed raw they could move the cursor,
recolour the terminal or break a table's layout.
"""

from __future__ import annotations

import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char, f"\\x{ord(char):02x}")


def printable(text: str) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``, ``\\n``)."""
    return _CONTROL.sub(_escape, text)


def clip(text: str, width: int) -> str:
    """At most ``width`` characters, ending in an ellipsis when cut."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def format_days(days: float | None) -> str:
    """2.0 -> "2", 0.5 -> "0.5", None -> ""."""
    if days is None:
        return ""
    return f"{days:g}"
