"""Draws a process diagram as SVG from the BPMN export's diagram interchange (BPMN DI).

The page shows exactly what the export says: lanes, shapes and edges are read back from the
XML, so a layout error in the export is visible on the page too.
"""

from __future__ import annotations

import textwrap
from html import escape

from lxml import etree

from .bpmn import BPMN, BPMNDI, DC, DI


def _bounds(shape) -> tuple[float, float, float, float]:
    b = shape.find(f"{{{DC}}}Bounds")
    return tuple(float(b.get(k)) for k in ("x", "y", "width", "height"))


def render_svg(xml: str) -> str:
    doc = etree.fromstring(xml.encode())
    elements = {el.get("id"): el for el in doc.iter() if el.get("id")}
    plane = doc.find(f".//{{{BPMNDI}}}BPMNPlane")
    parts: list[str] = []
    width = height = 0.0
    for shape in plane.findall(f"{{{BPMNDI}}}BPMNShape"):
        x, y, w, h = _bounds(shape)
        width, height = max(width, x + w), max(height, y + h)
        el = elements[shape.get("bpmnElement")]
        kind = etree.QName(el).localname
        name = escape(el.get("name") or "")
        if kind == "participant":
            parts.append(f'<rect class="pool" x="{x}" y="{y}" width="{w}" height="{h}"/>')
        elif kind == "lane":
            parts.append(f'<rect class="lane" x="{x}" y="{y}" width="{w}" height="{h}"/>')
            lines = textwrap.wrap(el.get("name") or "", 18)[:4]
            cy = y + h / 2
            parts.append(
                f'<text class="lane-label" transform="translate({x - 12},{cy}) rotate(-90)" text-anchor="middle">'
                + "".join(
                    f'<tspan x="0" dy="{0 if i == 0 else 11}">{escape(t)}</tspan>'
                    for i, t in enumerate(lines[:2])
                )
                + "</text>"
            )
        elif kind == "task":
            parts.append(
                f'<rect class="task" x="{x}" y="{y}" width="{w}" height="{h}" rx="8"><title>{name}</title></rect>'
            )
            lines = textwrap.wrap(el.get("name") or "", 22)
            shown = lines[:5] if len(lines) <= 5 else lines[:4] + ["…"]
            top = y + h / 2 - (len(shown) - 1) * 6
            parts.append(
                f'<text class="task-label" x="{x + w / 2}" y="{top}" text-anchor="middle">'
                + "".join(
                    f'<tspan x="{x + w / 2}" dy="{0 if i == 0 else 12}">{escape(t)}</tspan>'
                    for i, t in enumerate(shown)
                )
                + "</text>"
            )
        elif kind == "exclusiveGateway":
            cx, cy = x + w / 2, y + h / 2
            parts.append(
                f'<polygon class="gateway" points="{cx},{y} {x + w},{cy} {cx},{y + h} {x},{cy}"/>'
                f'<text class="gateway-label" x="{cx}" y="{cy + 5}" text-anchor="middle">×</text>'
            )
        elif kind in ("startEvent", "endEvent"):
            css = "start" if kind == "startEvent" else ("end refusal" if name == "refusal" else "end")
            parts.append(
                f'<circle class="event {css}" cx="{x + w / 2}" cy="{y + h / 2}" r="{w / 2}"><title>{name}</title></circle>'
            )
    for edge in plane.findall(f"{{{BPMNDI}}}BPMNEdge"):
        points = [(float(p.get("x")), float(p.get("y"))) for p in edge.findall(f"{{{DI}}}waypoint")]
        flow = elements[edge.get("bpmnElement")]
        d = " ".join(f"{x},{y}" for x, y in points)
        parts.append(f'<polyline class="flow" points="{d}" marker-end="url(#arrow)"/>')
        label = flow.get("name")
        if label and etree.QName(flow).localname == "sequenceFlow":
            (x1, y1), (x2, y2) = points[0], points[1]
            parts.append(
                f'<text class="flow-label" x="{(x1 + x2) / 2 + 4}" y="{(y1 + y2) / 2 - 4}">{escape(label)}</text>'
            )
    width, height = width + 10, height + 10
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bpmn" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-hidden="true" focusable="false">'
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z"/></marker></defs>'
        + "".join(parts)
        + "</svg>"
    )


__all__ = ["render_svg", "BPMN"]
