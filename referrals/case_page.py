"""The case page is the referrals app's, but much of what a case has lives on the floors above: its meetings,
flags and failed reminders (counselling.scheduling), and its fee cases (fees, through its template tag). So that
the referrals app never imports a floor above it, each such floor registers what it adds from its
AppConfig.ready(); the page and the assignment form read it here (pretix builds its order page the same way).
"""

from collections.abc import Callable

# name -> (request, referral) -> the context the floor adds to the case page
_sections: dict[str, Callable[..., dict]] = {}
# name -> (referral) -> the id of a counsellor to suggest when a lead assigns the case, or None
_counsellor_suggestions: dict[str, Callable[..., int | None]] = {}


def case_page_section(name: str, context: Callable[..., dict]) -> None:
    """Register what a floor adds to the case page; registering the same name again replaces it."""
    _sections[name] = context


def case_page_context(request, referral) -> dict:
    context: dict = {}
    for section in _sections.values():
        context.update(section(request, referral))
    return context


def counsellor_suggestion(name: str, suggest: Callable[..., int | None]) -> None:
    """Register who a floor would suggest as the case's counsellor, for the assignment form."""
    _counsellor_suggestions[name] = suggest


def suggested_counsellor_id(referral) -> int | None:
    for suggest in _counsellor_suggestions.values():
        found = suggest(referral)
        if found is not None:
            return found
    return None
