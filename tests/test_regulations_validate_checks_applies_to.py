"""`regulations validate` checks which channels and applicant kinds a regulation, a variant, a
status or a step applies to (`applies_to`): each restriction cites its seed lines, names channels
the regulation has and kinds it admits, and ties a step only where it can be passed over. The 22
regulations of the catalogue pass, their planned paths still fitting every variant's term."""

import pytest
from pydantic import ValidationError

from qyzmet.calendar.workcal import calendar_for
from qyzmet.engine import paths
from qyzmet.regulations.loader import catalogue
from qyzmet.regulations.schema import Regulation
from qyzmet.regulations.validate import check_regulation, validate_catalogue

PASSENGER = "almaty-2015-2-279/passenger-bus-transport-licence"
NARCOTICS = "almaty-2015-2-279/narcotics-licence"


def _document(reg_id: str) -> dict:
    return catalogue()[reg_id].model_dump(mode="json", by_alias=True, exclude_none=True)


def _step(document: dict, flow: str, step_id: str) -> dict:
    flows = document["procedures"] + document["channels"]
    return next(s for f in flows if f["code"] == flow for s in f["steps"] if s["id"] == step_id)


def _problems(document: dict) -> list[str]:
    return check_regulation(Regulation.model_validate(document), seed_lengths={})


def test_regulations_validate_checks_applies_to():
    _, problems = validate_catalogue()
    assert problems == []
    marked = {r.id for r in catalogue().values() if r.applies_to is not None}
    assert len(catalogue()) == 22 and len(marked) == 6
    for reg in catalogue().values():
        assert paths.planning_problems(reg, calendar_for(reg.provider.code)) == [], reg.id

    # a step tied to a channel the regulation does not have, or by a law alone (no seed lines)
    document = _document(PASSENGER)
    _step(document, "examination", "S3")["applies_to"] = {
        "channels": ["elicense_portal"],
        "source": {"law": "Law 202-V Art. 25"},
    }
    found = _problems(document)
    assert any("channel 'elicense_portal' is not a channel of this regulation" in p for p in found)
    assert any("cites the seed lines" in p for p in found)

    # a channel's own step tied to another channel never runs; a flow's start cannot be passed over
    document = _document(PASSENGER)
    _step(document, "psc", "P2")["applies_to"] = {
        "channels": ["egov_portal"],
        "source": {"lines": [7244, 7250]},
    }
    _step(document, "examination", "S1")["applies_to"] = {
        "channels": ["egov_portal"],
        "source": {"lines": [7244, 7250]},
    }
    found = _problems(document)
    assert any("channels.psc.P2.applies_to: a step of the psc channel" in p for p in found)
    assert any("procedures.examination.S1.applies_to: the start of a flow" in p for p in found)

    # a variant admitting a kind the regulation does not
    document = _document(NARCOTICS)
    document["variants"][0]["applies_to"] = {"applicants": ["individual"], "source": {"lines": [2620, 2621]}}
    assert any("applicant kind 'individual' is not admitted" in p for p in _problems(document))

    # the format: a restriction says something, and an end is never passed over
    document = _document(PASSENGER)
    _step(document, "examination", "S3")["applies_to"] = {"source": {"lines": [7244, 7250]}}
    with pytest.raises(ValidationError, match="needs `channels` or `applicants`"):
        Regulation.model_validate(document)
    document = _document(PASSENGER)
    _step(document, "examination", "S4")["applies_to"] = {
        "channels": ["psc"],
        "source": {"lines": [7244, 7250]},
    }
    with pytest.raises(ValidationError, match="an end cannot be passed over"):
        Regulation.model_validate(document)
