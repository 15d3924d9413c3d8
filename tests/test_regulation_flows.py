"""Ways through a channel or procedure, as the regulation's flow gives them (the worked example's e-government channel).

P1 -> C1 (yes -> P3, no -> P2 refusal); P3 -> C2 (yes -> P5, no -> P4 refusal); P5 -> C3 (approve -> P6, refuse -> P6-refusal).
"""

import pytest

from qyzmet.regulations.schema import Regulation


@pytest.fixture
def channel(example_data):
    return Regulation.model_validate(example_data).channel("egov_portal")


def test_a_step_is_found_by_its_id(channel):
    assert channel.step("C2").check == "eds"
    assert channel.step("no-such-step") is None
    assert list(channel.steps_by_id) == [s.id for s in channel.steps]


def test_a_step_leads_on_by_its_next_or_by_the_outcome_of_a_branch(channel):
    assert channel.step("P1").after() == "C1" and channel.step("P1").successors == ["C1"]
    assert channel.step("C1").after("no") == "P2" and channel.step("C1").successors == ["P3", "P2"]
    assert channel.step("P2").after() is None and channel.step("P2").successors == []
    with pytest.raises(ValueError, match="no outcome 'maybe'"):
        channel.step("C1").after("maybe")


def test_a_walk_takes_the_chosen_outcome_at_each_branch_to_an_end(channel):
    taken = {"C1": "yes", "C2": "yes", "C3": "refuse"}
    walked = [(step.id, outcome) for step, outcome in channel.walk(lambda step: taken[step.id])]
    assert walked == [
        ("P1", None),
        ("C1", "yes"),
        ("P3", None),
        ("C2", "yes"),
        ("P5", None),
        ("C3", "refuse"),
        ("P6-refusal", None),
    ]


def test_a_walk_may_start_anywhere_and_ends_where_no_outcome_is_chosen(channel):
    walked = [(step.id, outcome) for step, outcome in channel.walk(lambda step: None, start="P3")]
    assert walked == [("P3", None), ("C2", None)]


def test_a_walk_that_comes_back_to_a_step_is_refused(example_data):
    steps = example_data["channels"][0]["steps"]
    next(s for s in steps if s["id"] == "P5")["next"] = "P3"  # paid, then back to paying
    channel = Regulation.model_validate(example_data).channel("egov_portal")
    with pytest.raises(ValueError, match="loops at P3"):
        list(channel.walk(lambda step: "yes"))


def test_the_shortest_choices_to_a_step_are_found(channel):
    assert channel.path_to("P4") == {"C1": "yes", "C2": "no"}
    assert channel.path_to("P6-refusal", start="C2") == {"C2": "yes", "C3": "refuse"}
    with pytest.raises(ValueError, match="P1 cannot be reached"):
        channel.path_to("P1", start="P3")


def test_reachable_steps_are_those_some_way_from_the_start_reaches(example_data):
    steps = example_data["channels"][0]["steps"]
    steps[0]["next"] = "P3"  # P1 skips its condition: C1 and P2 are left behind
    channel = Regulation.model_validate(example_data).channel("egov_portal")
    assert channel.reachable() == {s.id for s in channel.steps} - {"C1", "P2"}
