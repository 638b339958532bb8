"""An activity's detail: every field, the schedule-risk rule, RAG reviews, history."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from ctstui.domain.model import Activity, schedule_risk
from ctstui.domain.text import format_days
from ctstui.tui.look import RAG_COLOURS, plain, rag_marker, rating_change, safe
from ctstui.tui.widgets.footer import PlanFooter


def detail_text(activity: Activity, today) -> Table:
    """The fields as a two-column table (all user text as plain Text)."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    when = activity.when
    window = when.describe() if when.text else "no date yet"
    rows = [
        ("Title", plain(activity.title, "bold")),
        ("Date as written", plain(when.text or "—")),
        ("Window", Text(f"{window}  ({when.precision.value})")),
        ("Status", Text(activity.status.value + ("  (optional)" if activity.optional else ""))),
        ("RAG", rag_marker(activity.rag) + Text(f" {activity.rag.value}")),
        ("Kind", Text(activity.kind.value)),
        ("Theme", Text(activity.theme.value)),
        ("Place", plain(activity.place or "—")),
        ("Days", Text(format_days(activity.days) or "—")),
        ("Audience", plain(activity.audience or "—")),
        ("Places", Text("—" if activity.places is None else str(activity.places))),
        ("Lead(s)", plain("/".join(activity.leads) or "—")),
        ("Business plan", plain(activity.link or "—")),
        ("Programme", plain(activity.programme or "—")),
        ("Funder", plain(activity.funder or "—")),
        ("Notes", plain(activity.notes or "—")),
        ("Revision", Text(f"{activity.revision}  (updated {local_time(activity.updated)})")),
    ]
    for label, value in rows:
        table.add_row(label, value)
    return table


def local_time(stamp: str | None) -> str:
    """A stored UTC stamp ("2013-11-04T09:00:00Z") in the reader's time zone:
    "Mon 04 Nov 2013 09:00".  Text that is not a time is shown as it is."""
    if not stamp:
        return "—"
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return safe(stamp)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return f"{moment.astimezone():%a %d %b %Y %H:%M}"


def risk_text(activity: Activity, today) -> Text:
    risk = schedule_risk(activity, today)
    if risk is None:
        return Text("Schedule: on track (no risk rule applies).", style=Style(dim=True))
    return Text.assemble(
        ("Schedule at risk: ", Style(bold=True, color=RAG_COLOURS[risk.suggested])),
        (f"suggested {risk.suggested.value}, because {risk.reason}.", ""),
    )


def reviews_text(activity: Activity) -> Text:
    if not activity.reviews:
        return Text("No RAG reviews yet.", style=Style(dim=True))
    out = Text()
    for review in activity.reviews_newest_first():
        out.append(f"{review.on:%d %b %Y}  ")
        out.append_text(rating_change(review))
        if review.by:
            out.append(f"  by {safe(review.by)}", style=Style(dim=True))
        out.append("\n")
        if review.reason:
            out.append(f"    {safe(review.reason)}\n")
        if review.next_action:
            out.append(f"    next: {safe(review.next_action)}\n", style=Style(italic=True))
    return out


def history_text(activity: Activity) -> Text:
    out = Text()
    for entry in reversed(activity.history):
        out.append(f"{local_time(entry.at)}  {safe(entry.who)}  ", style=Style(dim=True))
        out.append(safe(entry.action))
        for name, change in entry.changes.items():
            old, new = ([*change, None, None])[:2] if isinstance(change, list) else (None, change)
            out.append(f"\n    {name}: {safe(str(old))} → {safe(str(new))}")
        out.append("\n")
    return out or Text("No history.", style=Style(dim=True))


class DetailScreen(ModalScreen[None]):
    # The planner's keys work here too, on the activity shown (the App's own
    # bindings are not active under a dialog).
    BINDINGS = [
        Binding("escape,q", "close", "Close", id="detail.close"),
        Binding("e", "app.edit", "Edit", id="detail.edit"),
        Binding("d", "app.delete", "Delete", id="detail.delete"),
        Binding("c", "app.set_status('confirmed')", "Confirm", id="detail.confirm"),
        Binding("x", "app.set_status('completed')", "Done", id="detail.complete"),
        Binding("b", "app.set_status('tbc')", "Back to TBC", show=False, id="detail.tbc"),
    ]

    def __init__(self, activity_id: str) -> None:
        super().__init__()
        self.activity_id = activity_id

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="detail", classes="dialog wide"):
            yield Static(id="detail-fields")
            yield Static(id="detail-risk")
            yield Static("RAG reviews (newest first)", classes="section")
            yield Static(id="detail-reviews")
            yield Static("History (newest first)", classes="section")
            yield Static(id="detail-history")
        yield PlanFooter()

    def on_mount(self) -> None:
        self.refresh_plan()
        self.query_one("#detail").focus()
        self.watch(self.app, "plan_version", lambda _version: self.refresh_plan(), init=False)

    def refresh_plan(self) -> None:
        store = self.app.store  # type: ignore[attr-defined]
        if self.activity_id not in store:
            self.dismiss(None)
            return
        activity = store.get(self.activity_id)
        today = self.app.today  # type: ignore[attr-defined]
        self.query_one("#detail-fields", Static).update(detail_text(activity, today))
        self.query_one("#detail-risk", Static).update(risk_text(activity, today))
        self.query_one("#detail-reviews", Static).update(reviews_text(activity))
        self.query_one("#detail-history", Static).update(history_text(activity))

    def selected_activity(self) -> Activity | None:
        store = self.app.store  # type: ignore[attr-defined]
        return store.get(self.activity_id) if self.activity_id in store else None

    def action_close(self) -> None:
        self.dismiss(None)
