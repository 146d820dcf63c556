"""Discretion: what others may see on a person's phone or calendar never says what the meeting is about.

An SMS, an e-mail's subject and sender, and a calendar invitation's title show on a locked screen, in a shared
calendar or over a shoulder. They name neither drugs nor the unit: a neutral sender ("Oslo kommune") and a
neutral text ("Påminnelse: time hos Oslo kommune 3. desember kl. 10:00"). This module holds the one list of
words that give a case away, for the admin's forms to refuse and for the senders to check what they render.
"""

from __future__ import annotations

import re
from email.headerregistry import Address
from email.utils import parseaddr

from django.conf import settings

# Words that give the case away, in Bokmål and English: drugs ("rus…", "narkotika", "drug"), substances that are
# words everyone knows, and the unit ("rådgivende enhet", as the law and most services name it). Matched from the
# start of a word, whatever the case: "Rusreform", "russaker", "narkotikasaker", "drugs".
REVEALING = re.compile(
    r"\b(?:rus|narko|drug|cannabis|hasj|kokain|heroin|amfetamin|"
    r"r[åa]dgivende\s+enhet|counselling\s+service)",
    re.IGNORECASE,
)


def revealing_words(text: str, *, unit_name: str = "") -> list[str]:
    """The words in `text` that give the case away, as written there; the unit's configured name counts too."""
    found = [match.group(0) for match in REVEALING.finditer(text or "")]
    if unit_name and unit_name.strip() and unit_name.strip().casefold() in (text or "").casefold():
        found.append(unit_name.strip())
    return found


def is_discreet(text: str, *, unit_name: str = "") -> bool:
    return not revealing_words(text, unit_name=unit_name)


def neutral_from_email(service) -> str:
    """The e-mail sender the person sees: the service's neutral name on the portal's address (DEFAULT_FROM_EMAIL)."""
    return str(Address(display_name=service.sender_name, addr_spec=parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))
