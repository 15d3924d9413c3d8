"""BPMN 2.0 export: valid against the OMG XSD and executable in SpiffWorkflow to every end."""

import pytest

from qyzmet.regulations import bpmn
from qyzmet.regulations.loader import catalogue


def _flows():
    for reg in catalogue().values():
        for flow in list(reg.channels) + list(reg.procedures):
            yield pytest.param(reg, flow, id=f"{reg.id}:{flow.code}")


@pytest.mark.parametrize("reg,flow", list(_flows()))
def test_export_is_valid_bpmn_and_runs_to_every_end_in_spiffworkflow(reg, flow):
    xml = bpmn.to_bpmn_xml(reg, flow.code)
    assert bpmn.xsd_errors(xml) == []
    process_id = bpmn.build_graph(reg, flow.code).process_id
    for end in [s for s in flow.steps if s.end]:
        choices = flow.path_to(end.id)
        completed = bpmn.run_in_spiff(xml, process_id, choices)
        assert completed[0] == flow.start
        assert completed[-1] == end.id


def test_lanes_are_the_actors_and_the_diagram_has_a_shape_for_every_element():
    from lxml import etree

    reg = catalogue()["mhsd-2015-401/specialist-certificate"]
    doc = etree.fromstring(bpmn.to_bpmn_xml(reg, "egov_portal").encode())
    ns = {"bpmn": bpmn.BPMN, "bpmndi": bpmn.BPMNDI}
    lanes = [lane.get("name") for lane in doc.iterfind(".//bpmn:lane", ns)]
    assert lanes == ["Applicant", "e-government portal", "Service provider"]
    elements = {
        e.get("id") for e in doc.find(".//bpmn:process", ns) if e.get("id") and not e.tag.endswith("laneSet")
    }
    drawn = {s.get("bpmnElement") for s in doc.iterfind(".//bpmndi:BPMNShape", ns)} | {
        s.get("bpmnElement") for s in doc.iterfind(".//bpmndi:BPMNEdge", ns)
    }
    assert elements <= drawn


def test_refusal_path_in_spiff_follows_the_failed_eds_check():
    reg = catalogue()["mhsd-2015-401/specialist-certificate"]
    flow = reg.channel("egov_portal")
    xml = bpmn.to_bpmn_xml(reg, "egov_portal")
    pid = bpmn.build_graph(reg, "egov_portal").process_id
    assert bpmn.run_in_spiff(xml, pid, {"C1": "yes", "C2": "no"}) == ["P1", "C1", "P3", "C2", "P4"]
    assert flow.path_to("P4") == {"C1": "yes", "C2": "no"}
