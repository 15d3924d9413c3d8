"""Licence fees: the variant's rate in MCI units times the index of the filing year.

A rate given as a share of the issue rate (re-issue: 10 %, at most 4 MCI) is resolved against
the regulation's issue variant. Years without a known index have no fee figure: the portal
then says so rather than inventing one.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import yaml

from qyzmet.regulations.citations import citation

MCI_FILE = Path(__file__).with_name("mci.yaml")


@functools.lru_cache(maxsize=1)
def mci_table() -> dict[int, dict]:
    return yaml.safe_load(MCI_FILE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class FeeDue:
    mci_units: Decimal
    mci_value: int
    tenge: Decimal
    sources: tuple[str, ...]  # the legal sources as written (English), for the API and the record
    # the same sources as kk/ru/en texts, for the pages
    citations: tuple[dict, ...] = ()


def fee_for(reg, variant_code: str, year: int) -> FeeDue | None:
    """The fee for one application, or None when the variant carries no fee."""
    variant = reg.variant(variant_code)
    if variant is None or variant.fee is None:
        return None
    fee = variant.fee
    units = Decimal(str(fee.mci)) if fee.mci is not None else None
    if units is None and fee.share_of_issue:
        issue = reg.variant("issue")
        if issue is None or issue.fee is None or issue.fee.mci is None:
            return None
        units = Decimal(str(issue.fee.mci)) * Decimal(str(fee.share_of_issue))
        if fee.max_mci:
            units = min(units, Decimal(str(fee.max_mci)))
    if units is None:
        return None
    row = mci_table().get(year)
    if row is None:
        return None
    tenge = (units * row["tenge"]).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    if fee.source.law:
        law, cited = fee.source.law, citation(fee.source.law)
    else:
        first, last = fee.source.lines
        law = f"{reg.source.seed} lines {fee.source.lines}"
        cited = {
            "kk": f"{reg.source.seed}, {first}–{last} жолдар",
            "ru": f"{reg.source.seed}, строки {first}–{last}",
            "en": f"{reg.source.seed}, lines {first}–{last}",
        }
    return FeeDue(units, row["tenge"], tenge, (law, row["source"]["en"]), (cited, row["source"]))
