"""`python -m qyzmet regulations list | show | validate | export | bpmn`."""

import json
import subprocess
import sys
from pathlib import Path

from qyzmet.cli import main
from qyzmet.regulations.loader import catalogue

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_ID = "mhsd-2015-401/specialist-certificate"


def test_list_names_every_regulation(capsys):
    assert main(["regulations", "list"]) == 0
    out = capsys.readouterr().out
    assert all(reg_id in out for reg_id in catalogue())


def test_show_prints_steps_with_norms_and_lines(capsys):
    assert main(["regulations", "show", EXAMPLE_ID]) == 0
    out = capsys.readouterr().out
    assert "S2" in out and "2 working days" in out and "[171-174]" in out


def test_show_unknown_id_says_so(capsys):
    assert main(["regulations", "show", "no/such"]) == 2
    assert "unknown regulation" in capsys.readouterr().err


def test_export_json_for_one_regulation(capsys):
    assert main(["regulations", "export", "--format", "json", EXAMPLE_ID]) == 0
    data = json.loads(capsys.readouterr().out)
    reg = data["regulations"][0]
    assert reg["id"] == EXAMPLE_ID and reg["service"] == "specialist-certificate"
    assert reg["source"] == {"seed": "003_02e1cfaf63a2d43c.txt", "lines": [112, 289]}
    step = next(s for s in reg["procedures"][0]["steps"] if s["id"] == "S2")
    assert step["norm"] == {"value": 2.0, "unit": "working_days"}
    assert [b["when"] for b in step["branches"]] == ["complete", "incomplete"]


def test_bpmn_for_a_channel(capsys):
    assert main(["regulations", "bpmn", EXAMPLE_ID, "--channel", "egov_portal"]) == 0
    assert "<bpmn:laneSet" in capsys.readouterr().out


def test_validate_as_a_module_command():
    # The command CI runs, in a fresh interpreter.
    result = subprocess.run(
        [sys.executable, "-m", "qyzmet", "regulations", "validate"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "22 regulations valid" in result.stdout
