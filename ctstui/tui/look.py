"""How activities look: status and RAG styles, markers, safe text.

User data always goes into ``rich.text.Text`` built with plain strings (never
markup), after control characters are made visible, so a title such as
``[link=http://x]click[/link]`` is shown literally and does nothing.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from ctstui.domain.model import Activity, Rag, Status
from ctstui.domain.text import printable

# Chosen to read on both the dark and the light theme (contrast of 3:1 or more
# against white and near-black backgrounds); a bright amber vanished on white.
RAG_COLOURS = {
    Rag.RED: "#e0474c",
    Rag.AMBER: "#b37400",
    Rag.GREEN: "#2da44e",
    Rag.UNRATED: "#8b949e",
}
RAG_MARKERS = {Rag.RED: "●", Rag.AMBER: "●", Rag.GREEN: "●", Rag.UNRATED: "○"}
STATUS_MARKS = {
    Status.TBC: "?",
    Status.PLANNED: "·",
    Status.CONFIRMED: "✔",
    Status.COMPLETED: "✓",
    Status.CANCELLED: "✗",
}
STATUS_STYLES = {
    Status.TBC: Style(dim=True, italic=True),
    Status.PLANNED: Style(),
    Status.CONFIRMED: Style(bold=True),
    Status.COMPLETED: Style(dim=True),
    Status.CANCELLED: Style(dim=True, strike=True),
}
RISK_STYLE = Style(color=RAG_COLOURS[Rag.AMBER], bold=True)


def safe(text: str) -> str:
    """User text with control characters made visible (one line, no escapes)."""
    return printable(text)


def rag_marker(rag: Rag) -> Text:
    return Text(RAG_MARKERS[rag], style=Style(color=RAG_COLOURS[rag]))


def status_style(status: Status) -> Style:
    return STATUS_STYLES[status]


def activity_label(
    activity: Activity, *, at_risk: bool = False, when: bool = False, compact: bool = False
) -> Text:
    """ "●!Sport Academy": RAG marker, "!" when at risk (else a space), title in its status style.

    Two cells of prefix at most: calendar day cells are narrow.  ``compact``
    (the narrowest cells) leaves out the space when there is no risk.
    """
    label = Text()
    label.append_text(rag_marker(activity.rag))
    if at_risk or not compact:
        label.append("!" if at_risk else " ", style=RISK_STYLE if at_risk else "")
    if when and activity.when.text:
        label.append(f"{safe(activity.when.text)}  ", style=Style(dim=True))
    title = safe(activity.title)
    if activity.status is Status.COMPLETED:
        title = f"✓{title}" if compact else f"✓ {title}"
    label.append(title, style=status_style(activity.status))
    if activity.optional:
        label.append(" (optional)", style=Style(dim=True))
    return label


# What the marks in front of a title mean (shown under the calendar and in help).
LEGEND = (
    ("●", "RAG"),
    ("○", "unrated"),
    ("!", "at risk"),
    ("✓", "done"),
    ("wk", "week of"),
)


def legend() -> Text:
    out = Text()
    for mark, meaning in LEGEND:
        if out:
            out.append("  ")
        out.append(mark, style=RISK_STYLE if mark == "!" else Style(bold=True))
        out.append(f" {meaning}", style=Style(dim=True))
    return out


def rating_change(review) -> Text:
    """ "○ unrated → ● red": a review's rating, with the one it replaced."""
    out = Text()
    if review.previous:
        out.append_text(rag_marker(review.previous))
        out.append(f" {review.previous.value} → ")
    out.append_text(rag_marker(review.rating))
    out.append(f" {review.rating.value}")
    return out


def plain(text: str, style: Style | str = "") -> Text:
    """A Text of untrusted ``text`` (never parsed as markup)."""
    return Text(safe(text), style=style)


class TextLine(Widget):
    """A one-line status text that repaints without asking for a new layout.

    ``Static.update`` re-lays-out the screen; a fixed-size line only needs a
    repaint, which matters when it changes on every keystroke.
    """

    DEFAULT_CSS = "TextLine { height: 1; width: 1fr; }"

    def __init__(self, text: Text | str = "", *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._text = text if isinstance(text, Text) else Text(text)

    def set(self, text: Text) -> None:
        if text != self._text:
            self._text = text
            self.refresh()

    @property
    def content(self) -> Text:
        """What the line shows (named as ``Static.content``)."""
        return self._text

    def render(self) -> Text:
        return self._text


def plain_lines(text: str, style: Style | str = "") -> Text:
    """Like :func:`plain`, but line breaks stay line breaks (dialog questions)."""
    return Text("\n".join(safe(line) for line in text.split("\n")), style=style)
