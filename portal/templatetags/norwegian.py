"""Norwegian text rules as template filters: `{{ person.first_name|genitive }} økonomi`."""

from django import template

from portal.text import genitive as _genitive
from portal.text import number_in_words

register = template.Library()


@register.filter
def genitive(name) -> str:
    """ "Lars" → "Lars'", "Ola" → "Olas" (portal.text.genitive)."""
    return _genitive(str(name) if name is not None else "")


@register.filter
def in_words(number) -> str:
    """A small whole number in words in running text: 2 → "to" (portal.text.number_in_words)."""
    if number in (None, ""):
        return ""
    return number_in_words(number)


@register.filter
def iso_date(value):
    """A date kept as an ISO string (a report's copied-in facts) as a date, for the `date` filter."""
    import datetime

    try:
        return datetime.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None
