"""Reading regulation files: YAML to validated `Regulation` objects, with errors that name
the file, the field and the line."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from .schema import Regulation

CATALOGUE_DIR = Path(__file__).resolve().parent / "catalogue"
_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: about 10x faster


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a regulation file, located as precisely as we can."""

    file: str
    field: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.field or '(document)'}: {self.message}"


class RegulationFileError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _line_map(node: yaml.Node, path: tuple = (), out: dict | None = None) -> dict:
    """Map each path in the YAML document (keys and list indexes) to its 1-based line."""
    if out is None:
        out = {}
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value
            out[path + (key,)] = key_node.start_mark.line + 1
            _line_map(value_node, path + (key,), out)
            out[path + (key,)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _line_map(item, path + (i,), out)
    return out


def _nearest_line(lines: dict, loc: tuple) -> int | None:
    # pydantic adds union-member names to the location (e.g. 'FixedNorm'); drop what is
    # not in the document and fall back to the nearest ancestor that is.
    loc = tuple(loc)
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return lines.get(())


def parse_regulation(text: str, file: str) -> tuple[Regulation, dict]:
    """Parse and validate one regulation document; return it with its line map."""
    try:
        # One pass: compose the node tree (for line numbers), then build the data from it.
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise RegulationFileError(
            [Problem(file, "", mark.line + 1 if mark else None, f"not valid YAML: {exc}")]
        ) from exc
    if not isinstance(data, dict) or node is None:
        raise RegulationFileError([Problem(file, "", 1, "a regulation file must be a mapping")])
    lines = _line_map(node)
    try:
        regulation = Regulation.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            doc_loc = tuple(p for p in loc if not (isinstance(p, str) and p[:1].isupper()))
            field = ".".join(str(p) for p in doc_loc)
            problems.append(Problem(file, field, _nearest_line(lines, doc_loc), err["msg"]))
        raise RegulationFileError(problems) from exc
    return regulation, lines


def regulation_files(directory: Path = CATALOGUE_DIR) -> list[Path]:
    return sorted(directory.glob("*/*.yaml"))


def load_file(path: Path, directory: Path = CATALOGUE_DIR) -> Regulation:
    rel = path.relative_to(directory).as_posix()
    regulation, lines = parse_regulation(path.read_text(encoding="utf-8"), rel)
    expected = rel.removesuffix(".yaml")
    if regulation.id != expected:
        raise RegulationFileError(
            [
                Problem(
                    rel,
                    "id",
                    lines.get(("id",)),
                    f"id {regulation.id!r} must equal the file path {expected!r}",
                )
            ]
        )
    return regulation


def load_all(directory: Path = CATALOGUE_DIR) -> list[Regulation]:
    """Load every regulation file; collect the problems of all files before failing."""
    regulations, problems = [], []
    for path in regulation_files(directory):
        try:
            regulations.append(load_file(path, directory))
        except RegulationFileError as exc:
            problems.extend(exc.problems)
    if problems:
        raise RegulationFileError(problems)
    return regulations


@functools.lru_cache(maxsize=1)
def catalogue() -> dict[str, Regulation]:
    """The committed catalogue by id, parsed once per process."""
    return {r.id: r for r in load_all()}
