"""The process-mining exports: pm4py (an independent reader) reads the XES and the OCEL 2.0 files the
command writes and discovers a model from each."""

import warnings

import pytest

from qyzmet.cli import main

from .registry_helpers import LICENCE, drive, make_provider

pytestmark = pytest.mark.django_db


def test_xes_and_ocel_exports_are_read_by_pm4py_and_a_model_is_discovered(tmp_path, capsys):
    provider = make_provider(LICENCE)
    issued = drive(provider, LICENCE, "S6")
    refused = drive(provider, LICENCE, "S6-refusal", applicant="900101300156")
    steps = issued.steps.count() + refused.steps.count()
    xes, ocel = tmp_path / "log.xes", tmp_path / "log.jsonocel"
    assert main(["events", "export", "--format", "xes", "--out", str(xes)]) == 0
    assert main(["events", "export", "--format", "ocel", "--out", str(ocel)]) == 0
    # a filing and a closing per application, and each completed step
    assert capsys.readouterr().out.split("\n")[0] == f"events={steps + 4} format=xes out={xes}"

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import pm4py

        log = pm4py.read_xes(str(xes), show_progress_bar=False)
        assert len(log) == steps + 4
        assert set(log["case:concept:name"]) == {issued.number, refused.number}
        assert {"org:resource", "org:role", "start_timestamp", "outcome"} <= set(log.columns)
        head = log[log["concept:name"].str.startswith("S6 ")]
        assert list(head["org:role"]) == ["head"]
        net, _, _ = pm4py.discover_petri_net_inductive(log)
        assert {t.label for t in net.transitions if t.label} == set(log["concept:name"])

        objects = pm4py.read_ocel2_json(str(ocel))
        assert len(objects.events) == steps + 4
        assert set(objects.objects["ocel:type"]) == {"application", "officer", "provider", "service"}
        model = pm4py.discover_oc_petri_net(objects)
        assert {"application", "officer", "provider"} <= set(model["object_types"])
        assert "application filed" in model["activities"]


def test_the_export_since_a_day_leaves_earlier_applications_out(tmp_path, capsys):
    drive(make_provider(LICENCE), LICENCE, "S6")
    out = tmp_path / "later.xes"
    assert main(["events", "export", "--format", "xes", "--out", str(out), "--since", "2999-01-01"]) == 0
    assert capsys.readouterr().out.startswith("events=0 ")
    assert "<trace>" not in out.read_text()
