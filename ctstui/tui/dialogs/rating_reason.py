"""The one prompt for a rating's reason (the board and the review round use it).

A line under the cards takes the keys while it asks: the board keeps focus
(a modal screen, or moving focus, which rebuilds the footer, made each rating
cost ~0.5 s).  Enter saves the rating with what was typed (nothing typed: no
reason); Escape cancels the rating, as Escape does everywhere.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from rich.text import Text
from textual import events

from ctstui.domain.model import Activity, Rag
from ctstui.tui.host import PlannerHost
from ctstui.tui.look import TextLine, safe


class ReasonLine(TextLine):
    """A one-line editor shown in place of a hint while a reason is asked."""

    def __init__(self, idle: str, *, id: str | None = None) -> None:
        super().__init__(Text(idle, style="dim"), id=id)
        self.idle = idle
        self._done: Callable[[str | None], None] | None = None
        self._question = ""
        self.typed = ""

    @property
    def pending(self) -> bool:
        return self._done is not None

    def ask(self, question: str, done: Callable[[str | None], None]) -> None:
        """Ask; ``done(text)`` gets the reason (Enter) or None (Escape)."""
        self._done, self._question, self.typed = done, question, ""
        self._show()
        self.scroll_visible(animate=False)  # in a scrolling dialog (the review round)

    def _show(self) -> None:
        # What is typed comes first, so it stays visible however long the question.
        line = Text.assemble(
            ("Reason › ", "bold"),
            safe(self.typed),
            ("▏", "reverse"),
            (f"   {self._question}", "dim"),
        )
        line.truncate(max(self.size.width, 20), overflow="ellipsis")
        self.set(line)

    def take_key(self, event: events.Key) -> bool:
        """A key while asking (the host screen passes every key first); True: used."""
        if self._done is None:
            return False
        if event.key == "enter":
            self._finish(self.typed)
        elif event.key == "escape":
            self._finish(None)
        elif event.key in ("backspace", "ctrl+h"):
            self.typed = self.typed[:-1]
            self._show()
        elif event.is_printable and event.character:
            self.typed += event.character
            self._show()
        return True  # every key belongs to the reason until Enter or Escape

    def _finish(self, text: str | None) -> None:
        done, self._done = self._done, None
        self.set(Text(self.idle, style="dim"))
        if done is not None:
            done(text)


def rate_with_reason(
    host: PlannerHost,
    line: ReasonLine,
    activity: Activity,
    rating: Rag,
    *,
    then: Callable[[bool], None] | None = None,
    announce: bool = True,
) -> None:
    """Ask for a one-line reason, then rate ``activity`` (a dated review, one undo step).

    ``then(saved)`` runs afterwards (False: cancelled, or not possible).
    """
    change = (
        f"still {rating.value} (a review)"
        if rating is activity.rag
        else f"{activity.rag.value} → {rating.value}"
    )
    # The keys first: a narrow terminal cuts the end of the line.
    question = f"Enter saves, Escape cancels · {change}. Why? ({activity.title})"

    def done(text: str | None) -> None:
        saved = False
        if text is None:
            line.set(Text("Rating cancelled: nothing changed.", style="italic"))
        elif activity.id not in host.store:
            line.notify("That activity is no longer in the plan.", severity="warning")
        else:
            note = " ".join(text.split())
            on: date = host.today
            saved = (
                host.change(lambda: host.store.rate(activity.id, rating, note, on=on)) is not None
            )
            if saved and announce:
                line.notify(
                    f"{activity.title}: {activity.rag.value} → {rating.value}"
                    + (f" ({note})" if note else "")
                    + "  ·  u to undo",
                    timeout=4,
                    markup=False,
                )
        if then:
            then(saved)

    line.ask(question, done)
