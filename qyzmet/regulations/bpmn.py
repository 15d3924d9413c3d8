"""BPMN 2.0 export of a regulation's channel or internal procedure, with a diagram layout.

Each actor gets a lane; each step becomes a task; a step with branches is followed by an
exclusive gateway whose outgoing flows test `outcome_<step>`, so that SpiffWorkflow (or any BPMN
engine) can run the process by setting the outcome when it completes the task; an end step is
followed by an end event. `run_in_spiff` does exactly that, for tests and the benchmark.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.utils import translation
from django.utils.translation import gettext
from lxml import etree

from qyzmet.i18n import in_language

from . import layout
from .export import format_norm
from .schema import Regulation, Step

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NSMAP = {"bpmn": BPMN, "bpmndi": BPMNDI, "dc": DC, "di": DI, "xsi": XSI}


def _ncname(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text)


def outcome_variable(step_id: str) -> str:
    return "outcome_" + re.sub(r"[^A-Za-z0-9_]", "_", step_id)


@dataclass
class Node:
    id: str
    kind: str  # startEvent, task, exclusiveGateway, endEvent
    name: str
    lane: str
    step: Step | None = None
    refusal: bool = False
    x: float = 0
    y: float = 0
    w: float = 0
    h: float = 0
    label: layout.Box | None = None  # an end event's label, under it


@dataclass
class Flow:
    id: str
    source: str
    target: str
    name: str = ""
    condition: str | None = None
    waypoints: list[tuple[float, float]] = field(default_factory=list)
    label: layout.Box | None = None


@dataclass
class Graph:
    process_id: str
    name: str
    lanes: list[tuple[str, str]]  # (actor code, display name)
    pool_name: str = ""
    nodes: dict[str, Node] = field(default_factory=dict)
    flows: list[Flow] = field(default_factory=list)
    placed: layout.Placed | None = None


def flow_of(reg: Regulation, channel: str | None):
    """The channel's steps (or the first internal procedure's, when `channel` is None)."""
    if channel:
        flow = reg.channel(channel) or reg.procedure(channel)
        if flow is None:
            codes = [c.code for c in reg.channels] + [p.code for p in reg.procedures]
            raise KeyError(f"{reg.id} has no channel or procedure {channel!r}; it has {codes}")
        return flow
    if reg.procedures:
        return reg.procedures[0]
    return reg.channels[0]


def _outcome_name(branch, reg: Regulation, lang: str) -> str:
    """A branch's label in `lang` (the condition keeps the outcome's code)."""
    from .templatetags.regulations import outcome

    with translation.override(lang):
        return outcome(branch, reg)


def _end_name(end: str | None, lang: str) -> str:
    with translation.override(lang):
        return {"result": gettext("result"), "refusal": gettext("refusal")}.get(end or "", end or "")


def build_graph(reg: Regulation, channel: str | None = None, lang: str = "en") -> Graph:
    flow = flow_of(reg, channel)
    lane_order: list[str] = []
    for s in flow.steps:
        if s.actor not in lane_order:
            lane_order.append(s.actor)
    lanes = [(a, in_language(reg.actor(a).name, lang)) for a in lane_order]
    graph = Graph(
        process_id=_ncname(f"{reg.id.replace('/', '.')}.{flow.code}"),
        name=f"{in_language(reg.title, lang)}: {in_language(flow.name, lang)}",
        lanes=lanes,
        pool_name=in_language(flow.name, lang),
    )
    first = flow.steps_by_id[flow.start]
    graph.nodes["start"] = Node("start", "startEvent", "", first.actor)
    graph.flows.append(Flow("f_start", "start", "t_" + _ncname(first.id)))
    for s in flow.steps:
        tid = "t_" + _ncname(s.id)
        label = f"{s.number}. " if s.number is not None else ""
        graph.nodes[tid] = Node(tid, "task", label + in_language(s.action, lang), s.actor, step=s)
        if s.next:
            graph.flows.append(Flow(f"f_{tid}", tid, "t_" + _ncname(s.next)))
        elif s.branches:
            gid = "g_" + _ncname(s.id)
            graph.nodes[gid] = Node(gid, "exclusiveGateway", "", s.actor, step=s)
            graph.flows.append(Flow(f"f_{tid}", tid, gid))
            var = outcome_variable(s.id)
            for b in s.branches:
                graph.flows.append(
                    Flow(
                        f"f_{gid}_{_ncname(b.when)}",
                        gid,
                        "t_" + _ncname(b.to),
                        name=_outcome_name(b, reg, lang),
                        condition=f'{var} == "{b.when}"',
                    )
                )
        else:
            eid = "e_" + _ncname(s.id)
            graph.nodes[eid] = Node(
                eid, "endEvent", _end_name(s.end, lang), s.actor, refusal=s.end == "refusal"
            )
            graph.flows.append(Flow(f"f_{tid}", tid, eid))
    _layout(graph)
    return graph


def _layout(graph: Graph) -> None:
    """Sizes and places every shape, edge and label (see `layout`), without overlaps."""
    placed = layout.lay_out(
        graph.lanes,
        graph.pool_name,
        {nid: (n.kind, n.name, n.lane) for nid, n in graph.nodes.items()},
        [(f.id, f.source, f.target, f.name) for f in graph.flows],
        "start",
    )
    for nid, node in graph.nodes.items():
        box = placed.shapes[nid]
        node.x, node.y, node.w, node.h = box.x, box.y, box.w, box.h
        node.label = placed.labels.get(nid)
    for f in graph.flows:
        f.waypoints = placed.waypoints[f.id]
        f.label = placed.labels.get(f.id)
    graph.placed = placed


def to_bpmn_xml(reg: Regulation, channel: str | None = None, lang: str = "en") -> str:
    graph = build_graph(reg, channel, lang)
    defs = etree.Element(
        f"{{{BPMN}}}definitions",
        nsmap=NSMAP,
        id="defs_" + graph.process_id,
        targetNamespace="https://qyzmet.kz/regulations",
        exporter="qyzmet",
        exporterVersion="1",
    )
    collab = etree.SubElement(defs, f"{{{BPMN}}}collaboration", id="collab_" + graph.process_id)
    etree.SubElement(
        collab, f"{{{BPMN}}}participant", id="pool", name=graph.pool_name, processRef=graph.process_id
    )
    process = etree.SubElement(
        defs, f"{{{BPMN}}}process", id=graph.process_id, name=graph.name, isExecutable="true"
    )
    lane_set = etree.SubElement(process, f"{{{BPMN}}}laneSet", id="lanes")
    lane_ids = {}
    for code, name in graph.lanes:
        lane = etree.SubElement(lane_set, f"{{{BPMN}}}lane", id="lane_" + _ncname(code), name=name)
        lane_ids[code] = lane.get("id")
        for nid, node in graph.nodes.items():
            if node.lane == code:
                etree.SubElement(lane, f"{{{BPMN}}}flowNodeRef").text = nid
    incoming, outgoing = defaultdict(list), defaultdict(list)
    for f in graph.flows:
        outgoing[f.source].append(f.id)
        incoming[f.target].append(f.id)
    for nid, node in graph.nodes.items():
        el = etree.SubElement(process, f"{{{BPMN}}}{node.kind}", id=nid)
        if node.name:
            el.set("name", node.name)
        if node.step is not None and node.kind == "task":
            # BPMN wants documentation before the flow references.
            src = node.step.source
            where = f"lines {src.lines[0]}-{src.lines[1]}" if src.lines else src.law
            etree.SubElement(
                el, f"{{{BPMN}}}documentation"
            ).text = (
                f"step {node.step.id}; actor {node.step.actor}; norm {format_norm(node.step.norm)}; {where}"
            )
        for fid in incoming[nid]:
            etree.SubElement(el, f"{{{BPMN}}}incoming").text = fid
        for fid in outgoing[nid]:
            etree.SubElement(el, f"{{{BPMN}}}outgoing").text = fid
    for f in graph.flows:
        el = etree.SubElement(
            process, f"{{{BPMN}}}sequenceFlow", id=f.id, sourceRef=f.source, targetRef=f.target
        )
        if f.name:
            el.set("name", f.name)
        if f.condition:
            cond = etree.SubElement(el, f"{{{BPMN}}}conditionExpression")
            cond.set(f"{{{XSI}}}type", "bpmn:tFormalExpression")
            cond.text = f.condition
    # Diagram interchange: where everything is drawn.
    diagram = etree.SubElement(defs, f"{{{BPMNDI}}}BPMNDiagram", id="diagram")
    plane = etree.SubElement(diagram, f"{{{BPMNDI}}}BPMNPlane", id="plane", bpmnElement=collab.get("id"))

    def shape(element_id, x, y, w, h, **extra):
        s = etree.SubElement(
            plane, f"{{{BPMNDI}}}BPMNShape", id=f"di_{element_id}", bpmnElement=element_id, **extra
        )
        etree.SubElement(s, f"{{{DC}}}Bounds", x=f"{x:g}", y=f"{y:g}", width=f"{w:g}", height=f"{h:g}")

    def label(parent, box):
        if box is not None:
            lab = etree.SubElement(parent, f"{{{BPMNDI}}}BPMNLabel")
            etree.SubElement(
                lab,
                f"{{{DC}}}Bounds",
                x=f"{box.x:g}",
                y=f"{box.y:g}",
                width=f"{box.w:g}",
                height=f"{box.h:g}",
            )

    placed = graph.placed
    pool = placed.pool
    shape("pool", pool.x, pool.y, pool.w, pool.h, isHorizontal="true")
    for code, _name in graph.lanes:
        lane = placed.lanes[code]
        shape(lane_ids[code], lane.x, lane.y, lane.w, lane.h, isHorizontal="true")
    for nid, node in graph.nodes.items():
        shape(nid, node.x, node.y, node.w, node.h)
        if node.label is not None:
            label(plane[-1], node.label)
    for f in graph.flows:
        e = etree.SubElement(plane, f"{{{BPMNDI}}}BPMNEdge", id=f"di_{f.id}", bpmnElement=f.id)
        for x, y in f.waypoints:
            etree.SubElement(e, f"{{{DI}}}waypoint", x=f"{x:g}", y=f"{y:g}")
        label(e, f.label)
    return etree.tostring(defs, pretty_print=True, xml_declaration=True, encoding="UTF-8").decode()


def _schema_path() -> Path:
    import SpiffWorkflow

    return Path(SpiffWorkflow.__file__).parent / "bpmn" / "parser" / "schema" / "BPMN20.xsd"


_XSD = None


def xsd_errors(xml: str) -> list[str]:
    """Problems of a document against the OMG BPMN 2.0 XSD (as shipped with SpiffWorkflow)."""
    global _XSD
    if _XSD is None:
        _XSD = etree.XMLSchema(etree.parse(str(_schema_path())))
    doc = etree.fromstring(xml.encode())
    if _XSD.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in _XSD.error_log]


def run_in_spiff(xml: str, process_id: str, choices: dict[str, str], max_tasks: int = 500):
    """Run an exported process in SpiffWorkflow to its end; return the step ids completed in order."""
    from SpiffWorkflow.bpmn.parser import BpmnParser
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
    from SpiffWorkflow.util.task import TaskState

    parser = BpmnParser()
    parser.add_bpmn_xml(etree.fromstring(xml.encode()), filename=f"{process_id}.bpmn")
    workflow = BpmnWorkflow(parser.get_spec(process_id))
    workflow.do_engine_steps()
    done = []
    for _turn in range(max_tasks):
        if workflow.is_completed():
            return done
        ready = workflow.get_tasks(state=TaskState.READY, manual=True)
        if not ready:
            raise RuntimeError(f"{process_id}: stuck after {done}")
        task = ready[0]
        step_id = task.task_spec.bpmn_id.removeprefix("t_")
        original = next((s for s in choices if _ncname(s) == step_id), step_id)
        if original in choices:
            task.data[outcome_variable(original)] = choices[original]
        task.run()
        done.append(original)
        workflow.do_engine_steps()
    raise RuntimeError(f"{process_id}: more than {max_tasks} tasks")
