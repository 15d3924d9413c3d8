"""An outcome's name as a reader says it: one table for the regulation page, the process diagram and
the preview of a signed decision (the office's buttons word their actions themselves)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from qyzmet.i18n import in_language

NAMES = {
    "done": _("done"),
    "yes": _("yes"),
    "no": _("no"),
    "complete": _("complete"),
    "incomplete": _("incomplete"),
    "approve": _("approve"),
    "refuse": _("refuse"),
    "positive": _("positive"),
    "negative": _("negative"),
}


def outcome_name(code: str, reg=None) -> str:
    """The name of the variant an outcome stands for (a split by variant), else of its code, in
    the active language; an unknown code reads as itself."""
    variant = reg.variant(code) if reg is not None else None
    if variant is not None:
        return in_language(variant.name)
    name = NAMES.get(code)
    return str(name) if name is not None else code.replace("_", " ")
