"""Untrusted text made safe to print: control characters become visible escapes.

Plain Python.  Titles, notes and imported cells may hold ANSI escapes, tabs,
newlines or other control characters; printed raw they could move the cursor,
recolour the terminal or break a table's layout.
"""

from __future__ import annotations

import re
import unicodedata

# C0 and C1 controls, DEL, the Unicode line/paragraph separators, and the
# bidirectional embedding/override/isolate controls (which can make a terminal
# show a line's text in another order than it is: "Trojan Source").
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    code = ord(char)
    named = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char)
    return named or (f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}")


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


def cell_width(text: str) -> int:
    """Terminal columns ``text`` takes: wide (CJK, most emoji) 2, combining marks 0."""
    if text.isascii():
        return len(text)
    return sum(_char_width(c) for c in text)


def _char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def fit(text: str, width: int) -> str:
    """``text`` cut (with an ellipsis) and padded to exactly ``width`` columns."""
    if text.isascii():
        return clip(text, width).ljust(width)
    if cell_width(text) > width:
        out, used = [], 0
        for char in text:
            w = _char_width(char)
            if used + w > width - 1:
                break
            out.append(char)
            used += w
        text = "".join(out) + "…"
    return text + " " * max(width - cell_width(text), 0)
