"""The regulation page draws each channel's and procedure's BPMN export with bpmn-js (from the npm
lock), in the page's language: a shape for every step, and no label over another label or over a
shape not its own (a task's label inside its box), in Kazakh and Russian, for a regulation with
long steps and six lanes and for a short one; a step selected in the diagram is found in the step
table; axe finds no serious or critical violation; without JavaScript the table alone is shown."""

from pathlib import Path

import pytest
from django.conf import settings
from lxml import etree

from qyzmet.regulations import bpmn
from qyzmet.regulations.models import Regulation

from .browser import async_unsafe_allowed, chromium_page  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STATIC = Path(settings.BASE_DIR) / "qyzmet" / "static" / "vendor"
VIEWER = STATIC / "bpmn-navigated-viewer.min.js"
AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
REGULATIONS = ("almaty-2015-2-279/narcotics-licence", "mhsd-2015-401/specialist-certificate")

# Every drawn label and shape of one figure, in the page's coordinates: [id, kind, left, top,
# right, bottom]; a label's id is its element's (a task's label is drawn inside the task).
GEOMETRY = """(figure) => {
  const out = [];
  const box = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  for (const g of figure.querySelectorAll('g.djs-element[data-element-id]')) {
    const id = g.getAttribute('data-element-id');
    const visual = g.querySelector(':scope > .djs-visual');
    if (!visual) continue;
    const text = visual.querySelector(':scope > text');
    if (text && text.textContent.trim()) out.push([id.replace(/_label$/, ''), 'label', ...box(text)]);
    const shape = visual.querySelector(':scope > rect, :scope > circle, :scope > polygon');
    if (shape && g.classList.contains('djs-shape') && !id.endsWith('_label')) out.push([id, 'shape', ...box(shape)]);
  }
  return out;
}"""


def _overlap(a, b, slack=0.5) -> bool:
    return a[2] + slack < b[4] and b[2] + slack < a[4] and a[3] + slack < b[5] and b[3] + slack < a[5]


def _inside(inner, outer, slack=1.0) -> bool:
    return (
        inner[2] >= outer[2] - slack
        and inner[3] >= outer[3] - slack
        and inner[4] <= outer[4] + slack
        and inner[5] <= outer[5] + slack
    )


def _problems(geometry: list, xml: str, where: str) -> list[str]:
    doc = etree.fromstring(xml.encode())
    kind = {el.get("id"): etree.QName(el).localname for el in doc.iter() if el.get("id")}
    tasks = [i for i, k in kind.items() if k == "task"]
    shapes = {g[0]: g for g in geometry if g[1] == "shape"}
    labels = [g for g in geometry if g[1] == "label"]
    found = [f"{where}: no shape for step {t}" for t in tasks if t not in shapes]
    if len(labels) < len(tasks):
        found.append(f"{where}: {len(labels)} labels drawn for {len(tasks)} steps")
    for i, a in enumerate(labels):
        if kind.get(a[0]) == "task" and a[0] in shapes and not _inside(a, shapes[a[0]]):
            found.append(f"{where}: the label of {a[0]} leaves its box ({a[2:]} outside {shapes[a[0]][2:]})")
        for b in labels[i + 1 :]:
            if _overlap(a, b):
                found.append(f"{where}: the labels of {a[0]} and {b[0]} overlap")
        for s in shapes.values():
            if s[0] != a[0] and kind.get(s[0]) not in ("participant", "lane") and _overlap(a, s):
                found.append(f"{where}: the label of {a[0]} lies over {s[0]}")
    return found


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_regulation_page_draws_its_bpmn_with_no_label_over_another(live_server, language):
    problems = []
    with chromium_page(20_000, require=(VIEWER, AXE), fail_on_js_errors=True) as page:
        page.context.add_cookies(
            [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
        )
        page.set_viewport_size({"width": 1280, "height": 900})
        for number, reg_id in enumerate(REGULATIONS):
            reg = Regulation.objects.get(pk=reg_id).parsed
            flows = list(reg.channels) + list(reg.procedures)
            page.goto(f"{live_server.url}/regulations/{reg_id}/")
            page.wait_for_function(
                "n => document.querySelectorAll('figure.diagram[data-drawn=true]').length === n",
                arg=len(flows),
            )
            for flow in flows:
                kind = "channel" if flow in reg.channels else "procedure"
                figure = page.locator(f'figure[data-bpmn="bpmn-{kind}-{flow.code}"]')
                xml = bpmn.to_bpmn_xml(reg, flow.code, language)
                # the page's language on the diagram: the lanes are the actors' names in it
                for _code, name in bpmn.build_graph(reg, flow.code, language).lanes:
                    assert figure.locator("g.djs-element text", has_text=name.split()[0]).count(), name
                problems += _problems(figure.evaluate(GEOMETRY), xml, f"{reg_id}:{flow.code} ({language})")
            if number == 1:
                # a step selected in the diagram is found in the table; Ctrl and the arrow keys move the diagram
                flow = flows[0]
                first = flow.steps_by_id[flow.start]
                figure = page.locator("figure.diagram").first
                figure.locator(f'g.djs-element[data-element-id="t_{first.id}"]').click()
                row = page.locator(f"#{flow.code}-{first.id}")
                assert "found" in (row.get_attribute("class") or "")
                before = figure.locator("g.viewport").get_attribute("transform")
                figure.locator("svg").first.focus()
                page.keyboard.press("Control+ArrowRight")
                assert figure.locator("g.viewport").get_attribute("transform") != before
            if number == 0 and language == "kk":
                page.add_script_tag(path=str(AXE))
                result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
                problems += [
                    f"axe {v['impact']} {v['id']}: {[n['target'] for n in v['nodes'][:3]]}"
                    for v in result["violations"]
                    if v["impact"] in ("serious", "critical")
                ]
    assert not problems, "\n".join(problems[:40])


def test_without_javascript_the_page_shows_the_step_table_and_no_empty_diagram(live_server):
    reg_id = REGULATIONS[1]
    with chromium_page(require=(VIEWER,)) as page:
        page.route("**/*.js", lambda route: route.abort())  # as a browser without JavaScript would
        page.goto(f"{live_server.url}/regulations/{reg_id}/")
        assert page.locator("figure.diagram").first.is_hidden()
        assert page.locator("table.steps tbody tr").count() >= 10
