"""The undo journal kept in the plan file, so any process can undo the last change.

Every change step (one edit, one import) is recorded in the ``_undo`` table:
its label, who made it and when, and for each activity it touched, the record
before the step (None: the step added it) and a digest of its content after
the step (None: the step deleted it).  The last :data:`JOURNAL_STEPS` steps
are kept.  ``ctstui undo`` (:func:`undo_last`) undoes the newest step not yet
undone, whichever process made it; the planner's own undo marks the steps it
undoes, so the two never undo one step twice.

The "after" digest leaves out the history, revision and update stamp: an
activity whose fields are as the step left them can be undone even if a later
undo added a line to its history.  If anything else changed since (another
edit, by anyone), the undo is refused, naming the activity, rather than
writing over that change.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import orjson

from ctstui.domain.model import Activity, HistoryEntry, iso_utc
from ctstui.domain.text import clip, printable
from ctstui.store.errors import StoreError

if TYPE_CHECKING:
    from ctstui.store.activity_store import ActivityStore, UndoStep


JOURNAL = "_undo"
JOURNAL_STEPS = 50
# Not part of what a step changed: an undo adds to these itself.
_BOOKKEEPING = ("history", "revision", "updated")


class NothingToUndo(StoreError):
    """The journal holds no step that is not undone yet."""


class UndoConflict(StoreError):
    """Something changed an activity since the step to undo; nothing was changed."""


def content_digest(doc: dict | None) -> str | None:
    """What an activity's fields are (not its history), as a short digest."""
    if doc is None:
        return None
    content = {k: v for k, v in doc.items() if k not in _BOOKKEEPING}
    return hashlib.blake2b(orjson.dumps(content), digest_size=16).hexdigest()


def journal_record(step: UndoStep, who: str) -> dict:
    # When: the stamp the step put on its records (the store's clock), not a
    # fresh reading of that clock.
    stamps = [c.after.get("updated") for c in step.changes if c.after]
    at = next((s for s in reversed(stamps) if isinstance(s, str)), iso_utc(datetime.now(UTC)))
    # Per activity, what it was before the step's first change and after its last.
    net: dict[str, tuple[dict | None, dict | None]] = {}
    for c in step.changes:
        first = net[c.activity_id][0] if c.activity_id in net else c.before
        net[c.activity_id] = (first, c.after)
    # Activities the step added are listed compactly (an import adds thousands):
    # their ids in one string, the digests of their contents in another.
    added = [(i, after) for i, (before, after) in net.items() if before is None and after]
    return {
        "id": uuid.uuid4().hex,
        "label": step.label,
        "by": who,
        "at": at,
        "undone": False,
        "changes": [
            {"id": ident, "before": before, "after": content_digest(after)}
            for ident, (before, after) in net.items()
            if not (before is None and after)
        ],
        "added": " ".join(ident for ident, _ in added),
        "added_after": "".join(content_digest(after) or "" for _, after in added),
    }


def _changes(record: dict) -> list[dict]:
    """A journal record's changes: one per activity (its state before the step,
    and a digest of its content after it)."""
    ids = str(record.get("added") or "").split()
    digests = str(record.get("added_after") or "")
    width = 32
    added = [
        {"id": ident, "before": None, "after": digests[n * width : (n + 1) * width]}
        for n, ident in enumerate(ids)
    ]
    return added + list(record.get("changes") or [])


@dataclass(frozen=True)
class Undone:
    """What :func:`undo_last` did."""

    label: str
    by: str
    at: str
    titles: tuple[str, ...]

    def describe(self) -> str:
        shown = ", ".join(f"“{printable(clip(t, 50))}”" for t in self.titles[:3])
        more = len(self.titles) - 3
        return (
            f"undid “{printable(self.label)}” (by {printable(self.by)}, {self.at}): "
            + shown
            + (f" and {more} more" if more > 0 else "")
        )


def newest_step(store: ActivityStore) -> tuple[str, dict] | None:
    """The journal's newest step not yet undone: (its document id, the record)."""
    found: tuple[str, dict] | None = None
    for key, line in store.storage.lines(JOURNAL):
        record = orjson.loads(line)
        newer = found is None or int(key) > int(found[0])
        if isinstance(record, dict) and not record.get("undone") and newer:
            found = (key, record)
    return found


def undo_last(store: ActivityStore) -> Undone:
    """Undo the newest change recorded in the plan, by whichever process made it.

    The undo is itself a change: each activity's history records it (who,
    when, which step was undone and what it changed back) and it is saved as
    any change is.  Raises :class:`NothingToUndo`, or :class:`UndoConflict`
    (nothing changed) when an activity was changed since the step.
    """
    newest = newest_step(store)
    if newest is None:
        raise NothingToUndo(f"{store.path}: there is no change to undo")
    key, record = newest
    changes = _changes(record)
    label = str(record.get("label", ""))
    for change in changes:
        ident = str(change.get("id"))
        current = store._items.get(ident)
        now = content_digest(current.to_dict() if current is not None else None)
        if now != change.get("after"):
            before = change.get("before") or {}
            title = current.title if current is not None else str(before.get("title", ident))
            raise UndoConflict(
                f"{store.path}: cannot undo “{printable(label)}”: "
                f"“{printable(clip(title, 60))}” has been "
                + ("deleted" if current is None else "changed")
                + " since; nothing was changed"
            )
    action = f"undo {label}"
    titles = []
    with store.transaction(action) as step:
        step.journal_skip = True  # an undo is not itself a step to undo
        for change in reversed(changes):
            ident, before = change["id"], change.get("before")
            current = store._items.get(ident)
            if before is None:
                if current is not None:
                    titles.append(current.title)
                    step.changes.append(store._change_remove(ident))
                continue
            restored = Activity.from_dict(before)
            stamp = iso_utc(store.now())
            diff = current.diff(restored) if current is not None else {}
            history = current.history if current is not None else restored.history
            revision = (current or restored).revision + 1
            titles.append(restored.title)
            new = restored.copy(
                updated=stamp,
                revision=revision,
                history=[*history, HistoryEntry(stamp, store.who, action, diff)],
            )
            step.changes.append(store._change_put(new))
        store._journal_set_undone(key, True)
    return Undone(label, str(record.get("by", "")), str(record.get("at", "")), tuple(titles))
