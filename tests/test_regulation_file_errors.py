"""A broken regulation file gets an error that names the file, the field and the line."""

import pytest

from qyzmet.regulations.loader import RegulationFileError, load_all, parse_regulation

from .conftest import EXAMPLE


def test_the_worked_example_parses():
    reg, _ = parse_regulation(EXAMPLE.read_text(encoding="utf-8"), "example.yaml")
    assert reg.service == "specialist-certificate"
    assert reg.channel("egov_portal").start == "P1"


def test_unknown_field_is_reported_with_its_line():
    text = EXAMPLE.read_text(encoding="utf-8").replace(
        "service: specialist-certificate", "servise: specialist-certificate"
    )
    with pytest.raises(RegulationFileError) as exc:
        parse_regulation(text, "example.yaml")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.startswith("servise:"))
    fields = {(p.field, p.line) for p in exc.value.problems}
    assert ("servise", line) in fields
    assert ("service", None) in fields or any(p.field == "service" for p in exc.value.problems)
    assert f"example.yaml:{line}: servise" in str(exc.value)


def test_malformed_norm_names_the_step_and_line():
    text = EXAMPLE.read_text(encoding="utf-8")
    broken = text.replace("norm: {value: 2, unit: working_days}", "norm: {value: 2, unit: fortnights}", 1)
    with pytest.raises(RegulationFileError) as exc:
        parse_regulation(broken, "example.yaml")
    line = next(i for i, t in enumerate(broken.splitlines(), 1) if "fortnights" in t)
    problem = next(p for p in exc.value.problems if "procedures.0.steps.1.norm" in p.field)
    assert problem.line == line


def test_invalid_yaml_reports_the_line():
    with pytest.raises(RegulationFileError) as exc:
        parse_regulation("id: x\nservice: [unclosed\n", "bad.yaml")
    assert exc.value.problems[0].line is not None
    assert "not valid YAML" in exc.value.problems[0].message


def test_refusal_end_without_message_is_rejected(example_data, write_catalogue):
    steps = example_data["channels"][0]["steps"]
    p2 = next(s for s in steps if s["id"] == "P2")
    del p2["message"]
    directory = write_catalogue(example_data)
    with pytest.raises(RegulationFileError) as exc:
        load_all(directory)
    assert "gives no `message`" in str(exc.value)


def test_range_norm_must_be_ordered(example_data, write_catalogue):
    example_data["procedures"][0]["steps"][0]["norm"] = {"min": 15, "max": 10, "unit": "seconds"}
    with pytest.raises(RegulationFileError) as exc:
        load_all(write_catalogue(example_data))
    assert "min 15" in str(exc.value)


def test_file_path_must_match_the_id(example_data, tmp_path):
    import yaml

    path = tmp_path / "mhsd-2015-401" / "elsewhere.yaml"
    path.parent.mkdir()
    path.write_text(yaml.safe_dump(example_data, allow_unicode=True), encoding="utf-8")
    with pytest.raises(RegulationFileError) as exc:
        load_all(tmp_path)
    assert "must equal the file path" in str(exc.value)


def _status(code: str, means: list[str]) -> dict:
    name = {"kk": code, "ru": code, "en": code}
    return {"code": code, "name": name, "means": means, "source": {"lines": [150, 151]}}


def test_an_engine_state_claimed_by_two_statuses_is_rejected(example_data, write_catalogue):
    example_data["statuses"] = [
        _status("satisfied", ["issued", "deemed_issued"]),
        _status("done", ["issued"]),
    ]
    with pytest.raises(RegulationFileError) as exc:
        load_all(write_catalogue(example_data))
    assert "statuses: Value error, engine state 'issued' is claimed by both 'satisfied' and 'done'" in str(
        exc.value
    )


def test_a_status_must_say_which_engine_states_it_stands_for(example_data, write_catalogue):
    example_data["statuses"] = [_status("satisfied", [])]
    with pytest.raises(RegulationFileError) as exc:
        load_all(write_catalogue(example_data))
    assert "statuses.0.means" in str(exc.value)
    example_data["statuses"] = [_status("satisfied", ["granted"])]
    with pytest.raises(RegulationFileError) as exc:
        load_all(write_catalogue(example_data))
    assert "statuses.0.means.0" in str(exc.value)


def test_the_engine_states_a_status_may_stand_for_are_the_engines():
    from typing import get_args

    from qyzmet.engine.models import Status
    from qyzmet.regulations.schema import EngineState

    assert set(get_args(EngineState)) == set(Status.values)
