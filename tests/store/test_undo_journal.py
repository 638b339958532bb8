"""``ctstui undo``: the plan keeps a journal of its last changes, so any process can
undo the last change, whoever made it, with the undo recorded in the history."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ctstui.cli.main import main
from ctstui.domain.model import Activity, Status
from ctstui.store.activity_store import ActivityStore
from ctstui.store.undo import JOURNAL, JOURNAL_STEPS, NothingToUndo, UndoConflict


def by_title(store: ActivityStore, title: str) -> Activity:
    return next(a for a in store.activities() if a.title == title)


def titles(path: Path) -> list[str]:
    return sorted(a.title for a in ActivityStore(path).activities())


def journal(path: Path) -> list[dict]:
    data = json.loads(path.read_text("utf-8"))
    return [data[JOURNAL][k] for k in sorted(data.get(JOURNAL, {}), key=int)]


def test_undo_command_undoes_the_planners_last_change(tmp_path, capsys):
    path = tmp_path / "plan.json"
    ActivityStore(path, who="script").add(Activity("Academy", place="Leeds"))
    planner = ActivityStore(path, who="alice", autosave=False)
    academy = by_title(planner, "Academy")
    planner.update(academy.copy(place="York"), action="edit place")
    planner.save()
    assert main(["undo", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "undid “edit place” (by alice" in out and "“Academy”" in out
    after = ActivityStore(path).get(academy.id)
    assert after.place == "Leeds"
    last = after.history[-1]
    assert last.action == "undo edit place" and last.changes == {"place": ["York", "Leeds"]}
    assert [h.action for h in after.history] == ["add", "edit place", "undo edit place"]
    assert after.revision == 3
    # Again: the step before (the script's add) is undone: the activity goes.
    assert main(["undo", "--db", str(path)]) == 0
    assert titles(path) == []
    assert [t.id for t in ActivityStore(path).tombstones()] == [academy.id]
    assert main(["undo", "--db", str(path)]) == 1
    assert "there is no change to undo" in capsys.readouterr().err


def test_undo_of_a_delete_and_of_an_import_by_a_command(tmp_path):
    path = tmp_path / "plan.json"
    store = ActivityStore(path)
    kept = store.add(Activity("Kept", status=Status.CONFIRMED))
    with store.transaction("import"):
        for n in range(3):
            store.add(Activity(f"Row {n}"))
    store.delete(kept.id)
    command = ActivityStore(path)
    assert command.undo_last_change().label == "delete"
    restored = ActivityStore(path).get(kept.id)
    assert restored.status is Status.CONFIRMED and restored.history[-1].action == "undo delete"
    assert ActivityStore(path).tombstones() == []
    assert ActivityStore(path).undo_last_change().label == "import"
    assert titles(path) == ["Kept"]


def test_undo_is_refused_when_the_activity_changed_since(tmp_path):
    path = tmp_path / "plan.json"
    store = ActivityStore(path, who="alice")
    first = store.add(Activity("Academy"))
    store.update(first.copy(place="York"))  # the step to undo ...
    # ... but another program changed the activity since, outside ctstui.
    data = json.loads(path.read_text("utf-8"))
    record = next(r for r in data["activities"].values() if r["id"] == first.id)
    record["place"] = "Hull"
    path.write_text(json.dumps(data), encoding="utf-8")
    before = path.read_bytes()
    with pytest.raises(UndoConflict, match="“Academy” has been changed since; nothing"):
        ActivityStore(path).undo_last_change()
    assert path.read_bytes() == before
    assert ActivityStore(path).get(first.id).place == "Hull"


def test_the_planners_own_undo_marks_the_journal(tmp_path):
    path = tmp_path / "plan.json"
    planner = ActivityStore(path, autosave=False)
    planner.add(Activity("One"))
    planner.add(Activity("Two"))
    assert planner.undo() == "add"  # Two goes, in the planner
    planner.save()
    assert [r["undone"] for r in journal(path)] == [False, True]
    ActivityStore(path).undo_last_change()  # so the command undoes One, not Two again
    assert titles(path) == []
    planner.reload()
    assert planner.activities() == []


def test_the_journal_keeps_the_last_steps_only(tmp_path):
    path = tmp_path / "plan.json"
    store = ActivityStore(path)
    for n in range(JOURNAL_STEPS + 5):
        store.add(Activity(f"n{n}"))
    steps = journal(path)
    assert len(steps) == JOURNAL_STEPS
    assert steps[0]["added"] == by_title(store, "n5").id


def test_nothing_to_undo_in_a_plan_without_a_journal(tmp_path):
    path = tmp_path / "plan.json"
    with pytest.raises(NothingToUndo):
        ActivityStore(path).undo_last_change()


def test_a_step_that_adds_then_edits_one_activity_undoes_whole(tmp_path):
    path = tmp_path / "plan.json"
    store = ActivityStore(path)
    store.add(Activity("Kept"))
    with store.transaction("import"):
        new = store.add(Activity("New"))
        store.update(new.copy(place="Leeds"))
        kept = by_title(store, "Kept")
        store.update(kept.copy(place="York"))
        store.update(by_title(store, "Kept").copy(place="Hull"))
    ActivityStore(path).undo_last_change()
    after = ActivityStore(path)
    assert titles(path) == ["Kept"] and by_title(after, "Kept").place == ""
