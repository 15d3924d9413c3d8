"""JSON export of the catalogue and a plain-text description of one regulation."""

from __future__ import annotations

from .schema import Regulation


def to_dict(reg: Regulation) -> dict:
    data = reg.model_dump(mode="json", by_alias=True, exclude_none=True)
    seed = reg.source.seed
    # Sources name their seed explicitly in the export, so a reader needs no defaults.
    _fill_seed(data, seed)
    return data


def _fill_seed(node, seed):
    if isinstance(node, dict):
        if "lines" in node and "seed" not in node and isinstance(node.get("lines"), list):
            node["seed"] = seed
        for value in node.values():
            _fill_seed(value, seed)
    elif isinstance(node, list):
        for item in node:
            _fill_seed(item, seed)


def to_json(regs: list[Regulation]) -> dict:
    return {"regulations": [to_dict(r) for r in regs]}


def describe(reg: Regulation) -> str:
    out = [f"{reg.id}  ({reg.service})", reg.title.en, reg.title.kk, ""]
    out.append(f"provider: {reg.provider.name.en}")
    out.append(f"in force: {reg.in_force.from_} .. {reg.in_force.until or 'open'}")
    out.append(f"source: {reg.source.seed} lines {reg.source.lines[0]}-{reg.source.lines[1]}")
    for v in reg.variants:
        out.append(f"variant {v.code}: {v.name.en}; term {format_norm(v.term)}")
    for flow_kind, flows in (("channel", reg.channels), ("procedure", reg.procedures)):
        for flow in flows:
            out.append("")
            out.append(f"{flow_kind} {flow.code}: {flow.name.en}")
            for s in flow.steps:
                if s.next:
                    then = f"-> {s.next}"
                elif s.branches:
                    then = "; ".join(f"{b.when} -> {b.to}" for b in s.branches)
                else:
                    then = f"END {s.end}" + (f" ({s.result})" if s.result else "")
                lines = f"{s.source.lines[0]}-{s.source.lines[1]}" if s.source.lines else s.source.law
                out.append(
                    f"  {s.id:<12} {s.kind:<9} {s.actor:<18} {format_norm(s.norm):<22} {then}   [{lines}]"
                )
                out.append(f"  {'':<12} {s.action.en}")
    return "\n".join(out)


def format_norm(norm) -> str:
    if norm is None:
        return "-"
    if norm.unit == "within_working_day":
        return "within the working day"
    unit = norm.unit.replace("_", " ")
    if hasattr(norm, "min"):
        return f"{norm.min:g}-{norm.max:g} {unit}"
    if norm.value == 1:
        unit = unit.removesuffix("s")  # "1 working day"
    return f"{norm.value:g} {unit}"


def json_schema() -> dict:
    """The JSON Schema of `regulations export --format json` (committed as docs/regulation-export.schema.json)."""
    from .schema import Regulation

    item = Regulation.model_json_schema(mode="serialization", by_alias=True)
    defs = item.pop("$defs", {})
    defs["Regulation"] = item
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://qyzmet.kz/schemas/regulation-export.schema.json",
        "title": "Qyzmet regulation catalogue export",
        "description": (
            "Output of `python -m qyzmet regulations export --format json`. Every `source` names its seed "
            "file and 1-based inclusive line range, or a `law` reference for figures the seed does not hold. "
            "Norms are {value, unit}, {min, max, unit} or {unit: within_working_day}."
        ),
        "type": "object",
        "required": ["regulations"],
        "properties": {"regulations": {"type": "array", "items": {"$ref": "#/$defs/Regulation"}}},
        "$defs": defs,
    }
