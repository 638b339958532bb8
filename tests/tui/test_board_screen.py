"""The RAG board driven by keys: ratings with and without a note, undo, filter,
programme lanes, the review round; checked on screen and in the store."""

from __future__ import annotations

from datetime import date

from textual.widgets import Input

from ctstui.domain.model import Rag, Status
from ctstui.store.activity_store import ActivityStore
from ctstui.tui.screens.board import BoardScreen
from ctstui.tui.screens.detail import DetailScreen
from ctstui.tui.screens.review_round import ReviewRoundScreen
from ctstui.tui.widgets.board_view import BoardView

from .conftest import TODAY, notifications
from .test_app import shown

SIZE = (120, 40)


def view(app) -> BoardView:
    return app.screen.query_one(BoardView)


def on_screen(app) -> str:
    """Every line the board draws now, as plain text."""
    board = view(app)
    return "\n".join(board.render_line(y).text for y in range(board.size.height))


def column(app, key: str) -> list[str]:
    return [a.title for a in view(app).board.cards(key)]


def selected(app) -> str | None:
    activity = app.screen.selected_activity()
    return activity.title if activity else None


async def open_board(pilot) -> None:
    await pilot.press("3")
    await pilot.pause()
    assert isinstance(pilot.app.screen, BoardScreen)


async def test_board_shows_columns_cards_and_suggestions(app, plan):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_board(pilot)
        assert column(app, "green") == ["Sport Academy"]
        assert column(app, "unrated") == [
            "Heritage seminar",
            "Culture Academy",
            "Sport action learning set",
            "Libraries seminar",
            "[link=http://x]click[/link] [@click=app.quit]x[/] [/",
        ]  # date-window order; the completed Derby review is hidden
        text = on_screen(app)
        for header in ("Red (0)", "Amber (0)", "Green (1)", "Unrated (5)"):
            assert header in text
        assert "Done (" not in text
        await pilot.press("l", "l", "l", "end")  # to the last Unrated card (scrolls to it)
        await pilot.pause()
        assert selected(app).startswith("[link=")
        assert "[link=http://x]click[" in on_screen(app)  # markup shown literally (cut to fit)
        await pilot.press("home", "h", "h", "h")
        # The TBC Culture Academy starts 1 Oct, before today: the rule suggests red.
        culture = next(line for line in text.splitlines() if "Culture Academy" in line)
        assert "! Culture Academy" in culture
        assert "tbc · red?" in text
        assert "12/13 November" in text and "LC" in text and "confirmed" in text
        # X shows the Done column with the completed review.
        await pilot.press("X")
        assert column(app, "done") == ["Sport peer review Derby"]
        assert "Done (1)" in on_screen(app)


async def test_rating_keys_with_and_without_note_undo_and_restart(app, store, plan, tmp_path):
    culture = plan["culture"].id
    store.rate(culture, Rag.UNRATED, "Venue shortlist", on=date(2013, 9, 30))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_board(pilot)
        assert selected(app) == "Sport Academy"  # first card: Green is the first non-empty
        await pilot.press("l", "j")  # Unrated column, second card
        assert selected(app) == "Culture Academy"
        await pilot.press("r")  # the reason is asked on the board's own reason line
        assert app.screen.reason_pending
        assert "Why?" in app.screen.query_one("#board-reason").content.plain
        await pilot.press(*"No venue", "enter")
        rated = store.get(culture)
        assert rated.rag is Rag.RED
        review = rated.reviews[-1]
        assert (review.on, review.previous, review.rating) == (TODAY, Rag.UNRATED, Rag.RED)
        assert (review.reason, review.by) == ("No venue", "tester")
        assert column(app, "red") == ["Culture Academy"]
        assert "Red (1)" in on_screen(app)
        assert selected(app) == "Culture Academy"  # the selection follows the card

        await pilot.press("a", *"oops", "escape")  # Escape cancels: nothing changed
        assert store.get(culture).rag is Rag.RED and len(store.get(culture).reviews) == 2
        assert not app.screen.reason_pending
        await pilot.press("a", "enter")  # Enter with nothing typed: saved, no reason
        assert store.get(culture).rag is Rag.AMBER
        assert store.get(culture).reviews[-1].reason == ""
        await pilot.press("g", "enter")  # Enter with nothing typed: no note either
        assert store.get(culture).rag is Rag.GREEN
        await pilot.press("shift+left")  # a column left: amber
        await pilot.press(*"Found", "enter")
        assert store.get(culture).rag is Rag.AMBER
        assert column(app, "amber") == ["Culture Academy"]
        assert len(store.get(culture).reviews) == 5

        await pilot.press("u")  # undo reverses the last rating and its review
        assert store.get(culture).rag is Rag.GREEN
        assert len(store.get(culture).reviews) == 4
        assert column(app, "green") == ["Culture Academy", "Sport Academy"]  # October first
        assert any("Undone: rag green -> amber" in m for m in notifications(app))

        await pilot.press("enter")  # its detail: every review, newest first
        assert isinstance(app.screen, DetailScreen)
        reviews = shown(app.screen.query_one("#detail-reviews"))
        assert reviews.index("No venue") < reviews.index("30 Sep 2013")
        await pilot.press("escape", "q")  # quitting saves
    history = ActivityStore(tmp_path / "plan.json").get(culture).reviews
    assert [(r.previous, r.rating, r.reason) for r in history] == [
        (Rag.UNRATED, Rag.UNRATED, "Venue shortlist"),
        (Rag.UNRATED, Rag.RED, "No venue"),
        (Rag.RED, Rag.AMBER, ""),
        (Rag.AMBER, Rag.GREEN, ""),
    ]
    assert [r.on for r in history] == [date(2013, 9, 30), TODAY, TODAY, TODAY]


