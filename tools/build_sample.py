"""Build the bundled sample plan (``data/sample_plan.json``) from the seed documents.

Plain Python.  Run ``python -m tools.build_sample`` to regenerate it.  It holds:

- the 2013/14 CTS improvement plan, imported with ctstui's own importer from
  the earlier version of the table (seed 001) and then the later one (seed
  000), so that activities carry the history of the re-import;
- the 2019/20 activities and the two funder contracts of the board paper
  (seed 004);
- programme activities of the 2011-12 work programme and programme plan
  (seeds 002/003) with illustrative RAG reviews whose reasons are the
  progress comments of seed 002, so that the board is meaningful.

The clock is fixed, so regenerating gives the same file.
"""

from __future__ import annotations

import contextlib
import random
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

from ctstui.domain.dates import DateSpec, PlanYear, split_date_cell
from ctstui.domain.model import (
    Activity,
    FunderContract,
    Kind,
    Rag,
    RagReview,
    Status,
    Target,
    Theme,
)
from ctstui.store.activity_store import ActivityStore

SEEDS = ("001_6b95ad6dee0cc536.txt", "000_ebe94f5f5048f06a.txt")
WHO = "sample"


class FixedClock:
    """A clock that the builder moves forward by hand (reproducible timestamps)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment


def seed_text(name: str) -> str:
    return resources.files("ctstui.data").joinpath("seeds", name).read_text(encoding="utf-8")


# -- seed 004: the 2019/20 board paper ---------------------------------------------------

PY_2019 = PlanYear(2019)
ACE = "Arts Council England"
SPORT_ENGLAND = "Sport England"

# (title, kind, theme, place, days, date cell, audience, funder, programme)
ACTIVITIES_2019 = [
    (
        "Library peer challenge Kingston upon Thames",
        Kind.PEER_CHALLENGE,
        Theme.LIBRARIES,
        "Kingston upon Thames",
        2,
        "14th and 15th January - completed",
        "Individual council",
        ACE,
        "Library and Cultural Peer Challenges",
    ),
    *[
        (
            "Library peer challenge",
            Kind.PEER_CHALLENGE,
            Theme.LIBRARIES,
            "",
            2,
            cell,
            "Individual council",
            ACE,
            "Library and Cultural Peer Challenges",
        )
        for cell in (
            "February",
            "February",
            "March",
            "March",
            "By 31st March 2020 TBC",
            "By 31st March 2020 TBC",
        )
    ],
    *[
        (
            "Culture peer challenge",
            Kind.PEER_CHALLENGE,
            Theme.CULTURE,
            "",
            2,
            cell,
            "Individual council",
            ACE,
            "Library and Cultural Peer Challenges",
        )
        for cell in ("March", "By 31st March 2020 TBC")
    ],
    (
        "Leadership Essentials Sport and Physical Activity for councillors",
        Kind.LEADERSHIP_ESSENTIALS,
        Theme.SPORT,
        "",
        2,
        "7th and 8th November - completed",
        "Councillors (PHs)",
        SPORT_ENGLAND,
        "Leadership Essentials",
    ),
    (
        "Leadership Essentials Sport and Physical Activity for officers",
        Kind.LEADERSHIP_ESSENTIALS,
        Theme.SPORT,
        "",
        3,
        "4th – 6th December 2019 - completed",
        "Senior strategic officers",
        SPORT_ENGLAND,
        "Leadership Essentials",
    ),
    (
        "Leadership Essentials: Culture for councillors",
        Kind.LEADERSHIP_ESSENTIALS,
        Theme.CULTURE,
        "",
        2,
        "9th and 10th November 2019 - completed",
        "Cultural PHs",
        ACE,
        "Leadership Essentials",
    ),
    (
        "Leadership Essentials Sport and Physical Activity for officers (additional)",
        Kind.LEADERSHIP_ESSENTIALS,
        Theme.SPORT,
        "",
        3,
        "March 2020 TBC",
        "Senior strategic officers",
        SPORT_ENGLAND,
        "Leadership Essentials",
    ),
    (
        "Deep dive: understanding local systems",
        Kind.DEEP_DIVE,
        Theme.SPORT,
        "",
        2,
        "October - completed",
        "Senior strategic officers",
        SPORT_ENGLAND,
        "Deep Dive Events",
    ),
    (
        "Deep dive: public narrative",
        Kind.DEEP_DIVE,
        Theme.SPORT,
        "",
        2,
        "17th - 18th November - completed",
        "Senior strategic officers",
        SPORT_ENGLAND,
        "Deep Dive Events",
    ),
    (
        "Deep dive: engaging communities",
        Kind.DEEP_DIVE,
        Theme.SPORT,
        "Hackney",
        2,
        "9th-10th December - completed",
        "Senior strategic officers",
        SPORT_ENGLAND,
        "Deep Dive Events",
    ),
    (
        "Deep dive: engaging communities (additional)",
        Kind.DEEP_DIVE,
        Theme.SPORT,
        "",
        2,
        "end of February",
        "Senior strategic officers",
        SPORT_ENGLAND,
        "Deep Dive Events",
    ),
]

CONTRACTS = [
    FunderContract(
        id="c0ace000-0000-4000-8000-000000002019",
        funder=ACE,
        start=date(2019, 4, 1),
        end=date(2020, 3, 31),
        targets=[
            Target("Culture peer challenges", 'kind:"peer challenge" theme:culture', 3),
            Target("Library peer challenges", 'kind:"peer challenge" theme:libraries', 7),
        ],
        notes="One-year grant contract: Leadership Essentials for cultural portfolio holders "
        "and peer challenges for culture and library services.",
    ),
    FunderContract(
        id="c05e0000-0000-4000-8000-000000002020",
        funder=SPORT_ENGLAND,
        start=date(2020, 4, 1),
        end=date(2021, 3, 31),
        targets=[
            Target(
                "Leadership essentials events for councillors",
                'kind:"leadership essentials" theme:sport audience:councillor',
                3,
            ),
            Target(
                "Leadership events for senior strategic officers",
                'kind:"leadership essentials" theme:sport audience:officer',
                6,
            ),
            Target("Deep dive events for senior strategic officers", 'kind:"deep dive"', 5),
        ],
        notes="Proposed one-year continuation (April 2020 - March 2021).",
    ),
]

# -- seeds 002/003: programmes with dated RAG reviews ----------------------------------------

PY_2011 = PlanYear(2011)
# (title, programme, date text, lead, [(review date, rating, reason)])
PROGRAMME_ACTIVITIES = [
    (
        "Shared Service Architects training for improvement managers",
        "Programme 1.1: Support organisations embarking on shared service/collaborative working",
        "April 11- March 12",
        "Culture First team",
        [
            (date(2011, 3, 31), Rag.AMBER, "Training booked; bid submitted to Improvement East"),
            (
                date(2011, 10, 31),
                Rag.GREEN,
                "3 Improvement Managers have undertaken Shared Service training in Highway code, "
                "Toolbox & Business Case",
            ),
        ],
    ),
    (
        "CSIT efficiency benchmark peer-led challenge training",
        "Programme 1.2: CSIT Efficiency Challenge",
        "May 11",
        "Culture First Manager",
        [(date(2011, 10, 31), Rag.GREEN, "Workshop sessions attended by 30 delegates")],
    ),
    (
        "Annual survey of network users on improvement activity",
        "Programme 1.2: CSIT Efficiency Challenge",
        "Jan 12",
        "Improvement Managers",
        [
            (
                date(2011, 10, 31),
                Rag.AMBER,
                "Survey not yet designed; baseline of 48% sector-led improvement activity to beat",
            )
        ],
    ),
    (
        "Culture First e-bulletins and case studies",
        "Programme 2.1: Maintain effective communications across the network",
        "March 11- March 12",
        "Culture First Manager",
        [
            (
                date(2011, 3, 31),
                Rag.GREEN,
                "March e-bulletin sent 18/3; low cost delivery models added",
            )
        ],
    ),
    (
        "Officers/Councillors regional event",
        "Programme 2.1: Provide an events programme in response to sector needs",
        "November 11",
        "Culture First team",
        [(date(2011, 10, 31), Rag.AMBER, "Events/training priorities still to be developed")],
    ),
    (
        "Culture and Leisure portfolio holder network launch",
        "Programme 3.2: Support portfolio holders for culture and sport",
        "June 11",
        "Network Director",
        [(date(2011, 10, 31), Rag.GREEN, "4 briefing notes produced")],
    ),
    (
        "Intelligence for sustainable culture workshops (Cambs)",
        "Priority 4: Demonstrate the impact of culture and sport",
        "June – Aug 11",
        "Improvement Managers",
        [
            (
                date(2011, 10, 31),
                Rag.AMBER,
                "Physical assets database (CASE model) established for Cambs; cross-referencing with "
                "MOSAIC population data still under way",
            )
        ],
    ),
    (
        "Outcomes Framework training (Luton/Beds)",
        "Priority 4: Demonstrate the impact of culture and sport",
        "May 11",
        "Improvement Managers",
        [
            (
                date(2011, 10, 31),
                Rag.GREEN,
                "Training attended by 16 delegates; focus on the Economy theme",
            )
        ],
    ),
    (
        "Knowledge Hub launch",
        "Peer Support – Peer Challenges",
        "Sept 2011",
        "LG Group",
        [(date(2011, 10, 31), Rag.RED, "Launch slipped past September; no new date agreed")],
    ),
    (
        "Leadership Academy: at least 8 main programmes",
        "Peer Support – Peer Challenges",
        "by March 2012",
        "LG Group",
        [],
    ),
]


def _activity_2019(row) -> Activity:
    title, kind, theme, place, days, cell, audience, funder, programme = row
    text, status_word = split_date_cell(cell)
    status = {"completed": Status.COMPLETED, "confirmed": Status.CONFIRMED, "tbc": Status.TBC}
    return Activity(
        title=title,
        kind=kind,
        theme=theme,
        place=place,
        days=float(days),
        when=DateSpec.parse(text, PY_2019),
        status=status.get(status_word or "", Status.PLANNED),
        audience=audience,
        funder=funder,
        programme=programme,
        leads=["NH"],
    )


def programme_activities() -> Iterator[tuple[Activity, list[RagReview]]]:
    for title, programme, when, lead, reviews in PROGRAMME_ACTIVITIES:
        spec = DateSpec.parse(when, PY_2011)
        # Done only when its window has passed and the last review was green.
        ended = spec.end is not None and spec.end < date(2011, 11, 1)
        ended = ended and bool(reviews) and reviews[-1][1] is Rag.GREEN
        activity = Activity(
            title=title,
            kind=Kind.OTHER,
            theme=Theme.CULTURE,
            when=spec,
            status=Status.COMPLETED if ended else Status.PLANNED,
            programme=programme,
            leads=[lead],
            notes="From the Culture First work programme 2011-12 (illustrative reviews).",
        )
        previous = Rag.UNRATED
        ratings = []
        for on, rating, reason in reviews:
            ratings.append(RagReview(on, rating, reason, by=WHO, previous=previous))
            previous = rating
        yield activity, ratings


def build_sample(path: Path) -> ActivityStore:
    """Write a fresh sample plan at ``path`` (which must not exist yet)."""
    from ctstui.importing.importer import apply_merge, merge_file, read_plan

    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} exists; remove it first")
    clock = FixedClock(datetime(2013, 6, 3, 9, 0, tzinfo=UTC))
    store = ActivityStore(path, who=WHO, clock=clock)
    with store.transaction("sample plan"):
        for name, moment in zip(
            SEEDS, (datetime(2013, 6, 3, 9, 0), datetime(2013, 11, 4, 9, 0)), strict=True
        ):
            clock.set(moment.replace(tzinfo=UTC))
            parsed = read_plan(seed_text(name), name, plan_year="2013/14")
            merge = merge_file(store.activities(), parsed, today=clock().date())
            apply_merge(store, merge, f"import {name}", parsed=parsed)
        clock.set(datetime(2020, 1, 20, 9, 0, tzinfo=UTC))
        for row in ACTIVITIES_2019:
            store.add(_activity_2019(row), action="add (board paper, Jan 2020)")
        clock.set(datetime(2011, 11, 1, 9, 0, tzinfo=UTC))
        for activity, reviews in programme_activities():
            added = store.add(activity, action="add (work programme 2011-12)")
            if reviews:
                store.update(
                    added.copy(rag=reviews[-1].rating, reviews=reviews), action="RAG reviews"
                )
    for contract in CONTRACTS:
        store.save_contract(contract)
    store.save()
    return store


@contextlib.contextmanager
def deterministic_ids(seed: int = 2013) -> Iterator[None]:
    """Make new activity ids repeatable, so a rebuilt sample is the same file."""
    rng = random.Random(seed)
    real = uuid.uuid4
    uuid.uuid4 = lambda: uuid.UUID(int=rng.getrandbits(128), version=4)  # type: ignore[assignment]
    try:
        yield
    finally:
        uuid.uuid4 = real  # type: ignore[assignment]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    target = (
        Path(args[0]) if args else Path(__file__).resolve().parents[1] / "data" / "sample_plan.json"
    )
    if target.exists():
        target.unlink()
    with deterministic_ids():
        store = build_sample(target)
    for leftover in (".bak", ".lock"):  # the store's backup and lock are not package data
        target.with_name(target.name + leftover).unlink(missing_ok=True)
    print(f"wrote {target}: {len(store)} activities, {len(store.contracts())} contracts")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
