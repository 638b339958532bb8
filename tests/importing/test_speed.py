"""Importing 10,000 rows takes seconds: reading, comparing and re-importing stay linear."""

from __future__ import annotations

import time

from ctstui.importing.importer import apply_merge, merge_file, read_plan

HEAD = "Activity\tDate\tTarget audience\tLink to business plan\tLead officer"
MONTHS = ("May", "June", "July", "October", "January")


def big_table(n: int) -> str:
    rows = [
        f"Sport peer review Town{i} (2 days)\t{1 + i % 28} {MONTHS[i % 5]}\t"
        "Individual council (5)\tgrowth\tSN"
        for i in range(n)
    ]
    rows += ["Sport action learning set (1 day)\tNovember\tSport PHs (5)\tgrowth\tSN"] * (n // 10)
    return "\n".join(["Plan 2013/14", HEAD, *rows]) + "\n"


def test_ten_thousand_rows_read_and_merge_in_seconds():
    text = big_table(10_000)
    started = time.perf_counter()
    parsed = read_plan(text, "big.txt")
    first = merge_file([], parsed)
    again_parsed = read_plan(text, "big.txt")
    again = merge_file(first.added, again_parsed)
    for activity in again_parsed.activities[:10_000]:
        activity.link = "growth2"  # as if the file had changed every row
    changed = merge_file(first.added, again_parsed)
    elapsed = time.perf_counter() - started
    assert len(parsed.rows) == 11_000 and parsed.problems == []
    assert again.counts()["unchanged"] == 11_000 and not again.added
    assert changed.counts()["changed"] == 10_000
    assert elapsed < 40, f"{elapsed:.1f}s"  # about 4 s on an idle core; minutes before


class CountingStore:
    """Stands in for the store: counts transactions and changes (the real store's own
    speed is the store's business)."""

    autosave = False
    dirty = False
    _depth = 0

    def __init__(self) -> None:
        self.transactions = 0
        self.added = 0
        self.meta_values: dict = {}

    def transaction(self, label):
        import contextlib

        self.transactions += 1
        return contextlib.nullcontext()

    def add(self, activity, *, action=""):
        self.added += 1

    def update(self, activity, *, action=""):
        raise AssertionError("nothing to update")

    def set_meta(self, key, value):
        self.meta_values[key] = value

    def meta(self, key, default=None):
        return self.meta_values.get(key, default)

    def today(self):
        raise AssertionError("not needed")


def test_a_whole_import_is_one_transaction_with_progress():
    parsed = read_plan(big_table(2_000), "big.txt")
    store = CountingStore()
    ticks: list[tuple[int, int]] = []
    apply_merge(
        store, merge_file([], parsed), "import", parsed=parsed, progress=lambda *a: ticks.append(a)
    )
    assert store.transactions == 1 and store.added == 2_200
    assert ticks[-1] == (2_200, 2_200) and len(ticks) <= 201  # a bar, not a line per row
