"""`regulations validate` reads each regulation as a process."""

import copy

from qyzmet.regulations.schema import Regulation
from qyzmet.regulations.validate import check_overlaps, check_regulation, validate_catalogue


def _problems(data):
    return check_regulation(Regulation.model_validate(data), seed_lengths={})


def test_the_worked_example_is_a_sound_process(example_data):
    assert _problems(example_data) == []


def test_unreachable_step_is_found(example_data):
    steps = example_data["channels"][0]["steps"]
    # P1 now skips its condition, so C1 and P2 can no longer be reached.
    steps[0]["next"] = "P3"
    problems = _problems(example_data)
    assert any("C1" in p and "not reachable" in p for p in problems)
    assert any("P2" in p and "not reachable" in p for p in problems)


def test_a_loop_without_an_end_is_found(example_data):
    steps = example_data["procedures"][0]["steps"]
    s4 = next(s for s in steps if s["id"] == "S4")
    s4["next"] = "S3"  # S3 -> S4 -> S3 ... with the refusal still possible from S3
    s3 = next(s for s in steps if s["id"] == "S3")
    s3["branches"] = [{"when": "approve", "to": "S4"}, {"when": "refuse", "to": "S4"}]
    problems = _problems(example_data)
    assert any("S4" in p and "no path from here ends" in p for p in problems)


def test_undeclared_actor_is_found(example_data):
    example_data["channels"][0]["steps"][0]["actor"] = "somebody"
    assert any("actor 'somebody' is not declared" in p for p in _problems(example_data))


def test_branch_to_a_missing_step_is_found(example_data):
    example_data["channels"][0]["steps"][1]["branches"][0]["to"] = "P99"
    assert any("'P99', which is not a step" in p for p in _problems(example_data))


def test_duplicate_step_ids_are_found(example_data):
    steps = example_data["procedures"][0]["steps"]
    steps.append(copy.deepcopy(steps[-1]))
    assert any("used twice" in p for p in _problems(example_data))


def test_sources_must_lie_in_the_seed(example_data):
    example_data["channels"][0]["steps"][0]["source"] = {"lines": [229, 99999]}
    problems = check_regulation(
        Regulation.model_validate(example_data), seed_lengths={"003_02e1cfaf63a2d43c.txt": 2291}
    )
    assert any("run past the end" in p for p in problems)


def test_overlapping_versions_of_one_service_at_one_provider_are_found(example_data):
    a = Regulation.model_validate(example_data)
    later = copy.deepcopy(example_data)
    later["id"] = "mhsd-2015-401/specialist-certificate-2"
    later["in_force"]["from"] = "2019-01-01"
    later["in_force"]["until"] = None
    b = Regulation.model_validate(later)
    assert check_overlaps([a, b]) and "both in force" in check_overlaps([a, b])[0]
    later["in_force"]["from"] = "2020-11-15"
    assert check_overlaps([a, Regulation.model_validate(later)]) == []


def test_the_catalogue_holds_all_22_regulations_and_validates():
    regulations, problems = validate_catalogue()
    assert problems == []
    assert len(regulations) == 22
    seeds = {r.source.seed for r in regulations}
    assert len(seeds) == 5


def test_a_duplicate_that_ends_in_a_plain_licence_is_found():
    """Law 202-V Art. 43: a duplicate is marked as such; an end step shared by every variant
    that names the licence would enter a duplicate in the register as a new ordinary licence."""
    from qyzmet.regulations.loader import catalogue

    data = catalogue()["almaty-2015-2-279/veterinary-licence"].model_dump(by_alias=True)
    assert _problems(copy.deepcopy(data)) == []
    for procedure in data["procedures"]:
        for step in procedure["steps"]:
            if step["end"] == "result":
                step["result"] = "licence"  # as the file said before
    problems = _problems(data)
    assert any("the duplicate variant ends in 'licence'" in p for p in problems)
    assert any("the reissue variant ends in 'licence'" in p for p in problems)


def test_a_branch_on_the_variant_keeps_each_variant_to_its_own_end():
    from qyzmet.regulations.loader import catalogue

    data = catalogue()["almaty-2015-2-279/medical-licence"].model_dump(by_alias=True)
    assert _problems(data) == []  # S6 names the licence, but only the issue variant reaches it
