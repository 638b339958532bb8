"""Help built from the live bindings, the user's keymap, and the theme command."""

from __future__ import annotations

import json

from ctstui.tui.app import make_app
from ctstui.tui.keymap import UserKeymap, binding_classes, load_keymap, own_bindings
from ctstui.tui.screens.form import ActivityForm
from ctstui.tui.screens.help import HelpScreen

from .conftest import TODAY, notifications
from .test_app import SIZE, shown


async def help_text(pilot) -> str:
    await pilot.press("question_mark")
    assert isinstance(pilot.app.screen, HelpScreen)
    return "\n".join(shown(s) for s in pilot.app.screen.query("Static"))


async def test_help_lists_every_binding_of_every_screen_with_readable_keys(app):
    async with app.run_test(size=SIZE) as pilot:
        text = await help_text(pilot)
    every_id = [b.id for cls in binding_classes() for b in own_bindings(cls) if b.id]
    assert {"report.write", "board.review_round", "round.keep", "form.save"} <= set(every_id)
    missing = [ident for ident in every_id if ident not in text]
    assert not missing  # the Report screen's keys included: nothing is hand-listed
    lines = text.splitlines()
    report_prev = next(line for line in lines if "report.prev_year" in line)
    assert report_prev.split()[0] == "["  # not "left_square_bracket"
    assert next(line for line in lines if "app.help" in line).split()[0] == "?"
    year_month = next(line for line in lines if "year.prev_month" in line)
    assert year_month.split()[:2] == ["[", "pgup"]
    for raw in ("question mark", "question_mark", "square bracket", "Focus Previous", "super+c"):
        assert raw not in text  # Textual's names and its own internal keys stay hidden
    assert "Here (Calendar)" in text and "calendar.goto" in text


async def test_help_from_the_board_shows_the_board_keys_first(app):
    async with app.run_test(size=SIZE) as pilot:
        await pilot.press("3")
        text = await help_text(pilot)
    here = text[text.index("Here (Board)") : text.index("Everywhere")]
    assert "board.red" in here and "board.review_round" in here


async def test_help_shows_remapped_keys(store, plan):
    app = make_app(store, today=TODAY, keymap={"app.new": "a"})
    async with app.run_test(size=SIZE) as pilot:
        text = await help_text(pilot)
        new = next(line for line in text.splitlines() if "app.new" in line)
        assert new.split()[0] == "a"
        await pilot.press("escape", "a")
        assert isinstance(app.screen, ActivityForm)


def test_a_keymap_file_that_cannot_be_used_is_reported(tmp_path, capsys):
    path = tmp_path / "keymap.json"
    path.write_text('{"app.new": "a",\n "app.edit": }', encoding="utf-8")
    keymap = load_keymap(path)
    assert keymap.bindings == {}
    assert keymap.problems == [f"{path}: line 2, column 14: not valid JSON (Expecting value)"]
    assert f"ctstui: keymap: {path}: line 2" in capsys.readouterr().err

    path.write_text('["app.new", "a"]', encoding="utf-8")
    keymap = load_keymap(path)
    assert "should be an object" in keymap.problems[0]

    path.write_text(json.dumps({"app.new": "a", "app.nwe": "b", "board.red": 3}), "utf-8")
    keymap = load_keymap(path)
    assert keymap.bindings == {"app.new": "a"}  # what can be used is used
    assert any("'app.nwe' is not a binding id" in p for p in keymap.problems)
    assert any("'board.red' should map to keys" in p for p in keymap.problems)
    err = capsys.readouterr().err
    assert "app.nwe" in err and "board.red" in err

    assert load_keymap(tmp_path / "none.json") == UserKeymap()  # no file: nothing to say


async def test_keymap_problems_are_shown_at_start(store, plan):
    keymap = UserKeymap({"app.new": "a"}, ["keymap.json: 'app.nwe' is not a binding id"])
    app = make_app(store, today=TODAY, keymap=keymap)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await pilot.pause()
        assert any("'app.nwe' is not a binding id" in m for m in notifications(app))
        await pilot.press("a")
        assert isinstance(app.screen, ActivityForm)  # the usable part still applies


async def test_the_palette_switches_light_and_dark(app):
    async with app.run_test(size=SIZE) as pilot:
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Light/dark theme" in titles and "Import plan table" in titles
        dark = app.current_theme.dark
        command = next(c for c in app.get_system_commands(app.screen) if "Light/dark" in c.title)
        command.callback()
        await pilot.pause()
        assert app.current_theme.dark is not dark
        command.callback()
        await pilot.pause()
        assert app.current_theme.dark is dark