async def test_escape_cancels_the_rating_and_moves_stop_at_the_ends(app, store, plan):
    academy = plan["academy"].id
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_board(pilot)
        assert selected(app) == "Sport Academy"
        await pilot.press("r")
        assert "Escape cancels" in app.screen.query_one("#board-reason").content.plain
        await pilot.press(*"typo", "escape")
        assert store.get(academy).rag is Rag.GREEN  # nothing changed, nothing recorded
        assert store.get(academy).reviews == []
        assert store.get(academy).revision == plan["academy"].revision
        assert (
            "Rating cancelled: nothing changed"
            in app.screen.query_one("#board-reason").content.plain
        )
        await pilot.press("shift+right", "enter")  # green -> unrated
        assert store.get(academy).rag is Rag.UNRATED
        await pilot.press("shift+right")  # Unrated is the last column: no prompt
        assert isinstance(app.screen, BoardScreen)
        assert store.get(academy).rag is Rag.UNRATED


async def test_filter_the_board_with_the_list_query(app, plan):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_board(pilot)
        await pilot.press("slash", *"lead:SN")
        assert column(app, "red") == column(app, "green") == []
        assert len(column(app, "unrated")) == 2  # Culture Academy, the ALS
        filter_input = app.screen.query_one("#board-filter", Input)
        assert filter_input.has_focus
        filter_input.value = "lead:SN theme:sport"
        await pilot.pause()
        assert column(app, "unrated") == ["Sport action learning set"]
        assert column(app, "green") == []
        assert "filter: lead:SN theme:sport" in shown(app.screen.query_one("#board-summary"))
        assert "Unrated (1)" in on_screen(app)
        filter_input.value = "lead:SN status:nope"
        await pilot.pause()
        error = app.screen.query_one("#board-filter-error")
        assert error.display and "nope" in shown(error)
        assert column(app, "unrated") == ["Sport action learning set"]  # previous kept
        await pilot.press("escape")  # back to the board; keys rate again
        assert app.screen.focused is view(app)
        assert selected(app) == "Sport action learning set"
        app.screen.set_filter("nothing-matches-this")
        await pilot.pause()
        assert selected(app) is None
        assert app.screen.check_action("rate", ("red",)) is None  # shown disabled
        assert app.controller.check_action("set_status", ("completed",)) is None


async def test_app_keys_act_on_the_selected_card(app, store, plan):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_board(pilot)
        await pilot.press("l", "j", "j")
        assert selected(app) == "Sport action learning set"
        await pilot.press("x")  # app key: completed; the card leaves the board
        assert store.get(plan["als"].id).status is Status.COMPLETED
        assert "Sport action learning set" not in column(app, "unrated")
        assert selected(app) == "Libraries seminar"  # the next card takes its place
        await pilot.press("X")
        assert "Sport action learning set" in column(app, "done")


