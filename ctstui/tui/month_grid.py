"""The 7-column month grid (Monday first): today marked, selected day highlighted."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from ..model import Activity, schedule_risk
from ..planview import CalendarIndex, add_months, month_weeks
from .look import activity_label


class DayCell(Widget):
    """One day: its number and as many activity titles as fit, then "+N more"."""

    DEFAULT_CSS = """
    DayCell { height: 1fr; width: 1fr; padding: 0 0; }
    """

    def __init__(self, index: int) -> None:
        super().__init__(id=f"day-{index}")
        self.day = date.min
        self.activities: list[Activity] = []
        self.today = date.min
        self.month = 0

    def show(self, day: date, activities: list[Activity], *, today: date, month: int) -> None:
        self.day, self.activities, self.today, self.month = day, activities, today, month
        self.set_class(day == today, "-today")
        self.set_class(day.month != month, "-other-month")
        self.set_class(day.weekday() >= 5, "-weekend")
        self.refresh()

    def render(self) -> Text:
        width = max(self.size.width, 1)
        lines = max(self.size.height, 1)
        head = Text(f"{self.day.day:>2}", style=Style(bold=True))
        if self.day == self.today:
            head.append(" today", style=Style(bold=True, italic=True))
        out = [head]
        room = lines - 1
        items = self.activities
        shown = items if len(items) <= room else items[: max(room - 1, 0)]
        for activity in shown:
            at_risk = schedule_risk(activity, self.today) is not None
            label = activity_label(activity, at_risk=at_risk)
            if not activity.when.is_day_precise:
                label = Text("wk ", style=Style(dim=True)) + label  # the week beginning here
            label.truncate(width, overflow="ellipsis")
            out.append(label)
        hidden = len(items) - len(shown)
        if hidden:
            out.append(Text(f"+{hidden} more", style=Style(dim=True, italic=True)))
        text = Text("\n").join(out)
        text.no_wrap = True
        text.overflow = "ellipsis"
        return text


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
        self._shown_month: tuple[int, int] | None = None

    def compose(self) -> ComposeResult:
        with Grid(id="grid"):
            for name in calendar.day_abbr:
                yield Static(name, classes="weekday")
            for i in range(42):
                yield DayCell(i)

    def on_mount(self) -> None:
        self.redraw()

    def set_index(self, index: CalendarIndex) -> None:
        self.index = index
        self.redraw()

    def redraw(self) -> None:
        day = self.selected
        weeks = month_weeks(day.year, day.month)
        cells = list(self.query(DayCell))
        for i, cell_day in enumerate(d for week in weeks for d in week):
            cells[i].show(cell_day, self.index.on(cell_day), today=self.today, month=day.month)
            cells[i].set_class(cell_day == day, "-selected")
        self._shown_month = (day.year, day.month)

    def watch_selected(self, old: date, new: date) -> None:
        month_changed = (old.year, old.month) != (new.year, new.month)
        if month_changed or self._shown_month != (new.year, new.month):
            self.redraw()
        else:
            for cell in self.query(DayCell):
                cell.set_class(cell.day == new, "-selected")
        self.post_message(self.SelectionChanged(new, month_changed))

    def action_move(self, days: int) -> None:
        self.selected = self.selected + timedelta(days=days)

    def action_month(self, months: int) -> None:
        self.selected = add_months(self.selected, months)

    def action_open_day(self) -> None:
        self.post_message(self.DayChosen(self.selected))

    def on_click(self, event: events.Click) -> None:
        widget = event.widget
        while widget is not None and not isinstance(widget, DayCell):
            widget = widget.parent
        if isinstance(widget, DayCell):
            if widget.day == self.selected and event.chain >= 2:
                self.action_open_day()
            self.selected = widget.day
