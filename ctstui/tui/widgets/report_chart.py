"""Days per month as bars that fit the widget's width (Textual's Line API).

The chart's lines come from :func:`ctstui.report.summary.days_chart`, the same
drawing as the text report's, laid out again for whatever width the widget
has: it never wraps.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip
from textual.widget import Widget

from ctstui.report.summary import Report, days_chart

BAR_STYLE = Style(color="#3f7a3f")
NOTE_STYLE = Style(dim=True)
TITLE_STYLE = Style(bold=True)
BAR_ROWS = 6
CHART_LINES = BAR_ROWS + 4  # title, values, bars, months, years


class DaysChart(Widget):
    """A report's days per month; redraws for its width on every resize."""

    DEFAULT_CSS = f"""
    DaysChart {{ height: {CHART_LINES}; padding: 0 1; }}
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.report: Report | None = None
        self._strips: list[Strip] = []
        self._width = -1

    def show(self, report: Report) -> None:
        self.report = report
        self._width = -1
        self.refresh()

    def lines(self, width: int) -> list[tuple[str, Style]]:
        """The chart's text lines and their styles for ``width`` columns."""
        if self.report is None:
            return []
        title = "Days per month" + (" (n/d: no date)" if self.report.undated.activities else "")
        chart = days_chart(self.report, height=BAR_ROWS, width=width)
        has_values = len(chart) > BAR_ROWS and not any(c in chart[0] for c in "▁▂▃▄▅▆▇█")
        out = [(title[:width], TITLE_STYLE)]
        for index, line in enumerate(chart):
            if index == 0 and has_values:
                out.append((line, NOTE_STYLE))
            elif index < BAR_ROWS + has_values:
                out.append((line, BAR_STYLE))
            else:
                out.append((line, Style()))
        return out

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        if width != self._width:
            self._width = width
            base = self.rich_style
            self._strips = [
                Strip([Segment(text.ljust(width), base + style)], width)
                for text, style in self.lines(width)
            ]
        if y < len(self._strips):
            return self._strips[y]
        return Strip.blank(width, self.rich_style)
