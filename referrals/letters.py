"""How and when a case letter left and reached its recipient, for every kind of letter (summons, fee letters): one
place that records it, so that each deadline counted from delivery counts from the same day.

The concrete letter's app locks the letter and calls these inside its own transaction (scheduling's
summons_letter_dispatch, fees' fee_letter_mark_sent), then does what follows in its own floor.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from portal.audit import audit_change
from portal.workdays import add_working_days

from .models import CaseLetter, DispatchMethod, LetterPolicy
from .services import timeline_add, translatable


def letter_policy_for(service) -> LetterPolicy:
    """The service's letter policy; the defaults (unsaved) when it has none."""
    return LetterPolicy.objects.filter(service=service).first() or LetterPolicy(service=service)


def presumed_arrival(service, posted_on: datetime.date) -> datetime.date:
    """The day a letter posted on `posted_on` is taken to reach the person: the service's working days for the
    post after the posting day."""
    return add_working_days(posted_on, letter_policy_for(service).posted_arrival_working_days)


def _kind_label(letter: CaseLetter):
    return dict(letter._meta.get_field("kind").flatchoices)[letter.kind]


def _record(letter: CaseLetter, *, actor, kind: str, message: str, params: dict, timeline: dict) -> None:
    referral = letter.case_referral
    timeline_add(
        referral=referral,
        actor=actor,
        kind=timeline.get("prefix", "") + kind,
        message=message,
        params={"letter": translatable(_kind_label(letter)), "name": letter.recipient_name, **params},
        extra={"letter": letter.pk, "model": letter._meta.label_lower, **timeline.get("extra", {})},
    )
    audit_change(
        actor=actor,
        action=timeline.get("prefix", "") + kind,
        obj=letter,
        service=referral.service,
        person_id=referral.person_id,
    )


def _check_receipt_day(letter: CaseLetter, delivered_on: datetime.date | None, sent_on: datetime.date) -> None:
    if delivered_on is None:
        return
    if delivered_on > timezone.localdate():
        raise ValidationError({"delivered_on": _("The date cannot be in the future.")})
    if delivered_on < sent_on:
        raise ValidationError({"delivered_on": _("A letter cannot reach the recipient before it was sent.")})


def letter_dispatch_record(
    *,
    actor,
    letter: CaseLetter,
    method: str,
    sent_on: datetime.date,
    delivered_on: datetime.date | None = None,
    receipt: str = "",
    timeline: dict | None = None,
) -> bool:
    """Record how and when `letter` (locked by the caller) left, and the day it reached the recipient:

    - posted: the posting day, and the service's presumption of arrival (working days after it); only a letter to
      a recipient with a postal address can be posted;
    - emailed: it reached the recipient the day it was sent; only to a recipient with an e-mail address;
    - digital post: the day it was sent, and the receipt's delivery day when there is one already (otherwise
      letter_receipt_record later).

    `timeline`: {"prefix": ..., "extra": {...}} for the caller's app to find the entry among its own.
    Recorded once: False, and nothing changed, when the letter already has its dispatch. ValidationError with the
    field it is about (method, sent_on, delivered_on) for anything else, and nothing saved."""
    if letter.is_dispatched:
        return False
    if method not in DispatchMethod.values:
        raise ValidationError({"method": _("Choose how the letter was sent.")})
    today = timezone.localdate()
    if sent_on > today:
        raise ValidationError({"sent_on": _("The date cannot be in the future.")})
    if sent_on < timezone.localdate(letter.created_at):
        raise ValidationError({"sent_on": _("A letter cannot be sent before it is made.")})
    referral = letter.case_referral
    if method == DispatchMethod.POSTED:
        if not letter.has_postal_address:
            raise ValidationError(
                {
                    "method": _(
                        "No postal address is registered for %(name)s, so the letter cannot be posted. "
                        "Add the address to the case, or send the letter another way."
                    )
                    % {"name": letter.recipient_name}
                }
            )
        delivered_on = presumed_arrival(referral.service, sent_on)
    elif method == DispatchMethod.EMAILED:
        if not (getattr(letter, "email", "") or letter.recipient.email):
            raise ValidationError(
                {"method": _("No e-mail address is registered for %(name)s.") % {"name": letter.recipient_name}}
            )
        delivered_on = sent_on
    else:
        _check_receipt_day(letter, delivered_on, sent_on)
    letter.dispatch_method = method
    letter.sent_on = sent_on
    letter.sent_by = actor
    letter.delivered_on = delivered_on
    letter.delivery_receipt = receipt.strip()[:200]
    letter.save(update_fields=["dispatch_method", "sent_on", "sent_by", "delivered_on", "delivery_receipt"])
    params = {
        "how": translatable(DispatchMethod(method).label),
        "date": sent_on.strftime("%d.%m.%Y"),
    }
    if delivered_on is None:
        message = gettext_noop("%(letter)s to %(name)s sent on %(date)s (%(how)s); waiting for the receipt.")
    elif method == DispatchMethod.POSTED:
        message = gettext_noop("%(letter)s to %(name)s posted on %(date)s; taken to have arrived on %(arrival)s.")
        params["arrival"] = delivered_on.strftime("%d.%m.%Y")
    else:
        message = gettext_noop("%(letter)s to %(name)s sent on %(date)s (%(how)s); it reached them on %(arrival)s.")
        params["arrival"] = delivered_on.strftime("%d.%m.%Y")
    _record(letter, actor=actor, kind="letter.dispatched", message=message, params=params, timeline=timeline or {})
    return True


def letter_receipt_record(
    *, actor, letter: CaseLetter, delivered_on: datetime.date, receipt: str = "", timeline: dict | None = None
) -> bool:
    """The digital post's receipt for `letter` (locked by the caller): the day it reached the recipient. Recorded
    once: False when the letter already has its delivery day."""
    if not letter.is_dispatched or letter.dispatch_method != DispatchMethod.DIGITAL:
        raise ValidationError(
            {"delivered_on": _("A receipt is recorded for a letter sent as digital post, after it was sent.")}
        )
    if letter.delivered_on is not None:
        return False
    _check_receipt_day(letter, delivered_on, letter.sent_on)
    letter.delivered_on = delivered_on
    letter.delivery_receipt = receipt.strip()[:200] or letter.delivery_receipt
    letter.save(update_fields=["delivered_on", "delivery_receipt"])
    _record(
        letter,
        actor=actor,
        kind="letter.delivered",
        message=gettext_noop("Receipt for %(letter)s to %(name)s: it reached them on %(arrival)s."),
        params={"arrival": delivered_on.strftime("%d.%m.%Y")},
        timeline=timeline or {},
    )
    return True
