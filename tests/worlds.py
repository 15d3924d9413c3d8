"""Objects made once for a whole test module instead of once per test.

`made_once` opens a transaction for the module and rolls it back when the module ends; each test
runs in a savepoint of it (pytest-django's `db`), so what a test changes is undone before the next
one. A module fixture should hand its tests primary keys and let a function fixture read the rows
again: a model instance shared by tests would carry one test's changes into the next.
"""

import contextlib

import pytest
from django.db import transaction

from qyzmet.outbox import subscribers


@contextlib.contextmanager
def made_once(django_db_blocker):
    """A module's transaction, yielding a MonkeyPatch that lasts as long as it."""
    with pytest.MonkeyPatch.context() as patch, django_db_blocker.unblock(), transaction.atomic():
        deliver_as_written(patch)
        yield patch
        transaction.set_rollback(True)


def deliver_as_written(patch) -> None:
    """A transaction that is never committed runs nothing waiting for its commit: the engine's
    events reach their subscribers as soon as the change is written, as they do in production
    once it commits (tests/test_outbox.py checks the wait)."""
    patch.setattr(subscribers, "after_commit", lambda callback, using: callback())
