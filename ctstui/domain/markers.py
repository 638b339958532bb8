"""The note line an import leaves on an activity the imported file no longer lists.

``not in FILE (imported YYYY-MM-DD)``: the import adds it (and removes it when
a later import lists the activity again); the report counts such an activity as
dropped and the feed sends it as cancelled.  One definition, so the three never
disagree about which activities are dropped.
"""

from __future__ import annotations

import re
from datetime import date

UNNAMED_SOURCE = "the imported plan"  # when the import had no file name
_MISSING_LINE = re.compile(
    r"^not in (?P<source>.+) \(imported (?P<on>[0-9]{4}-[0-9]{2}-[0-9]{2})\)$"
)


def missing_note(source: str, on: date) -> str:
    """The note line that flags an activity the import of ``source`` on ``on`` no longer lists."""
    return f"not in {source or UNNAMED_SOURCE} (imported {on.isoformat()})"


def missing_line(line: str) -> tuple[str, date] | None:
    """(file, import date) when ``line`` is such a note line (surrounding spaces
    allowed; the date must be a real day), else None."""
    found = _MISSING_LINE.match(line.strip())
    if found is None:
        return None
    try:
        return found.group("source"), date.fromisoformat(found.group("on"))
    except ValueError:
        return None


def missing_mark(notes: str) -> tuple[str, date] | None:
    """The first such note line in ``notes`` (several lines), or None."""
    if "not in " not in notes:  # the common case, checked quickly
        return None
    for line in notes.split("\n"):
        mark = missing_line(line)
        if mark is not None:
            return mark
    return None
