"""The fee case's letters to the public, in Norwegian: the advance notice, the decision, the appeal forwarded to
the appeal body, a late appeal rejected, and the decision on the appeal. A PDF per recipient, kept with the case."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from counselling.scheduling.services.letters import LETTER_LANGUAGE
from portal.pdf import html_to_pdf
from portal.text import number_in_words
from referrals.models import RecipientKind, Route
from referrals.recipients import consents_on_own, recipients_of

from .models import CourtFeeRate, FeeCase, FeeLetter, FeeLetterKind, FeePolicy
from .selectors import fee_policy_for

# Forvaltningsloven § 16 with § 11 (and the design): a minor from 15 is told of the case as well as the guardians.
MINOR_NOTIFIED_FROM_AGE = 15

TEMPLATES = {
    FeeLetterKind.ADVANCE_NOTICE: "fees/letters/advance_notice.html",
    FeeLetterKind.DECISION: "fees/letters/decision.html",
    FeeLetterKind.APPEAL_OUTCOME: "fees/letters/appeal_outcome.html",
    FeeLetterKind.APPEAL_FORWARDED: "fees/letters/appeal_forwarded.html",
    FeeLetterKind.LATE_APPEAL_REJECTED: "fees/letters/late_appeal_rejected.html",
}
FILE_PREFIX = {
    FeeLetterKind.ADVANCE_NOTICE: "forhandsvarsel",
    FeeLetterKind.DECISION: "vedtak",
    FeeLetterKind.APPEAL_OUTCOME: "klagevedtak",
    FeeLetterKind.APPEAL_FORWARDED: "klage-oversendt",
    FeeLetterKind.LATE_APPEAL_REJECTED: "klage-avvist",
}


def letter_recipients(fee_case: FeeCase) -> list:
    """The person (None), except a child under 15; while a minor, also each guardian (referrals.recipients)."""
    return recipients_of(fee_case.referral, on=timezone.localdate(), person_from_age=MINOR_NOTIFIED_FROM_AGE)


def fee_letter_html(fee_case: FeeCase, kind: str, *, policy: FeePolicy, guardian=None) -> str:
    referral = fee_case.referral
    person = referral.person
    meeting_day = timezone.localdate(fee_case.meeting.starts_at)
    rate = CourtFeeRate.objects.filter(valid_from__lte=meeting_day).order_by("-valid_from").first()
    recipient = guardian or person
    context = {
        "service": referral.service,
        "unit_name": referral.service.unit_name,  # the unit as the service names it (the law's name by default)
        "referral": referral,
        "person": person,
        "fee_case": fee_case,
        "meeting": fee_case.meeting,
        "meeting_starts": timezone.localtime(fee_case.meeting.starts_at),
        "policy": policy,
        "court_fee": rate.amount if rate else None,
        "guardian": guardian,
        "recipient_name": guardian.name if guardian else person.full_name,
        "recipient_address": recipient.postal_address,
        "today": timezone.localdate(),
        # 16 or 17 on the day of the letter: consent is their own, and the letter says what guardians are told.
        "young_person": consents_on_own(referral, on=timezone.localdate()),
    }
    with translation.override(LETTER_LANGUAGE):
        body = render_to_string(TEMPLATES[kind], context)
        return render_to_string("letters/letter.html", {**context, "body": mark_safe(body)})  # noqa: S308 - our template


def fee_letters_make(*, actor, fee_case: FeeCase, kind: str, policy: FeePolicy | None = None) -> list[FeeLetter]:
    """One letter to each recipient. Called inside the step's transaction."""
    policy = policy or fee_policy_for(fee_case.referral.service)
    letters = []
    for guardian in letter_recipients(fee_case):
        letter = FeeLetter(
            fee_case=fee_case,
            kind=kind,
            recipient_kind=RecipientKind.GUARDIAN if guardian else RecipientKind.PERSON,
            guardian=guardian,
            recipient_name=guardian.name if guardian else fee_case.referral.person.full_name,
            created_by=actor,
        )
        suffix = f"foresatt-{guardian.pk}" if guardian else "person"
        # No names in file names: they end up in backups and logs.
        letter.pdf.save(
            f"{FILE_PREFIX[kind]}-{fee_case.pk}-{suffix}.pdf",
            ContentFile(html_to_pdf(fee_letter_html(fee_case, kind, policy=policy, guardian=guardian))),
            save=False,
        )
        letter.save()
        letters.append(letter)
    return letters


def summons_fee_context(referral) -> dict:
    """What the summons says of a fee (counselling.scheduling's SUMMONS_CONTEXT_PROVIDERS): only under the order
    route, in a service that charges fees on a recorded legal basis, how many court fees a missed meeting can cost,
    in the words the letters use ("to ganger rettsgebyret").
    Elsewhere the summons promises no fee."""
    policy = fee_policy_for(referral.service)
    charged = referral.route == Route.ORDER and policy.charges_fees
    if not charged:
        return {"fee_multiple_in_words": None}
    times = "gang" if policy.multiplier == 1 else "ganger"
    return {"fee_multiple_in_words": f"{number_in_words(policy.multiplier)} {times} rettsgebyret"}
