"""Where the BPMN export draws each lane, shape, edge and label, so that no two labels overlap.

The diagram interchange (BPMN DI) of the export is read by bpmn-js on the regulation page and by
any BPMN tool, and every text in it is sized here before it is placed:

- columns by the longest path from the start (a flow back to an earlier step is routed round
  underneath), rows by lane, shapes sharing a lane and a column stacked in rows of their own;
- each task as wide and as tall as its full label needs at bpmn-js's 12 px (`text_lines`
  measures with widths a little above Arial's, the font bpmn-js asks for, so a label wraps into
  no more lines than reserved);
- edges orthogonal: vertical runs only in the gaps between columns (each edge its own channel),
  horizontal runs only along a shape's centre line or in the corridors between rows, so an edge
  never crosses a shape;
- a flow's label (a branch's outcome) in the gap just before the step it leads to, above its
  line (a second one into the same step below it); an end event's label under its circle;
- every lane tall enough for its actor's name in at most three lines, the pool for its name in one.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

FONT = 12  # bpmn-js's labels inside shapes and of lanes
EXTERNAL_FONT = 11  # its labels outside shapes (flows, events)
LINE = 1.2  # line height, in ems
TASK_PADDING = 7
TASK_WIDTHS = (160, 200, 240, 280)
MIN_TASK_H = 80
GATEWAY = 50
EVENT = 36
LANE_HEADER = 30  # the pool's band for its name, and each lane's for its own
LANE_LINES = 3  # a lane's name in at most this many lines
CONTENT_LEFT = 2 * LANE_HEADER + 30  # where the first column starts: clear of the lane's label
CORRIDOR = 26  # the band above each row, where edges run between rows
CORRIDOR_STEP = 6
CHANNEL_PAD = 12
CHANNEL_STEP = 10
MIN_GAP = 50
LABEL_MAX_W = 170
LABEL_GAP = 6  # between a label and the line or shape it belongs to
ROW_MARGIN = 10


# Widths in ems, rounded up from Arial's (Liberation Sans's) so that a text is never wider
# than measured here: bpmn-js then breaks it into no more lines than were reserved.
_NARROW = set("iljI.,:;'!|`ı") | {"і", "ї"}
_SEMI = set('ftr()[]-/ «»"') | {"г", "т"}
_WIDE = set("mwMW%@") | set("жшщюыфЖШЩЮЫФМм")
_UPPER_CYR = {chr(c) for c in range(0x0410, 0x0430)} | set("ӘҒҚҢӨҰҮҺІЁ")


def char_em(c: str) -> float:
    if c in _NARROW:
        return 0.3
    if c == " ":
        return 0.3
    if c in _SEMI:
        return 0.4
    if c in _WIDE:
        return 0.95
    if c.isdigit():
        return 0.58
    if c in _UPPER_CYR or ("A" <= c <= "Z"):
        return 0.76
    return 0.62


def text_width(text: str, size: float = FONT) -> float:
    return sum(char_em(c) for c in text) * size


def text_lines(text: str, width: float, size: float = FONT) -> list[str]:
    """`text` broken greedily at spaces into lines no wider than `width` (a longer word is cut)."""
    width = max(width, 2 * size)
    lines: list[str] = []
    current = ""
    for word in text.split():
        while text_width(word, size) > width:  # a word longer than a line: cut it
            cut = len(word)
            while cut > 1 and text_width(word[:cut], size) > width:
                cut -= 1
            if current:
                lines.append(current)
                current = ""
            lines.append(word[:cut])
            word = word[cut:]
        candidate = f"{current} {word}" if current else word
        if text_width(candidate, size) <= width:
            current = candidate
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines or [""]


def task_size(label: str) -> tuple[float, float]:
    """The narrowest of `TASK_WIDTHS` at which the label's box is no taller than it is wide
    (the widest otherwise), and the height its lines need, with one line to spare."""
    for width in TASK_WIDTHS:
        lines = len(text_lines(label, width - 2 * TASK_PADDING - 4))
        height = (lines + 1) * FONT * LINE + 2 * TASK_PADDING
        if height <= width * 0.75:
            break
    return width, max(MIN_TASK_H, math.ceil(height / 10) * 10)


def external_label_size(text: str, max_width: float = LABEL_MAX_W) -> tuple[float, float]:
    lines = text_lines(text, max_width - 4, EXTERNAL_FONT)
    width = max(text_width(line, EXTERNAL_FONT) for line in lines) + 6
    return math.ceil(width), math.ceil(len(lines) * EXTERNAL_FONT * LINE + 4)


@dataclass
class Box:
    x: float = 0
    y: float = 0
    w: float = 0
    h: float = 0

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2

    @property
    def right(self) -> float:
        return self.x + self.w

    def overlaps(self, other: Box) -> bool:
        return (
            self.x < other.x + other.w
            and other.x < self.x + self.w
            and self.y < other.y + other.h
            and other.y < self.y + self.h
        )


@dataclass
class Placed:
    """What the layout gives back: shapes, label boxes, waypoints, lanes and the pool."""

    shapes: dict[str, Box] = field(default_factory=dict)
    labels: dict[str, Box] = field(default_factory=dict)  # node or flow id -> its label's box
    waypoints: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    lanes: dict[str, Box] = field(default_factory=dict)
    pool: Box = field(default_factory=Box)


def _columns(nodes: list[str], edges: list[tuple[str, str, str]], start: str) -> tuple[dict, set]:
    """Longest-path columns from `start`, and the ids of the edges that go back (close a cycle)."""
    out = defaultdict(list)
    for fid, s, t in edges:
        out[s].append((fid, t))
    back: set[str] = set()
    state: dict[str, int] = {}
    order: list[str] = []

    def visit(n):
        stack = [(n, iter(out[n]))]
        state[n] = 1
        while stack:
            node, it = stack[-1]
            for fid, t in it:
                if state.get(t) == 1:
                    back.add(fid)
                elif t not in state:
                    state[t] = 1
                    stack.append((t, iter(out[t])))
                    break
            else:
                state[node] = 2
                order.append(node)
                stack.pop()

    visit(start)
    for n in nodes:
        if n not in state:
            visit(n)
    column = {n: 0 for n in nodes}
    for n in reversed(order):  # a topological order of the forward edges
        for fid, t in out[n]:
            if fid not in back:
                column[t] = max(column[t], column[n] + 1)
    return column, back


def lay_out(
    lanes: list[tuple[str, str]],
    pool_name: str,
    nodes: dict[str, tuple[str, str, str]],
    flows: list[tuple[str, str, str, str]],
    start: str,
) -> Placed:
    """Place `nodes` ({id: (kind, label, lane)}, kind one of startEvent, task,
    exclusiveGateway, endEvent) and `flows` ([(id, source, target, label)]) in `lanes`
    ([(code, name)], top to bottom) of a pool named `pool_name`."""
    ids = list(nodes)
    column, back = _columns(ids, [(f, s, t) for f, s, t, _ in flows], start)
    size: dict[str, tuple[float, float]] = {}
    for nid, (kind, label, _lane) in nodes.items():
        if kind == "task":
            size[nid] = task_size(label)
        elif kind == "exclusiveGateway":
            size[nid] = (GATEWAY, GATEWAY)
        else:
            size[nid] = (EVENT, EVENT)

    # rows: a shape keeps the row of its predecessor in the same lane when that cell is free
    preds = defaultdict(list)
    for fid, s, t, _ in flows:
        if fid not in back:
            preds[t].append(s)
    row_of: dict[str, int] = {}
    taken: set[tuple[str, int, int]] = set()
    for nid in sorted(ids, key=lambda n: (column[n], ids.index(n))):
        lane = nodes[nid][2]
        wanted = next((row_of[p] for p in preds[nid] if p in row_of and nodes[p][2] == lane), 0)
        for candidate in sorted(range(len(ids) + 1), key=lambda r: (abs(r - wanted), r < wanted)):
            if (lane, column[nid], candidate) not in taken:
                break
        row_of[nid] = candidate
        taken.add((lane, column[nid], candidate))

    # labels of flows, beside the step they lead to: first above its line, then below, ...
    label_size = {fid: external_label_size(label) for fid, _s, _t, label in flows if label}
    into: dict[str, list[str]] = defaultdict(list)
    for fid, _s, t, label in flows:
        if label:
            into[t].append(fid)
    end_label = {
        nid: external_label_size(label, 150)
        for nid, (kind, label, _) in nodes.items()
        if kind == "endEvent" and label
    }

    # each row's half-height: its shapes, the labels above and below their centre line
    half: dict[tuple[str, int], float] = defaultdict(lambda: MIN_TASK_H / 2)
    for nid in ids:
        key = (nodes[nid][2], row_of[nid])
        need = size[nid][1] / 2
        above = sum(label_size[f][1] + LABEL_GAP for f in into[nid][0::2])
        below = sum(label_size[f][1] + LABEL_GAP for f in into[nid][1::2])
        need = max(need, above, below)
        if nid in end_label:
            need = max(need, EVENT / 2 + LABEL_GAP + end_label[nid][1])
        half[key] = max(half[key], need + ROW_MARGIN)

    # the edges' routes, as the gaps and corridors they use; the gaps' widths follow
    rows_in_lane = defaultdict(int)
    for nid in ids:
        lane = nodes[nid][2]
        rows_in_lane[lane] = max(rows_in_lane[lane], row_of[nid] + 1)
    lane_index = {code: i for i, (code, _) in enumerate(lanes)}

    def row_key(nid):
        return (lane_index[nodes[nid][2]], row_of[nid])

    occupied = {(row_key(n), column[n]) for n in ids}
    channels = defaultdict(int)  # gap (the column it precedes) -> channels used
    corridors = defaultdict(int)  # (lane index, row) above which an edge runs -> edges in it
    route: dict[str, tuple] = {}
    for fid, s, t, _ in flows:
        a, b = column[s], column[t]
        if fid in back:
            below = (lane_index[nodes[s][2]], row_of[s] + 1)
            route[fid] = ("back", (b, channels[b]), (below, corridors[below]))
            channels[b] += 1
            corridors[below] += 1
        elif row_key(s) == row_key(t) and all((row_key(s), c) not in occupied for c in range(a + 1, b)):
            route[fid] = ("straight",)
        elif b == a + 1:
            route[fid] = ("elbow", (b, channels[b]))
            channels[b] += 1
        else:
            corridor = row_key(t)
            route[fid] = (
                "corridor",
                (a + 1, channels[a + 1]),
                (b, channels[b]),
                (corridor, corridors[corridor]),
            )
            channels[a + 1] += 1
            channels[b] += 1
            corridors[corridor] += 1

    ncols = max(column.values()) + 1
    col_w = [0.0] * ncols
    for nid in ids:
        col_w[column[nid]] = max(col_w[column[nid]], size[nid][0], end_label.get(nid, (0, 0))[0])
    label_w = [0.0] * ncols
    for nid in ids:
        for fid in into[nid]:
            label_w[column[nid]] = max(label_w[column[nid]], label_size[fid][0])
    col_x = [0.0] * ncols
    gap_left = [0.0] * ncols
    x = CONTENT_LEFT
    for c in range(ncols):
        if c:
            gap_left[c] = x
            x += max(MIN_GAP, 2 * CHANNEL_PAD + channels[c] * CHANNEL_STEP + label_w[c] + 2 * LABEL_GAP)
        col_x[c] = x
        x += col_w[c]
    width = x + 40

    # rows and lanes, top to bottom; a lane grows to fit its name, the pool to fit its own
    row_top: dict[tuple[int, int], float] = {}
    lane_box: dict[str, Box] = {}
    y = 0.0
    for i, (code, name) in enumerate(lanes):
        top = y
        for r in range(rows_in_lane[code]):
            row_top[(i, r)] = y
            y += CORRIDOR + 2 * half[(code, r)]
        row_top[(i, rows_in_lane[code])] = y  # the corridor under the lane's last row
        y += CORRIDOR
        while len(text_lines(name, y - top - 2 * ROW_MARGIN)) > LANE_LINES:
            y += 10
        lane_box[code] = Box(LANE_HEADER, top, width - LANE_HEADER, y - top)
    pool_need = text_width(pool_name) + 2 * ROW_MARGIN
    if y < pool_need:
        last = lane_box[lanes[-1][0]]
        last.h += pool_need - y
        y = pool_need
    placed = Placed(lanes=lane_box, pool=Box(0, 0, width, y))

    for nid in ids:
        code = nodes[nid][2]
        i, r = lane_index[code], row_of[nid]
        cy = row_top[(i, r)] + CORRIDOR + half[(code, r)]
        w, h = size[nid]
        cx = col_x[column[nid]] + col_w[column[nid]] / 2
        placed.shapes[nid] = Box(cx - w / 2, cy - h / 2, w, h)
    for nid, (lw, lh) in end_label.items():
        shape = placed.shapes[nid]
        placed.labels[nid] = Box(shape.cx - lw / 2, shape.y + shape.h + LABEL_GAP, lw, lh)
    for nid in ids:
        shape = placed.shapes[nid]
        right = col_x[column[nid]] - LABEL_GAP
        up, down = shape.cy - LABEL_GAP, shape.cy + LABEL_GAP
        for k, fid in enumerate(into[nid]):
            lw, lh = label_size[fid]
            if k % 2 == 0:
                up -= lh
                placed.labels[fid] = Box(right - lw, up, lw, lh)
                up -= LABEL_GAP
            else:
                placed.labels[fid] = Box(right - lw, down, lw, lh)
                down += lh + LABEL_GAP

    def channel_x(gap):
        c, k = gap
        return gap_left[c] + CHANNEL_PAD + k * CHANNEL_STEP

    def corridor_y(corridor):
        (i, r), k = corridor
        return row_top[(i, r)] + CORRIDOR_STEP + (k % 3) * CORRIDOR_STEP

    for fid, s, t, _ in flows:
        a, b = placed.shapes[s], placed.shapes[t]
        kind = route[fid][0]
        if kind == "straight":
            points = [(a.right, a.cy), (b.x, b.cy)]
        elif kind == "elbow":
            x1 = channel_x(route[fid][1])
            points = [(a.right, a.cy), (x1, a.cy), (x1, b.cy), (b.x, b.cy)]
        elif kind == "corridor":
            x1, x2, yc = channel_x(route[fid][1]), channel_x(route[fid][2]), corridor_y(route[fid][3])
            points = [(a.right, a.cy), (x1, a.cy), (x1, yc), (x2, yc), (x2, b.cy), (b.x, b.cy)]
        else:  # back: down from the source, along the corridor under its row, into the target
            x2, yc = channel_x(route[fid][1]), corridor_y(route[fid][2])
            points = [(a.cx, a.y + a.h), (a.cx, yc), (x2, yc), (x2, b.cy), (b.x, b.cy)]
        placed.waypoints[fid] = [(round(px, 1), round(py, 1)) for px, py in points]
    for box in [*placed.shapes.values(), *placed.labels.values(), *placed.lanes.values(), placed.pool]:
        box.x, box.y, box.w, box.h = (round(v, 1) for v in (box.x, box.y, box.w, box.h))
    return placed
