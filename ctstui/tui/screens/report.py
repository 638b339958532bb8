"""The board report: the same tables as ``ctstui report``, and days per month as bars.

Everything is computed by :mod:`ctstui.report.summary`; this screen only draws its
:class:`~ctstui.report.summary.Table` s as Rich tables (user text through
:func:`~ctstui.tui.look.plain`, never markup) and redraws on every change.
"""

from __future__ import annotations

from datetime import date

from rich import box
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.style import Style
from rich.table import Table as RichTable
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Header, Static

from ctstui.domain.dates import PlanYear
from ctstui.domain.planview import plan_year_of
from ctstui.domain.query import Query, QueryError
from ctstui.report.summary import (
    Report,
    Table,
    Window,
    build_report,
    days_chart,
    default_window,
    heading,
    plan_year_from_meta,
    report_tables,
    stated_totals_from_meta,
    to_markdown,
)
from ctstui.store.activity_store import atomic_write_bytes
from ctstui.tui.dialogs.prompts import PromptScreen
from ctstui.tui.look import RISK_STYLE, plain
from ctstui.tui.screens.base import PlanScreen
from ctstui.tui.widgets.tabs import ModeTabs

BAR_STYLE = Style(color="#3f7a3f")
NOTE_STYLE = Style(dim=True)
REPORT_FILE = "report.md"


def rich_table(table: Table) -> RenderableType:
    """A report table as a Rich table, with its notes below it."""
    out = RichTable(
        title=plain(table.title, Style(bold=True)),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        pad_edge=False,
        expand=False,
    )
    for index, name in enumerate(table.columns):
        out.add_column(
            plain(name), justify="right" if index in table.numeric else "left", no_wrap=True
        )
    for index, row in enumerate(table.rows):
        style = RISK_STYLE if index in table.flagged else None
        out.add_row(
            *(plain(cell) for cell in row),
            style=style,
            end_section=table.total is not None and index == len(table.rows) - 1,
        )
    if table.total:
        out.add_row(*(plain(cell) for cell in table.total), style=Style(bold=True))
    parts: list[RenderableType] = [out] if table.rows else [out.title, plain(table.empty)]
    parts.extend(Padding(plain(note, NOTE_STYLE), (0, 0, 0, 2)) for note in table.notes)
    parts.append(Text(""))
    return Group(*parts)


def chart_text(report: Report) -> Text:
    lines = days_chart(report)
    title = "Days per month" + (" (n/d: no date)" if report.undated.activities else "")
    text = Text(title + "\n", style=Style(bold=True))
    text.append(lines[0] + "\n", style=NOTE_STYLE)
    for line in lines[1:-1]:
        text.append(line + "\n", style=BAR_STYLE)
    text.append(lines[-1])
    return text


