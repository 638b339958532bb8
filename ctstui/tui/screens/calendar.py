"""The calendar: a month grid, and the month's "date TBC" tray beside it."""

from __future__ import annotations

import re
from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from ctstui.domain.dates import DateParseError, DateSpec
from ctstui.domain.model import Activity, schedule_risk
from ctstui.domain.planview import CalendarIndex, plan_year_of
from ctstui.tui.dialogs.prompts import ChooseActivityScreen, PromptScreen
from ctstui.tui.look import TextLine, activity_label, legend, plain
from ctstui.tui.screens.base import PlanScreen
from ctstui.tui.widgets.footer import PlanFooter
from ctstui.tui.widgets.month_grid import MonthGrid
from ctstui.tui.widgets.tabs import ModeTabs

TRAY_LIMIT = 40
MIN_DAY, MAX_DAY = date(2, 1, 1), date(9998, 12, 31)  # a month grid needs the weeks around it
MORE_PREFIX = "more:"


def parse_goto(text: str, around: date) -> date:
    """ "2013-11", "2013-11-18", "nov 2013", "14 May", "Feb" -> a day to show."""
    day = _parse_goto(text.strip(), around)
    if not MIN_DAY <= day <= MAX_DAY:
        raise ValueError(f"{text.strip()!r} is outside the calendar (years 2 to 9998)")
    return day


def _parse_goto(text: str, around: date) -> date:
    if re.fullmatch(r"\d{4}-\d{1,2}", text):
        year, month = map(int, text.split("-"))
        if 1 <= month <= 12:
            return date(year, month, 1)
    try:
        return date.fromisoformat(text)
    except ValueError:
        pass
    spec = DateSpec.parse(text, plan_year_of(around))
    if spec.start is None:
        raise DateParseError(text, "give a month or a day, such as 2013-11 or 14 May")
    return spec.start


class TrayList(OptionList):
    """The month's tray: new options repaint it without laying out the whole screen.

    ``OptionList`` sets ``virtual_size`` (its lines) whenever its options change,
    and ``Widget.virtual_size`` asks for a full-screen layout.  The tray's size is
    fixed by CSS, so a layout is needed only when its scrollbar comes or goes
    (the scrollbar is placed by the layout); OptionList itself updates the
    scrollbar's thumb and the scroll limit.
    """

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    def watch_virtual_size(self, new: Size) -> None:
        if self.styles.overflow_y != "auto":
            return
        if (new.height > self.container_size.height) != self.show_vertical_scrollbar:
            self.refresh(layout=True)


