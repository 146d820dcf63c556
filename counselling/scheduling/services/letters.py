"""Summons letters: a PDF per recipient kept with the meeting, and emailed where there is an address."""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections.abc import Callable
from pathlib import Path

from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.template import Context, Template
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from portal.discretion import is_discreet, neutral_from_email
from portal.pdf import html_to_pdf
from portal.selectors import staff_name
from portal.tasks import publish_on_commit
from referrals.letters import letter_dispatch_record, letter_receipt_record
from referrals.models import DispatchMethod, RecipientKind, Referral
from referrals.recipients import consents_on_own, guardians_informed, recipients_of

from ..calendar import meeting_invitation
from ..models import Letter, LetterKind, LetterTemplate, Meeting
from .flags import flags_resolve

logger = logging.getLogger(__name__)

LETTER_LANGUAGE = "nb"  # letters to the public are in Norwegian

# What a floor above adds to what a summons says, registered from its AppConfig.ready() (a lower app never imports a
# higher one): fees tells whether a missed meeting can cost a fee in this service, and how much.
SUMMONS_CONTEXT_PROVIDERS: list[Callable[[Referral], dict]] = []


def summons_context_extra(referral: Referral) -> dict:
    extra: dict = {}
    for provider in SUMMONS_CONTEXT_PROVIDERS:
        extra.update(provider(referral))
    return extra


def _letter_context(meeting: Meeting, *, guardian=None, guardians=None, extra: dict | None = None) -> dict:
    """What a summons says; `guardians` and `extra` when the caller has them already (once per meeting, not letter)."""
    referral = meeting.referral
    person = referral.person
    recipient = guardian or person
    meeting_day = timezone.localdate(meeting.starts_at)
    return {
        "service": referral.service,
        # The unit as the service names it (the law's name by default), and its neutral name for e-mail subjects.
        "unit_name": referral.service.unit_name,
        "sender_name": referral.service.sender_name,
        "referral": referral,
        "person": person,
        "meeting": meeting,
        "location": meeting.location,
        "counsellor_name": staff_name(meeting.counsellor),
        "guardian": guardian,
        # Both by the age on the day of the meeting, where the guardians come or not and consent is given.
        "minor": guardians_informed(referral, on=meeting_day),
        "own_consent": consents_on_own(referral, on=meeting_day),
        "guardians": list(referral.guardians.all()) if guardians is None else guardians,
        "recipient_name": guardian.name if guardian else person.full_name,
        "recipient_address": recipient.postal_address,
        "today": timezone.localdate(),
        **(summons_context_extra(referral) if extra is None else extra),
    }


DEFAULTS = Path(__file__).resolve().parent.parent / "letter_defaults"
# An e-mail's subject shows on a locked phone: the neutral name, never the unit's (portal.discretion).
DEFAULT_SUBJECTS = {LetterKind.SUMMONS: "Innkalling til samtale hos {{ sender_name }}"}


def letter_template(kind: str) -> LetterTemplate:
    """The administrators' text for this kind of letter; the shipped default when there is none yet."""
    template, _created = LetterTemplate.objects.get_or_create(
        kind=kind,
        defaults={"subject": DEFAULT_SUBJECTS[kind], "body": (DEFAULTS / f"{kind}.html").read_text(encoding="utf-8")},
    )
    return template


def summons_html(
    meeting: Meeting,
    *,
    guardian=None,
    guardians=None,
    template: LetterTemplate | None = None,
    extra: dict | None = None,
) -> str:
    """The letter as HTML: the administrators' text (LetterTemplate) inside the letterhead."""
    template = template or letter_template(LetterKind.SUMMONS)
    context = _letter_context(meeting, guardian=guardian, guardians=guardians, extra=extra)
    with translation.override(LETTER_LANGUAGE):
        body = Template(template.body).render(Context(context))
        return render_to_string("letters/letter.html", {**context, "body": mark_safe(body)})  # noqa: S308 - admin-written


def summons_letters_make(*, actor, meeting: Meeting) -> list[Letter]:
    """One summons to the person and, for a minor, a copy addressed to each guardian. Called inside the
    booking's transaction; the emails go out after it commits."""
    referral = meeting.referral
    # Summoned to the meeting: the guardians while the person is still a minor on the day of it.
    recipients = recipients_of(referral, on=timezone.localdate(meeting.starts_at))
    guardians = [guardian for guardian in recipients if guardian is not None]
    template = letter_template(LetterKind.SUMMONS)
    extra = summons_context_extra(referral)
    letters = []
    for guardian in recipients:
        letter = Letter(
            meeting=meeting,
            kind=LetterKind.SUMMONS,
            recipient_kind=RecipientKind.GUARDIAN if guardian else RecipientKind.PERSON,
            guardian=guardian,
            recipient_name=guardian.name if guardian else referral.person.full_name,
            email=(guardian.email if guardian else referral.person.email) or "",
        )
        suffix = f"foresatt-{guardian.pk}" if guardian else "person"
        # No names in file names: they end up in backups and logs.
        letter.pdf.save(
            f"innkalling-{meeting.pk}-{suffix}.pdf",
            ContentFile(
                html_to_pdf(
                    summons_html(meeting, guardian=guardian, guardians=guardians, template=template, extra=extra)
                )
            ),
            save=False,
        )
        letter.save()
        letters.append(letter)
        if letter.email:
            publish_on_commit("counselling.letter_email", letter.pk)
    return letters


