"""Filters for the figures' pages: shares as percentages and working minutes as hours."""

from django import template
from django.utils.formats import number_format

register = template.Library()

NONE = "—"


@register.filter
def pct(value, digits: int = 0):
    """A share (0..1) as a percentage ("33%"); a dash for no figure."""
    if value is None or value == "":
        return NONE
    return f"{number_format(100 * value, digits)}%"


@register.filter
def hours(minutes, digits: int = 1):
    """Working minutes as hours ("7.6"); a dash for no figure."""
    if minutes is None or minutes == "":
        return NONE
    return number_format(minutes / 60, digits)


@register.filter
def raw(value, digits: int = 4):
    """A number for a chart to read (a dot as decimal separator, whatever the language); empty for none."""
    if value is None or value == "":
        return ""
    return f"{float(value):.{digits}f}"


@register.filter
def get_item(mapping, key):
    """`mapping[key]`, or None (a service's title by its code)."""
    return (mapping or {}).get(key)


@register.filter
def hours_raw(minutes):
    """Working minutes as hours for a chart to read; empty for none."""
    return "" if minutes is None else f"{minutes / 60:.2f}"


@register.filter
def pvalue(p):
    """A p- or q-value: three decimals, or two significant digits below 0.001."""
    if p is None:
        return NONE
    return f"{p:.1e}" if p < 0.001 else f"{p:.3f}"
