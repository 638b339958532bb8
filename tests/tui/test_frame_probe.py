"""The frame probe's private Textual hooks still exist and still mean what the benchmark needs.

If this fails after a Textual upgrade, the benchmark's key-to-frame times and the
layout counts would silently be wrong: fix ctstui/tui/frame_probe.py first.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from ctstui.tui.frame_probe import Compositor, FrameProbe, hooks_missing


class Counter(Widget):
    """A fixed-size widget whose change needs a repaint but no layout."""

    DEFAULT_CSS = "Counter { width: 12; height: 1; }"
    value = reactive(0)

    def render(self) -> str:
        return f"count {self.value}"


class ProbeApp(App):
    BINDINGS = [
        Binding("plus", "bump", "Bump"),
        Binding("m", "add_line", "Add a line"),
    ]

    def compose(self) -> ComposeResult:
        yield Counter()

    def action_bump(self) -> None:
        self.query_one(Counter).value += 1

    def action_add_line(self) -> None:
        self.mount(Static("a new line"))


def test_textual_still_has_the_private_hooks():
    assert hooks_missing() == [], "Textual changed: update ctstui/tui/frame_probe.py"


async def test_a_repaint_is_a_frame_without_a_layout_and_a_new_widget_is_a_layout():
    app = ProbeApp()
    async with app.run_test(size=(40, 6)) as pilot:
        await pilot.pause()
        probe = FrameProbe(app)
        with probe.installed():
            await pilot.press("plus")
            await pilot.pause()
            assert len(probe.frames) >= 1
            assert probe.layouts == 0
            assert probe.frame_bytes > 0  # rendered as a terminal would get it
            assert "count 1" in str(app.query_one(Counter).render())

            frames = len(probe.frames)
            await pilot.press("m")
            await pilot.pause()
            assert probe.layouts >= 1
            assert probe.layouts_by_screen.get("Screen", 0) == probe.layouts
            assert len(probe.frames) > frames


async def test_the_probe_leaves_textual_as_it_was():
    original_reflow = Compositor.reflow
    app = ProbeApp()
    async with app.run_test(size=(40, 6)) as pilot:
        with FrameProbe(app).installed():
            assert "_display" in vars(app)
        assert "_display" not in vars(app)
        assert Compositor.reflow is original_reflow
        await pilot.press("plus")  # the app still draws without the probe
        await pilot.pause()
