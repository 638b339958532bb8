"""The review round: every open activity on the board in turn, rated with a reason.

Each activity's reviews and schedule risk are shown; r / a / g rate it (k keeps
its rating, as a dated review), the reason is asked on the same line as on the
board; s or → skips, ← goes back, Escape ends the round.
"""

from __future__ import annotations

from datetime import date
from typing import cast

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from ctstui.domain.model import Activity, Rag
from ctstui.tui.dialogs.rating_reason import ReasonLine, rate_with_reason
from ctstui.tui.host import PlannerHost
from ctstui.tui.look import rag_marker, safe, status_style
from ctstui.tui.screens.detail import reviews_text, risk_text
from ctstui.tui.widgets.board_view import reviewed

ROUND_HINT = "Each rating asks for a one-line reason here."


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

    def __init__(self, ids: list[str], *, today: date) -> None:
        super().__init__()
        self.ids = ids
        self.index = 0
        self.today = today
        self.rated: list[str] = []
        self._finished = False

    @property
    def planner(self) -> PlannerHost:
        return cast(PlannerHost, self.app)

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="round", classes="dialog wide"):
            yield Static(id="round-title", classes="dialog-title")
            yield Static(id="round-fields")
            yield Static(id="round-risk")
            yield Static("RAG reviews (newest first)", classes="section")
            yield Static(id="round-reviews")
            yield Static(id="round-keys", classes="hint")
            yield ReasonLine(ROUND_HINT, id="round-reason")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_plan()
        self.query_one("#round").focus()
        self.watch(self.app, "plan_version", lambda _version: self.refresh_plan(), init=False)

    @property
    def reason(self) -> ReasonLine:
        return self.query_one(ReasonLine)

    def on_key(self, event: events.Key) -> None:
        if self.reason.take_key(event):  # while a reason is asked it gets every key
            event.stop()
            event.prevent_default()

    def selected_activity(self) -> Activity | None:
        store = self.planner.store
        while self.index < len(self.ids) and self.ids[self.index] not in store:
            del self.ids[self.index]  # deleted meanwhile
        if self.index >= len(self.ids):
            return None
        return store.get(self.ids[self.index])

    def refresh_plan(self) -> None:
        if self._finished:
            return
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
                "Escape ends the round."
            )
        )
        self.app.refresh_bindings()

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
        out.append(f"Rated {activity.rag.value}; ")
        if activity.last_review is None:
            out.append("never reviewed.")
        else:
            out.append(f"last reviewed {reviewed(activity.last_review.on, self.today)}.")
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

        rate_with_reason(self.planner, self.reason, activity, rating, then=then)

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
        self._finished = True
        last = self.rated[-1] if self.rated else None
        self.dismiss((len(self.rated), len(self.ids), last))
