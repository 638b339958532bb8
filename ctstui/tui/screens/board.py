"""The RAG status board: Red / Amber / Green / Unrated (/ Done) columns of cards.

Keys set the selected card's rating (r, a, g; shift+left/right moves it a
column); the reason is asked on the line under the cards (Enter saves, Escape
cancels) and the store records a dated review (one undo step).  ``/`` filters
with the list's query language, ``p`` groups the cards into one lane per
programme with the programme's roll-up, ``X`` shows the Done column, ``R`` (or
the palette's "Start review round") walks through every open activity.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from itertools import compress
from operator import is_not

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Footer, Header, Input, Static

from ctstui.domain.board import build_board, column_of, review_round, shift_rating
from ctstui.domain.model import Activity, Rag
from ctstui.domain.query import Query, QueryError
from ctstui.tui.dialogs.rating_reason import ReasonLine, rate_with_reason
from ctstui.tui.look import RAG_COLOURS, TextLine, plain, rating_change, safe
from ctstui.tui.screens.base import PlanScreen
from ctstui.tui.screens.review_round import ReviewRoundScreen
from ctstui.tui.widgets.board_view import BoardView, reviewed, worse_suggestion
from ctstui.tui.widgets.tabs import ModeTabs

REASON_HINT = "r / a / g rate the selected card; the reason for it is typed here"


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

    def __init__(self) -> None:
        super().__init__(id="board")
        self.show_done = False
        self.by_programme = False
        self.query_text = ""
        self._query = Query.parse("")
        self.board = build_board([])
        self._summary: str | None = None  # what the summary shows
        # What self.board was built from: (activities, query, show_done, by_programme).
        self._built_from: tuple[list[Activity], Query, bool, bool] | None = None

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
        yield ReasonLine(REASON_HINT, id="board-reason")
        yield TextLine(id="board-info")  # repaints without a layout on every move
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_plan()

    @property
    def view(self) -> BoardView:
        return self.query_one(BoardView)

    # -- PlanScreen ---------------------------------------------------------------------
    def refresh_plan(self) -> None:
        activities = self.store.activities()
        keep = self.view.current_id  # before a card moves: the selection follows it
        if not self._move_one_card(activities):
            self.board = build_board(
                activities,
                query=self._query,
                show_done=self.show_done,
                by_programme=self.by_programme,
            )
        self._built_from = (activities, self._query, self.show_done, self.by_programme)
        self.view.set_board(self.board, keep=keep)
        self._show_summary()
        self._show_info()

    def _move_one_card(self, activities: list[Activity]) -> bool:
        """After a change to one activity (a rating), move its card instead of building
        the whole board again; False when that is not sure to give the same board.

        The same board as :func:`build_board` would give: the plan is the one
        the board was built from but for one activity object (same place in the
        store's order); its card leaves its old column and joins its new one in
        store order.  Programme lanes are always rebuilt (their roll-ups change).
        """
        if self._built_from is None:
            return False
        before, query, show_done, by_programme = self._built_from
        if (query, show_done, by_programme) != (self._query, self.show_done, self.by_programme):
            return False
        if by_programme or len(before) != len(activities) or len(self.board.lanes) != 1:
            return False
        changed = list(compress(range(len(activities)), map(is_not, before, activities)))
        if len(changed) != 1:
            return False
        old, new = before[changed[0]], activities[changed[0]]
        if old.id != new.id:
            return False
        columns = self.board.lanes[0].columns
        counts = self.board.counts
        old_key = column_of(old, show_done=show_done) if query.matches(old) else None
        new_key = column_of(new, show_done=show_done) if query.matches(new) else None
        if old_key is not None:
            cards = columns[old_key]
            index = next((i for i, card in enumerate(cards) if card is old), None)
            if index is None:
                return False  # not where the board says: build it again
            del cards[index]
            counts[old_key] -= 1
        if new_key is not None:
            place = {a.id: i for i, a in enumerate(activities)}
            cards = columns[new_key]
            cards.insert(bisect_left(cards, changed[0], key=lambda a: place[a.id]), new)
            counts[new_key] += 1
        return True

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
        summary = "  ·  ".join(parts)
        if summary != self._summary:  # an update lays the screen out; a rating rarely changes it
            self._summary = summary
            self.query_one("#board-summary", Static).update(plain(summary))

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
            age = reviewed(last.on, self.today)
            recent = "" if age.startswith("on ") else f" ({age})"
            out.append(f"Last review {last.on:%d %b %Y}{recent}: ")
            out.append_text(rating_change(last))
            if last.reason:
                out.append(f" — {safe(last.reason)}")
        out.append("\n")
        risk = worse_suggestion(activity, self.today)
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
        # announce=False: the card moves and the info line shows the review.
        rate_with_reason(self.planner, self.reason, activity, rating, then=then, announce=False)

    @property
    def reason(self) -> ReasonLine:
        return self.query_one(ReasonLine)

    @property
    def reason_pending(self) -> bool:
        return self.reason.pending

    def on_key(self, event: events.Key) -> None:
        if self.reason.take_key(event):  # while a reason is asked it gets every key
            event.stop()
            event.prevent_default()

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

        self.app.push_screen(ReviewRoundScreen(ids, today=self.today), done)
