"""The RAG status board (its own issue builds it out)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import Footer, Header, Static

from .base import PlanScreen
from .tabs import ModeTabs


class BoardScreen(PlanScreen):
    def __init__(self) -> None:
        super().__init__(id="board")

    def compose(self) -> ComposeResult:
        yield Header()
        yield ModeTabs("board")
        yield Static("The RAG board is being built.", id="board-placeholder")
        yield Footer()
