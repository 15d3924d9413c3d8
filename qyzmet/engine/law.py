"""The general rules of the law that regulations defer to, as data (`law_rules.yaml`)."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path

import yaml

RULES_FILE = Path(__file__).with_name("law_rules.yaml")


@dataclass(frozen=True)
class LawRule:
    code: str
    title: dict
    what: str
    term: dict
    source: str  # the wording in force on the day that was asked for


@functools.lru_cache(maxsize=1)
def _data() -> dict:
    return yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))


def rules_for(regulation, on: dt.date) -> dict[str, LawRule]:
    """The rules that govern an application of `regulation` filed on `on`, by code.

    Only permits (licences, permits, conclusions) fall under the licensing / permissions laws.
    """
    data = _data()
    if not any(r.kind in data["applies_to_results"] for r in regulation.results):
        return {}
    found = {}
    for rule in data["rules"]:
        for src in rule["sources"]:
            if src["from"] <= on and (src.get("until") is None or on < src["until"]):
                found[rule["code"]] = LawRule(
                    rule["code"], rule["title"], rule["what"], rule["term"], src["law"]
                )
    return found


@dataclass(frozen=True)
class PauseRule:
    """A stop of the legal clock the law allows: what it is, what the applicant is asked, and the
    wording of the law in force on the day that was asked for."""

    code: str
    title: dict
    asks: dict
    what: str
    source: str


def pauses_for(regulation, on: dt.date) -> dict[str, PauseRule]:
    """The stops of the legal clock the law allows for an application of `regulation` filed on
    `on`, by code: none unless a rule in `law_rules.yaml` names one (the office offers no other)."""
    kinds = {r.kind for r in regulation.results}
    found = {}
    for rule in _data().get("pauses") or []:
        if not kinds & set(rule.get("applies_to_results") or []):
            continue
        if not all(getattr(regulation, flag, False) for flag in rule.get("requires") or []):
            continue
        for src in rule["sources"]:
            if src["from"] <= on and (src.get("until") is None or on < src["until"]):
                found[rule["code"]] = PauseRule(
                    rule["code"], rule["title"], rule["asks"], rule["what"], src["law"]
                )
    return found
