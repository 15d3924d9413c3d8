"""Template helpers for regulation documents: pick the text in the page's language, format norms."""

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from qyzmet.i18n import in_language

from ..citations import citation
from ..citations import standard_act as cite_standard
from ..export import format_norm
from ..outcomes import outcome_name

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
    """Where a figure was read: its seed lines, else its legal citation in the page's language."""
    if source is None:
        return ""
    if source.lines:
        return f"{source.lines[0]}–{source.lines[1]}"
    return law(source.law)


@register.filter
def law(citation_text):
    """A `Source.law` citation in the page's language (regulations/citations.yaml)."""
    return in_language(citation(citation_text))


@register.filter
def standard_act(standard):
    """The Standard named by its kind, number and date in the page's language."""
    return cite_standard(standard)


@register.filter
def outcome(branch, reg=None):
    """A branch's outcome as the reader says it: its own label, the name of the variant it
    stands for (a split by variant), else the name of its code."""
    if branch.label is not None:
        return in_language(branch.label)
    return outcome_name(branch.when, reg)


CHECKS = {
    "login": lambda: _("sign-in"),
    "applicant_record": lambda: _("the applicant's record in the state database"),
    "payment": lambda: _("payment of the fee"),
    "eds": lambda: _("the EDS certificate"),
    "documents_complete": lambda: _("completeness of the documents"),
    "grounds": lambda: _("grounds for the service"),
    "conclusion": lambda: _("conclusions of other bodies"),
    "other": lambda: _("other"),
}


@register.filter
def check_name(code):
    """What a condition checks (`Step.check`), in the page's language."""
    name = CHECKS.get(code)
    return name() if name else code


FORMS = {"electronic": lambda: _("electronic"), "paper": lambda: _("paper")}


@register.filter
def result_forms(forms):
    """A result's forms (electronic, paper) in the page's language."""
    return ", ".join(FORMS[f]() if f in FORMS else f for f in forms)


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


@register.filter
def document_name(document, language=None):
    """A document as recorded: a label in kk/ru/en (in the page's language, or the one given),
    an uploaded file's description (its file name), or a plain name."""
    if isinstance(document, dict) and "name" in document and not any(k in document for k in ("kk", "ru")):
        return document["name"]
    return in_language(document, language)