async def test_programme_lanes_show_the_rollup(app, store, plan):
    csit = "Programme 1.2: CSIT Efficiency Challenge"
    seminar, heritage = store.get(plan["seminar"].id), store.get(plan["heritage"].id)
    with store.transaction("programmes"):
        store.update(seminar.copy(programme=csit, rag=Rag.AMBER))
        store.update(heritage.copy(programme=csit, rag=Rag.RED))
        record = store.add(
            heritage.copy(id="csit-record", title=csit, when=heritage.when, rag=Rag.GREEN)
        )
        store.update(record.copy(programme=csit))
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await open_board(pilot)
        await pilot.press("p")
        text = on_screen(app)
        heading = next(line for line in text.splitlines() if line.startswith(" ▌ Programme 1.2"))
        assert "roll-up ● red, worst of 2 open" in heading
        assert "own ● green !" in heading  # own rating better than the roll-up
        assert "No programme" in text
        lanes = [lane.title for lane in view(app).board.lanes]
        assert lanes == [csit, "No programme"]
        assert selected(app) == "Heritage seminar"  # red, in the programme's lane
        await pilot.press("l", "l")
        assert selected(app) == csit  # the programme record: its own rating
        await pilot.press("j")  # down into the next lane's green cards
        assert selected(app) == "Sport Academy"
        await pilot.press("p")
        assert "▌" not in on_screen(app)


async def test_review_round_from_the_palette(app, store, plan):
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        store.rate(plan["culture"].id, Rag.AMBER, "Venue shortlist", on=date(2013, 9, 30))
        await open_board(pilot)
        app.screen.set_filter("lead:SN")
        await pilot.press("1")  # the palette command works from any screen
        app.controller.review_round()
        await pilot.pause()
        await pilot.pause()
        round_screen = app.screen
        assert isinstance(round_screen, ReviewRoundScreen)
        # Open SN activities on the (filtered) board, in date order.
        titles = [store.get(i).title for i in round_screen.ids]
        assert titles == ["Culture Academy", "Sport action learning set"]
        assert "1 of 2" in shown(round_screen.query_one("#round-title"))
        assert "Venue shortlist" in shown(round_screen.query_one("#round-reviews"))
        assert "suggested red" in shown(round_screen.query_one("#round-risk"))
        await pilot.press("r", *"No venue", "enter")
        assert store.get(plan["culture"].id).rag is Rag.RED
        assert store.get(plan["culture"].id).reviews[-1].reason == "No venue"
        assert "2 of 2" in shown(round_screen.query_one("#round-title"))
        await pilot.press("g", "escape")  # Escape at the reason: cancelled, same activity
        assert store.get(plan["als"].id).rag is Rag.UNRATED
        assert "2 of 2" in shown(round_screen.query_one("#round-title"))
        await pilot.press("g", "enter")  # Enter with nothing typed: rated, no reason
        await pilot.pause()
        als = store.get(plan["als"].id)
        assert als.rag is Rag.GREEN and als.reviews[-1].reason == ""
        assert isinstance(app.screen, BoardScreen)  # the round ended after the last
        assert any("2 of 2 rated" in m for m in notifications(app))
        assert selected(app) == "Sport action learning set"


async def test_cards_say_what_is_news_and_review_ages_read_sensibly(app, store, plan):
    store.rate(plan["culture"].id, Rag.RED, "Venue lost", on=date(2011, 6, 3))
    store.rate(plan["academy"].id, Rag.GREEN, "On track", on=date(2013, 10, 24))
    store.rate(plan["seminar"].id, Rag.AMBER, "Speakers", on=TODAY)
    async with app.run_test(size=SIZE) as pilot:
        await open_board(pilot)
        text = on_screen(app)
        lines = text.splitlines()
        # Culture Academy is rated red, and the schedule rule says red: no "red?" on it.
        red_column = [line[: len(line) // 4] for line in lines]
        assert any("Culture Academy" in line for line in red_column)
        assert not any("red?" in line for line in red_column)
        assert any("rev 3 Jun 2011" in line for line in red_column)  # old: its date
        assert "rev 12d ago" in text and "rev today" in text  # recent: days
        assert "5510d" not in text and "d ago" not in " ".join(red_column)
        # The ALS is unrated and the rule says amber or red: that suggestion is news.
        assert "?" in next(line for line in lines if "planned ·" in line)
        info = app.screen.query_one("#board-info").content.plain
        assert "Last review 03 Jun 2011:" in info  # the date once, no "(on ...)" again
