"""The board report: the same tables as ``ctstui report``, and days per month as bars.

Everything is computed by :mod:`ctstui.report.summary`; this screen only draws its
:class:`~ctstui.report.summary.Table` s as Rich tables (user text through
:func:`~ctstui.tui.look.plain`, never markup) and redraws on every change.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rich import box
from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.style import Style
from rich.table import Table as RichTable
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from ctstui.domain.dates import PlanYear
from ctstui.domain.model import FunderContract
from ctstui.domain.planview import plan_year_of
from ctstui.domain.query import Query, QueryError
from ctstui.report.summary import (
    Report,
    Table,
    Window,
    build_report,
    default_window,
    heading,
    plan_year_from_meta,
    render,
    report_tables,
    stated_totals_from_meta,
)
from ctstui.store.activity_store import StoreError
from ctstui.store.output import same_file, write_output
from ctstui.tui.dialogs.contract_form import ContractForm
from ctstui.tui.dialogs.prompts import PromptScreen
from ctstui.tui.look import RISK_STYLE, plain
from ctstui.tui.screens.base import PlanScreen
from ctstui.tui.widgets.report_chart import DaysChart
from ctstui.tui.widgets.tabs import ModeTabs

NOTE_STYLE = Style(dim=True)
# What ``w`` writes, by the file name's ending.
WRITE_FORMATS = {".docx": "docx", ".md": "markdown", ".txt": "text", ".json": "json", ".csv": "csv"}


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
    title = plain(table.title, Style(bold=True))
    parts: list[RenderableType] = [out] if table.rows else [title, plain(table.empty)]
    parts.extend(Padding(plain(note, NOTE_STYLE), (0, 0, 0, 2)) for note in table.notes)
    parts.append(Text(""))
    return Group(*parts)


def report_file_name(window: Window) -> str:
    """The default file for ``w``: report-2013-14.docx (or the window's dates)."""
    if window.plan_year is not None:
        stem = str(window.plan_year).replace("/", "-")
    else:
        stem = f"{window.start.isoformat()}-to-{window.end.isoformat()}"
    return f"report-{stem}.docx"


def contract_line(contract: FunderContract) -> Text:
    targets = ", ".join(f"{t.count} {t.label}" for t in contract.targets) or "no targets"
    return Text.assemble(
        plain(contract.funder, Style(bold=True)),
        f"  {contract.start.isoformat()} to {contract.end.isoformat()}  ",
        plain(targets, NOTE_STYLE),
    )


class ReportScreen(PlanScreen):
    """The report for one plan year; ``[``/``]`` move a year, ``w`` writes it to a file.

    Funder contracts are listed under the chart: ``a`` adds one, ``e`` (or
    Enter on the list) edits the highlighted one, in a form (Escape cancels).
    """

    AUTO_FOCUS = "#report-body"

    BINDINGS = [
        Binding("left_square_bracket", "year(-1)", "Prev year", id="report.prev_year"),
        Binding("right_square_bracket", "year(1)", "Next year", id="report.next_year"),
        Binding("t", "this_year", "This year", show=False, id="report.this_year"),
        Binding("slash", "filter", "Filter", id="report.filter"),
        Binding("s", "since", "Since…", id="report.since"),
        Binding("w", "write", "Write…", id="report.write"),
        Binding("a", "add_contract", "Add contract", id="report.add_contract"),
        Binding("e", "edit_contract", "Edit contract", id="report.edit_contract"),
    ]

    DEFAULT_CSS = """
    #report-title { height: auto; padding: 0 1; background: $panel; }
    #report-body { height: 1fr; }
    #report-top { height: auto; margin-top: 1; }
    #report-left { width: 60; height: auto; }
    #report-right { width: 1fr; height: auto; }
    #report-body Static { height: auto; padding: 0 1; }
    #report-chart { margin-top: 1; }
    #report-contracts-title { margin-top: 1; }
    #report-contracts { height: auto; max-height: 10; margin: 0 1 1 1; }
    """

    # Tables drawn side by side at the top (when the screen is wide enough for
    # both); the rest follow full width.
    LEFT = ("status", "audiences")
    RIGHT = ("themes",)
    SIDE_BY_SIDE = 110  # columns

    def __init__(self) -> None:
        super().__init__(id="report")
        self.plan_year: PlanYear | None = None
        self.query_text = ""
        self.since: date | None = None
        self.report: Report | None = None
        self.default: Window | None = None  # the year chosen on opening, and why
        self._laid_out_wide: bool | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield ModeTabs("report")
        yield Static("", id="report-title")
        with VerticalScroll(id="report-body"):
            yield DaysChart(id="report-chart")
            with Horizontal(id="report-top"):
                with Vertical(id="report-left"):
                    yield Static("", id="report-summary")
                with Vertical(id="report-right"):
                    yield Static("", id="report-side")
            yield Static("", id="report-contracts-title")
            yield OptionList(id="report-contracts")
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
        right = self.RIGHT if self.wide else ()
        placed = {
            "#report-summary": [t for t in tables if t.key in self.LEFT],
            "#report-side": [t for t in tables if t.key in right],
            "#report-tables": [t for t in tables if t.key not in (*self.LEFT, *right)],
        }
        self._laid_out_wide = self.wide
        self.query_one("#report-right").display = self.wide
        for selector, chosen in placed.items():
            self.query_one(selector, Static).update(Group(*(rich_table(t) for t in chosen)))
        self.query_one("#report-chart", DaysChart).show(report)
        self.show_contracts()

    @property
    def wide(self) -> bool:
        return self.app.size.width >= self.SIDE_BY_SIDE

    def on_resize(self) -> None:
        if self.report is not None and self._laid_out_wide != self.wide:
            self.refresh_plan()

    def show_contracts(self) -> None:
        contracts = self.store.contracts()
        title = Text.assemble(
            ("Funder contracts", Style(bold=True)),
            (" (a: add; e or enter: edit the highlighted one)", NOTE_STYLE),
        )
        if not contracts:
            title.append("\nNone yet: press a to add the funder's period and targets.")
        self.query_one("#report-contracts-title", Static).update(title)
        listing = self.query_one("#report-contracts", OptionList)
        highlighted = listing.highlighted
        listing.clear_options()
        listing.add_options([Option(contract_line(c), id=c.id) for c in contracts])
        listing.display = bool(contracts)
        if contracts:
            listing.highlighted = min(highlighted or 0, len(contracts) - 1)

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

    # -- contracts ----------------------------------------------------------------------------
    def action_add_contract(self) -> None:
        self.app.push_screen(ContractForm(None), self.save_contract)

    def action_edit_contract(self) -> None:
        contracts = self.store.contracts()
        if not contracts:
            self.notify("No contracts yet: press a to add one.", markup=False)
            return
        listing = self.query_one("#report-contracts", OptionList)
        index = listing.highlighted or 0
        self.app.push_screen(ContractForm(contracts[min(index, len(contracts) - 1)]),
                             self.save_contract)  # fmt: skip

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option_list.id == "report-contracts":
            self.action_edit_contract()

    def save_contract(self, contract: FunderContract | None) -> None:
        if contract is None:
            return  # cancelled: nothing changes
        try:
            self.store.save_contract(contract)
        except StoreError as exc:
            self.notify(str(exc), title="Not saved", severity="error", markup=False)
            return
        self.planner.schedule_save()
        self.refresh_plan()
        self.notify(f"Saved the {contract.funder} contract.", markup=False)

    # -- writing ------------------------------------------------------------------------------
    def write_target(self, text: str) -> tuple[Path, str]:
        """The file and format ``w`` would write for ``text`` (ValueError: why not)."""
        text = text.strip()
        if not text:
            raise ValueError("give a file name, e.g. " + report_file_name(self.window()))
        path = Path(text).expanduser()
        if not path.is_absolute():
            path = self.store.path.parent / path
        fmt = WRITE_FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise ValueError(
                f"end the name with one of {', '.join(WRITE_FORMATS)} to choose the format"
            )
        if same_file(path, self.store.path):
            raise ValueError("that is the plan file; a report never writes over it")
        if path.is_dir():
            raise ValueError("that is a folder; give a file name")
        if not path.parent.is_dir():
            raise ValueError(f"the folder {path.parent} does not exist")
        return path, fmt

    def action_write(self) -> None:
        def check(text: str) -> str | None:
            try:
                self.write_target(text)
            except ValueError as exc:
                return str(exc)
            return None

        def hint(text: str) -> str:
            path, fmt = self.write_target(text)
            what = "a Word board paper" if fmt == "docx" else f"the {fmt} report"
            return f"→ {what} at {path}" + (" (replaces it)" if path.exists() else "")

        self.app.push_screen(
            PromptScreen(
                "Write the report to (.docx for the board paper; .md, .txt, .json, .csv):",
                value=report_file_name(self.window()),
                check=check,
                hint=hint,
            ),
            self.write_report,
        )

    def write_report(self, text: str | None) -> None:
        if text is None:
            return  # cancelled
        report = self.report or self.build()
        try:
            path, fmt = self.write_target(text)
        except ValueError as exc:
            self.notify(str(exc), title="Not written", severity="error", markup=False)
            return
        # Drawing the chart and writing (perhaps to a pipe no one reads yet) happen
        # off the screen's thread, so the planner stays responsive.
        self.run_worker(lambda: self._write(report, path, fmt), thread=True, group="report-write")

    def _write(self, report: Report, path: Path, fmt: str) -> None:
        try:
            if fmt == "docx":
                from ctstui.report.docx_writer import to_docx  # loads python-docx, matplotlib

                data = to_docx(report)
            else:
                data = render(report, fmt).encode("utf-8")
            write_output(str(path), data)
        except (ValueError, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self.app.call_from_thread(
                self.notify,
                f"Could not write {path}: {reason}",
                title="Not written",
                severity="error",
                markup=False,
            )
            return
        self.app.call_from_thread(
            self.notify, f"Wrote the report ({report.window.label}) to {path}", markup=False
        )
