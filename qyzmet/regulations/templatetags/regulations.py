"""Template helpers for regulation documents: pick the text in the page's language, format norms."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from qyzmet.i18n import in_language

from ..export import format_norm

register = template.Library()


@register.filter
def tr(text, language=None):
    """A kk/ru/en text in the page's language (or the one given: `{{ name|tr:"ru" }}`)."""
    return in_language(text, language)


# Each unit with its plural forms, so that Russian reads "3 рабочих дня" and "5 рабочих дней".
UNIT_LABELS = {
    "seconds": lambda n: ngettext("%(n)s second", "%(n)s seconds", n),
    "minutes": lambda n: ngettext("%(n)s minute", "%(n)s minutes", n),
    "hours": lambda n: ngettext("%(n)s hour", "%(n)s hours", n),
    "working_days": lambda n: ngettext("%(n)s working day", "%(n)s working days", n),
    "calendar_days": lambda n: ngettext("%(n)s calendar day", "%(n)s calendar days", n),
}


@register.filter
def norm(value):
    """A time norm as people read it, e.g. "15 working days" or "10–15 seconds", in the page's language."""
    if value is None:
        return "—"
    if value.unit == "within_working_day":
        return _("within the working day")
    if hasattr(value, "min"):
        amount, count = f"{value.min:g}–{value.max:g}", value.max
    else:
        amount, count = f"{value.value:g}", value.value
    # a fraction takes the plural form that Russian uses for fractions (the last one)
    count = int(count) if float(count).is_integer() else 5
    return UNIT_LABELS[value.unit](count) % {"n": amount}


@register.filter
def lines(source):
    if source is None:
        return ""
    if source.lines:
        return f"{source.lines[0]}–{source.lines[1]}"
    return source.law or ""


@register.filter
def plain_norm(value):
    return format_norm(value)


@register.filter
def get_item(mapping, key):
    return mapping.get(key)


# The kinds of applicant a regulation names (`schema.ApplicantKind`), as a page lists them.
APPLICANT_KINDS = {
    "individual": gettext_lazy("individuals"),
    "legal_entity": gettext_lazy("legal entities"),
    "individual_entrepreneur": gettext_lazy("individual entrepreneurs"),
}


@register.filter
def applies(scope, reg):
    """Where and to whom a restriction (`applies_to`) limits a regulation, variant, status or
    step, in the page's language: its channels by the regulation's names, then applicant kinds."""
    if scope is None:
        return ""
    parts = [tr(reg.channel(c).name) if reg.channel(c) else c for c in scope.channels]
    parts += [str(APPLICANT_KINDS[k]) for k in scope.applicants]
    return _("only: %(what)s") % {"what": "; ".join(parts)}
