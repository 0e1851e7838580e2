"""The errors core raises, one small tree, so callers catch meaning rather than a library's type.

    CoreError                  anything core raises on purpose
    ├── BadInput               a value a person typed that cannot be accepted; the message is
    │   │                      for them, and nothing was changed (ValueError, so parsers fit)
    │   ├── profile.ProfileError      a /profile field or value
    │   └── reminders.SettingError    a /remind setting
    ├── InvalidKnowledge       the knowledge files did not validate; the old knowledge serves on
    │   ├── knowledge.KnowledgeError
    │   └── plan.path.PathError
    ├── AlreadyExists          a row that must be unique exists already (a race between two
    │                          admins creating a cohort); storage raises it for its own
    │                          constraint errors, so core never sees sqlite3
    └── StorageError           the database cannot serve the bot (cannot be created, read-only,
                               not SQLite); one line for the operator saying what to do

Adapters translate their own failures (Telegram's) into core's vocabulary in one place:
delivery outcomes are values (bot.core.reminders.outbox), not exceptions.
"""

from __future__ import annotations


class CoreError(Exception):
    """The root: `except CoreError` catches every error core raises on purpose."""


class BadInput(CoreError, ValueError):
    """A typed value that cannot be accepted; str(error) tells the person what is wrong."""


class InvalidKnowledge(CoreError):
    """The knowledge did not validate; the knowledge loaded before keeps serving."""


class AlreadyExists(CoreError):
    """A unique row exists already; the caller tells the person what is there instead."""


class StorageError(CoreError):
    """The database cannot be used; the message says what is wrong and what to do, in one line,
    for the operator."""
