"""The RAG board's cards: Red / Amber / Green / Unrated (/ Done) columns, drawn line by line.

The cards are drawn with the Line API: only the screen lines in view are
rendered, so a change repaints the same few dozen lines whether the plan holds
ten activities or ten thousand.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from ctstui.domain.board import COLUMN_TITLES, DONE, Board, Lane, Rollup, build_board
from ctstui.domain.model import Activity, Rag, ScheduleRisk, Status, schedule_risk
from ctstui.tui.look import RAG_COLOURS, RAG_MARKERS, STATUS_MARKS, safe, status_style

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


RECENT_DAYS = 60  # a review older than this is given by its date, not a count of days


def review_when(on: date, today: date) -> tuple[str, ...]:
    """A review's age, longest form first: ("12d ago", "12d") or ("3 Jun 2011", "Jun 2011")."""
    days = (today - on).days
    if days == 0:
        return ("today",)
    if 0 < days <= RECENT_DAYS:
        return (f"{days}d ago", f"{days}d")
    return (f"{on.day} {on:%b %Y}", f"{on:%b %Y}")


def reviewed(on: date, today: date) -> str:
    """The same age in words: "today", "12 days ago", "on 3 Jun 2011"."""
    days = (today - on).days
    if days == 0:
        return "today"
    if 0 < days <= RECENT_DAYS:
        return f"{days} day{'s' if days != 1 else ''} ago"
    return f"on {on.day} {on:%b %Y}"


def worse_suggestion(activity: Activity, today: date) -> ScheduleRisk | None:
    """The schedule rule's suggestion, when it is worse than the card's own rating."""
    risk = schedule_risk(activity, today)
    if risk is None or risk.suggested.severity <= activity.rag.severity:
        return None
    return risk


# -- the board widget ------------------------------------------------------------------


class BoardView(ScrollView, can_focus=True):
    """The columns of cards, drawn line by line; the header line stays at the top.

    Position of the selection: (lane, column key, index in that lane's column).
    """

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
        self._set_line_count(self._lines + 1)
        position = board.locate(keep) if keep else None
        if position is None:
            position = self._nearby(old) if old is not None else self._first_card()
        self._select(position, announce=True)
        self.refresh()

    def _set_line_count(self, lines: int) -> None:
        """The scrollable height follows the cards; the screen is laid out again only
        when the scrollbar comes or goes (a rating mostly moves one card: same height,
        or a few lines more or less under a scrollbar that stays)."""
        size = Size(0, lines)
        if size == self.virtual_size:
            return
        scrollbar_before = self.show_vertical_scrollbar
        if self.styles.overflow_y != "auto" or not self.container_size.height:
            self.virtual_size = size  # not laid out yet, or not our usual CSS: the plain way
            return
        if (lines > self.container_size.height) != scrollbar_before:
            self.virtual_size = size  # the scrollbar is placed by a layout
            return
        self.set_reactive(BoardView.virtual_size, size)
        if scrollbar_before:
            bar = self.vertical_scrollbar
            bar.window_virtual_size = lines
            bar.refresh()
        # Fewer lines may end above the view: keep the view within them.
        self.scroll_to(
            y=min(self.scroll_offset.y, self.max_scroll_y), animate=False, immediate=True
        )

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
        # A suggestion no worse than the card's own rating says nothing new: not shown.
        risk = worse_suggestion(activity, self.today) if part != 2 else None
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
            last = activity.last_review
            if last is None:
                choices = ["no review", "none"]
            else:
                ages = review_when(last.on, self.today)
                choices = [f"rev {ages[0]}", *ages]
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
