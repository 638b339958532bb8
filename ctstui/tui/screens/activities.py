"""The filterable activity list."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Header, Input, Select, Static

from ctstui.domain.dates import PlanYear
from ctstui.domain.model import Activity, Status, Theme
from ctstui.domain.query import Filtered, NarrowingFilter, Query, QueryError
from ctstui.domain.text import format_days
from ctstui.tui.look import TextLine, plain
from ctstui.tui.screens.base import PlanScreen
from ctstui.tui.widgets.activity_table import ActivityTable
from ctstui.tui.widgets.footer import PlanFooter
from ctstui.tui.widgets.tabs import ModeTabs


class FilterInput(Input):
    """A text input whose typing repaints it without laying out the whole screen.

    Textual's ``Input`` sets ``virtual_size`` (its text's width) on every change,
    and ``Widget.virtual_size`` asks for a full-screen layout.  A filter's size
    never depends on its text (CSS gives it a fixed height and a share of the
    width) and it has no scrollbar; scrolling to the cursor reads the new
    virtual size directly.  So the same reactive, without the layout.
    """

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)


class ActivitiesScreen(PlanScreen):
    # Focus on activation only if nothing has focus yet: a quick "/" typed
    # while the screen mounts keeps the filter focused.
    AUTO_FOCUS = "ActivityTable"
    BINDINGS = [
        Binding("slash", "focus_filter", "Filter", id="list.filter"),
        Binding("tab", "app.focus_next", "Next pane", id="list.next_pane"),
        Binding(
            "shift+tab", "app.focus_previous", "Previous pane", show=False, id="list.prev_pane"
        ),
        Binding("ctrl+l", "clear_filter", "Clear filter", id="list.clear_filter"),
        Binding("escape", "leave_filter", "Back to list", show=False, id="list.leave_filter"),
    ]

    def __init__(self) -> None:
        super().__init__(id="activities")
        self.query_text = ""
        self._query = Query.parse("")
        self._revisions: dict[str, int] | None = None  # id -> revision at the last refresh
        self._filter = NarrowingFilter()  # each keystroke narrows the last result

    def compose(self) -> ComposeResult:
        yield Header()
        yield ModeTabs("activities")
        with Horizontal(id="filter-bar"):
            yield FilterInput(
                placeholder="/ filter: lead:SN status:tbc month:nov -status:completed words…",
                id="filter",
                # Keep what was typed ahead: selecting on focus would let the next key replace it.
                select_on_focus=False,
            )
            yield Select(
                [(s.value, f"status:{s.value}") for s in Status], prompt="Status", id="quick-status"
            )
            yield Select(
                [(t.value, f"theme:{t.value}") for t in Theme], prompt="Theme", id="quick-theme"
            )
            yield Select([], prompt="Lead", id="quick-lead")
        yield Static("", id="filter-error")
        yield TextLine(id="hidden-notice")
        yield ActivityTable(today=self.today, id="table")
        yield TextLine(id="totals")
        yield PlanFooter()

    def on_mount(self) -> None:
        self.refresh_plan()

    # -- filtering ------------------------------------------------------------
    def combined_query(self) -> str:
        parts = [self.query_one("#filter", Input).value]
        for select_id in ("#quick-status", "#quick-theme", "#quick-lead"):
            value = self.query_one(select_id, Select).value
            if isinstance(value, str):
                parts.append(value)
        return " ".join(p for p in parts if p.strip())

    def apply_filter(self) -> None:
        text = self.combined_query()
        error = self.query_one("#filter-error", Static)
        try:
            self._query = Query.parse(text)
        except QueryError as exc:
            # Keep the previous result; say what is wrong.
            error.update(plain(f"⚠ {exc}", "bold red"))
            if not error.display:
                error.display = True
            return
        if error.display:
            error.display = False
        if text != self.query_text:
            self._show_hidden_notice("")  # a new filter: the notice no longer applies
            if bool(text) != bool(self.query_text):
                # ctrl+l shows only while a filter is on. Only then: the footer
                # rebuilds its keys (a full layout) on every refresh_bindings.
                self.refresh_bindings()
        self.query_text = text
        self.show(self._filter.run(self._query, self.store.activities()))

    def plan_year(self) -> PlanYear:
        """The plan year the list's dates are read in (others show their year)."""
        return PlanYear.stated_or_current(self.store.meta("plan_year"), self.today)

    def show(self, result: Filtered) -> None:
        table = self.query_one(ActivityTable)
        table.plan_year = self.plan_year()
        table.set_rows(result.activities)
        shown = len(result)
        of = f" of {len(self.store)}" if shown != len(self.store) else ""
        filtered = f"  ·  filter: {self.query_text}" if self.query_text else ""
        self.query_one("#totals", TextLine).set(
            plain(
                f"{shown}{of} activities  ·  {format_days(result.days) or 0} days  ·  "
                f"{result.places} places  ·  plan year {table.plan_year}{filtered}"
            )
        )

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "filter":
            self.apply_filter()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "filter":
            self.set_focus(self.query_one(ActivityTable))  # at once: Enter may follow

    def on_select_changed(self, event: Select.Changed) -> None:
        self.apply_filter()

    def action_focus_filter(self) -> None:
        # Focus now, not after the next refresh (Widget.focus): keys typed
        # right after "/" must reach the filter, not run commands ("e" edits).
        self.set_focus(self.query_one("#filter", Input))

    def on_key(self, event: events.Key) -> None:
        """Type-ahead: "/Heritage" typed fast all goes into the filter.

        A key reaches the screen on its way up from the list before the App
        looks at bindings; by then the keys after it are already queued for the
        list.  So "/" focuses the filter here, at once, and the printable keys
        that follow it are put into the filter instead of running commands.
        """
        field = self.query_one("#filter", Input)
        active = self.active_bindings.get(event.key)
        if active is not None and active.binding.action == "focus_filter":
            if self.focused is not field:
                event.stop()
                event.prevent_default()
                self.action_focus_filter()
            return
        if self.focused is field and event.is_printable and event.character:
            event.stop()
            event.prevent_default()
            field.insert_text_at_cursor(event.character)

    def action_leave_filter(self) -> None:
        self.set_focus(self.query_one(ActivityTable))

    def set_filter(self, text: str) -> None:
        self.query_one("#filter", Input).value = text
        self.apply_filter()

    # -- PlanScreen ------------------------------------------------------------
    def refresh_plan(self) -> None:
        self._note_hidden_changes()
        leads = sorted({lead for a in self.store.activities() for lead in a.leads})
        lead_select = self.query_one("#quick-lead", Select)
        current = lead_select.value
        # Leads are user text: a Text option is shown as written, never parsed as markup.
        lead_select.set_options([(plain(lead), f"lead:{lead}") for lead in leads])
        if isinstance(current, str) and current in {f"lead:{x}" for x in leads}:
            lead_select.value = current
        self.apply_filter()

    def _note_hidden_changes(self) -> None:
        """An activity added or changed while the filter hides it is named above
        the list, with the key that clears the filter: it must not just vanish."""
        activities = self.store.activities()
        revisions = {a.id: a.revision for a in activities}
        before, self._revisions = self._revisions, revisions
        if before is None or not self.query_text:
            return
        changed = [a for a in activities if before.get(a.id) != a.revision]
        hidden = [a for a in changed if not self._query.matches(a)]
        if hidden:
            names = ", ".join(f"“{a.title}”" for a in hidden[:2])
            more = f" and {len(hidden) - 2} more" if len(hidden) > 2 else ""
            verb = "is" if len(hidden) == 1 else "are"
            self._show_hidden_notice(
                f"⚠ {names}{more} {verb} not shown: the filter hides "
                f"{'it' if len(hidden) == 1 else 'them'}.  ctrl+l clears the filter."
            )

    def _show_hidden_notice(self, text: str) -> None:
        notice = self.query_one("#hidden-notice", TextLine)
        notice.set(plain(text, "bold"))
        if notice.display != bool(text):  # showing or hiding it lays the screen out
            notice.display = bool(text)

    def action_clear_filter(self) -> None:
        self.query_one("#filter", Input).value = ""
        for select_id in ("#quick-status", "#quick-theme", "#quick-lead"):
            self.query_one(select_id, Select).clear()
        self.apply_filter()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "clear_filter":
            return bool(self.query_text)  # shown only while a filter is on
        return True

    def selected_activity(self) -> Activity | None:
        return self.query_one(ActivityTable).current

    def on_activity_table_chosen(self, event: ActivityTable.Chosen) -> None:
        self.planner.open_detail(event.activity_id)

    def on_activity_table_highlighted(self, event: ActivityTable.Highlighted) -> None:
        self.planner.selection_changed()