class CalendarScreen(PlanScreen):
    AUTO_FOCUS = "MonthGrid"
    # Narrow terminals (80 columns) get a slimmer tray so day cells stay readable.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide"), (160, "-very-wide")]
    BINDINGS = [
        Binding("t", "today", "Today", id="calendar.today"),
        Binding("g", "goto", "Go to", id="calendar.goto"),
        Binding("y", "year", "Year", id="calendar.year"),
        # One key each way; the footer names the pane Tab goes to.
        Binding("tab,shift+tab", "pane('tray')", "To tray", id="calendar.to_tray"),
        Binding("tab,shift+tab", "pane('grid')", "To grid", id="calendar.to_grid"),
    ]

    def __init__(self) -> None:
        super().__init__(id="calendar")
        self.index = CalendarIndex({}, [])
        self.tray_count = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield ModeTabs("calendar")
        with Horizontal(id="calendar-body"):
            with Vertical(id="month-pane"):
                # One-line texts that change with the month repaint without a layout.
                yield TextLine(id="month-title")
                yield MonthGrid(today=self.today, id="month")
                yield TextLine(id="day-info")
                yield Static(legend(), id="legend")
            with Vertical(id="tray-pane"):
                yield TextLine("This month, date TBC", id="tray-title")
                yield TrayList(id="tray")
        yield PlanFooter()

    def on_mount(self) -> None:
        grid = self.query_one(MonthGrid)
        self.refresh_plan()
        opening = self.opening_day()
        if not len(self.store):
            self.notify(
                "This plan is empty. n adds an activity; ctrl+p → Import plan table reads a "
                "table from Word/PDF or a spreadsheet (or: ctstui import FILE).",
                title="Welcome",
                timeout=15,
            )
        elif opening != self.today:
            self.notify(
                f"Nothing planned within a year of {self.today:%d %b %Y}; showing "
                f"{opening:%B %Y}, the nearest month with activities.",
                timeout=6,
            )
        grid.selected = opening

    def on_resize(self) -> None:
        # The tray's title is shortened on narrow screens (the breakpoint class).
        self.call_after_refresh(self.show_tray_title)

    def opening_day(self) -> date:
        """Today, unless the plan has nothing within a year of it: then its nearest month."""
        nearest = self.index.nearest(self.today)
        if nearest is None or abs((nearest - self.today).days) <= 365:
            return self.today
        return nearest

    # -- drawing -------------------------------------------------------------------
    def refresh_plan(self) -> None:
        self.index = CalendarIndex.build(self.store.activities())
        self.query_one(MonthGrid).set_index(self.index)
        self.show_month()

    def show_month(self) -> None:
        day = self.query_one(MonthGrid).selected
        self.query_one("#month-title", TextLine).set(
            Text.assemble((f"{day:%B %Y}   ", "bold"), (f"plan year {plan_year_of(day)}", "dim"))
        )
        tray = self.query_one("#tray", OptionList)
        items = self.index.tray(day.year, day.month)
        highlighted = tray.highlighted_option.id if tray.highlighted_option else None
        shown = items[:TRAY_LIMIT]
        options = [
            Option(
                Text.assemble(
                    (f"{a.when.text}\n", "bold"),
                    activity_label(a, at_risk=schedule_risk(a, self.today) is not None),
                ),
                id=a.id,
            )
            for a in shown
        ]
        if len(items) > len(shown):
            # A month of hundreds of fuzzy items is for the list, not a side tray.
            options.append(
                Option(
                    Text(
                        f"… and {len(items) - len(shown)} more: Enter shows the month in the list",
                        style="italic",
                    ),
                    id=f"{MORE_PREFIX}{day:%Y-%m}",
                )
            )
        if options:
            tray.set_options(options)  # one update of its lines, not two
        else:
            tray.clear_options()
        ids = [option.id for option in options]
        if highlighted in ids:
            tray.highlighted = ids.index(highlighted)
        self.tray_count = len(items)
        self.show_tray_title()
        self.show_day_info()

    def show_tray_title(self) -> None:
        day = self.query_one(MonthGrid).selected
        month = f"{day:%b}" if self.has_class("-narrow") else f"{day:%B}"  # the count must fit
        self.query_one("#tray-title", TextLine).set(plain(f"{month}, date TBC ({self.tray_count})"))

    def show_day_info(self) -> None:
        day = self.query_one(MonthGrid).selected
        count = len(self.index.on(day))
        what = {0: "nothing planned", 1: "1 activity"}.get(count, f"{count} activities")
        self.query_one("#day-info", TextLine).set(
            plain(f"{day:%A %d %B %Y}: {what}" + ("  (Enter to list)" if count else ""))
        )

    def on_month_grid_selection_changed(self, event: MonthGrid.SelectionChanged) -> None:
        if event.month_changed:
            self.show_month()
        else:
            self.show_day_info()
        self.planner.selection_changed()

    def on_month_grid_day_chosen(self, event: MonthGrid.DayChosen) -> None:
        activities = self.index.on(event.day)
        screen = ChooseActivityScreen(f"{event.day:%A %d %B %Y}", activities, today=self.today)

        def opened(activity_id: str | None) -> None:
            if activity_id:
                self.planner.open_detail(activity_id)

        self.app.push_screen(screen, opened)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id or ""
        if option_id.startswith(MORE_PREFIX):
            month = option_id.removeprefix(MORE_PREFIX)
            self.app.switch_mode("activities")
            self.app.call_after_refresh(self._filter_list, f"month:{month}")
        elif option_id:
            self.planner.open_detail(option_id)

    def _filter_list(self, query: str) -> None:
        from ctstui.tui.screens.activities import ActivitiesScreen

        screen = self.app.screen
        if isinstance(screen, ActivitiesScreen):
            screen.set_filter(query)

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()  # "To tray" / "To grid"
        self.planner.selection_changed()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "pane":
            tray_focused = self.query_one("#tray", OptionList).has_focus
            return (parameters[0] == "tray") != tray_focused
        return True

    def action_pane(self, pane: str) -> None:
        if pane == "tray":
            tray = self.query_one("#tray", OptionList)
            self.set_focus(tray)
            if tray.option_count and tray.highlighted is None:
                tray.highlighted = 0
        else:
            self.set_focus(self.query_one(MonthGrid))

    # -- actions ---------------------------------------------------------------------
    def go_to(self, day: date) -> None:
        self.query_one(MonthGrid).selected = day

    def action_today(self) -> None:
        self.go_to(self.today)

    def action_goto(self) -> None:
        grid = self.query_one(MonthGrid)

        def check(text: str) -> str | None:
            try:
                parse_goto(text, grid.selected)
            except (DateParseError, ValueError) as exc:
                return str(exc)
            return None

        def done(text: str | None) -> None:
            if text:
                self.go_to(parse_goto(text, grid.selected))
                grid.focus()

        self.app.push_screen(
            PromptScreen(
                "Go to month or day", placeholder="2013-11, nov 2013, 14 May…", check=check
            ),
            done,
        )

    def action_year(self) -> None:
        from ctstui.tui.screens.year import YearScreen

        grid = self.query_one(MonthGrid)

        def done(day: date | None) -> None:
            if day:
                self.go_to(day)

        self.app.push_screen(YearScreen(grid.selected, today=self.today), done)

    def selected_activity(self) -> Activity | None:
        tray = self.query_one("#tray", OptionList)
        option = tray.highlighted_option
        if tray.has_focus and option and option.id and not option.id.startswith(MORE_PREFIX):
            return self.store.get(option.id)
        day_items = self.index.on(self.query_one(MonthGrid).selected)
        return day_items[0] if len(day_items) == 1 else None
