"""Every action the audit log records is one of `AuditAction`, named in the platform's three languages."""

import ast
from pathlib import Path

import pytest
from django.utils import translation

from qyzmet.audit.actions import RETIRED, AuditAction, label_of
from qyzmet.registry.services import TRANSITIONS

SOURCE = Path(__file__).resolve().parents[1] / "qyzmet"
WRITERS = ("record", "new_entry")  # qyzmet.audit.log: the only ways into the log


def _modules():
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" not in path.parts:
            yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _writer_calls():
    """(place, action argument) of every call that writes an audit entry."""
    for path, tree in _modules():
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
            owner = node.func.value.id if isinstance(getattr(node.func, "value", None), ast.Name) else None
            if owner in ("outbox", "events"):  # the outbox's `record` writes an event, not an entry
                continue
            if name in WRITERS and path.name != "log.py":
                action = (
                    node.args[1]
                    if len(node.args) > 1
                    else next(k.value for k in node.keywords if k.arg == "action")
                )
                yield f"{path.relative_to(SOURCE.parent)}:{node.lineno}", action


def _named_members(node) -> list[str] | None:
    """The members an action argument names (`AuditAction.X`, or either side of `A if c else B`);
    None when it is anything else, such as a bare string."""
    if (
        isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "AuditAction"
    ):
        return [node.attr]
    if isinstance(node, ast.IfExp):
        sides = [_named_members(node.body), _named_members(node.orelse)]
        return None if None in sides else sides[0] + sides[1]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "AuditAction":
        return []  # built from a value, e.g. the register's events: checked below
    return None


def test_code_records_only_actions_of_the_enumeration():
    calls = list(_writer_calls())
    assert len(calls) >= 25  # the engine, channels, reception, the centres and the register all write
    strays = [place for place, action in calls if _named_members(action) is None]
    assert strays == [], f"audit actions must be AuditAction members: {strays}"
    unknown = [
        (place, name)
        for place, action in calls
        for name in _named_members(action)
        if name not in AuditAction.__members__
    ]
    assert unknown == []


def test_every_action_of_the_enumeration_is_still_recorded_somewhere():
    named = {name for _place, action in _writer_calls() for name in _named_members(action) or []}
    register = {AuditAction(f"register_entry_{event}").name for event in TRANSITIONS}
    register.add(AuditAction.REGISTER_ENTRY_CREATED.name)
    unused = set(AuditAction.__members__) - named - register - {a.name for a in RETIRED}
    assert unused == set()
    assert not ({a.name for a in RETIRED} & named), "a retired action is written again: un-retire it"


def test_each_change_of_a_register_entry_has_its_action():
    assert sorted(AuditAction(f"register_entry_{event}") for event in TRANSITIONS) == [
        AuditAction.REGISTER_ENTRY_RESUMED,
        AuditAction.REGISTER_ENTRY_SUSPENDED,
        AuditAction.REGISTER_ENTRY_TERMINATED,
        AuditAction.REGISTER_ENTRY_VOIDED,
        AuditAction.REGISTER_ENTRY_WITHDRAWN,
    ]


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_every_action_is_named_in_kazakh_and_russian(language):
    english = {action: str(action.label) for action in AuditAction}
    with translation.override(language):
        untranslated = [a.value for a in AuditAction if str(a.label) == english[a]]
    assert untranslated == []


def test_the_history_shows_an_actions_label_and_an_unknown_action_as_stored():
    with translation.override("ru"):
        assert label_of("clock_paused") == "течение срока приостановлено"
    assert label_of("step_completed") == "step completed"
    assert label_of("something_else") == "something_else"