class ReportScreen(PlanScreen):
    """The report for one plan year; ``[``/``]`` move a year, ``w`` writes report.md."""

    AUTO_FOCUS = "#report-body"

    BINDINGS = [
        Binding("left_square_bracket", "year(-1)", "Prev year", id="report.prev_year"),
        Binding("right_square_bracket", "year(1)", "Next year", id="report.next_year"),
        Binding("t", "this_year", "This year", show=False, id="report.this_year"),
        Binding("slash", "filter", "Filter", id="report.filter"),
        Binding("s", "since", "Since…", id="report.since"),
        Binding("w", "write_markdown", "Write report.md", id="report.write"),
    ]

    DEFAULT_CSS = """
    #report-title { height: auto; padding: 0 1; background: $panel; }
    #report-body { height: 1fr; }
    #report-top { height: auto; margin-top: 1; }
    #report-left { width: 60; height: auto; }
    #report-right { width: 1fr; height: auto; }
    #report-body Static { height: auto; padding: 0 1; }
    #report-chart { margin-bottom: 1; }
    """

    # Tables drawn beside the chart at the top; the rest follow full width.
    LEFT = ("status", "audiences")
    RIGHT = ("themes",)

    def __init__(self) -> None:
        super().__init__(id="report")
        self.plan_year: PlanYear | None = None
        self.query_text = ""
        self.since: date | None = None
        self.report: Report | None = None
        self.default: Window | None = None  # the year chosen on opening, and why

    def compose(self) -> ComposeResult:
        yield Header()
        yield ModeTabs("report")
        yield Static("", id="report-title")
        with VerticalScroll(id="report-body"):
            with Horizontal(id="report-top"):
                with Vertical(id="report-left"):
                    yield Static("", id="report-summary")
                with Vertical(id="report-right"):
                    yield Static("", id="report-chart")
                    yield Static("", id="report-side")
            yield Static("", id="report-tables")
        yield Footer()

    def on_mount(self) -> None:
        store = self.store
        stated = stated_totals_from_meta(store.meta("stated_totals"))
        self.default = default_window(
            store.activities(), self.today, plan_year_from_meta(store.meta("plan_year"), stated)
        )
        self.plan_year = self.default.plan_year
        self.refresh_plan()

    def window(self) -> Window:
        year = self.plan_year or plan_year_of(self.today)
        if self.default is not None and self.default.plan_year == year:
            return self.default  # says why this year was chosen
        return Window.of_plan_year(year)

    # -- building ---------------------------------------------------------------------
    def build(self) -> Report:
        store = self.store
        stated = stated_totals_from_meta(store.meta("stated_totals"))
        return build_report(
            store.activities(),
            window=self.window(),
            today=self.today,
            query=Query.parse(self.query_text),
            contracts=store.contracts(),
            stated=stated,
            since=self.since,
            undated_year=plan_year_from_meta(store.meta("plan_year"), stated),
        )

    def refresh_plan(self) -> None:
        report = self.report = self.build()
        title, *details = heading(report)
        self.query_one("#report-title", Static).update(
            Text("\n").join([plain(title, Style(bold=True)), *(plain(line) for line in details)])
        )
        tables = report_tables(report)
        placed = {
            "#report-summary": [t for t in tables if t.key in self.LEFT],
            "#report-side": [t for t in tables if t.key in self.RIGHT],
            "#report-tables": [t for t in tables if t.key not in (*self.LEFT, *self.RIGHT)],
        }
        for selector, chosen in placed.items():
            self.query_one(selector, Static).update(Group(*(rich_table(t) for t in chosen)))
        self.query_one("#report-chart", Static).update(chart_text(report))

    # -- actions ----------------------------------------------------------------------------
    def action_year(self, step: int) -> None:
        current = self.plan_year or plan_year_of(self.today)
        self.plan_year = PlanYear(current.start_year + step)
        self.refresh_plan()

    def action_this_year(self) -> None:
        self.plan_year = plan_year_of(self.today)
        self.refresh_plan()

    def action_filter(self) -> None:
        def check(text: str) -> str | None:
            try:
                Query.parse(text)
            except QueryError as exc:
                return str(exc)
            return None

        def done(text: str | None) -> None:
            if text is None or check(text):
                return
            self.query_text = text.strip()
            self.refresh_plan()

        self.app.push_screen(
            PromptScreen(
                "Report only the activities matching (empty: all):",
                value=self.query_text,
                placeholder="theme:sport lead:SN",
                check=check,
            ),
            done,
        )

    def action_since(self) -> None:
        def check(text: str) -> str | None:
            try:
                date.fromisoformat(text.strip())
            except ValueError:
                return "a date such as 2013-09-01 (empty: no 'since' section)"
            return None

        def done(text: str | None) -> None:
            if text is None:
                return
            if not text.strip():
                self.since = None
            elif check(text):
                return
            else:
                self.since = date.fromisoformat(text.strip())
            self.refresh_plan()

        self.app.push_screen(
            PromptScreen(
                "What took place and changed since (e.g. the last board meeting):",
                value=self.since.isoformat() if self.since else "",
                placeholder="2013-09-01",
                check=check,
            ),
            done,
        )

    def action_write_markdown(self) -> None:
        report = self.report or self.build()
        target = self.store.path.with_name(REPORT_FILE)
        try:
            atomic_write_bytes(target, to_markdown(report).encode("utf-8"))
        except OSError as exc:
            self.notify(
                f"Could not write {target}: {exc.strerror or exc}",
                title="Not written",
                severity="error",
                markup=False,
            )
            return
        self.notify(f"Wrote the report (Markdown) to {target}", markup=False)
