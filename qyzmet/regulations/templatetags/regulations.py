"""Template helpers for regulation documents: pick the text in the page's language, format norms."""

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..export import format_norm

register = template.Library()


@register.filter
def tr(text):
    """A `Text` (kk/ru/en) in the current language, falling back to Kazakh."""
    if text is None:
        return ""
    lang = (get_language() or "kk")[:2]
    if isinstance(text, dict):
        return text.get(lang) or text.get("kk", "")
    return getattr(text, lang, None) or text.kk


UNIT_LABELS = {
    "seconds": lambda: _("seconds"),
    "minutes": lambda: _("minutes"),
    "hours": lambda: _("hours"),
    "working_days": lambda: _("working days"),
    "calendar_days": lambda: _("calendar days"),
}


@register.filter
def norm(value):
    """A time norm as people read it: '1 working days' becomes '1 working days' in the page's language."""
    if value is None:
        return "—"
    if value.unit == "within_working_day":
        return _("within the working day")
    unit = UNIT_LABELS[value.unit]()
    if hasattr(value, "min"):
        return f"{value.min:g}–{value.max:g} {unit}"
    return f"{value.value:g} {unit}"


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
