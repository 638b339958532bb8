"""What the planner shows while the plan file is read and checked (nothing can be changed)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer, Header, Static


class LoadingScreen(Screen):
    DEFAULT_CSS = """
    LoadingScreen { align: center middle; }
    #loading { width: auto; height: auto; padding: 1 2; color: $text-muted; }
    """

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text("Opening the plan: reading and checking the file…"), id="loading")
        yield Footer()
