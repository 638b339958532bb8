"""Build the bundled sample plan (``data/sample_plan.json``) from the seed documents.

Plain Python.  Run ``python -m tools.build_sample`` to regenerate it.  Everything
in it comes from importing the seed papers with ctstui's own importer:

- the 2013/14 CTS improvement plan: the earlier version of the table (seed 001)
  and then the later one (seed 000), so that activities carry the history of
  the re-import;
- the 2011-12 work programme (seed 002: priorities, programmes, activities with
  outcomes, targets and timescales, leads and progress) and programme plan
  (seed 003: outcome indicators, projects, outputs, timescales; its review
  columns are empty, so it brings no reviews);
- the 2019/20 board paper (seed 004): its events and commissioned peer
  challenges as transcribed in ``seeds/004_events.tsv`` (dates as the paper
  writes them), and its funder contracts entered as data in
  ``seeds/004_contracts.json``.

The seeds hold no RAG ratings, so the board would be empty: a few reviews are
added for the demo, each marked ``demo: true`` and worded "Demo review (not
from the seed papers)" so that the app shows them for what they are.

The clock is fixed, so regenerating gives the same file.
"""

from __future__ import annotations

import contextlib
import json
import random
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

from ctstui.domain.model import FunderContract, Rag, RagReview
from ctstui.store.activity_store import ActivityStore

WHO = "sample"

# (seed file, plan year when its title names none, import moment)
IMPORTS = (
    ("001_6b95ad6dee0cc536.txt", "2013/14", datetime(2013, 6, 3, 9, 0)),
    ("000_ebe94f5f5048f06a.txt", None, datetime(2013, 11, 4, 9, 0)),
    ("002_94f3107632c8630d.txt", None, datetime(2011, 11, 1, 9, 0)),
    ("003_58eb9bdd8435fbd9.txt", "2011/12", datetime(2011, 11, 1, 9, 30)),
    ("004_events.tsv", None, datetime(2020, 1, 20, 9, 0)),
)
CONTRACTS = "004_contracts.json"

DEMO = "Demo review (not from the seed papers): "
# Demo reviews: (activity title starts with, review date, rating, reason)
DEMO_REVIEWS = (
    ("Offer support for shared service", date(2011, 10, 31), Rag.GREEN,
     "3 Improvement Managers have undertaken Shared Service training (its progress note)"),
    ("Help drive improvement through peer-led", date(2011, 10, 31), Rag.AMBER,
     "the target of 20 organisations by end April 11 is not reported as met"),
    ("Maintain and develop Culture First website", date(2011, 10, 31), Rag.GREEN,
     "March e-bulletin sent 18/3 (its progress note)"),
    ("Develop a programme of local events", date(2011, 10, 31), Rag.AMBER,
     "no progress recorded against 5 sub-regional events"),
    ("Launch of Knowledge Hub", date(2011, 10, 31), Rag.RED,
     "launch due Sept 2011, not reported as done"),
)  # fmt: skip


class FixedClock:
    """A clock that the builder moves forward by hand (reproducible timestamps)."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        self.now = moment


def seed_bytes(name: str) -> bytes:
    return resources.files("ctstui.data").joinpath("seeds", name).read_bytes()


def seed_text(name: str) -> str:
    return seed_bytes(name).decode("utf-8")


def contracts() -> list[FunderContract]:
    data = json.loads(seed_text(CONTRACTS))
    return [FunderContract.from_dict(c, f"{CONTRACTS} contract") for c in data["contracts"]]


def build_sample(path: Path) -> ActivityStore:
    """Write a fresh sample plan at ``path`` (which must not exist yet)."""
    from ctstui.importing.importer import apply_merge, merge_file, read_document

    path = Path(path)
    if path.exists():
        raise FileExistsError(f"{path} exists; remove it first")
    clock = FixedClock(datetime(2013, 6, 3, 9, 0, tzinfo=UTC))
    store = ActivityStore(path, who=WHO, clock=clock)
    with store.transaction("sample plan"):
        for name, plan_year, moment in IMPORTS:
            clock.set(moment.replace(tzinfo=UTC))
            parsed = read_document(seed_bytes(name), name, plan_year)
            merge = merge_file(store.activities(), parsed, today=clock().date())
            apply_merge(store, merge, f"import {name}", parsed=parsed)
        clock.set(datetime(2011, 11, 1, 12, 0, tzinfo=UTC))
        for start, on, rating, reason in DEMO_REVIEWS:
            [activity] = [a for a in store.activities() if a.title.startswith(start)]
            review = RagReview(on, rating, DEMO + reason, by="demo", previous=activity.rag,
                               demo=True)  # fmt: skip
            store.update(
                activity.copy(rag=rating, reviews=[*activity.reviews, review]),
                action="demo review",
            )
    store.set_meta("plan_year", "2013/14")  # the plan the demo opens on
    for contract in contracts():
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
