"""What can go wrong with a plan file.  Every message names the file."""

from __future__ import annotations


class StoreError(Exception):
    """A plan file that cannot be read or written.  The message names the file."""


class FileChangedError(StoreError):
    """Another process changed the file since we read it; we did not overwrite it."""


class SaveError(StoreError):
    """Saving failed (disk full, read-only...).  The change is kept in the store's
    memory (the planner's message says so; a command's says to run it again)."""


class ReadOnlyPlanError(SaveError):
    """The plan file (or its folder) may not be written by this user."""


class ReapplyConflict(StoreError):
    """Another program changed records we changed too; nothing was reloaded."""


class UnstorableValueError(StoreError, ValueError):
    """A value in one record that the plan file cannot hold (a number too large).

    Raised by :meth:`ActivityStore.add` / ``update`` before anything changes:
    the plan, its undo history and the file are as they were.  ``field`` names
    the field; :func:`ctstui.store.activity_store.storable` gives the record
    without such values and the problems in words, for a per-row report.
    """

    def __init__(self, message: str, field: str) -> None:
        super().__init__(message)
        self.field = field
