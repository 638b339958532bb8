"""Deleted activities leave a tombstone in the plan, so any process can send their cancellation."""

from __future__ import annotations

from tinydb import TinyDB

from ctstui.domain.model import Status
from ctstui.store.activity_store import ActivityStore


def test_a_deleted_activity_is_kept_as_it_last_was_with_when(store, make_activity, plan_path):
    kept = store.add(make_activity("Sport peer review Derby", status=Status.CONFIRMED))
    store.delete(kept.id)
    assert kept.id not in store
    (grave,) = store.tombstones()
    assert grave.id == kept.id
    assert grave.activity.title == "Sport peer review Derby"
    assert grave.activity.status is Status.CONFIRMED
    assert grave.deleted == store.now()
    # Another process reading the file sees the same tombstone.
    again = ActivityStore(plan_path)
    assert [t.id for t in again.tombstones()] == [kept.id]
    assert again.tombstones()[0].deleted == grave.deleted
    assert kept.id not in again


def test_undo_of_a_delete_takes_the_tombstone_away_and_redo_puts_it_back(store, make_activity):
    kept = store.add(make_activity("Culture leadership seminar"))
    store.delete(kept.id)
    store.undo()
    assert kept.id in store
    assert store.tombstones() == []
    store.redo()
    assert [t.id for t in store.tombstones()] == [kept.id]


def test_tombstones_live_in_their_own_table_that_tinydb_reads(store, make_activity, plan_path):
    kept = store.add(make_activity("Tourism action learning set"))
    store.delete(kept.id)
    store.save()
    with TinyDB(plan_path) as db:
        docs = db.table("tombstones").all()
    assert [d["id"] for d in docs] == [kept.id]
    assert docs[0]["activity"]["title"] == "Tourism action learning set"


def test_a_delete_by_another_program_is_merged_with_its_tombstone(
    plan_path, fixed_clock, make_activity
):
    mine = ActivityStore(plan_path, clock=fixed_clock, autosave=False)
    a = mine.add(make_activity("Heritage seminar"))
    b = mine.add(make_activity("Library peer challenge"))
    mine.save()
    theirs = ActivityStore(plan_path, clock=fixed_clock)
    theirs.delete(a.id)
    mine.update(mine.get(b.id).copy(notes="agenda sent"))
    assert mine.reload_and_reapply() == 1
    assert a.id not in mine
    assert [t.id for t in mine.tombstones()] == [a.id]
    mine.save()
    assert [t.id for t in ActivityStore(plan_path).tombstones()] == [a.id]


def test_undo_of_an_add_leaves_no_tombstone(store, make_activity):
    added = store.add(make_activity("Arts council seminar"))
    store.undo()
    assert added.id not in store
    assert store.tombstones() == []


def test_an_undone_add_redone_survives_a_reload_and_reapply(plan_path, fixed_clock, make_activity):
    """Found by the fuzz state machine: the redo puts the activity under a new document
    id, and the merge took its removal under the old id for a change of ours."""
    store = ActivityStore(plan_path, clock=fixed_clock, autosave=False)
    added = store.add(make_activity("Museums peer review"))
    store.save()
    store.undo()
    store.redo()
    assert store.reload_and_reapply() == 0  # nothing of ours differs from the file
    assert [a.id for a in store.activities()] == [added.id]
    store.save()
    assert [a.id for a in ActivityStore(plan_path).activities()] == [added.id]
