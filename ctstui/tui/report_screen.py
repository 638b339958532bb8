"""The board-report summaries (its own issue builds it out)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer, Header, Static

from .base import PlanScreen
from .tabs import ModeTabs


class ReportScreen(PlanScreen):
    def __init__(self) -> None:
        super().__init__(id="report")

    def compose(self) -> ComposeResult:
        yield Header()
        yield ModeTabs("report")
        yield Static("The report is being built.", id="report-placeholder")
        yield Footer()
