"""The JSON export: every regulation, documented by the committed JSON Schema, every step traceable."""

import json
from pathlib import Path

import jsonschema

from qyzmet.regulations import export
from qyzmet.regulations.loader import catalogue

SCHEMA_FILE = Path(__file__).resolve().parents[1] / "docs" / "regulation-export.schema.json"


def test_committed_json_schema_is_current():
    committed = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    assert committed == export.json_schema(), (
        "run: python -m qyzmet regulations json-schema > docs/regulation-export.schema.json"
    )


def test_export_of_the_whole_catalogue_validates_against_the_schema():
    data = json.loads(json.dumps(export.to_json(list(catalogue().values())), default=str))
    jsonschema.validate(data, json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    assert len(data["regulations"]) == len(catalogue())


def test_every_exported_step_has_its_norm_branches_and_source_lines():
    for reg in export.to_json(list(catalogue().values()))["regulations"]:
        assert reg["source"]["seed"].endswith(".txt")
        first, last = reg["source"]["lines"]
        for flow in reg["channels"] + reg.get("procedures", []):
            for step in flow["steps"]:
                assert "norm" in step or "norm_note" in step, (reg["id"], flow["code"], step["id"])
                assert sum([bool(step.get("next")), bool(step.get("branches")), bool(step.get("end"))]) == 1
                src = step["source"]
                assert "lines" in src or "law" in src
                if "lines" in src:
                    assert src["seed"].endswith(".txt")
