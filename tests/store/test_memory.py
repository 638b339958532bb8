"""The store keeps one line per record in memory: each at its own size, not orjson's buffer."""

from __future__ import annotations

import tracemalloc

import orjson

from ctstui.domain.model import Activity
from ctstui.store import activity_store as store_module
from ctstui.store import storage as storage_module
from ctstui.store.activity_store import ActivityStore


def _line_memory(run) -> tuple[int, int]:
    """(bytes allocated and kept by the storage module and where records are serialised,
    total length of the lines the store keeps)."""
    tracemalloc.start()
    try:
        store = run()
        snapshot = tracemalloc.take_snapshot().filter_traces(
            [
                tracemalloc.Filter(True, storage_module.__file__),
                tracemalloc.Filter(True, store_module.__file__),
            ]
        )
    finally:
        tracemalloc.stop()
    kept = sum(stat.size for stat in snapshot.statistics("filename"))
    length = sum(len(line) for _, line in store.storage.lines("activities"))
    return kept, length


def test_lines_kept_from_a_whole_json_plan_are_their_own_size(plan_path):
    # A plan written as one JSON document (not our one-record-per-line layout).
    records = {str(n): Activity(title=f"Peer review {n}").to_dict() for n in range(1, 301)}
    meta = {"1": {"app": "ctstui", "schema": 1}}
    plan_path.write_bytes(orjson.dumps({"_meta": meta, "activities": records}))
    kept, length = _line_memory(lambda: ActivityStore(plan_path, autosave=False))
    # orjson's own bytes carry an ~8 KB buffer each: 300 of them would be ~2.4 MB.
    assert kept < 2 * length + 200_000, (kept, length)


def test_lines_of_added_activities_are_their_own_size(plan_path, fixed_clock):
    def add_many() -> ActivityStore:
        store = ActivityStore(plan_path, clock=fixed_clock, autosave=False)
        with store.transaction("import"):
            for n in range(300):
                store.add(Activity(title=f"Peer review {n}"))
        return store

    kept, length = _line_memory(add_many)
    assert kept < 3 * length + 200_000, (kept, length)
