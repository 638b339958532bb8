"""Errors of an import: a whole file, or one row, that cannot be read as wanted."""

from __future__ import annotations

from ctstui.domain.text import clip, printable

# -- errors ----------------------------------------------------------------------


class PlanImportError(Exception):
    """A plan table, or one of its rows, that the importer cannot understand.

    ``source`` is the file name, ``line`` the 1-based line number (None for a
    problem with the whole file), ``text`` the row as written and ``reason``
    what is wrong.  ``str()`` gives ``file:line: text: reason``.  ``imported``
    says whether the row came in anyway (read as far as it goes, flagged) or
    was left out.
    """

    def __init__(
        self,
        reason: str,
        *,
        source: str = "",
        line: int | None = None,
        text: str = "",
        end_line: int | None = None,
        imported: bool = False,
    ) -> None:
        self.reason = reason
        self.imported = imported  # the row came in anyway (flagged), or was left out
        self.source = source
        self.line = line
        self.end_line = end_line if end_line is not None else line
        self.text = text
        super().__init__(self.describe())

    def describe(self) -> str:
        where = self.source or "<input>"
        if self.line is not None:
            where += f":{self.line}"
        if self.text:
            return f"{where}: {printable(clip(self.text, 120))}: {self.reason}"
        return f"{where}: {self.reason}"

    def to_dict(self) -> dict:
        return {
            "source": self.source,
            "line": self.line,
            "end_line": self.end_line,
            "text": self.text,
            "reason": self.reason,
            "imported": self.imported,
        }


class PlanYearMissing(PlanImportError):
    """Neither the document title nor the caller gives the plan year."""
