"""What commands print: hostile text never reaches the terminal raw; tables align."""

from __future__ import annotations

import csv
import io
import json

import pytest

from ctstui.cli.main import main
from ctstui.cli.output import PIPE_WIDTH, TextColumn, column_widths, write_csv, write_table
from ctstui.domain.model import Activity
from ctstui.domain.text import cell_width, fit, printable, printable_json

# Sequences a title could carry to act on the terminal of whoever lists the plan.
HOSTILE_TITLES = {
    "clipboard": "Academy \x1b]52;c;cm0gLXJmIH4=\x07 notes",  # OSC 52: write the clipboard
    "clear": "Review \x1b[2J\x1b[H\x1bc here",  # clear the screen, reset
    "cursor report": "Seminar \x1b[6n answer",  # ask the terminal to type its cursor position
    "8-bit CSI": "Deep dive \x9b6n C1",  # U+009B: CSI without ESC
    "bidi": "Peer review \u202eedoc\u202c end",  # shows text in another order
}
RAW = ("\x1b", "\x07", "\x9b", "\u202e", "\u202c")


@pytest.fixture
def hostile_plan(store):
    with store.transaction("fixture"):
        ids = {key: store.add(Activity(title=title)).id for key, title in HOSTILE_TITLES.items()}
    return store.path, ids


def _list(capsys, path, *args: str) -> str:
    assert main(["--db", str(path), "list", *args]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_no_terminal_sequence_reaches_the_output_raw(capsys, hostile_plan, fmt):
    path, _ = hostile_plan
    out = _list(capsys, path, "--format", fmt)
    for raw in RAW:
        assert raw not in out, f"{raw!r} printed raw in {fmt}"


def test_csv_shows_the_sequences_as_escapes(capsys, hostile_plan):
    path, ids = hostile_plan
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(_list(capsys, path, "--format", "csv")))}
    for key, title in HOSTILE_TITLES.items():
        assert rows[ids[key]]["title"] == printable(title)
    assert rows[ids["clipboard"]]["title"] == "Academy \\x1b]52;c;cm0gLXJmIH4=\\x07 notes"


def test_json_keeps_the_exact_titles_in_escaped_form(capsys, hostile_plan):
    path, ids = hostile_plan
    out = _list(capsys, path, "--format", "json")
    assert "\\u009b6n" in out and "\\u202e" in out
    titles = {row["id"]: row["title"] for row in json.loads(out)}
    assert {key: titles[ids[key]] for key in HOSTILE_TITLES} == HOSTILE_TITLES


def test_printable_json_reads_back_the_same_value():
    value = {"t": "a\x7fb\x85c\u2028d\u2066e\x1b", "n": [1, None]}
    dumped = printable_json(json.dumps(value, ensure_ascii=False, indent=2))
    assert json.loads(dumped) == value
    assert not any(ch in dumped for ch in "\x7f\x85\u2028\u2066\x1b")


def test_the_table_shows_each_title_on_one_line_escaped(capsys, hostile_plan):
    path, ids = hostile_plan
    lines = _list(capsys, path).splitlines()
    assert len(lines) == 2 + len(HOSTILE_TITLES) + 1  # header, rule, a line each, totals
    clear = next(line for line in lines if line.startswith(ids["clear"][:6]))
    assert "Review \\x1b[2J\\x1b[H\\x1bc here" in clear


def _table(columns, rows, out=None) -> list[str]:
    out = out or io.StringIO()
    write_table(out, columns, rows, footer="2 rows")
    return out.getvalue().splitlines()


def test_wide_characters_keep_the_columns_aligned():
    columns = (TextColumn("Activity"), TextColumn("Status"))
    lines = _table(columns, [["体育同行评审 Sport", "planned"], ["Culture", "confirmed"]])
    starts = {
        cell_width(line[: line.index(word)])
        for line, word in ((lines[2], "planned"), (lines[3], "confirmed"), (lines[0], "Status"))
    }
    assert len(starts) == 1, lines  # the Status column starts at one terminal column


def test_a_cut_wide_title_still_aligns_and_ends_in_an_ellipsis():
    columns = (TextColumn("Activity", max_width=9), TextColumn("Status"))
    lines = _table(columns, [["体育同行评审会议", "planned"], ["abc", "tbc"]])
    assert lines[2].startswith("体育同行…")  # 8 columns and the ellipsis
    assert cell_width(lines[2][: lines[2].index("planned")]) == cell_width(
        lines[3][: lines[3].index("tbc")]
    )


def test_a_column_with_no_room_is_empty_even_for_a_wide_character():
    assert fit("体育", 0) == "" and fit("abc", 0) == ""
    assert fit("体育", 1) == "…" and cell_width(fit("体育x", 3)) == 3


def test_not_a_terminal_means_no_colour_and_100_columns():
    columns = (TextColumn("Id"), TextColumn("Activity", weight=2), TextColumn("Notes"))
    lines = _table(columns, [["abc123", "A" * 150, "N" * 150]])
    assert all("\x1b" not in line for line in lines)
    assert max(cell_width(line) for line in lines) == PIPE_WIDTH
    assert lines[2].startswith("abc123  AAAA")  # the short column is never squeezed


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_a_bold_header():
    lines = _table((TextColumn("Activity"),), [["Sport"]], out=_Terminal())
    assert "\x1b[1m" in lines[0]
    assert lines[2] == "Sport"  # the rows themselves are plain


def test_widths_shrink_the_widest_for_its_weight_down_to_the_minimum():
    columns = (
        TextColumn("Id", min_width=6),
        TextColumn("Activity", weight=2, min_width=10),
        TextColumn("Audience"),
    )
    rows = [["abcdef", "T" * 80, "U" * 60]]
    widths = column_widths(columns, rows, 60)
    assert sum(widths) + 2 * 2 == 60
    assert widths[0] == 6
    assert widths[1] == pytest.approx(2 * widths[2], abs=2)
    assert column_widths(columns, rows, 10) == [6, 10, 8]  # floors: min_width or the header


def test_csv_writer_escapes_text_and_keeps_numbers():
    out = io.StringIO()
    write_csv(out, ["title", "days", "places"], [["a\x1b[2Jb\nc", 1.5, None]])
    assert out.getvalue() == "title,days,places\na\\x1b[2Jb\\nc,1.5,\n"
