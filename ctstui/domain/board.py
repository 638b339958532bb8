"""The RAG status board: columns of cards, the programme roll-up, review rounds.

Plain Python (no Textual).  The TUI's board screen draws what
:func:`build_board` returns and calls the store to change ratings.

Columns, left to right: Red, Amber, Green, Unrated, and (when turned on)
Done.  An open activity sits in the column of its rating; a completed one
sits in Done when that column is shown and is hidden otherwise; a cancelled
one is never shown.  Cards keep the store's date-window order.

Programme roll-up (the simplest honest model):

- an activity belongs to the programme named in its ``programme`` field;
- a programme's *own* reviewed rating is the rating of its programme record:
  the activity whose title is the programme's name (for example an activity
  titled "Programme 1.2: CSIT Efficiency Challenge" in that programme).  It
  is rated on the board like any card, so it has dated reviews too.  A
  programme without such a record has no own rating;
- the *roll-up* is the worst rating (red > amber > green) of the programme's
  other **open** activities (TBC, planned, confirmed), whatever the board's
  filter: completed work no longer says anything about delivery, cancelled
  work never counts.  With no open activity rated it is "unrated".

The roll-up is only a suggestion shown beside the own rating; nothing here
changes a rating.  Likewise the "at risk" marks come from
:func:`ctstui.domain.model.schedule_risk`, the rule shared with the list and the
calendar.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from ctstui.domain.model import OPEN_STATUSES, Activity, Rag, Status
from ctstui.domain.query import Query

DONE = "done"
RAG_ORDER: tuple[Rag, ...] = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.UNRATED)
"""The rating columns as displayed, left to right (shift+left/right moves along it)."""

COLUMN_TITLES = {
    Rag.RED.value: "Red",
    Rag.AMBER.value: "Amber",
    Rag.GREEN.value: "Green",
    Rag.UNRATED.value: "Unrated",
    DONE: "Done",
}
NO_PROGRAMME = "No programme"


def column_keys(show_done: bool = False) -> tuple[str, ...]:
    """The keys of the columns shown: "red", "amber", "green", "unrated" (, "done")."""
    keys = tuple(r.value for r in RAG_ORDER)
    return (*keys, DONE) if show_done else keys


def column_of(activity: Activity, *, show_done: bool = False) -> str | None:
    """The column an activity's card sits in, or None when it is not shown."""
    if activity.status is Status.CANCELLED:
        return None
    if activity.status is Status.COMPLETED:
        return DONE if show_done else None
    return activity.rag.value


def shift_rating(rating: Rag, step: int) -> Rag:
    """The rating ``step`` columns to the right (negative: left), stopping at the ends.

    Red <-> Amber <-> Green <-> Unrated, as the columns are displayed.
    """
    index = RAG_ORDER.index(rating) + step
    return RAG_ORDER[max(0, min(len(RAG_ORDER) - 1, index))]


def days_since_review(activity: Activity, today: date) -> int | None:
    """Days from the activity's latest RAG review to ``today`` (None: never reviewed)."""
    last = activity.last_review
    return None if last is None else (today - last.on).days


def review_age(days: int | None) -> str:
    """A card's short "days since last review": "never", "today", "12d"."""
    if days is None:
        return "never"
    if days == 0:
        return "today"
    return f"{days}d"


# -- programmes ---------------------------------------------------------------------


@lru_cache(maxsize=4096)
def programme_key(name: str) -> str:
    """How programme names are compared: spacing and case do not matter."""
    return " ".join(name.split()).casefold()


def is_programme_record(activity: Activity) -> bool:
    """True for the activity that carries its programme's own rating (title == programme)."""
    programme = activity.programme
    if not programme or not activity.title or not programme.strip():
        return False
    # Cheap test first: most titles are nothing like their programme's name.
    if activity.title[:1].casefold() != programme.lstrip()[:1].casefold():
        return False
    return programme_key(activity.title) == programme_key(programme)


@dataclass(frozen=True, slots=True)
class Rollup:
    """A programme's roll-up: the worst rating of its open activities, beside its own."""

    programme: str
    counts: dict[Rag, int]  # open activities (not the programme record) by rating
    own: Activity | None = None  # the programme record, if there is one

    @property
    def worst(self) -> Rag:
        rated = [rag for rag, n in self.counts.items() if n and rag is not Rag.UNRATED]
        return max(rated, key=lambda r: r.severity) if rated else Rag.UNRATED

    @property
    def open_count(self) -> int:
        return sum(self.counts.values())

    @property
    def own_rating(self) -> Rag | None:
        return self.own.rag if self.own is not None else None

    @property
    def differs(self) -> bool:
        """The own rating is better than the roll-up suggests (worth a look)."""
        own = self.own_rating
        return own is not None and self.worst.severity > own.severity

    def describe(self) -> str:
        """ "worst of 3 open: amber (1 amber, 2 green)" """
        if not self.open_count:
            return "no open activities"
        parts = [f"{self.counts[r]} {r.value}" for r in RAG_ORDER if self.counts.get(r)]
        return f"worst of {self.open_count} open: {self.worst.value} ({', '.join(parts)})"


