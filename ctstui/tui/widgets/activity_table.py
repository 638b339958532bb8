"""A virtual table of activities: only the rows on screen are ever rendered.

Textual's DataTable builds every row up front (3.6x the start-up of an empty
app at 10k rows); a plan of 100k activities needs rows drawn on demand, which
the Line API gives: ``render_line`` draws one screen line from the model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ctstui.domain.dates import DateParseError, DateSpec, PlanYear
from ctstui.domain.model import Activity, schedule_risk
from ctstui.domain.planview import plan_year_of
from ctstui.domain.text import cell_width, fit, format_days
from ctstui.tui.look import RAG_COLOURS, RAG_MARKERS, RISK_STYLE, safe, status_style


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    cell: Callable[[Activity], str]
    sort: Callable[[Activity], Any]
    least: int  # narrowest useful width
    most: int  # widest it grows to while other columns are still short
    keep: int  # priority: lower numbers stay on screen longest (0: never dropped)


COLUMNS: tuple[Column, ...] = (
    Column("when", "Date", lambda a: a.when.text or "—", lambda a: a.sort_key, 12, 24, 0),
    Column(
        "title",
        "Activity",
        lambda a: a.title + (" (optional)" if a.optional else ""),
        lambda a: a.title.casefold(),
        18,
        60,
        0,
    ),
    Column("days", "Days", lambda a: format_days(a.days), lambda a: a.days or 0, 4, 4, 3),
    Column("kind", "Kind", lambda a: a.kind.value, lambda a: a.kind.value, 10, 19, 5),
    Column("lead", "Lead", lambda a: "/".join(a.leads), lambda a: "/".join(a.leads), 4, 10, 2),
    Column(
        "audience",
        "Audience (places)",
        lambda a: a.audience_with_places,
        lambda a: a.audience.casefold(),
        12,
        40,
        4,
    ),
    Column("status", "Status", lambda a: a.status.value, lambda a: a.status.value, 9, 9, 0),
    Column("rag", "RAG", lambda a: a.rag.value, lambda a: a.rag.severity, 9, 9, 0),
)
TITLE_FLAG = 2  # "! " before a title whose schedule is at risk
TITLE_ROOM = 26  # an optional column is shown only while the title keeps this much
SAMPLE_ROWS = 2000  # natural widths are measured on the first rows only (large plans)


def layout(total: int, wanted: dict[str, int]) -> list[tuple[int, int]]:
    """(column index, width) of the columns shown in ``total`` cells, in display order.

    Columns with ``keep == 0`` (date, title, status, RAG) are always shown; the
    others join in priority order while the title keeps ``TITLE_ROOM`` cells.
    Spare width is then shared: every column grows one cell at a time towards
    what its content needs (``wanted``, at most ``most``); what is left goes
    to the title.
    """
    shown = {i for i, c in enumerate(COLUMNS) if c.keep == 0}

    def used(indexes: set[int]) -> int:
        return sum(COLUMNS[i].least for i in indexes) + GAP * (len(indexes) - 1)

    title = next(i for i, c in enumerate(COLUMNS) if c.key == "title")
    for i in sorted((i for i, c in enumerate(COLUMNS) if c.keep), key=lambda i: COLUMNS[i].keep):
        extra = COLUMNS[i].least + GAP
        if used(shown) + extra + TITLE_ROOM - COLUMNS[title].least <= total:
            shown.add(i)
    widths = {i: COLUMNS[i].least for i in shown}
    spare = total - used(shown)
    goal = {
        i: max(COLUMNS[i].least, min(wanted.get(COLUMNS[i].key, 0), COLUMNS[i].most)) for i in shown
    }
    # The title first gets the room it was promised, then everyone shares.
    bump = max(min(goal[title], TITLE_ROOM, widths[title] + spare) - widths[title], 0)
    widths[title] += bump
    spare -= bump
    # First towards each column's comfortable width, then (on wide screens)
    # towards all its content needs.
    for limit in (goal, {i: max(goal[i], wanted.get(COLUMNS[i].key, 0)) for i in shown}):
        while spare > 0:
            short = [i for i in sorted(shown) if widths[i] < limit[i]]
            if not short:
                break
            for i in short[:spare]:
                widths[i] += 1
            spare -= min(len(short), spare)
    if spare > 0:
        widths[title] += spare
    return [(i, widths[i]) for i in sorted(shown)]


GAP = 1


class ActivityTable(ScrollView, can_focus=True):
    """Rows of activities with a cursor; Enter posts :class:`ActivityTable.Chosen`."""

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="table.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="table.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="table.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="table.page_down"),
        Binding("home", "jump(0)", "First", show=False, id="table.first"),
        Binding("end", "jump(-1)", "Last", show=False, id="table.last"),
        Binding("enter", "choose", "Open", id="table.open"),
        Binding("s", "sort_next", "Sort", id="table.sort"),
        Binding("S", "sort_reverse", "Reverse", show=False, id="table.sort_reverse"),
    ]

    COMPONENT_CLASSES = {"activity-table--header", "activity-table--cursor"}

    DEFAULT_CSS = """
    ActivityTable { height: 1fr; overflow-y: scroll; overflow-x: hidden; }
    ActivityTable > .activity-table--header { text-style: bold; background: $panel; }
    ActivityTable > .activity-table--cursor { background: $accent 40%; }
    ActivityTable:focus > .activity-table--cursor { background: $accent; color: $text; }
    """

    cursor = reactive(0)

    class Chosen(Message):
        def __init__(self, activity_id: str) -> None:
            super().__init__()
            self.activity_id = activity_id

    class Highlighted(Message):
        def __init__(self, activity_id: str | None) -> None:
            super().__init__()
            self.activity_id = activity_id

    def __init__(self, *, today: date, id: str | None = None) -> None:
        super().__init__(id=id)
        self.today = today
        self.rows: list[Activity] = []
        self.sort_column = 0
        self.sort_reverse = False
        # Dates are shown as written; a year is added when an activity lies
        # outside this plan year (the one the screen says it shows).
        self.plan_year: PlanYear | None = None
        self.wanted: dict[str, int] = {}
        self._widths: dict[str, tuple[Activity, tuple[int, ...]]] = {}
        self._widths_year: PlanYear | None = None
        self._shown: tuple[tuple[int, tuple[tuple[str, int], ...]], list[tuple[int, int]]] | None
        self._shown = None

    # -- data -----------------------------------------------------------------
    def set_rows(self, activities: list[Activity], *, keep: str | None = None) -> None:
        """Show ``activities`` (sorted by the current column), keeping the cursor's row."""
        keep = keep or self.current_id
        self.rows = self._sorted(activities)
        self.wanted = self._measure(self.rows[:SAMPLE_ROWS])
        index = next((i for i, a in enumerate(self.rows) if a.id == keep), None)
        self._set_row_count()
        self.cursor = min(index if index is not None else self.cursor, max(len(self.rows) - 1, 0))
        self._scroll_to_cursor()
        self.refresh()

    def _set_row_count(self) -> None:
        """The scrollable height follows the rows, without laying out the screen.

        Setting ``virtual_size`` asks for a full-screen layout, but the table's
        own size and its always-shown scrollbar (``overflow-y: scroll``) do not
        change with its row count: only the scrollbar's thumb and the scroll
        limit do, and those are updated here.
        """
        size = Size(self.size.width, len(self.rows) + 1)
        if size == self.virtual_size:
            return
        self.set_reactive(ActivityTable.virtual_size, size)
        if self.show_vertical_scrollbar:
            bar = self.vertical_scrollbar
            bar.window_virtual_size = size.height
            bar.refresh()
        # Fewer rows may end above the view: keep the view within them.
        self.scroll_to(
            y=min(self.scroll_offset.y, self.max_scroll_y), animate=False, immediate=True
        )

    def _measure(self, rows: list[Activity]) -> dict[str, int]:
        widths = self._cell_widths(rows)
        wanted = {}
        for n, column in enumerate(COLUMNS):
            cells = max((w[n] for w in widths), default=0)
            wanted[column.key] = max(cells, len(column.label) + 2)
        wanted["title"] += TITLE_FLAG
        return wanted

    def _cell_widths(self, rows: list[Activity]) -> list[tuple[int, ...]]:
        """Each row's cell widths, kept while the activity (its object) and the
        plan year stay the same: a filter keystroke re-measures only new rows."""
        if self._widths_year != self.plan_year:
            self._widths_year = self.plan_year
            self._widths.clear()
        cache = self._widths
        out = []
        for a in rows:
            cached = cache.get(a.id)
            if cached is None or cached[0] is not a:
                cached = (a, tuple(cell_width(self.cell_text(c, a)) for c in COLUMNS))
                cache[a.id] = cached
            out.append(cached[1])
        return out

    def cell_text(self, column: Column, activity: Activity) -> str:
        if column.key == "when":
            return date_text(activity, self.plan_year)
        return safe(column.cell(activity))

    def _sorted(self, activities: list[Activity]) -> list[Activity]:
        column = COLUMNS[self.sort_column]
        if column.key == "when" and not self.sort_reverse:
            return list(activities)  # the store already gives date-window order
        return sorted(activities, key=column.sort, reverse=self.sort_reverse)

    @property
    def current(self) -> Activity | None:
        return self.rows[self.cursor] if 0 <= self.cursor < len(self.rows) else None

    @property
    def current_id(self) -> str | None:
        current = self.current
        return current.id if current else None

    def select_id(self, activity_id: str) -> None:
        for i, activity in enumerate(self.rows):
            if activity.id == activity_id:
                self.cursor = i
                self._scroll_to_cursor()
                return

    # -- actions --------------------------------------------------------------
    def action_cursor(self, delta: int) -> None:
        if self.rows:
            self.cursor = max(0, min(len(self.rows) - 1, self.cursor + delta))
            self._scroll_to_cursor()

    def action_page(self, direction: int) -> None:
        self.action_cursor(direction * max(self.size.height - 2, 1))

    def action_jump(self, index: int) -> None:
        if self.rows:
            self.cursor = index % len(self.rows)
            self._scroll_to_cursor()

    def action_choose(self) -> None:
        if self.current:
            self.post_message(self.Chosen(self.current.id))

    def action_sort_next(self) -> None:
        self.sort_by((self.sort_column + 1) % len(COLUMNS))

    def action_sort_reverse(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self.set_rows(self.rows)

    def sort_by(self, index: int) -> None:
        self.sort_column = index
        self.sort_reverse = False
        self.set_rows(self.rows)
        self.notify(f"Sorted by {COLUMNS[index].label.lower()}", timeout=2)

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh()
        self.post_message(self.Highlighted(self.current_id))

    def _scroll_to_cursor(self) -> None:
        visible = max(self.size.height - 1, 1)
        top = self.scroll_offset.y
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + visible:
            self.scroll_to(y=self.cursor - visible + 1, animate=False, immediate=True)

    # -- mouse ---------------------------------------------------------------
    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            x = 0
            for index, width in self.columns_shown():
                if x <= event.x < x + width + GAP:
                    self.sort_by(index)
                    return
                x += width + GAP
            return
        row = self.scroll_offset.y + event.y - 1
        if 0 <= row < len(self.rows):
            if row == self.cursor and event.chain >= 2:
                self.action_choose()
            self.cursor = row

    # -- rendering ---------------------------------------------------------
    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(event.size.width, len(self.rows) + 1)

    def columns_shown(self) -> list[tuple[int, int]]:
        """(column index, width) of the columns that fit the table's width."""
        # Asked for every line drawn: worked out again only when its inputs change.
        key = (self.scrollable_content_region.width, tuple(self.wanted.items()))
        if self._shown is None or self._shown[0] != key:
            self._shown = (key, layout(key[0], self.wanted))
        return self._shown[1]

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        shown = self.columns_shown()
        base = self.rich_style
        if y == 0:
            header_style = base + self.get_component_rich_style("activity-table--header")
            cells = []
            for i, w in shown:
                label = COLUMNS[i].label
                if i == self.sort_column:
                    label += " ▼" if self.sort_reverse else " ▲"
                cells.append(fit(label, w))
            return Strip([Segment(" ".join(cells), header_style)]).adjust_cell_length(
                width, header_style
            )
        index = self.scroll_offset.y + y - 1
        if index >= len(self.rows):
            return Strip.blank(width, base)
        activity = self.rows[index]
        row_style = base
        if index == self.cursor:
            row_style = base + self.get_component_rich_style("activity-table--cursor")
        segments: list[Segment] = []
        risky = schedule_risk(activity, self.today) is not None
        for n, (i, w) in enumerate(shown):
            column = COLUMNS[i]
            if n:
                segments.append(Segment(" ", row_style))
            if column.key == "rag":
                marker = RAG_MARKERS[activity.rag]
                segments.append(
                    Segment(marker + " ", row_style + Style(color=RAG_COLOURS[activity.rag]))
                )
                segments.append(Segment(fit(activity.rag.value, w - 2), row_style))
                continue
            text = self.cell_text(column, activity)
            style = row_style
            if column.key == "title":
                style = row_style + status_style(activity.status)
                # A fixed flag column keeps titles aligned: "!" marks a schedule at risk.
                segments.append(Segment("! " if risky else "  ", row_style + RISK_STYLE))
                segments.append(Segment(fit(text, w - TITLE_FLAG), style))
                continue
            elif column.key == "status":
                style = row_style + status_style(activity.status)
            segments.append(Segment(fit(text, w), style))
        return Strip(segments).adjust_cell_length(width, row_style)


def date_text(activity: Activity, plan_year: PlanYear | None) -> str:
    """The date as written, with its year when it lies outside ``plan_year``
    (the year the screen says it shows) and the text does not already say it."""
    when = activity.when
    text = safe(when.text) or "—"
    day = when.start or when.end
    if day is None or plan_year is None or plan_year_of(day) == plan_year:
        return text
    if says_its_year(when.text, when.start, when.end):
        return text
    return f"{text} {day.year}"


@lru_cache(maxsize=4096)
def says_its_year(text: str, start: date | None, end: date | None) -> bool:
    """Whether ``text`` pins its own year ("May 11", "by March 2012"): read in
    another plan year, it still means the same window."""
    day = start or end
    if day is None:
        return False
    other = PlanYear(plan_year_of(day).start_year + 1)
    try:
        again = DateSpec.parse(text, other)
    except DateParseError:
        return False
    return (again.start, again.end) == (start, end)
