"""`python -m qyzmet timeline`: the expected path, one line per step with its due moment."""

from qyzmet.cli import main


def test_procedure_timeline_with_due_moments(capsys):
    assert (
        main(
            [
                "timeline",
                "mhsd-2015-401/specialist-certificate",
                "--variant",
                "issue",
                "--filed",
                "2018-06-01T10:00",
            ]
        )
        == 0
    )
    lines = capsys.readouterr().out.strip().splitlines()
    # Friday 1 June 2018: S1 (1 working day) is due Monday 4 June at close; S2 (2) Wednesday 6 June.
    assert lines[0].startswith("examination:S1\tOffice clerk\t1 working day\t2018-06-04T18:30:00+06:00")
    assert lines[1].startswith("examination:S2 [complete]") and lines[1].endswith("2018-06-06T18:30:00+06:00")
    assert lines[-2].startswith("examination:S5 END result")
    assert lines[-1].startswith("term\t")


def test_refusal_branch_through_the_portal(capsys):
    assert (
        main(
            [
                "timeline",
                "mhsd-2015-401/specialist-certificate",
                "--variant",
                "issue",
                "--filed",
                "2018-06-01T10:00",
                "--channel",
                "egov_portal",
                "--branch",
                "refuse",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "egov_portal:C3 [refuse]" in out
    assert "examination:S5-refusal END refusal" in out
    assert "egov_portal:P6-refusal END refusal" in out


def test_law_bounds_the_completeness_check(capsys):
    # Mangystau 2013: the Law "On licensing" Art. 42 p.4 gives 2 working days from receipt.
    assert (
        main(
            [
                "timeline",
                "mangystau-2013-3/medical-licence",
                "--variant",
                "issue",
                "--filed",
                "2013-03-01T10:00",
            ]
        )
        == 0
    )
    assert "2013-03-05T18:30:00+06:00" in capsys.readouterr().out


def test_unknown_regulation(capsys):
    assert main(["timeline", "none/such", "--variant", "issue", "--filed", "2015-01-01T10:00"]) == 2