def rollups(activities: Iterable[Activity]) -> dict[str, Rollup]:
    """Every programme's roll-up, keyed by :func:`programme_key` (all activities count,
    whatever a filter shows)."""
    names: dict[str, str] = {}
    counts: dict[str, dict[Rag, int]] = {}
    owns: dict[str, Activity] = {}
    for activity in activities:
        if not activity.programme:
            continue
        key = programme_key(activity.programme)
        if not key:
            continue
        tally = counts.get(key)
        if tally is None:
            tally = counts[key] = dict.fromkeys(RAG_ORDER, 0)
            names[key] = activity.programme.strip()
        if is_programme_record(activity):
            if activity.status is not Status.CANCELLED and key not in owns:
                owns[key] = activity
            continue
        if activity.status in OPEN_STATUSES:
            tally[activity.rag] += 1
    return {key: Rollup(names[key], counts[key], owns.get(key)) for key in names}


# -- the board ------------------------------------------------------------------------


@dataclass(slots=True)
class Lane:
    """A band of the board: every card (ungrouped), or one programme's cards."""

    title: str | None  # None: the board is not grouped
    columns: dict[str, list[Activity]]
    rollup: Rollup | None = None

    @property
    def depth(self) -> int:
        """Cards in the lane's longest column."""
        return max((len(cards) for cards in self.columns.values()), default=0)


@dataclass(slots=True)
class Board:
    keys: tuple[str, ...]
    lanes: list[Lane]
    grouped: bool = False
    counts: dict[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return sum(self.counts.values())

    def cards(self, key: str) -> list[Activity]:
        """A column's cards, lane after lane."""
        return [a for lane in self.lanes for a in lane.columns.get(key, [])]

    def locate(self, activity_id: str) -> tuple[int, str, int] | None:
        """(lane, column key, index) of an activity's card, or None when not shown."""
        for lane_index, lane in enumerate(self.lanes):
            for key, cards in lane.columns.items():
                for index, activity in enumerate(cards):
                    if activity.id == activity_id:
                        return lane_index, key, index
        return None

    def activities(self) -> list[Activity]:
        """Every card, lane by lane, in date-window order within a lane."""
        out: list[Activity] = []
        for lane in self.lanes:
            cards = [a for key in self.keys for a in lane.columns.get(key, [])]
            out.extend(sorted(cards, key=lambda a: a.sort_key))
        return out


def build_board(
    activities: Iterable[Activity],
    *,
    query: Query | None = None,
    show_done: bool = False,
    by_programme: bool = False,
) -> Board:
    """The board of ``activities`` (in date-window order, as the store gives them).

    ``query`` filters the cards (the list's filter language); ``show_done`` adds
    the Done column; ``by_programme`` makes one lane per programme (by name,
    "No programme" last), each with its :class:`Rollup`.
    """
    everything = activities if isinstance(activities, list) else list(activities)
    shown = query.filter(everything) if query else everything
    keys = column_keys(show_done)
    counts = dict.fromkeys(keys, 0)
    if not by_programme:
        columns: dict[str, list[Activity]] = {key: [] for key in keys}
        for activity in shown:
            key = column_of(activity, show_done=show_done)
            if key is not None:
                columns[key].append(activity)
        for key in keys:
            counts[key] = len(columns[key])
        return Board(keys, [Lane(None, columns)], False, counts)

    lanes: dict[str, Lane] = {}
    for activity in shown:
        key = column_of(activity, show_done=show_done)
        if key is None:
            continue
        lane_key = programme_key(activity.programme)
        lane = lanes.get(lane_key)
        if lane is None:
            title = activity.programme.strip() or NO_PROGRAMME
            lane = lanes[lane_key] = Lane(title, {k: [] for k in keys})
        lane.columns[key].append(activity)
        counts[key] += 1
    summary = rollups(everything)
    for lane_key, lane in lanes.items():
        lane.rollup = summary.get(lane_key)
    ordered = sorted(lanes.items(), key=lambda item: (item[0] == "", item[0]))
    return Board(keys, [lane for _, lane in ordered], True, counts)


def review_round(board: Board) -> list[Activity]:
    """The activities a review round walks through: every open card on the board
    (so the board's filter narrows the round), lane by lane, in date-window order."""
    return [a for a in board.activities() if a.status in OPEN_STATUSES]
