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
_BEYOND_C0 = r"\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(rf"[\x00-\x1f{_BEYOND_C0}]")
# What ``json.dumps`` leaves raw: it escapes C0 controls in strings itself (and
# the C0 characters outside strings are its own indentation).
_CONTROL_JSON_LEAVES = re.compile(rf"[{_BEYOND_C0}]")


def _escape(match: re.Match[str]) -> str:
    char = match.group(0)
    code = ord(char)
    named = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char)
    return named or (f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}")


def printable(text: str) -> str:
    """``text`` with every control character shown as an escape (``\\x1b``, ``\\n``)."""
    return _CONTROL.sub(_escape, text)


def printable_lines(text: str) -> str:
    """A message of several lines made safe: its line breaks kept, every other
    control character escaped (a file name or a user name in it may hold any)."""
    return "\n".join(printable(line) for line in text.split("\n"))


def quoted(text: str, width: int | None = None) -> str:
    """``'text'`` for a message: escaped as :func:`printable` (not ``repr``, which
    would double the backslashes of the escapes), cut to ``width`` when given."""
    return f"'{printable(text if width is None else clip(text, width))}'"


def clip(text: str, width: int) -> str:
    """At most ``width`` characters, ending in an ellipsis when cut."""
    if width <= 0:
        return ""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def count_of(n: int, one: str, many: str) -> str:
    """``1 activity``, ``2 activities``: a count with its noun in the right number."""
    return f"{n} {one if n == 1 else many}"


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


def fit(text: str, width: int, *, right: bool = False) -> str:
    """``text`` cut (with an ellipsis) and padded to exactly ``width`` columns
    (padded on the left when ``right``, for figures)."""
    if width <= 0:
        return ""
    if text.isascii():
        text = clip(text, width)
        return text.rjust(width) if right else text.ljust(width)
    if cell_width(text) > width:
        out, used = [], 0
        for char in text:
            w = _char_width(char)
            if used + w > width - 1:
                break
            out.append(char)
            used += w
        text = "".join(out) + "…"
    padding = " " * max(width - cell_width(text), 0)
    return padding + text if right else text + padding


def csv_cell(value: object) -> object:
    """A CSV cell with control characters escaped (a spreadsheet or ``cat`` shows them
    as ``\\x1b``, never obeys them); numbers, booleans and None are left as they are."""
    return printable(value) if isinstance(value, str) else value


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group(0)):04x}"


def printable_json(dumped: str) -> str:
    """JSON text (from ``json.dumps(..., ensure_ascii=False)``) safe for a terminal.

    ``json`` escapes C0 controls itself but writes DEL, C1 controls (U+009B is
    a terminal's CSI), line separators and bidi controls raw.  They can only
    occur inside strings, where ``\\uXXXX`` is their JSON escape: the values
    read back exactly.
    """
    return _CONTROL_JSON_LEAVES.sub(_json_escape, dumped)
