"""The grounds of a permit's changes of status, as data (`grounds.yaml`), each with its law.

ground = grounds.get("liquidation")
ground.source(on)  # the article in force on that day
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

from qyzmet.i18n import in_language

GROUNDS_FILE = Path(__file__).with_name("grounds.yaml")


@dataclass(frozen=True)
class Ground:
    code: str
    action: str  # a RegisterEvent.Action
    name: dict  # kk/ru/en
    sources: tuple
    staff: bool  # offered to the licensor's staff (else recorded by the register itself)

    @property
    def label(self) -> str:
        return in_language(self.name)

    def source(self, on: dt.date) -> str:
        """The article in force on `on` (the oldest one before any is in force)."""
        for src in self.sources:
            if src["from"] <= on and (src.get("until") is None or on < src["until"]):
                return src["law"]
        return self.sources[0]["law"]


@functools.lru_cache(maxsize=1)
def _all() -> dict[str, Ground]:
    data = yaml.safe_load(GROUNDS_FILE.read_text(encoding="utf-8"))
    return {
        g["code"]: Ground(g["code"], g["action"], g["name"], tuple(g["sources"]), g.get("staff", True))
        for g in data["grounds"]
    }


def get(code: str) -> Ground | None:
    return _all().get(code)


def for_action(action: str, *, staff: bool = True) -> list[Ground]:
    """The grounds of an action; with `staff`, only those the licensor's staff may give."""
    return [g for g in _all().values() if g.action == action and (g.staff or not staff)]


def label_of(code: str) -> str:
    ground = get(code)
    return ground.label if ground else code
