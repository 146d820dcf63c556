"""Norwegian text rules as template filters: `{{ person.first_name|genitive }} økonomi`."""

from django import template

from portal.text import genitive as _genitive

register = template.Library()


@register.filter
def genitive(name) -> str:
    """ "Lars" → "Lars'", "Ola" → "Olas" (portal.text.genitive)."""
    return _genitive(str(name) if name is not None else "")
