"""What a person sees on the terminal, as plain text lines.

Built from Textual's public SVG screenshot (``App.export_screenshot``): every
text run carries its line and its x position, so the screen can be read back
cell by cell without touching Textual's private compositor.
"""

from __future__ import annotations

import html
import re

_RUN = re.compile(
    r'<text class="[^"]*" x="([0-9.]+)" y="[0-9.]+" textLength="[0-9.]+" '
    r'clip-path="url\(#[^)]*-line-([0-9]+)\)">([^<]*)</text>'
)
CELL = 12.2  # the SVG's width of one terminal cell


def screen_lines(app) -> list[str]:
    """The screen (with its open dialogs) as one string per terminal line."""
    svg = app.export_screenshot()
    width, height = app.size
    grid = [[" "] * width for _ in range(height)]
    for x, line, text in _RUN.findall(svg):
        row = int(line)
        col = round(float(x) / CELL)
        for char in html.unescape(text).replace("\xa0", " "):
            if 0 <= row < height and 0 <= col < width:
                grid[row][col] = char
            col += 1
    return ["".join(row).rstrip() for row in grid]


def screen_text(app) -> str:
    return "\n".join(screen_lines(app))
