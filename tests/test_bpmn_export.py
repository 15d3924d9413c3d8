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


def _crosses(p, q, box) -> bool:
    (x1, y1), (x2, y2) = p, q
    return (
        min(x1, x2) < box.x + box.w - 0.5
        and max(x1, x2) > box.x + 0.5
        and min(y1, y2) < box.y + box.h - 0.5
        and max(y1, y2) > box.y + 0.5
    )


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_layout_puts_no_label_over_another_and_no_edge_through_a_shape_or_label(lang):
    import itertools

    problems = []
    for reg in catalogue().values():
        for flow in list(reg.channels) + list(reg.procedures):
            graph = bpmn.build_graph(reg, flow.code, lang)
            placed = graph.placed
            boxes = [(k, v) for k, v in placed.shapes.items()] + [(k, v) for k, v in placed.labels.items()]
            for (a, box_a), (b, box_b) in itertools.combinations(boxes, 2):
                if a != b and box_a.overlaps(box_b):
                    problems.append(f"{reg.id}:{flow.code}: {a} over {b}")
            for f in graph.flows:
                assert len(f.waypoints) >= 2
                for p, q in itertools.pairwise(f.waypoints):
                    for other, box in boxes:
                        if other not in (f.source, f.target, f.id) and _crosses(p, q, box):
                            problems.append(f"{reg.id}:{flow.code}: {f.id} through {other}")
            lanes = list(placed.lanes.values())
            for upper, lower in itertools.pairwise(lanes):
                assert upper.y + upper.h <= lower.y
            assert all(
                placed.pool.x <= s.x and s.x + s.w <= placed.pool.x + placed.pool.w
                for s in placed.shapes.values()
            )
    assert not problems, "\n".join(problems[:20])


def test_every_label_of_the_diagram_is_in_the_readers_language_with_its_place_in_the_export():
    from lxml import etree

    reg = catalogue()["mhsd-2015-401/specialist-certificate"]
    doc = etree.fromstring(bpmn.to_bpmn_xml(reg, "egov_portal", "ru").encode())
    ns = {"bpmn": bpmn.BPMN, "bpmndi": bpmn.BPMNDI}
    names = {f.get("name") for f in doc.iterfind(".//bpmn:sequenceFlow", ns) if f.get("name")}
    assert {"да", "нет"} <= names
    ends = {e.get("name") for e in doc.iterfind(".//bpmn:endEvent", ns)}
    assert ends <= {"результат", "отказ"} and ends
    assert doc.find(".//bpmn:participant", ns).get("name") == reg.channel("egov_portal").name.ru
    labelled = {
        e.get("bpmnElement")
        for e in doc.iterfind(".//bpmndi:BPMNEdge", ns)
        if e.find("bpmndi:BPMNLabel", ns) is not None
    }
    assert labelled == {f.get("id") for f in doc.iterfind(".//bpmn:sequenceFlow", ns) if f.get("name")}
    # a branch that chooses a variant reads as the variant's name
    licence = catalogue()["almaty-2015-2-279/narcotics-licence"]
    kk = etree.fromstring(bpmn.to_bpmn_xml(licence, "provider_office", "kk").encode())
    flows = {f.get("name") for f in kk.iterfind(".//bpmn:sequenceFlow", ns)}
    assert licence.variant("reissue").name.kk in flows
