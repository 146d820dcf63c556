"""Who gets a letter or a reminder about a case, in one place: summons letters and reminders
(counselling.scheduling) and fee letters (fees) all ask here.

The person always, and the guardians while the person is under 18 on the day it concerns (the day of the letter,
the reminder or the meeting): from the 18th birthday the guardians get nothing more, because what the case is
about is confidential towards them then. A fee letter reaches the person only from 15 (forvaltningsloven § 16
read with § 11): `person_from_age`.
"""

import datetime

from .models import Guardian, Referral

ADULT_AGE = 18


def guardians_informed(referral: Referral, *, on: datetime.date) -> bool:
    """The guardians hear of the case on `on`: the person is under 18 that day."""
    return referral.person.age_on(on) < ADULT_AGE


def recipients_of(referral: Referral, *, on: datetime.date, person_from_age: int = 0) -> list[Guardian | None]:
    """The recipients on `on`: None for the person, then each guardian while they are informed. Never empty: a
    letter the law says the person is too young for goes to the person when there is no guardian to take it."""
    recipients: list[Guardian | None] = [None] if referral.person.age_on(on) >= person_from_age else []
    if guardians_informed(referral, on=on):
        recipients += list(referral.guardians.all())
    return recipients or [None]
