"""Who gets a letter or a reminder about a case, in one place: summons letters and reminders
(counselling.scheduling), the attendance form (counselling.attendance) and fee letters (fees) all ask here.

The person always, and the guardians while the person is under 18 on the day it concerns (the day of the letter,
the reminder or the meeting): from the 18th birthday the guardians get nothing more, because what the case is
about is confidential towards them then (helsepersonelloven § 21). A fee letter reaches the person only from 15
(forvaltningsloven § 16 read with § 11): `person_from_age`. From 16 consent to health care is the young person's
own (pasient- og brukerrettighetsloven § 4-3), and the guardians are told of the meeting and the attendance, but
not what the young person says in it unless the young person agrees (§ 3-4): `consents_on_own`.

Whether guardians are registered at intake is another rule, tied to the age at the incident
(`Referral.was_minor_at_incident`).
"""

import datetime

from .models import Guardian, Person, Referral

ADULT_AGE = 18
# From 16 a person consents to health care on their own; under 16 the guardians do (pasient- og
# brukerrettighetsloven § 4-3).
AGE_OF_CONSENT = 16


def adult_from(person: Person) -> datetime.date:
    """The 18th birthday; for someone born on 29 February, 1 March in a year without it."""
    born = person.date_of_birth
    try:
        return born.replace(year=born.year + ADULT_AGE)
    except ValueError:
        return datetime.date(born.year + ADULT_AGE, 3, 1)


def guardians_informed(referral: Referral, *, on: datetime.date) -> bool:
    """The guardians hear of the case on `on`: the person is under 18 that day."""
    return referral.person.age_on(on) < ADULT_AGE


def guardians_informed_until(referral: Referral) -> datetime.date | None:
    """The last day the guardians hear of the case (the day before the 18th birthday), or None when the case has
    no guardians."""
    if not referral.guardians.exists():
        return None
    return adult_from(referral.person) - datetime.timedelta(days=1)


def consents_on_own(referral: Referral, *, on: datetime.date) -> bool:
    """16 or 17 on `on`: the young person's own consent to health matters, with the guardians still told of the
    meeting and the attendance, but not of what is said in it."""
    return AGE_OF_CONSENT <= referral.person.age_on(on) < ADULT_AGE


def recipients_of(referral: Referral, *, on: datetime.date, person_from_age: int = 0) -> list[Guardian | None]:
    """The recipients on `on`: None for the person, then each guardian while they are informed. Never empty: a
    letter the law says the person is too young for goes to the person when there is no guardian to take it."""
    recipients: list[Guardian | None] = [None] if referral.person.age_on(on) >= person_from_age else []
    if guardians_informed(referral, on=on):
        recipients += list(referral.guardians.all())
    return recipients or [None]