def discreet_subject(subject: str, meeting: Meeting) -> str:
    """The subject as written when it names neither drugs nor the unit; else the plain neutral one."""
    service = meeting.referral.service
    if is_discreet(subject, unit_name=service.unit_name):
        return subject
    logger.warning("letter subject for meeting %s names drugs or the unit; the neutral subject was used", meeting.pk)
    return f"Innkalling til samtale hos {service.sender_name}"


def letter_email_send(*, letter_id: int) -> Letter:
    """Email the letter once. The row lock keeps two workers from sending it together; a failure is kept on
    the letter for the case page and raised again so the task retries."""
    failure = None
    with transaction.atomic():
        letter = (
            Letter.objects.select_for_update(of=("self",))
            .select_related("meeting__referral__service", "meeting__location", "meeting__referral__person")
            .get(pk=letter_id)
        )
        if letter.emailed_at or not letter.email:
            return letter
        meeting = letter.meeting
        template = letter_template(letter.kind)
        # The e-mail says when and where; the PDF it carries has the rest (no guardians list, no fee wording).
        context = _letter_context(meeting, guardian=letter.guardian, guardians=[], extra={})
        with translation.override(LETTER_LANGUAGE):
            subject = discreet_subject(Template(template.subject).render(Context(context)).strip(), meeting)
            body = render_to_string("letters/summons_email.txt", context)
        message = EmailMessage(
            subject=subject, body=body, from_email=neutral_from_email(meeting.referral.service), to=[letter.email]
        )
        message.attach(letter.pdf.name.rsplit("/", 1)[-1], letter.pdf.read(), "application/pdf")
        if letter.recipient_kind == RecipientKind.PERSON:
            message.attach("innkalling.ics", meeting_invitation(meeting), "text/calendar")
        try:
            message.send()
        except (OSError, smtplib.SMTPException) as error:
            failure = error
            letter.email_error = str(error)[:500]
            letter.save(update_fields=["email_error"])
        else:
            letter.emailed_at = timezone.now()
            letter.email_error = ""
            letter.save(update_fields=["emailed_at", "email_error"])
            # The e-mail is the summons's proof of dispatch; it reached the person the day it was sent.
            letter_dispatch_record(
                actor=None, letter=letter, method=DispatchMethod.EMAILED, sent_on=timezone.localdate(letter.emailed_at)
            )
            flags_resolve(actor=None, referral=meeting.referral, kinds=["letter_failed"], letter=letter)
    if failure is not None:
        raise failure
    return letter


# A letter's email is queued when the booking commits; if the broker was down then, this catches it up.
UNSENT_AFTER = datetime.timedelta(minutes=2)


def letters_send_unsent(*, now: datetime.datetime | None = None, limit: int = 50) -> int:
    """Email the letters that have an address but were never emailed nor tried. Letters that failed are left to
    their task's retries and the flag."""
    now = now or timezone.now()
    waiting = Letter.objects.filter(
        emailed_at__isnull=True, email_error="", created_at__lte=now - UNSENT_AFTER
    ).exclude(email="")
    sent = 0
    for letter_id in waiting.values_list("pk", flat=True)[:limit]:
        try:
            letter_email_send(letter_id=letter_id)
        except (OSError, smtplib.SMTPException):
            continue  # recorded on the letter; the flag sweep raises it
        sent += 1
    return sent


@transaction.atomic
def letter_email_retry(*, actor, letter: Letter) -> Letter:
    """Try the email again (e.g. after the address was corrected); the task publishes after commit."""
    letter = Letter.objects.select_for_update().get(pk=letter.pk)
    if letter.emailed_at is None and letter.email:
        letter.email_error = ""
        letter.save(update_fields=["email_error"])
        publish_on_commit("counselling.letter_email", letter.pk)
    return letter


def _letter_locked(letter: Letter) -> Letter:
    return (
        Letter.objects.select_for_update(of=("self",))
        .select_related("meeting__referral__service", "meeting__referral__person", "guardian")
        .get(pk=letter.pk)
    )


@transaction.atomic
def summons_letter_dispatch(
    *,
    actor,
    letter: Letter,
    method: str,
    sent_on: datetime.date,
    delivered_on: datetime.date | None = None,
    receipt: str = "",
) -> Letter:
    """Record how and when a summons left (posted, e-mailed by hand, or digital post) and the day it reached the
    recipient (referrals.letters.letter_dispatch_record). Recorded once."""
    letter = _letter_locked(letter)
    letter_dispatch_record(
        actor=actor, letter=letter, method=method, sent_on=sent_on, delivered_on=delivered_on, receipt=receipt
    )
    return letter


@transaction.atomic
def summons_letter_receipt(*, actor, letter: Letter, delivered_on: datetime.date, receipt: str = "") -> Letter:
    """The digital post's receipt for a summons: the day it reached the recipient."""
    letter = _letter_locked(letter)
    letter_receipt_record(actor=actor, letter=letter, delivered_on=delivered_on, receipt=receipt)
    return letter
