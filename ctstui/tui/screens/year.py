"""The plan year (April-March) as twelve mini-months, shaded by activity-days."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Footer, Static

from ctstui.domain.planview import YearLoad, add_months, month_weeks, plan_year_of, year_load

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

    def __init__(self, load: YearLoad, selected: date, today: date) -> None:
        super().__init__(id="year-view")
        self.load = load
        self.selected = selected
        self.today = today

    def action_move(self, days: int) -> None:
        self._select(self.selected + timedelta(days=days))

    def action_month(self, months: int) -> None:
        self._select(add_months(self.selected, months))

    def _select(self, day: date) -> None:
        py = self.load.plan_year
        self.selected = min(max(day, py.start), py.end)
        self.refresh()
        self.screen.query_one("#year-info", Static).update(self.screen.describe(self.selected))

    def render(self) -> Text:
        py = self.load.plan_year
        months = [add_months(py.start, i) for i in range(12)]
        blocks = [self._month_block(m) for m in months]
        out = Text()
        for row in range(3):
            chunk = blocks[row * 4 : row * 4 + 4]
            for line in range(len(chunk[0])):
                for block in chunk:
                    out.append_text(block[line])
                    out.append("   ")
                out.append("\n")
            out.append("\n")
        return out

    def _month_block(self, first: date) -> list[Text]:
        width = 20
        title = Text(f"{first:%B %Y}".center(width), style=Style(bold=True))
        tbc = self.load.tbc_per_month.get((first.year, first.month), 0)
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
        lines.append(Text(f"TBC: {tbc}".ljust(width), style=Style(italic=True, dim=not tbc)))
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
        self.load = year_load(store.activities(), plan_year)
        with Vertical(id="year-dialog"):
            yield Static(
                Text(f"Plan year {plan_year}  ", style="bold")
                + Text(
                    "shade: activities on a day (1, 2, 3, 4+); TBC: fuzzy-dated per month", "dim"
                ),
                id="year-title",
            )
            yield YearView(self.load, self.selected, self.today)
            yield Static(self.describe(self.selected), id="year-info")
        yield Footer()

    def describe(self, day: date) -> Text:
        count = self.load.per_day.get(day, 0)
        return Text(f"{day:%A %d %B %Y}: {count:g} activity-day(s).  Enter opens the month.")

    def on_mount(self) -> None:
        self.query_one(YearView).focus()

    def action_choose(self) -> None:
        self.dismiss(self.query_one(YearView).selected)

    def action_close(self) -> None:
        self.dismiss(None)


__all__ = ["YearScreen", "calendar"]
