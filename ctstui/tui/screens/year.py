"""The plan year (April-March) as twelve mini-months, shaded by activity-days."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.geometry import Region
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Static

from ctstui.domain.planview import (
    CalendarIndex,
    YearLoad,
    add_months,
    month_weeks,
    plan_year_of,
    year_load,
)
from ctstui.tui.widgets.footer import PlanFooter

MONTH_WIDTH = 20  # "Mo Tu We Th Fr Sa Su"
MONTH_GAP = 3
BLOCK_LINES = 9  # title, weekdays, six weeks, the TBC count
SHADES = ("#2d4a2d", "#3f7a3f", "#e0a030", "#e0474c")  # 1, 2, 3, 4+ activities on a day


class YearView(Widget, can_focus=True):
    BINDINGS = [
        Binding("left,h", "move(-1)", "Day back", show=False, id="year.left"),
        Binding("right,l", "move(1)", "Day on", show=False, id="year.right"),
        Binding("up,k", "move(-7)", "Week back", show=False, id="year.up"),
        Binding("down,j", "move(7)", "Week on", show=False, id="year.down"),
        Binding("left_square_bracket,pageup", "month(-1)", "Prev month", id="year.prev_month"),
        Binding("right_square_bracket,pagedown", "month(1)", "Next month", id="year.next_month"),
    ]

    def __init__(
        self, load: YearLoad, tbc: dict[tuple[int, int], int], selected: date, today: date
    ) -> None:
        super().__init__(id="year-view")
        self.load = load
        self.tbc = tbc  # per month: the calendar tray's own count (one definition)
        self.selected = selected
        self.today = today

    def months_per_row(self, width: int) -> int:
        """4 months a row when there is room, 3 at 80 columns, fewer below."""
        return max(1, min(4, (width + MONTH_GAP) // (MONTH_WIDTH + MONTH_GAP)))

    def get_content_height(self, container, viewport, width: int) -> int:
        rows = -(-12 // self.months_per_row(width))
        return rows * (BLOCK_LINES + 1)

    def action_move(self, days: int) -> None:
        self._select(self.selected + timedelta(days=days))

    def action_month(self, months: int) -> None:
        self._select(add_months(self.selected, months))

    def _select(self, day: date) -> None:
        py = self.load.plan_year
        self.selected = min(max(day, py.start), py.end)
        self.refresh()
        self.post_message(self.Moved(self.selected))
        # Keep the selected month in view when the year is taller than the screen.
        per_row = self.months_per_row(self.size.width)
        month_index = (self.selected.year - py.start.year) * 12 + self.selected.month - 4
        top = (month_index // per_row) * (BLOCK_LINES + 1)
        self.scroll_visible_region(top)

    def scroll_visible_region(self, top: int) -> None:
        if isinstance(self.parent, VerticalScroll):
            self.parent.scroll_to_region(
                Region(0, top, self.size.width, BLOCK_LINES + 1), animate=False, immediate=True
            )

    class Moved(Message):
        def __init__(self, day: date) -> None:
            super().__init__()
            self.day = day

    def render(self) -> Text:
        py = self.load.plan_year
        months = [add_months(py.start, i) for i in range(12)]
        blocks = [self._month_block(m) for m in months]
        per_row = self.months_per_row(self.size.width)
        out = Text()
        for row in range(0, 12, per_row):
            chunk = blocks[row : row + per_row]
            for line in range(BLOCK_LINES):
                for block in chunk:
                    out.append_text(block[line])
                    out.append(" " * MONTH_GAP)
                out.append("\n")
            out.append("\n")
        return out

    def _month_block(self, first: date) -> list[Text]:
        width = MONTH_WIDTH
        title = Text(f"{first:%B %Y}".center(width), style=Style(bold=True))
        tbc = self.tbc.get((first.year, first.month), 0)
        lines = [title, Text("Mo Tu We Th Fr Sa Su", style=Style(dim=True))]
        for week in month_weeks(first.year, first.month):
            line = Text()
            for i, day in enumerate(week):
                if i:
                    line.append(" ")
                if day.month != first.month:
                    line.append("  ")
                    continue
                count = self.load.per_day.get(day, 0)
                style = Style()
                if count:
                    style = Style(bgcolor=SHADES[min(int(count), 4) - 1], color="white")
                if day == self.today:
                    style += Style(underline=True, bold=True)
                if day == self.selected:
                    style += Style(reverse=True)
                line.append(f"{day.day:>2}", style=style)
            lines.append(line)
        while len(lines) < BLOCK_LINES - 1:  # months of 4 or 5 weeks: pad to the same height
            lines.append(Text(" " * width))
        lines.append(Text(f"date TBC: {tbc}".ljust(width), style=Style(italic=True, dim=not tbc)))
        return lines


class YearScreen(ModalScreen[date | None]):
    BINDINGS = [
        Binding("enter", "choose", "Go to month", id="year.choose"),
        Binding("escape,y,q", "close", "Close", id="year.close"),
    ]

    def __init__(self, selected: date, *, today: date) -> None:
        super().__init__()
        self.selected = selected
        self.today = today

    def compose(self) -> ComposeResult:
        store = self.app.store  # type: ignore[attr-defined]
        plan_year = plan_year_of(self.selected)
        activities = store.activities()
        self.load = year_load(activities, plan_year)
        # Counted as the calendar's "date TBC" tray counts them, so the two agree.
        index = CalendarIndex.build(activities)
        tbc = {}
        for i in range(12):
            month = add_months(plan_year.start, i)
            tbc[(month.year, month.month)] = len(index.tray(month.year, month.month))
        with Vertical(id="year-dialog"):
            yield Static(
                Text(f"Plan year {plan_year}  ", style="bold")
                + Text(
                    "shade: activities on a day (1, 2, 3, 4+)",
                    "dim",
                ),
                id="year-title",
            )
            with VerticalScroll(id="year-scroll"):
                yield YearView(self.load, tbc, self.selected, self.today)
            yield Static(self.describe(self.selected), id="year-info")
        yield PlanFooter()

    def describe(self, day: date) -> Text:
        count = self.load.per_day.get(day, 0)
        return Text(f"{day:%A %d %B %Y}: {count:g} activity-day(s).  Enter opens the month.")

    def on_mount(self) -> None:
        view = self.query_one(YearView)
        view.focus()
        self.call_after_refresh(view.action_move, 0)  # scroll the selected month into view

    def on_year_view_moved(self, event: YearView.Moved) -> None:
        self.query_one("#year-info", Static).update(self.describe(event.day))

    def action_choose(self) -> None:
        self.dismiss(self.query_one(YearView).selected)

    def action_close(self) -> None:
        self.dismiss(None)


__all__ = ["YearScreen", "calendar"]
