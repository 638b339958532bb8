"""When did the planner draw a frame, and how often did it lay out the whole screen?

For the benchmark (tests/perf) and for tests that count layouts. Textual has no
public event for either, so this module holds the only two private hooks we use,
in one place; tests/tui/test_frame_probe.py fails loudly if a Textual upgrade
removes or renames them:

- ``App._display(screen, renderable)``: the screen's compositor refresh hands
  each frame it draws to it (a terminal app then writes it out; a headless one
  drops it).
- ``Compositor.reflow(parent, size)``: a full layout of a screen (every widget
  placed again), as opposed to a repaint of changed widgets or a scroll.

In a headless app (``run_test``) the probe also renders each frame to the
bytes a terminal would get, so a frame costs what it costs in a real terminal.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from textual.app import App
from textual.screen import Screen

try:  # private module: its absence is reported by hooks_missing(), not an ImportError
    from textual._compositor import Compositor
except ImportError:  # pragma: no cover - depends on the Textual version
    Compositor = None  # type: ignore[assignment,misc]

DISPLAY_HOOK = "_display"
REFLOW_HOOK = "reflow"


def hooks_missing() -> list[str]:
    """The private hooks this Textual lacks (empty when the probe can work)."""
    missing = []
    if not callable(getattr(App, DISPLAY_HOOK, None)):
        missing.append(f"App.{DISPLAY_HOOK}")
    if Compositor is None or not callable(getattr(Compositor, REFLOW_HOOK, None)):
        missing.append(f"textual._compositor.Compositor.{REFLOW_HOOK}")
    return missing


@dataclass
class FrameProbe:
    """Frame times (``time.perf_counter()``) and full-layout counts of one app."""

    app: App
    render_headless: bool = True
    frames: list[float] = field(default_factory=list)
    frame_bytes: int = 0
    layouts: int = 0
    layouts_by_screen: dict[str, int] = field(default_factory=dict)

    @contextmanager
    def installed(self) -> Iterator[FrameProbe]:
        """Record while inside the block; Textual is left as it was afterwards."""
        missing = hooks_missing()
        if missing:
            raise RuntimeError(
                "this Textual has no " + " or ".join(missing) + ": the frame probe cannot work"
            )
        app = self.app
        display: Callable[[Screen, Any], None] = getattr(app, DISPLAY_HOOK)
        reflow = getattr(Compositor, REFLOW_HOOK)
        probe = self

        def display_and_record(screen: Screen, renderable: Any) -> None:
            display(screen, renderable)
            if renderable is None:
                return
            if app.is_headless and probe.render_headless:
                probe.frame_bytes += len(_terminal_bytes(app, renderable))
            probe.frames.append(time.perf_counter())

        def reflow_and_count(compositor: Any, parent: Any, size: Any) -> Any:
            result = reflow(compositor, parent, size)
            if isinstance(parent, Screen) and parent.app is app:
                probe.layouts += 1
                name = type(parent).__name__
                probe.layouts_by_screen[name] = probe.layouts_by_screen.get(name, 0) + 1
            return result

        setattr(app, DISPLAY_HOOK, display_and_record)
        setattr(Compositor, REFLOW_HOOK, reflow_and_count)
        try:
            yield self
        finally:
            setattr(Compositor, REFLOW_HOOK, reflow)
            delattr(app, DISPLAY_HOOK)


def _terminal_bytes(app: App, renderable: Any) -> str:
    # What the terminal driver would write for this frame (see App._display); the
    # compositor's updates are the only renderables a full-screen app displays.
    render_segments = getattr(renderable, "render_segments", None)
    return render_segments(app.console) if render_segments is not None else ""
