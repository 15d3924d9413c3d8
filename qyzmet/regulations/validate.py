"""Checks beyond the schema: each regulation read as a process.

Every step reachable from its channel's start, every path ending in a result or a refusal,
every actor declared, ids unique, each source inside its seed and, across the catalogue,
no two versions of one service at one provider in force at the same time.
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from . import citations
from .loader import CATALOGUE_DIR, Problem, RegulationFileError, load_file, regulation_files
from .schema import Flow, Regulation, Source

# Checks of a regulation that need more than its format, added by the app that owns them (the
# engine adds the planned terms of every variant, channel and branch: engine/cli.py); each takes a
# regulation and returns its problems as 'field: message' strings.
CATALOGUE_CHECKS: list[Callable[[Regulation], list[str]]] = []

SEEDS_DIR = Path(os.environ.get("QYZMET_SEEDS_DIR", Path(__file__).resolve().parents[3] / "shared" / "seeds"))


def _seed_lengths() -> dict[str, int]:
    if not SEEDS_DIR.is_dir():
        return {}
    return {p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in SEEDS_DIR.glob("*.txt")}


def _iter_sources(obj, path=""):
    """Every Source in a model tree, with a dotted path to it."""
    if isinstance(obj, Source):
        yield path, obj
    elif isinstance(obj, list):
        for i, item in enumerate(obj):
            yield from _iter_sources(item, f"{path}.{i}")
    elif isinstance(obj, BaseModel):
        for name in type(obj).model_fields:
            yield from _iter_sources(getattr(obj, name), f"{path}.{name}".lstrip("."))


def _check_flow(reg: Regulation, kind: str, flow: Flow):
    where, steps, by_id = f"{kind}s.{flow.code}", flow.steps, flow.steps_by_id
    seen: set[str] = set()
    for step in steps:
        if step.id in seen:
            yield where, f"step id {step.id!r} is used twice"
        seen.add(step.id)
    if flow.start not in by_id:
        yield where, f"start step {flow.start!r} does not exist"
        return
    for step in steps:
        if reg.actor(step.actor) is None:
            yield f"{where}.{step.id}", f"actor {step.actor!r} is not declared in `actors`"
        for body in step.requests_conclusion_from:
            if reg.actor(body) is None:
                yield f"{where}.{step.id}", f"body {body!r} is not declared in `actors`"
        for target in step.successors:
            if target not in by_id:
                yield f"{where}.{step.id}", f"leads to {target!r}, which is not a step here"
        if step.result and not any(r.code == step.result for r in reg.results):
            yield f"{where}.{step.id}", f"result {step.result!r} is not declared in `results`"
        if step.procedure and reg.procedure(step.procedure) is None:
            yield f"{where}.{step.id}", f"procedure {step.procedure!r} is not declared"
        if step.norm is None and not step.norm_note:
            yield f"{where}.{step.id}", "has neither a `norm` nor a `norm_note` saying why there is none"
        if len(step.branches) == 1:
            yield f"{where}.{step.id}", "a step with branches needs at least two outcomes"
    yield from _check_items(kind, flow)
    # Reachability from the start, and whether each step can still reach an end.
    reachable = flow.reachable()
    for step in steps:
        if step.id not in reachable:
            yield f"{where}.{step.id}", "is not reachable from the start"
    ends = {s.id for s in steps if s.end}
    if not ends:
        yield where, "has no end step (a result or a refusal)"
    can_end = set(ends)
    changed = True
    while changed:
        changed = False
        for step in steps:
            if step.id in can_end:
                continue
            if any(t in can_end for t in step.successors):
                can_end.add(step.id)
                changed = True
    for step in steps:
        if step.id in reachable and step.id not in can_end:
            yield f"{where}.{step.id}", "no path from here ends in a result or a refusal"
    if kind == "procedure":
        yield from _check_refusal_acts(where, flow)


def _check_refusal_acts(where: str, flow: Flow):
    """An incomplete set found at the completeness check is refused by an act of its own (refusal
    to accept, or of further consideration), never silently by the refusal to provide the service:
    the refusal end it leads to, through the steps that sign it, names its `refusal` act."""
    for step in flow.steps:
        if step.check != "documents_complete":
            continue
        for branch in step.branches:
            if branch.when not in ("incomplete", "no"):
                continue
            target, seen = flow.step(branch.to), set()
            while target is not None and target.next and target.id not in seen:
                seen.add(target.id)
                target = flow.step(target.next)
            if target is not None and target.end == "refusal" and target.refusal is None:
                yield (
                    f"{where}.{target.id}",
                    f"the incomplete set found at {step.id} ends here: name the `refusal` act "
                    "(acceptance, consideration, or service where the seed says so)",
                )


def _check_items(kind: str, flow: Flow):
    """A step `within` an item is reached only from that item (or from a step within it), the item
    has a norm, and both carry the regulation's one number; a step without a norm that the
    regulation numbers as part of the normed item before it says so with `within`."""
    where, by_id = f"{kind}s.{flow.code}", flow.steps_by_id
    before: dict[str, list] = {}
    for step in flow.steps:
        for target in step.successors:
            before.setdefault(target, []).append(step)

    def item_of(step):
        return step.id if step.norm is not None else step.within

    for step in flow.steps:
        here = f"{where}.{step.id}"
        if step.within is not None:
            item = by_id.get(step.within)
            if item is None:
                yield here, f"is within {step.within!r}, which is not a step here"
                continue
            if item.norm is None:
                yield here, f"is within {item.id}, which has no norm to be due with"
            if item.number is not None and step.number is not None and item.number != step.number:
                yield here, f"is within {item.id} (item {item.number}) but is numbered {step.number}"
            for prev in before.get(step.id, []):
                if item_of(prev) != item.id:
                    yield here, f"is within {item.id} but is also reached from {prev.id}, outside that item"
        elif step.norm is None and step.number is not None and before.get(step.id):
            items = {item_of(p) for p in before[step.id]}
            item = by_id.get(next(iter(items))) if len(items) == 1 and None not in items else None
            # A channel's conditions are numbered apart from its processes.
            same_series = kind == "procedure" or (item is not None and item.kind == step.kind)
            if item is not None and item.number == step.number and same_series:
                yield (
                    here,
                    (
                        f"has no norm and is numbered as item {step.number} of {item.id}, which has one: "
                        f"mark it `within: {item.id}`"
                    ),
                )


# The result kind of a licence's re-issue and duplicate (Law 202-V Arts. 33 and 43: a re-issued
# licence; a duplicate marked as such), where the regulation declares a result of that kind.
DERIVED_RESULT_KIND = {"reissue": "reissued_licence", "duplicate": "duplicate"}


def _reached_by(flow: Flow, variant: str, variants: set[str]) -> set[str]:
    """The steps a variant can reach: a branch on the variants is taken only for its own."""
    seen, todo = set(), [flow.start]
    while todo:
        step = flow.steps_by_id.get(todo.pop())
        if step is None or step.id in seen:
            continue
        seen.add(step.id)
        on_variant = [b for b in step.branches if b.when in variants]
        todo.extend([b.to for b in on_variant if b.when == variant] if on_variant else step.successors)
    return seen


def _variant_results(reg: Regulation):
    """A re-issue or duplicate that ends in a step naming another kind of result (a plain
    licence) would be entered in the register as a new ordinary licence."""
    kinds = {r.code: r.kind for r in reg.results}
    codes = {v.code for v in reg.variants}
    for variant, wanted in DERIVED_RESULT_KIND.items():
        if variant not in codes or wanted not in kinds.values():
            continue
        for kind, flows in (("channel", reg.channels), ("procedure", reg.procedures)):
            for flow in flows:
                if flow.variants and variant not in flow.variants:
                    continue
                for step_id in sorted(_reached_by(flow, variant, codes)):
                    step = flow.steps_by_id[step_id]
                    if step.end == "result" and step.result and kinds.get(step.result) != wanted:
                        yield (
                            f"{kind}s.{flow.code}.{step.id}: the {variant} variant ends in "
                            f"{step.result!r} ({kinds.get(step.result)}), not a {wanted}"
                        )


def _scopes(reg: Regulation):
    """Every `applies_to` of the regulation, with its place and the flow it is on (if a step)."""
    if reg.applies_to is not None:
        yield "applies_to", reg.applies_to, None
    for v in reg.variants:
        if v.applies_to is not None:
            yield f"variants.{v.code}.applies_to", v.applies_to, None
    for status in reg.statuses:
        if status.applies_to is not None:
            yield f"statuses.{status.code}.applies_to", status.applies_to, None
    for kind, flows in (("channel", reg.channels), ("procedure", reg.procedures)):
        for flow in flows:
            for step in flow.steps:
                if step.applies_to is not None:
                    yield f"{kind}s.{flow.code}.{step.id}.applies_to", step.applies_to, (kind, flow)


def _check_scopes(reg: Regulation):
    """Which channels and applicant kinds a regulation, a variant or a step applies to: each
    restriction cites the seed lines that make it, names channels the regulation has and kinds the
    regulation admits, and a step tied to some channels is one the application can pass over."""
    channels = {c.code for c in reg.channels}
    admitted = set(reg.applies_to.applicants) if reg.applies_to and reg.applies_to.applicants else None
    for where, scope, on in _scopes(reg):
        if scope.source.lines is None:
            yield f"{where}: a restriction cites the seed lines that make it (`source.lines`)"
        for code in scope.channels:
            if code not in channels:
                yield f"{where}: channel {code!r} is not a channel of this regulation"
        if where != "applies_to" and admitted is not None:
            for kind in scope.applicants:
                if kind not in admitted:
                    yield f"{where}: applicant kind {kind!r} is not admitted by the regulation ({sorted(admitted)})"
        if on is None:
            continue
        kind, flow = on
        if kind == "channel" and scope.channels and flow.code not in scope.channels:
            yield f"{where}: a step of the {flow.code} channel that applies only to {scope.channels} never runs"
        step = flow.steps_by_id[where.split(".")[2]]
        if step.id == flow.start:
            yield f"{where}: the start of a flow cannot be passed over"
        if step.within is not None or any(s.within == step.id for s in flow.steps):
            yield f"{where}: a step inside a numbered item (`within`) is not passed over alone"


def _document_lists(reg) -> list[str]:
    """Each form's documents: codes once, and a Standard's clause only where the Standard is cited for documents."""
    problems = []
    cited = {c.clause for c in reg.standard.clauses_cited if c.subject == "documents"}
    for i, form in enumerate(reg.request_forms):
        codes = [d.code for d in form.documents]
        if len(codes) != len(set(codes)):
            problems.append(f"request_forms.{i}: a document code is repeated in {codes}")
        for doc in form.documents:
            if doc.clause is not None and doc.clause not in cited:
                problems.append(
                    f"request_forms.{i}.{doc.code}: clause {doc.clause} of the Standard is not among "
                    f"standard.clauses_cited for documents ({sorted(cited)})"
                )
    return problems


def check_regulation(reg: Regulation, seed_lengths: dict[str, int] | None = None) -> list[str]:
    """Process-level problems of one regulation, as 'field: message' strings."""
    problems: list[str] = []
    for label, items in [
        ("actors", reg.actors),
        ("variants", reg.variants),
        ("channels", reg.channels),
        ("procedures", reg.procedures),
        ("results", reg.results),
        ("statuses", reg.statuses),
        ("refusal_grounds", reg.refusal_grounds),
    ]:
        codes = [item.code for item in items]
        for dup in sorted({c for c in codes if codes.count(c) > 1}):
            problems.append(f"{label}: code {dup!r} is used twice")
    variant_codes = {v.code for v in reg.variants}
    for flow_kind, flows in [("channel", reg.channels), ("procedure", reg.procedures)]:
        for flow in flows:
            for v in flow.variants:
                if v not in variant_codes:
                    problems.append(f"{flow_kind}s.{flow.code}: unknown variant {v!r}")
            problems.extend(f"{w}: {m}" for w, m in _check_flow(reg, flow_kind, flow))
    for i, form in enumerate(reg.request_forms):
        for v in form.variants:
            if v not in variant_codes:
                problems.append(f"request_forms.{i}: unknown variant {v!r}")
    for variant in reg.variants:
        if reg.procedures and reg.procedure_for(variant.code) is None:
            problems.append(f"variants.{variant.code}: no internal procedure applies to it")
        if reg.request_form_for(variant.code) is None:
            problems.append(f"variants.{variant.code}: no request form lists its documents")
    problems.extend(_document_lists(reg))
    problems.extend(_variant_results(reg))
    problems.extend(_check_scopes(reg))
    for result in reg.results:
        if result.signed_by and reg.actor(result.signed_by) is None:
            problems.append(f"results.{result.code}: signer {result.signed_by!r} is not declared")
    seed_lengths = _seed_lengths() if seed_lengths is None else seed_lengths
    if seed_lengths:
        for path, src in _iter_sources(reg):
            seed = src.seed or reg.source.seed
            if seed not in seed_lengths:
                problems.append(f"{path}: unknown seed {seed!r}")
            elif src.lines and src.lines[1] > seed_lengths[seed]:
                problems.append(f"{path}: lines {list(src.lines)} run past the end of {seed}")
            elif src.lines and seed == reg.source.seed and path != "source":
                lo, hi = reg.source.lines
                if not (lo <= src.lines[0] and src.lines[1] <= hi) and not src.note:
                    # Preambles of the approving act lie outside the regulation's own range;
                    # that is allowed when the source says why in a note.
                    problems.append(
                        f"{path}: lines {list(src.lines)} lie outside the regulation's range "
                        f"{list(reg.source.lines)} (add a `note` saying why)"
                    )
    for path, src in _iter_sources(reg):
        if citations.missing([src.law]):
            problems.append(
                f"{path}: the citation {src.law!r} has no kk/ru entry in regulations/citations.yaml"
            )
    return problems


def check_overlaps(regulations: list[Regulation]) -> list[str]:
    """Versions of one service at one provider must not be in force at the same time."""
    problems = []
    groups = defaultdict(list)
    for reg in regulations:
        groups[(reg.service, reg.provider.code)].append(reg)
    for (service, provider), regs in groups.items():
        regs.sort(key=lambda r: r.in_force.from_)
        for a, b in zip(regs, regs[1:]):
            if a.in_force.until is None or a.in_force.until > b.in_force.from_:
                problems.append(
                    f"{a.id} and {b.id}: both in force for {service} at {provider} from {b.in_force.from_}"
                )
    return problems


def validate_catalogue(directory: Path = CATALOGUE_DIR) -> tuple[list[Regulation], list[str]]:
    """Load and check every file; return the regulations that loaded and all problems found."""
    regulations, problems = [], []
    seed_lengths = _seed_lengths()
    ids = set()
    for path in regulation_files(directory):
        try:
            reg = load_file(path, directory)
        except RegulationFileError as exc:
            problems.extend(str(p) for p in exc.problems)
            continue
        if reg.id in ids:
            problems.append(f"{reg.id}: id used twice")
        ids.add(reg.id)
        regulations.append(reg)
        problems.extend(f"{reg.id}: {p}" for p in check_regulation(reg, seed_lengths))
        for check in CATALOGUE_CHECKS:
            problems.extend(f"{reg.id}: {p}" for p in check(reg))
    problems.extend(check_overlaps(regulations))
    return regulations, problems


__all__ = ["Problem", "check_regulation", "check_overlaps", "validate_catalogue"]
