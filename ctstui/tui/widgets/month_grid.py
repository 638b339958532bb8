"""The 7-column month grid (Monday first): today marked, the selected day highlighted.

One widget draws the whole grid line by line (Textual's Line API) rather than 42
day widgets: start-up and a month switch then cost one widget's repaint, not
42 widgets' styles and layout.  Cell colours come from component classes in
``app.tcss``, so they follow the light/dark theme.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from ctstui.domain.model import Activity, schedule_risk
from ctstui.domain.planview import CalendarIndex, add_months, month_weeks
from ctstui.tui.look import activity_label

GUTTER = 1
NARROW_CELL = 12  # below this many cells a day, titles use the compact label
WEEKEND_SHARE = 0.6  # a weekend column's width against a weekday's, when narrow


class MonthGrid(Widget, can_focus=True):
    """Arrows/hjkl move by day and week, [ ] and PageUp/PageDown by month."""

    BINDINGS = [
        Binding("left,h", "move(-1)", "Day back", show=False, id="calendar.left"),
        Binding("right,l", "move(1)", "Day on", show=False, id="calendar.right"),
        Binding("up,k", "move(-7)", "Week back", show=False, id="calendar.up"),
        Binding("down,j", "move(7)", "Week on", show=False, id="calendar.down"),
        Binding("left_square_bracket,pageup", "month(-1)", "Prev month", id="calendar.prev_month"),
        Binding(
            "right_square_bracket,pagedown", "month(1)", "Next month", id="calendar.next_month"
        ),
        Binding("enter", "open_day", "Day's activities", id="calendar.open_day"),
    ]

    COMPONENT_CLASSES = {
        "month-grid--weekday",
        "month-grid--day",
        "month-grid--weekend",
        "month-grid--other-month",
        "month-grid--today",
        "month-grid--selected",
        "month-grid--selected-focus",
    }

    DEFAULT_CSS = """
    MonthGrid { height: 1fr; }
    MonthGrid > .month-grid--weekday { text-style: bold; color: $text-muted; }
    MonthGrid > .month-grid--day { background: $surface; }
    MonthGrid > .month-grid--weekend { background: $surface-darken-1; }
    MonthGrid > .month-grid--other-month { color: $text-disabled; }
    MonthGrid > .month-grid--today { background: $primary 25%; }
    MonthGrid > .month-grid--selected { background: $accent 30%; }
    MonthGrid > .month-grid--selected-focus { background: $accent 60%; }
    """

    selected: reactive[date] = reactive(date(2000, 1, 1), init=False)

    class DayChosen(Message):
        def __init__(self, day: date) -> None:
            super().__init__()
            self.day = day

    class SelectionChanged(Message):
        def __init__(self, day: date, month_changed: bool) -> None:
            super().__init__()
            self.day = day
            self.month_changed = month_changed

    def __init__(self, *, today: date, id: str | None = None) -> None:
        super().__init__(id=id)
        self.today = today
        self.index = CalendarIndex({}, [])
        self.set_reactive(MonthGrid.selected, today)
        self._cell_cache: dict[tuple[date, int, int], list[Text]] = {}

    # -- data -------------------------------------------------------------------
    @property
    def weeks(self) -> list[list[date]]:
        return month_weeks(self.selected.year, self.selected.month)

    def activities_on(self, day: date) -> list[Activity]:
        return self.index.on(day)

    def set_index(self, index: CalendarIndex) -> None:
        self.index = index
        self._cell_cache.clear()
        self.refresh()

    def watch_selected(self, old: date, new: date) -> None:
        month_changed = (old.year, old.month) != (new.year, new.month)
        self.refresh()
        self.post_message(self.SelectionChanged(new, month_changed))

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()

    # -- actions ----------------------------------------------------------------
    def action_move(self, days: int) -> None:
        self._select(lambda: self.selected + timedelta(days=days))

    def action_month(self, months: int) -> None:
        self._select(lambda: add_months(self.selected, months))

    def _select(self, step) -> None:
        # Years 1 and 9999 have no room for a six-week grid: stop at the edge.
        try:
            day = step()
        except (OverflowError, ValueError):
            self.app.bell()
            return
        if date(2, 1, 1) <= day <= date(9998, 12, 31):
            self.selected = day
        else:
            self.app.bell()

    def action_open_day(self) -> None:
        self.post_message(self.DayChosen(self.selected))

    def on_click(self, event: events.Click) -> None:
        day = self.day_at(event.x, event.y)
        if day is None:
            return
        if day == self.selected and event.chain >= 2:
            self.action_open_day()
        self.selected = day

    # -- geometry ---------------------------------------------------------------
    def _columns(self) -> list[tuple[int, int]]:
        """(x, width) of each weekday column; spare cells go to the first columns.

        When cells are narrow, Saturday and Sunday (rarely used for events) get
        less room so that weekday titles stay readable.
        """
        width = self.size.width
        usable = max(width - GUTTER * 6, 7)
        weights = [1.0] * 7
        if usable < 7 * NARROW_CELL:
            weights[5] = weights[6] = WEEKEND_SHARE
        unit = usable / sum(weights)
        widths = [max(int(unit * w), 1) for w in weights]
        for col in range(usable - sum(widths)):
            widths[col % 5] += 1
        out, x = [], 0
        for w in widths:
            out.append((x, w))
            x += w + GUTTER
        return out

    def _week_rows(self) -> list[tuple[int, int]]:
        """(first line, height) of each of the six weeks; spare lines go to the first weeks."""
        base, spare = divmod(max(self.size.height - 1, 6), 6)
        out, top = [], 1
        for week in range(6):
            height = base + (1 if week < spare else 0)
            out.append((top, height))
            top += height
        return out

    def _week_at(self, y: int) -> tuple[int, int] | None:
        """(week, line within it) of screen line ``y``."""
        for week, (top, height) in enumerate(self._week_rows()):
            if top <= y < top + height:
                return week, y - top
        return None

    def day_at(self, x: int, y: int) -> date | None:
        found = self._week_at(y)
        if found is None:
            return None
        week = found[0]
        for col, (left, width) in enumerate(self._columns()):
            if left <= x < left + width:
                return self.weeks[week][col]
        return None

    # -- drawing ------------------------------------------------------------------
    def _cell_lines(self, day: date, width: int, height: int) -> list[Text]:
        """The text lines of one day cell (cached until the plan or size changes)."""
        key = (day, width, height)
        cached = self._cell_cache.get(key)
        if cached is not None:
            return cached
        compact = width < NARROW_CELL
        head = Text(f"{day.day:>2}", style=Style(bold=True))
        if day == self.today and width < 8:
            head.append("*", style=Style(bold=True))
        elif day == self.today:
            head.append(" today", style=Style(bold=True, italic=True))
        lines = [head]
        items = self.index.on(day)
        room = height - 1
        shown = items if len(items) <= room else items[: max(room - 1, 0)]
        # Spare lines let a title wrap (at most 3 lines each) instead of being cut.
        per_item = min(max(room // len(shown), 1), 3) if shown else 1
        for activity in shown:
            label = activity_label(
                activity,
                at_risk=schedule_risk(activity, self.today) is not None,
                compact=compact,
            )
            if not activity.when.is_day_precise:
                # No space: a wrapped title must not leave "wk" alone on a line.
                label = Text("wk", style=Style(dim=True)) + label
            lines.extend(self._wrapped(label, width, per_item))
        if len(items) > len(shown):
            lines.append(
                Text(f"+{len(items) - len(shown)} more", style=Style(dim=True, italic=True))
            )
        for line in lines:
            line.truncate(width, overflow="ellipsis")
        self._cell_cache[key] = lines
        return lines

    def _wrapped(self, label: Text, width: int, most: int) -> list[Text]:
        """``label`` on at most ``most`` lines of ``width``; an ellipsis when cut."""
        if most <= 1 or label.cell_len <= width:
            return [label]
        lines = list(label.wrap(self.app.console, width, overflow="fold"))
        if len(lines) > most:
            lines = lines[:most]
            last = lines[-1]
            last.truncate(width - 1)
            last.rstrip()
            last.append("…")
        return lines

    def _cell_style(self, day: date) -> Style:
        name = "month-grid--day"
        if day.weekday() >= 5:
            name = "month-grid--weekend"
        style = self.get_component_rich_style(name)
        if day.month != self.selected.month:
            style += self.get_component_rich_style("month-grid--other-month")
        if day == self.today:
            style += self.get_component_rich_style("month-grid--today")
        if day == self.selected:
            style += self.get_component_rich_style(
                "month-grid--selected-focus" if self.has_focus else "month-grid--selected"
            )
        return style

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.rich_style
        columns = self._columns()
        if y == 0:
            style = base + self.get_component_rich_style("month-grid--weekday")
            head: list[Segment] = []
            for (left, w), name in zip(columns, calendar.day_abbr, strict=True):
                if left:
                    head.append(Segment(" " * GUTTER, base))
                head.append(Segment(name[:w].ljust(w), style))
            return Strip(head).adjust_cell_length(width, base)
        found = self._week_at(y)
        if found is None:
            return Strip.blank(width, base)
        week, line = found
        height = self._week_rows()[week][1]
        console = self.app.console
        segments: list[Segment] = []
        for (left, w), day in zip(columns, self.weeks[week], strict=True):
            if left:
                segments.append(Segment(" " * GUTTER, base))
            cell_style = base + self._cell_style(day)
            lines = self._cell_lines(day, w, height)
            if line < len(lines):
                text = lines[line]
                rendered = list(Segment.apply_style(text.render(console, end=""), cell_style))
                segments.extend(Segment.adjust_line_length(rendered, w, cell_style))
            else:
                segments.append(Segment(" " * w, cell_style))
        return Strip(segments).adjust_cell_length(width, base)
