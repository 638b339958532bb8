"""The RAG status board: Red / Amber / Green / Unrated (/ Done) columns of cards.

Keys set the selected card's rating (r, a, g; shift+left/right moves it a
column); a one-line prompt asks why, and the store records a dated review
(one undo step).  ``/`` filters with the list's query language, ``p`` groups
the cards into one lane per programme with the programme's roll-up, ``X``
shows the Done column, ``R`` (or the palette's "Start review round") walks
through every open activity on the board asking for a rating and a note.

The cards are drawn with the Line API (:class:`BoardView`): only the screen
lines in view are rendered, so a change repaints the same few dozen lines
whether the plan holds ten activities or ten thousand.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.geometry import Size
from textual.message import Message
from textual.screen import ModalScreen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Footer, Header, Input, Static

from ctstui.domain.board import (
    COLUMN_TITLES,
    DONE,
    Board,
    Lane,
    Rollup,
    build_board,
    days_since_review,
    review_age,
    review_round,
    shift_rating,
)
from ctstui.domain.model import Activity, Rag, Status, schedule_risk
from ctstui.domain.query import Query, QueryError
from ctstui.tui.dialogs.prompts import PromptScreen
from ctstui.tui.look import (
    RAG_COLOURS,
    RAG_MARKERS,
    STATUS_MARKS,
    TextLine,
    plain,
    rag_marker,
    rating_change,
    safe,
    status_style,
)
from ctstui.tui.screens.base import PlanScreen
from ctstui.tui.screens.detail import reviews_text, risk_text
from ctstui.tui.widgets.tabs import ModeTabs

REASON_HINT = "r / a / g rate the selected card; the reason for it is typed here"


if TYPE_CHECKING:
    from ctstui.tui.app import PlannerApp

CARD_HEIGHT = 5  # top border, title, date and leads, status and review age, bottom border
GAP = 1  # columns between board columns
PLAIN_BOX = ("╭", "─", "╮", "│", "╰", "╯")
SELECTED_BOX = ("┏", "━", "┓", "┃", "┗", "┛")
DONE_COLOUR = "#8b949e"


def fit(text: str, width: int) -> str:
    """``text`` padded or cut (with an ellipsis) to exactly ``width`` cells."""
    if width <= 0:
        return ""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


def column_widths(total: int, count: int) -> list[int]:
    """Equal widths for ``count`` columns with GAP between them (spare cells go left)."""
    usable = max(total - GAP * (count - 1), count)
    base, spare = divmod(usable, count)
    return [base + (1 if i < spare else 0) for i in range(count)]


# -- rating with a note (the board and the review round) -------------------------------


def ask_rating(
    app: PlannerApp,
    activity: Activity,
    rating: Rag,
    *,
    today: date,
    escape_cancels: bool,
    then: Callable[[bool], None] | None = None,
    prompt: Callable[[str, Callable[[str | None], None]], None] | None = None,
    announce: bool = True,
) -> None:
    """Ask for a one-line reason, then rate ``activity`` (a dated review, one undo step).

    Enter saves with the reason (which may be empty); Escape saves with no
    note, or cancels when ``escape_cancels``.  ``then(saved)`` runs afterwards.
    ``prompt(question, done)`` asks; by default a modal prompt screen.
    """
    escape = "Escape cancels" if escape_cancels else "Escape saves with no note"
    change = (
        f"still {rating.value} (a review)"
        if rating is activity.rag
        else f"{activity.rag.value} → {rating.value}"
    )
    question = f"{activity.title}: {change}. Why? One line (Enter saves; {escape})."

    def done(text: str | None) -> None:
        if text is None and escape_cancels:
            app.notify("Rating cancelled: nothing changed.", timeout=3)
            if then:
                then(False)
            return
        if activity.id not in app.store:
            app.notify("That activity is no longer in the plan.", severity="warning")
            if then:
                then(False)
            return
        note = " ".join((text or "").split())
        saved = app._guard(lambda: app.store.rate(activity.id, rating, note, on=today))
        if saved is not None and announce:
            app.notify(
                f"{activity.title}: {activity.rag.value} → {rating.value}"
                + (f" ({note})" if note else "")
                + "  ·  u to undo",
                timeout=4,
                markup=False,
            )
        if then:
            then(saved is not None)

    if prompt is None:
        app.push_screen(PromptScreen(question, placeholder="reason (optional)"), done)
    else:
        prompt(question, done)


# -- the board widget ------------------------------------------------------------------


class BoardView(ScrollView, can_focus=True):
    """The columns of cards, drawn line by line; the header line stays at the top.

    Position of the selection: (lane, column key, index in that lane's column).
    While ``key_sink`` is set (a rating's reason is being typed) it gets every key
    first, before the bindings.
    """

    key_sink: Callable[[events.Key], bool] | None = None

    def on_key(self, event: events.Key) -> None:
        if self.key_sink is not None and self.key_sink(event):
            event.stop()
            event.prevent_default()

    COMPONENT_CLASSES = {
        "board-view--header",
        "board-view--lane",
        "board-view--card",
        "board-view--selected",
    }

    class Selected(Message):
        def __init__(self, activity_id: str | None) -> None:
            super().__init__()
            self.activity_id = activity_id

    class Chosen(Message):
        def __init__(self, activity_id: str) -> None:
            super().__init__()
            self.activity_id = activity_id

    def __init__(self, *, today: date, id: str | None = None) -> None:
        super().__init__(id=id)
        self.today = today
        self.board = build_board([])
        self.position: tuple[int, str, int] | None = None
        self._tops: list[int] = [0]
        self._heading = 0
        self._lines = 0
        self._line_cache: dict[tuple, list[Segment]] = {}

    # -- data ------------------------------------------------------------------
    def set_board(self, board: Board, *, keep: str | None = None) -> None:
        """Show ``board``; the selection follows its card, else stays where it was."""
        keep = keep or self.current_id
        old = self.position
        self.board = board
        self._heading = 1 if board.grouped else 0
        self._tops = []
        line = 0
        for lane in board.lanes:
            self._tops.append(line)
            line += self._heading + lane.depth * CARD_HEIGHT
        self._lines = line
        self.virtual_size = Size(0, self._lines + 1)
        position = board.locate(keep) if keep else None
        if position is None:
            position = self._nearby(old) if old is not None else self._first_card()
        self._select(position, announce=True)
        self.refresh()

    def _nearby(self, old: tuple[int, str, int]) -> tuple[int, str, int] | None:
        """Where the selection goes when its card left the board: same place, clamped."""
        lane_index, key, index = old
        lanes = self.board.lanes
        if lane_index < len(lanes):
            cards = lanes[lane_index].columns.get(key, [])
            if cards:
                return lane_index, key, min(index, len(cards) - 1)
        return self._first_in(key) or self._first_card()

    def _first_in(self, key: str) -> tuple[int, str, int] | None:
        for lane_index, lane in enumerate(self.board.lanes):
            if lane.columns.get(key):
                return lane_index, key, 0
        return None

    def _first_card(self) -> tuple[int, str, int] | None:
        for key in self.board.keys:
            found = self._first_in(key)
            if found:
                return found
        return None

    @property
    def current(self) -> Activity | None:
        if self.position is None:
            return None
        lane_index, key, index = self.position
        try:
            return self.board.lanes[lane_index].columns[key][index]
        except (IndexError, KeyError):
            return None

    @property
    def current_id(self) -> str | None:
        current = self.current
        return current.id if current else None

    def select_id(self, activity_id: str) -> bool:
        position = self.board.locate(activity_id)
        if position is not None:
            self._select(position)
        return position is not None

    def _select(self, position: tuple[int, str, int] | None, *, announce: bool = False) -> None:
        before = self.current_id
        self.position = position
        self._scroll_to_selection()
        self.refresh()
        if announce or self.current_id != before:
            self.post_message(self.Selected(self.current_id))

    # -- geometry ----------------------------------------------------------------
    def _card_top(self, lane_index: int, index: int) -> int:
        return self._tops[lane_index] + self._heading + index * CARD_HEIGHT

    def _visible_lines(self) -> int:
        return max(self.size.height - 1, 1)

    def _scroll_to_selection(self) -> None:
        if self.position is None:
            return
        lane_index, _, index = self.position
        # Keep the card below its lane's heading (or the sticky copy of it at the top).
        top = self._card_top(lane_index, index) - self._heading
        bottom = top + self._heading + CARD_HEIGHT
        y = round(self.scroll_offset.y)
        visible = self._visible_lines()
        if top < y:
            self.scroll_to(y=top, animate=False, immediate=True)
        elif bottom > y + visible:
            self.scroll_to(y=max(bottom - visible, 0), animate=False, immediate=True)

    # -- moving the selection ---------------------------------------------------------
    def move_row(self, delta: int) -> None:
        if self.position is None:
            return
        lane_index, key, index = self.position
        lanes = self.board.lanes
        cards = lanes[lane_index].columns.get(key, [])
        target = index + delta
        if 0 <= target < len(cards):
            self._select((lane_index, key, target))
            return
        step = 1 if delta > 0 else -1
        other = lane_index + step
        while 0 <= other < len(lanes):
            count = len(lanes[other].columns.get(key, []))
            if count:
                self._select((other, key, 0 if step > 0 else count - 1))
                return
            other += step
        self._select((lane_index, key, max(0, min(len(cards) - 1, target))))

    def move_column(self, delta: int) -> None:
        """To the nearest card (by height on screen) in the next column that has cards."""
        if self.position is None:
            return
        lane_index, key, index = self.position
        keys = self.board.keys
        here = self._card_top(lane_index, index)
        column = keys.index(key) + delta
        while 0 <= column < len(keys):
            best: tuple[int, tuple[int, str, int]] | None = None
            for other, lane in enumerate(self.board.lanes):
                count = len(lane.columns.get(keys[column], []))
                if not count:
                    continue
                first = self._card_top(other, 0)
                row = max(0, min(count - 1, round((here - first) / CARD_HEIGHT)))
                distance = abs(first + row * CARD_HEIGHT - here)
                if best is None or distance < best[0]:
                    best = (distance, (other, keys[column], row))
            if best is not None:
                self._select(best[1])
                return
            column += delta

    def move_page(self, direction: int) -> None:
        self.move_row(direction * max(self._visible_lines() // CARD_HEIGHT, 1))

    def move_end(self, last: bool) -> None:
        if self.position is None:
            return
        key = self.position[1]
        lanes = list(enumerate(self.board.lanes))
        for lane_index, lane in reversed(lanes) if last else lanes:
            count = len(lane.columns.get(key, []))
            if count:
                self._select((lane_index, key, count - 1 if last else 0))
                return

    # -- mouse -----------------------------------------------------------------
    def _position_at(self, x: int, y: int) -> tuple[int, str, int] | None:
        if y < 1:
            return None
        line = round(self.scroll_offset.y) + y - 1
        if line >= self._lines or not self.board.lanes:
            return None
        lane_index = bisect_right(self._tops, line) - 1
        rel = line - self._tops[lane_index] - self._heading
        if rel < 0:
            return None
        row = rel // CARD_HEIGHT
        left = 0
        widths = column_widths(self.scrollable_content_region.width, len(self.board.keys))
        for key, width in zip(self.board.keys, widths, strict=True):
            if left <= x < left + width:
                cards = self.board.lanes[lane_index].columns.get(key, [])
                return (lane_index, key, row) if row < len(cards) else None
            left += width + GAP
        return None

    def on_click(self, event: events.Click) -> None:
        position = self._position_at(event.x, event.y)
        if position is None:
            return
        if position == self.position and event.chain >= 2 and self.current:
            self.post_message(self.Chosen(self.current.id))
        self._select(position)

    def on_resize(self, event: events.Resize) -> None:
        self.virtual_size = Size(0, self._lines + 1)
        self._scroll_to_selection()

    # -- drawing -------------------------------------------------------------------
    def render_lines(self, crop):
        # Work out the styles once per paint, not once per card line.
        self._paint_styles = self._compute_styles()
        try:
            return super().render_lines(crop)
        finally:
            self._paint_styles = None

    _paint_styles: dict[str, Style] | None = None

    def _compute_styles(self) -> dict[str, Style]:
        base = self.rich_style
        return {
            "base": base,
            **{
                name: base + self.get_component_rich_style(f"board-view--{name}")
                for name in ("header", "lane", "card", "selected")
            },
        }

    def _styles(self) -> dict[str, Style]:
        return self._paint_styles or self._compute_styles()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self._styles()["base"]
        widths = column_widths(width, len(self.board.keys))
        if y == 0:
            return self._header(width, widths)
        line = round(self.scroll_offset.y) + y - 1
        if line >= self._lines or not self.board.lanes:
            return Strip.blank(width, base)
        lane_index = bisect_right(self._tops, line) - 1
        lane = self.board.lanes[lane_index]
        rel = line - self._tops[lane_index]
        if self._heading and (rel == 0 or y == 1):
            # y == 1: the lane's heading sticks to the top while its cards scroll under it.
            return self._lane_heading(lane, width)
        row, part = divmod(rel - self._heading, CARD_HEIGHT)
        selected = self.position
        segments: list[Segment] = []
        for column, (key, column_width) in enumerate(zip(self.board.keys, widths, strict=True)):
            if column:
                segments.append(Segment(" " * GAP, base))
            cards = lane.columns.get(key, [])
            if row < len(cards):
                is_selected = selected == (lane_index, key, row)
                segments.extend(self._card_line(cards[row], part, column_width, is_selected))
            else:
                segments.append(Segment(" " * column_width, base))
        return Strip(segments).adjust_cell_length(width, base)

    def _header(self, width: int, widths: list[int]) -> Strip:
        styles = self._styles()
        base, style = styles["base"], styles["header"]
        segments: list[Segment] = []
        for column, (key, column_width) in enumerate(zip(self.board.keys, widths, strict=True)):
            if column:
                segments.append(Segment(" " * GAP, base))
            if key == DONE:
                marker, colour = STATUS_MARKS[Status.COMPLETED], DONE_COLOUR
            else:
                marker, colour = RAG_MARKERS[Rag(key)], RAG_COLOURS[Rag(key)]
            label = f"{COLUMN_TITLES[key]} ({self.board.counts.get(key, 0)})"
            segments.append(Segment(f" {marker} ", style + Style(color=colour)))
            segments.append(
                Segment(fit(label, column_width - 3), style + Style(color=colour, bold=True))
            )
        return Strip(segments).adjust_cell_length(width, base)

    def _lane_heading(self, lane: Lane, width: int) -> Strip:
        style = self._styles()["lane"]
        tail = _rollup_segments(lane.rollup, style) if lane.rollup is not None else []
        room = max(width - 3 - sum(seg.cell_length for seg in tail), 12)
        segments = [Segment(" ▌ " + fit(safe(lane.title or ""), room), style), *tail]
        return Strip(segments).crop(0, width).adjust_cell_length(width, style)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._line_cache.clear()

    def _card_line(
        self, activity: Activity, part: int, width: int, selected: bool
    ) -> list[Segment]:
        """One line of a card, cached: a repaint redraws only the cards that changed."""
        look = (selected, selected and self.has_focus)  # the selected card's style follows focus
        key = (activity.id, activity.revision, activity.updated, part, width, look)
        cached = self._line_cache.get(key)
        if cached is None:
            if len(self._line_cache) > 4000:
                self._line_cache.clear()
            cached = self._line_cache[key] = self._draw_card_line(activity, part, width, selected)
        return cached

    def _draw_card_line(
        self, activity: Activity, part: int, width: int, selected: bool
    ) -> list[Segment]:
        styles = self._styles()
        border = styles["selected" if selected else "card"]  # its colour draws the box
        text = Style(color=styles["base"].color, bgcolor=border.bgcolor)
        box = SELECTED_BOX if selected else PLAIN_BOX
        inner = max(width - 2, 1)
        if part == 0:
            return [Segment(box[0] + box[1] * inner + box[2], border)]
        if part == CARD_HEIGHT - 1:
            return [Segment(box[4] + box[1] * inner + box[5], border)]
        out = [Segment(box[3], border)]
        risk = schedule_risk(activity, self.today) if part != 2 else None
        if part == 1:
            marker = Style(color=RAG_COLOURS[activity.rag])
            title = safe(activity.title)
            used = 2
            out.append(Segment(RAG_MARKERS[activity.rag] + " ", text + marker))
            if risk is not None:
                out.append(
                    Segment("! ", text + Style(color=RAG_COLOURS[risk.suggested], bold=True))
                )
                used += 2
            title_style = text + status_style(activity.status) + Style(bold=selected)
            out.append(Segment(fit(title, inner - used), title_style))
        elif part == 2:
            leads = safe("/".join(activity.leads))
            if leads:
                leads = fit(leads, min(cell_len(leads), max(inner // 2 - 1, 2)))
            when = safe(activity.when.text) or "no date"
            room = inner - (cell_len(leads) + 1 if leads else 0)
            out.append(Segment(fit(when, room), text + Style(dim=not selected)))
            if leads:
                out.append(Segment(" " + leads, text))
        else:
            left = [(activity.status.value, text + status_style(activity.status))]
            if risk is not None:
                suggested = Style(color=RAG_COLOURS[risk.suggested], bold=True)
                left.append((f" · {risk.suggested.value}?", text + suggested))
            age = review_age(days_since_review(activity, self.today))
            if age == "never":
                choices = ["no review", "none"]
            else:
                choices = [f"rev {age}" + ("" if age == "today" else " ago"), f"rev {age}", age]
            while True:
                used = sum(cell_len(t) for t, _ in left)
                reviewed = next(
                    (c for c in choices if used + 1 + cell_len(c) <= inner), choices[-1]
                )
                if used + 1 + cell_len(reviewed) <= inner or len(left) == 1:
                    break
                left.pop()  # too narrow: the ! on the title line still marks the risk
            out.extend(Segment(t, st) for t, st in left)
            out.append(Segment(" " * max(inner - used - cell_len(reviewed), 1), text))
            out.append(Segment(reviewed, text + Style(dim=True)))
        strip = Strip(out[1:]).adjust_cell_length(inner, text)
        return [out[0], *strip, Segment(box[3], border)]


def _rollup_segments(rollup: Rollup, style: Style) -> list[Segment]:
    """ "  roll-up ● amber, worst of 3 open  ·  own ● green ! " for a lane heading."""
    dim = style + Style(dim=True, bold=False)
    worst = rollup.worst
    out = [
        Segment("  roll-up ", dim),
        Segment(RAG_MARKERS[worst] + " " + worst.value, style + Style(color=RAG_COLOURS[worst])),
        Segment(f", worst of {rollup.open_count} open  ·  own ", dim),
    ]
    own = rollup.own_rating
    if own is None:
        out.append(Segment("none", dim))
    else:
        out.append(
            Segment(RAG_MARKERS[own] + " " + own.value, style + Style(color=RAG_COLOURS[own]))
        )
    if rollup.differs:
        out.append(Segment(" !", style + Style(color=RAG_COLOURS[worst], bold=True)))
    out.append(Segment(" ", style))
    return out


# -- the screen ------------------------------------------------------------------------


class BoardScreen(PlanScreen):
    CSS_PATH = "../styles/board.tcss"
    AUTO_FOCUS = "BoardView"
    BINDINGS = [
        Binding("r", "rate('red')", "Red", id="board.red"),
        Binding("a", "rate('amber')", "Amber", id="board.amber"),
        Binding("g", "rate('green')", "Green", id="board.green"),
        Binding("shift+left,H", "move(-1)", "Move card left", show=False, id="board.move_left"),
        Binding("shift+right,L", "move(1)", "Move card right", show=False, id="board.move_right"),
        Binding("up,k", "cursor(-1)", "Card up", show=False, id="board.up"),
        Binding("down,j", "cursor(1)", "Card down", show=False, id="board.down"),
        Binding("left,h", "column(-1)", "Column left", show=False, id="board.left"),
        Binding("right,l", "column(1)", "Column right", show=False, id="board.right"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="board.page_up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="board.page_down"),
        Binding("home", "end(False)", "First in column", show=False, id="board.first"),
        Binding("end", "end(True)", "Last in column", show=False, id="board.last"),
        Binding("enter", "open", "Open", show=False, id="board.open"),
        Binding("slash", "focus_filter", "Filter", id="board.filter"),
        Binding("escape", "leave_filter", "Back to board", show=False, id="board.leave_filter"),
        Binding("p", "toggle_programmes", "By programme", id="board.programmes"),
        Binding("X", "toggle_done", "Show done", show=False, id="board.done"),
        Binding("R", "review_round", "Review round", id="board.review_round"),
    ]

    escape_cancels: bool = False
    """Escape at the reason prompt: False keeps the new rating without a note;
    True cancels the rating."""

    def __init__(self) -> None:
        super().__init__(id="board")
        self.show_done = False
        self.by_programme = False
        self.query_text = ""
        self._query = Query.parse("")
        self.board = build_board([])
        self._reason_done: Callable[[str | None], None] | None = None
        self._reason_question = ""
        self._reason_text = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield ModeTabs("board")
        with Horizontal(id="board-bar"):
            yield Input(
                placeholder="/ filter: lead:SN theme:sport status:tbc -rag:green words…",
                id="board-filter",
                compact=True,
            )
            yield Static("", id="board-summary")
        yield Static("", id="board-filter-error")
        yield BoardView(today=self.today, id="board-view")
        # The reason for a rating is typed on this line while the board keeps
        # focus: a modal prompt (screen push and pop) or moving focus (the footer
        # rebuilds its keys) made each rating cost ~0.5 s.
        yield TextLine(REASON_HINT, id="board-reason")
        yield TextLine(id="board-info")  # repaints without a layout on every move
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_plan()

    @property
    def view(self) -> BoardView:
        return self.query_one(BoardView)

    # -- PlanScreen ---------------------------------------------------------------------
    def refresh_plan(self) -> None:
        self.board = build_board(
            self.store.activities(),
            query=self._query,
            show_done=self.show_done,
            by_programme=self.by_programme,
        )
        self.view.set_board(self.board)
        self._show_summary()
        self._show_info()

    def selected_activity(self) -> Activity | None:
        current = self.view.current
        if current is None or current.id not in self.store:
            return None
        return self.store.get(current.id)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("rate", "move", "open") and self.view.current is None:
            return None  # shown disabled: nothing selected
        return True

    # -- what the bars say -----------------------------------------------------------
    def _show_summary(self) -> None:
        shown = len(self.board)
        parts = [f"{shown} card{'s' if shown != 1 else ''}"]
        if self.query_text:
            parts.append(f"filter: {self.query_text}")
        if self.by_programme:
            parts.append(f"{len(self.board.lanes)} programme lanes")
        parts.append("done shown" if self.show_done else "done hidden (X)")
        self.query_one("#board-summary", Static).update(plain("  ·  ".join(parts)))

    def _show_info(self) -> None:
        info = self.query_one("#board-info", TextLine)
        activity = self.selected_activity()
        if activity is None:
            empty = "No cards match the filter." if self.query_text else "No cards to show."
            info.set(plain(empty, "dim"))
            return
        out = Text()
        out.append(safe(activity.title), style="bold")
        if activity.programme:
            out.append(f"  ·  {safe(activity.programme)}", style="dim")
        out.append("\n")
        last = activity.last_review
        if last is None:
            out.append("Not reviewed yet.", style="dim")
        else:
            days = days_since_review(activity, self.today)
            age = review_age(days)
            when = age if age == "today" else f"{age} ago"
            out.append(f"Last review {last.on:%d %b %Y} ({when}): ")
            out.append_text(rating_change(last))
            if last.reason:
                out.append(f" — {safe(last.reason)}")
        out.append("\n")
        risk = schedule_risk(activity, self.today)
        if risk is not None:
            out.append(
                f"! Suggest {risk.suggested.value}: ",
                style=Style(color=RAG_COLOURS[risk.suggested], bold=True),
            )
            out.append(f"{risk.reason} (the rating is yours to set).")
        info.set(out)  # one line each (board.tcss: no wrapping)

    def on_board_view_selected(self, event: BoardView.Selected) -> None:
        self._show_info()
        self.planner.selection_changed()

    def on_board_view_chosen(self, event: BoardView.Chosen) -> None:
        self.planner.open_detail(event.activity_id)

    # -- moving -----------------------------------------------------------------
    def action_cursor(self, delta: int) -> None:
        self.view.move_row(delta)

    def action_column(self, delta: int) -> None:
        self.view.move_column(delta)

    def action_page(self, direction: int) -> None:
        self.view.move_page(direction)

    def action_end(self, last: bool) -> None:
        self.view.move_end(last)

    def action_open(self) -> None:
        activity = self.selected_activity()
        if activity is not None:
            self.planner.open_detail(activity.id)

    # -- rating -----------------------------------------------------------------
    def action_rate(self, rating: str) -> None:
        activity = self.selected_activity()
        if activity is not None:
            self.ask_rating(activity, Rag(rating))

    def action_move(self, step: int) -> None:
        activity = self.selected_activity()
        if activity is None:
            return
        rating = shift_rating(activity.rag, step)
        if rating is activity.rag:
            self.app.bell()  # already at that end of the board
            return
        self.ask_rating(activity, rating)

    def ask_rating(
        self, activity: Activity, rating: Rag, then: Callable[[bool], None] | None = None
    ) -> None:
        ask_rating(
            self.planner,
            activity,
            rating,
            today=self.today,
            escape_cancels=self.escape_cancels,
            then=then,
            prompt=self.ask_reason,
            announce=False,  # the card moves and the info line shows the review
        )

    def ask_reason(self, question: str, done: Callable[[str | None], None]) -> None:
        """Ask on the reason line; Enter gives the text, Escape None."""
        self._reason_done = done
        self._reason_question = question
        self._reason_text = ""
        self.view.key_sink = self._reason_key
        self._show_reason()

    def _show_reason(self) -> None:
        # What is typed comes first, so it stays visible however long the question.
        line = Text.assemble(
            ("Reason › ", "bold"),
            safe(self._reason_text),
            ("▏", "reverse"),
            (f"   {self._reason_question}", "dim"),
        )
        line.truncate(max(self.size.width - 2, 20), overflow="ellipsis")
        self.query_one("#board-reason", TextLine).set(line)

    def _reason_key(self, event: events.Key) -> bool:
        """Keys while a reason is asked: a one-line editor (Enter, Escape, Backspace)."""
        if event.key == "enter":
            self._finish_reason(self._reason_text)
        elif event.key == "escape":
            self._finish_reason(None)
        elif event.key in ("backspace", "ctrl+h"):
            self._reason_text = self._reason_text[:-1]
            self._show_reason()
        elif event.is_printable and event.character:
            self._reason_text += event.character
            self._show_reason()
        return True  # every key belongs to the reason until Enter or Escape

    @property
    def reason_pending(self) -> bool:
        return self._reason_done is not None

    def _finish_reason(self, text: str | None) -> None:
        done, self._reason_done = self._reason_done, None
        self.view.key_sink = None
        self.query_one("#board-reason", TextLine).set(Text(REASON_HINT, style="dim"))
        if done is not None:
            done(text)

    # -- filter and toggles ------------------------------------------------------------
    def action_focus_filter(self) -> None:
        self.query_one("#board-filter", Input).focus()

    def action_leave_filter(self) -> None:
        self.view.focus()

    def set_filter(self, text: str) -> None:
        self.query_one("#board-filter", Input).value = text
        self.apply_filter(text)

    def apply_filter(self, text: str) -> None:
        error = self.query_one("#board-filter-error", Static)
        try:
            query = Query.parse(text)
        except QueryError as exc:
            # Keep the previous cards; say what is wrong.
            error.update(plain(f"⚠ {exc}", "bold red"))
            error.display = True
            return
        error.display = False
        self._query = query
        self.query_text = text.strip()
        self.refresh_plan()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "board-filter":
            self.apply_filter(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "board-filter":
            self.view.focus()

    def action_toggle_programmes(self) -> None:
        self.by_programme = not self.by_programme
        self.refresh_plan()
        self.notify(
            "Grouped by programme (own rating and roll-up in each heading)"
            if self.by_programme
            else "One board, not grouped",
            timeout=2,
        )

    def action_toggle_done(self) -> None:
        self.show_done = not self.show_done
        self.refresh_plan()

    # -- review round -------------------------------------------------------------------
    def action_review_round(self) -> None:
        if not self.is_mounted:
            return
        ids = [a.id for a in review_round(self.board)]
        if not ids:
            self.notify("No open activities on the board to review.", severity="warning")
            return

        def done(result: tuple[int, int, str | None] | None) -> None:
            rated, total, last = result or (0, len(ids), None)
            if last:
                self.view.select_id(last)
            self.notify(f"Review round ended: {rated} of {total} rated.", timeout=5)

        self.app.push_screen(
            ReviewRoundScreen(ids, escape_cancels=self.escape_cancels, today=self.today), done
        )


# -- review round --------------------------------------------------------------------


class ReviewRoundScreen(ModalScreen[tuple[int, int, str | None]]):
    """Every open activity in turn: its reviews, its schedule risk, a rating and a note."""

    CSS_PATH = "../styles/board.tcss"
    BINDINGS = [
        Binding("r", "rate('red')", "Red", id="round.red"),
        Binding("a", "rate('amber')", "Amber", id="round.amber"),
        Binding("g", "rate('green')", "Green", id="round.green"),
        Binding("k", "keep", "Keep rating", id="round.keep"),
        Binding("s,right", "skip", "Skip", id="round.skip"),
        Binding("left", "back", "Previous", id="round.back"),
        Binding("escape", "finish", "End round", id="round.end"),
    ]

    def __init__(self, ids: list[str], *, escape_cancels: bool, today: date) -> None:
        super().__init__()
        self.ids = ids
        self.index = 0
        self.escape_cancels = escape_cancels
        self.today = today
        self.rated: list[str] = []
        self._finished = False

    @property
    def planner(self) -> PlannerApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="round", classes="dialog wide"):
            yield Static(id="round-title", classes="dialog-title")
            yield Static(id="round-fields")
            yield Static(id="round-risk")
            yield Static("RAG reviews (newest first)", classes="section")
            yield Static(id="round-reviews")
            yield Static(id="round-keys", classes="hint")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_plan()
        self.query_one("#round").focus()

    def selected_activity(self) -> Activity | None:
        store = self.planner.store
        while self.index < len(self.ids) and self.ids[self.index] not in store:
            del self.ids[self.index]  # deleted meanwhile
        if self.index >= len(self.ids):
            return None
        return store.get(self.ids[self.index])

    def refresh_plan(self) -> None:
        activity = self.selected_activity()
        if activity is None:
            self._finish()
            return
        title = Text(f"Review round  ·  {self.index + 1} of {len(self.ids)}")
        if activity.programme:
            title.append(f"  ·  {safe(activity.programme)}", style="dim")
        self.query_one("#round-title", Static).update(title)
        self.query_one("#round-fields", Static).update(self._fields(activity))
        self.query_one("#round-risk", Static).update(risk_text(activity, self.today))
        # Reversed first: reviews_text's stable sort then lists a day's reviews newest first.
        newest_last = activity.copy(reviews=list(reversed(activity.reviews)))
        self.query_one("#round-reviews", Static).update(reviews_text(newest_last))
        keep = f"k keep {activity.rag.value}  ·  " if activity.rag is not Rag.UNRATED else ""
        self.query_one("#round-keys", Static).update(
            Text(
                f"r red  ·  a amber  ·  g green  ·  {keep}s or → skip  ·  ← previous  ·  "
                "Escape ends the round.  Each rating asks for a one-line note."
            )
        )
        self.planner.refresh_bindings()

    def _fields(self, activity: Activity) -> Text:
        out = Text()
        out.append_text(rag_marker(activity.rag))
        out.append(" ")
        out.append(safe(activity.title), style="bold")
        out.append("\n")
        window = activity.when.describe() if activity.when.text else "no date yet"
        out.append(f"{safe(activity.when.text) or '—'}  ({window})  ·  ", style="dim")
        out.append(activity.status.value, style=status_style(activity.status))
        if activity.leads:
            out.append(f"  ·  lead {safe('/'.join(activity.leads))}")
        out.append("\n")
        days = days_since_review(activity, self.today)
        out.append(f"Rated {activity.rag.value}; ")
        out.append("never reviewed." if days is None else f"last reviewed {review_age(days)} ago.")
        return out

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "keep":
            activity = self.selected_activity()
            return None if activity is None or activity.rag is Rag.UNRATED else True
        if action == "back":
            return True if self.index > 0 else None
        return True

    def action_rate(self, rating: str) -> None:
        activity = self.selected_activity()
        if activity is not None:
            self._rate(activity, Rag(rating))

    def action_keep(self) -> None:
        activity = self.selected_activity()
        if activity is not None and activity.rag is not Rag.UNRATED:
            self._rate(activity, activity.rag)

    def _rate(self, activity: Activity, rating: Rag) -> None:
        def then(saved: bool) -> None:
            if saved:
                if activity.id not in self.rated:
                    self.rated.append(activity.id)
                self._advance()  # a cancelled rating stays on the same activity

        ask_rating(
            self.planner,
            activity,
            rating,
            today=self.today,
            escape_cancels=self.escape_cancels,
            then=then,
        )

    def action_skip(self) -> None:
        self._advance()

    def action_back(self) -> None:
        if self.index > 0:
            self.index -= 1
            self.refresh_plan()

    def _advance(self) -> None:
        self.index += 1
        self.refresh_plan()

    def action_finish(self) -> None:
        self._finish()

    def _finish(self) -> None:
        if self._finished:
            return
        if self.app.screen is not self:
            # The note prompt is still closing: finish once this screen is on top.
            self.call_after_refresh(self._finish)
            return
        self._finished = True
        last = self.rated[-1] if self.rated else None
        self.dismiss((len(self.rated), len(self.ids), last))
