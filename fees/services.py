"""Fees for missed meetings: the arithmetic (how much, until when the person may appeal), and the fee case from
proposal to collection, one function per step."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from counselling.attendance.models import AttendanceOutcome
from counselling.scheduling.models import FlagKind, Meeting
from counselling.scheduling.services.flags import flag_raise, flags_resolve
from portal.audit import audit_change
from portal.csv_export import csv_text
from portal.models import FEE_ROLES, StaffMembership
from portal.workdays import next_working_day
from referrals.letters import letter_dispatch_record, letter_receipt_record
from referrals.models import DispatchMethod, RecipientKind, Referral, ReferralStatus, Route
from referrals.services import referral_move, timeline_add, translatable

from .letters import fee_letters_make
from .models import (
    COLLECTABLE_APPEAL_OUTCOMES,
    DEFAULT_MULTIPLIER,
    FEE_CASE_STEPS,
    FEE_CASE_TRANSITIONS,
    AppealOutcome,
    CollectionExport,
    CourtFeeRate,
    FeeCase,
    FeeCaseStatus,
    FeeLetter,
    FeeLetterKind,
    FeeOutcome,
)
from .selectors import fee_policy_for

# Forvaltningsloven § 29: three weeks from the day the decision reached the person.
APPEAL_PERIOD = datetime.timedelta(weeks=3)


def fee_amount(on: datetime.date, *, multiplier: int = DEFAULT_MULTIPLIER) -> int:
    """The fee in whole kroner for a meeting missed `on`: `multiplier` × the court fee in force that day.

    ValidationError when no court fee rate is in force that day (none from that day or earlier).
    """
    rate = CourtFeeRate.objects.filter(valid_from__lte=on).order_by("-valid_from").first()
    if rate is None:
        raise ValidationError(
            _("No court fee rate is in force on %(date)s; add the rate for that day in the admin."),
            params={"date": date_format(on, "SHORT_DATE_FORMAT")},
            code="no_court_fee_rate",
        )
    return multiplier * rate.amount


def payment_due(appeal_deadline_on: datetime.date, *, payment_period_days: int) -> datetime.date:
    """The day an imposed fee falls due: the service's payment period after the appeal deadline, on a working day.
    An appeal within the deadline suspends payment until the appeal is decided (the decision letter says so)."""
    return next_working_day(appeal_deadline_on + datetime.timedelta(days=payment_period_days))


def appeal_deadline(notified_on: datetime.date) -> datetime.date:
    """The last day to appeal a decision that reached the person on `notified_on`: three weeks later, or
    the next working day when that is a Saturday, Sunday or Norwegian public holiday."""
    return next_working_day(notified_on + APPEAL_PERIOD)


# The fee case, one function per step. Each locks the case, refuses a step that FEE_CASE_STEPS does not take from
# the case's status with a message that says what must happen first, and moves the case with fee_case_move, which
# writes the case timeline and the audit log. What else a step does (the referral closed or back to booking, a
# deadline flag resolved) it does in its own body. Views and tasks only call these.

OPEN_STATUSES = frozenset(FeeCaseStatus.values) - {FeeCaseStatus.PAID, FeeCaseStatus.CANCELLED}
# Timeline messages of steps as they were once recorded, kept so that old events still read in the reader's language:
# an appeal after the deadline was registered as an ordinary one before late appeals became a step of their own, and
# the appeal deadline was set at the decision before it came from the letters' delivery.
EARLIER_TIMELINE_MESSAGES = (
    gettext_noop("Appeal received %(date)s registered (after the deadline); collection on hold."),
    gettext_noop("%(letter)s sent to %(name)s on %(date)s."),
    gettext_noop("Fee decided: %(outcome)s. Appeal deadline %(date)s."),
)
SUMMONS_NOT_DISPATCHED = _(
    "There is no proof that the summons was sent: record on the meeting page how and when it left. "
    "Without it a missed meeting cannot lead to a fee."
)
CASE_CLOSED = gettext_noop("Case closed.")


def _locked(fee_case: FeeCase, *, with_referral: bool = False) -> FeeCase:
    # A step that may move the referral locks its row too, so that the move starts from the referral's status now.
    return (
        FeeCase.objects.select_for_update(of=("self", "referral") if with_referral else ("self",))
        .select_related("referral__person", "referral__service", "meeting__location", "proposed_by")
        .get(pk=fee_case.pk)
    )


def _require_step(fee_case: FeeCase, step: str, refusal) -> None:
    if step not in FEE_CASE_STEPS[fee_case.status]:
        raise ValidationError(refusal, code="wrong_step", params={"status": fee_case.get_status_display()})


def _require_transition(current: str, to: str) -> None:
    allowed = FEE_CASE_TRANSITIONS[current]
    if to in allowed:
        return
    labels = {"status": str(FeeCaseStatus(current).label), "to": str(FeeCaseStatus(to).label)}
    if not allowed:
        raise ValidationError(
            _("A fee case that is “%(status)s” is closed; it cannot become “%(to)s”."), code="wrong_step", params=labels
        )
    raise ValidationError(
        _("A fee case that is “%(status)s” cannot become “%(to)s”; from there it can become: %(allowed)s."),
        code="wrong_step",
        params={
            **labels,
            "allowed": ", ".join(str(label) for value, label in FeeCaseStatus.choices if value in allowed),
        },
    )


def _require_fee_role(actor, fee_case: FeeCase) -> None:
    """Fee steps after the proposal are for the service's leads and fee officers."""
    allowed = (
        StaffMembership.objects.active()
        .filter(user_id=getattr(actor, "pk", None), service_id=fee_case.referral.service_id, role__in=FEE_ROLES)
        .exists()
    )
    if not allowed:
        raise ValidationError(_("Only a service lead or fee officer of the service can do this."), code="role")


def _not_in_future(day: datetime.date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


def _record(fee_case: FeeCase, *, actor, kind: str, message: str, params: dict | None = None) -> None:
    """The step on the case timeline and in the audit log, and nothing else."""
    timeline_add(
        referral=fee_case.referral,
        actor=actor,
        kind=f"fee_case.{kind}",
        message=message,
        params=params or {},
        extra={"fee_case": fee_case.pk},
    )
    audit_change(
        actor=actor,
        action=f"fee_case.{kind}",
        obj=fee_case,
        service=fee_case.referral.service,
        person_id=fee_case.referral.person_id,
    )


@transaction.atomic
def fee_case_move(*, actor, fee_case: FeeCase, to: str, kind: str, message: str, params: dict | None = None) -> FeeCase:
    """Move the fee case to status `to` along FEE_CASE_TRANSITIONS and save it, with the fields the step filled in;
    the step goes on the case timeline as `fee_case.<kind>` (`message`: English source text marked with
    gettext_noop) and in the audit log. Any other move is refused with a ValidationError saying where the case can
    go, and nothing is saved. The step has locked the case and checked that it may be taken (_require_step)."""
    _require_transition(fee_case.status, to)
    fee_case.status = to
    fee_case.save()
    _record(fee_case, actor=actor, kind=kind, message=message, params=params)
    return fee_case


def _deadline_flags_resolve(*, actor, fee_case: FeeCase, kinds: list[str]) -> None:
    """The step answers these deadline flags of the fee case, raised by the sweep in fees.sweeps."""
    flags_resolve(actor=actor, referral=fee_case.referral, kinds=kinds, meeting_id=fee_case.meeting_id)


def _kroner(amount: int) -> str:
    return f"{amount:,}".replace(",", " ")


def court_fee_year_missing(on: datetime.date) -> int | None:
    """The year of `on` when the court fee rates stop at an earlier year: the court fee changes every 1 January,
    and until an administrator adds the new year's rate the newest one would be used silently. None when a rate
    of that year (or a later one) is in the admin."""
    newest = CourtFeeRate.objects.order_by("-valid_from").values_list("valid_from", flat=True).first()
    if newest is not None and on.year > newest.year:
        return on.year
    return None


def court_fee_missing_message(year: int) -> str:
    return _("Add the court fee for %(year)s.") % {"year": year}


@transaction.atomic
def fee_case_propose(*, actor, meeting: Meeting) -> FeeCase:
    """Propose the fee for a meeting the person did not attend without a valid reason, under the order route,
    in a service that charges fees on a recorded legal basis. Called when the no-show is recorded; the fee is the
    service's multiplier times the court fee in force on the meeting day. One fee case per meeting.

    A meeting in a year whose court fee is not in the admin yet is proposed with the newest rate as a provisional
    amount and held (court_fee_missing_for): the fee case page and the work list say "add the court fee for
    <year>", and the advance notice waits until the rate is added and the amount reckoned again."""
    referral = Referral.objects.select_for_update(of=("self",)).select_related("service").get(pk=meeting.referral_id)
    meeting = Meeting.objects.select_for_update(of=("self",)).select_related("attendance").get(pk=meeting.pk)
    attendance = getattr(meeting, "attendance", None)
    if attendance is None or attendance.outcome != AttendanceOutcome.NO_SHOW:
        raise ValidationError(_("A fee can be proposed only for a meeting the person did not attend."))
    if referral.route != Route.ORDER:
        raise ValidationError(
            _("A fee applies only under the order route; under the condition route the police are told.")
        )
    policy = fee_policy_for(referral.service)
    if not policy.fees_enabled:
        raise ValidationError(_("The service does not charge fees."))
    if not policy.has_legal_basis:
        raise ValidationError(
            _("No legal basis for the fee is recorded in the service's fee policy, so no fee can be proposed."),
            code="no_legal_basis",
        )
    if not meeting.summons_dispatched:
        raise ValidationError(SUMMONS_NOT_DISPATCHED, code="summons_not_dispatched")
    if FeeCase.objects.filter(meeting=meeting).exists():
        raise ValidationError(_("There is already a fee case for this meeting."), code="duplicate")
    meeting_day = timezone.localdate(meeting.starts_at)
    fee_case = FeeCase.objects.create(
        referral=referral,
        meeting=meeting,
        amount=fee_amount(meeting_day, multiplier=policy.multiplier),
        court_fee_missing_for=court_fee_year_missing(meeting_day),
        proposed_by=actor,
        proposed_at=timezone.now(),
    )
    _record(
        fee_case,
        actor=actor,
        kind="proposed",
        message=gettext_noop("Fee of %(amount)s kr proposed for the meeting missed on %(date)s."),
        params={"amount": _kroner(fee_case.amount), "date": meeting_day.strftime("%d.%m.%Y")},
    )
    if fee_case.awaits_court_fee:
        _record(
            fee_case,
            actor=actor,
            kind="court_fee_missing",
            message=gettext_noop(
                "The court fee for %(year)s is not in the admin yet: the amount is provisional, and the advance "
                "notice waits until the rate is added."
            ),
            params={"year": fee_case.court_fee_missing_for},
        )
        # On the service's flag list too, where a lead or administrator sees what waits for them.
        flag_raise(kind=FlagKind.FEE_COURT_FEE_MISSING, referral_id=referral.pk, meeting_id=meeting.pk)
    return fee_case


def _court_fee_settle(*, actor, fee_case: FeeCase, multiplier: int) -> None:
    """A fee case held for a missing court fee: refused while the rate is still missing; once it is added, the
    amount is reckoned again with it (on the case timeline)."""
    if not fee_case.awaits_court_fee:
        return
    meeting_day = timezone.localdate(fee_case.meeting.starts_at)
    if court_fee_year_missing(meeting_day) is not None:
        raise ValidationError(
            _("%(add)s The fee is reckoned from the court fee of the meeting day; send the notice after that."),
            params={"add": court_fee_missing_message(fee_case.court_fee_missing_for)},
            code="court_fee_missing",
        )
    fee_case.amount = fee_amount(meeting_day, multiplier=multiplier)
    fee_case.court_fee_missing_for = None
    _record(
        fee_case,
        actor=actor,
        kind="amount_reckoned",
        message=gettext_noop("The court fee for %(year)s added: the fee is %(amount)s kr."),
        params={"year": meeting_day.year, "amount": _kroner(fee_case.amount)},
    )
    _deadline_flags_resolve(actor=actor, fee_case=fee_case, kinds=[FlagKind.FEE_COURT_FEE_MISSING])


@transaction.atomic
def fee_cases_reckon_held(*, actor) -> int:
    """After a court fee rate is added: the fee cases held for it get their amount from it (on each case's
    timeline), and the flag goes away. Those still without their year's rate stay held."""
    newest = CourtFeeRate.objects.order_by("-valid_from").values_list("valid_from", flat=True).first()
    if newest is None:
        return 0
    # court_fee_missing_for is the meeting's year: those up to the newest rate's year have their rate now.
    held = (
        FeeCase.objects.select_for_update(of=("self",))
        .filter(court_fee_missing_for__lte=newest.year, status=FeeCaseStatus.PROPOSED)
        .select_related("referral__service__fee_policy", "meeting")
    )
    settled = 0
    for fee_case in held:
        _court_fee_settle(
            actor=actor, fee_case=fee_case, multiplier=fee_policy_for(fee_case.referral.service).multiplier
        )
        fee_case.save(update_fields=["amount", "court_fee_missing_for"])
        settled += 1
    return settled


@transaction.atomic
def fee_case_send_notice(*, actor, fee_case: FeeCase) -> list[FeeLetter]:
    """Warn the person before deciding (forvaltningsloven § 16): the advance notice letter, with the planned fee,
    the questions to answer and the deadline (the service's answer period, moved to the next working day)."""
    fee_case = _locked(fee_case)
    _require_fee_role(actor, fee_case)
    _require_step(
        fee_case,
        "notice",
        _("The advance notice is sent once, right after the fee is proposed; the case is now: %(status)s."),
    )
    policy = fee_policy_for(fee_case.referral.service)
    _court_fee_settle(actor=actor, fee_case=fee_case, multiplier=policy.multiplier)
    today = timezone.localdate()
    fee_case.notice_sent_at = timezone.now()
    fee_case.notice_sent_by = actor
    fee_case.answer_deadline = next_working_day(today + datetime.timedelta(days=policy.answer_period_days))
    fee_case_move(
        actor=actor,
        fee_case=fee_case,
        to=FeeCaseStatus.NOTICE_SENT,
        kind="notice_sent",
        message=gettext_noop("Advance notice of the fee made, to be sent; the person may answer by %(date)s."),
        params={"date": fee_case.answer_deadline.strftime("%d.%m.%Y")},
    )
    return fee_letters_make(actor=actor, fee_case=fee_case, kind=FeeLetterKind.ADVANCE_NOTICE, policy=policy)


@transaction.atomic
def fee_case_register_answer(
    *, actor, fee_case: FeeCase, received_on: datetime.date, valid_reason: str = "", situation: str = ""
) -> FeeCase:
    """The person's answer to the advance notice: their reason for not attending and their finances and life
    situation. An answer that comes after the deadline but before the assessment is still taken in."""
    fee_case = _locked(fee_case)
    _require_fee_role(actor, fee_case)
    _require_step(
        fee_case,
        "answer",
        _(
            "An answer can be registered after the advance notice and before the hardship assessment; "
            "the case is now: %(status)s."
        ),
    )
    valid_reason, situation = valid_reason.strip(), situation.strip()
    if not valid_reason and not situation:
        raise ValidationError({"valid_reason": _("Write down what the person answered.")})
    _not_in_future(received_on, "received_on")
    if received_on < timezone.localdate(fee_case.notice_sent_at):
        raise ValidationError({"received_on": _("The answer cannot have come before the advance notice.")})
    fee_case.answer_received_on = received_on
    fee_case.answer_valid_reason = valid_reason
    fee_case.answer_situation = situation
    fee_case.answer_registered_by = actor
    fee_case_move(
        actor=actor,
        fee_case=fee_case,
        to=FeeCaseStatus.ANSWERED,
        kind="answered",
        message=gettext_noop("The person's answer to the advance notice, received %(date)s, registered."),
        params={"date": received_on.strftime("%d.%m.%Y")},
    )
    _deadline_flags_resolve(actor=actor, fee_case=fee_case, kinds=[FlagKind.FEE_ANSWER_PERIOD_OVER])
    return fee_case


@transaction.atomic
def fee_case_answer_period_passed(*, actor, fee_case: FeeCase) -> FeeCase:
    """Record that the answer deadline passed without an answer, so the case can be assessed without one."""
    fee_case = _locked(fee_case)
    _require_fee_role(actor, fee_case)
    _require_step(
        fee_case,
        "answer_period_passed",
        _(
            "Only a case waiting for an answer to the advance notice can pass its answer period; "
            "the case is now: %(status)s."
        ),
    )
    if timezone.localdate() <= fee_case.answer_deadline:
        raise ValidationError(
            _("The person may answer until %(date)s; wait until the deadline has passed."),
            params={"date": date_format(fee_case.answer_deadline, "SHORT_DATE_FORMAT")},
            code="deadline_not_passed",
        )
    fee_case.answer_period_passed_at = timezone.now()
    fee_case_move(
        actor=actor,
        fee_case=fee_case,
        to=FeeCaseStatus.ANSWER_PERIOD_PASSED,
        kind="answer_period_passed",
        message=gettext_noop("No answer to the advance notice by the deadline %(date)s."),
        params={"date": fee_case.answer_deadline.strftime("%d.%m.%Y")},
    )
    _deadline_flags_resolve(actor=actor, fee_case=fee_case, kinds=[FlagKind.FEE_ANSWER_PERIOD_OVER])
    return fee_case


@dataclass
class HardshipAssessment:
    financial_situation: str
    life_situation: str
    persons_account: str
    reasoning: str
    unreasonably_burdensome: bool | None


@transaction.atomic
def fee_case_assess_hardship(*, actor, fee_case: FeeCase, assessment: HardshipAssessment) -> FeeCase:
    """Would a fee be unreasonably burdensome given the person's finances and life situation? Recorded with the
    assessor's reasoning; may be redone until the decision."""
    fee_case = _locked(fee_case)
    _require_fee_role(actor, fee_case)
    _require_step(
        fee_case,
        "assess",
        _(
            "Hardship is assessed after the person has answered or the answer period has passed, "
            "and before the decision; "
            "the case is now: %(status)s."
        ),
    )
    errors = {}
    if not assessment.financial_situation.strip():
        errors["financial_situation"] = [_("Describe the person's financial situation as far as it is known.")]
    if not assessment.life_situation.strip():
        errors["life_situation"] = [_("Describe the person's life situation as far as it is known.")]
    if not assessment.reasoning.strip():
        errors["reasoning"] = [_("Give the reasoning of the assessment.")]
    if assessment.unreasonably_burdensome is None:
        errors["unreasonably_burdensome"] = [_("Conclude: would a fee be unreasonably burdensome?")]
    if errors:
        raise ValidationError(errors)
    fee_case.hardship_financial_situation = assessment.financial_situation.strip()
    fee_case.hardship_life_situation = assessment.life_situation.strip()
    fee_case.hardship_persons_account = assessment.persons_account.strip()
    fee_case.hardship_reasoning = assessment.reasoning.strip()
    fee_case.hardship_unreasonably_burdensome = assessment.unreasonably_burdensome
    fee_case.hardship_assessed_by = actor
    fee_case.hardship_assessed_at = timezone.now()
    fee_case_move(
        actor=actor,
        fee_case=fee_case,
        to=FeeCaseStatus.ASSESSED,
        kind="assessed",
        message=gettext_noop("Hardship assessed: %(conclusion)s."),
        params={
            "conclusion": translatable(
                _("a fee would be unreasonably burdensome")
                if assessment.unreasonably_burdensome
                else _("a fee would not be unreasonably burdensome")
            )
        },
    )
    return fee_case


@transaction.atomic
def fee_case_decide(*, actor, fee_case: FeeCase, outcome: str, reasons: str) -> FeeCase:
    """The decision, by a service lead or fee officer who did not propose the fee: imposed, waived for hardship
    or dropped for a valid reason, with written reasons (forvaltningsloven §§ 24–25). Makes the decision letter.
    The appeal deadline is not known yet: it runs three weeks from the day the decision reaches the person, which
    the letters' dispatch records give (fee_letter_mark_sent), so the letter says "three weeks from the day you
    got this letter"."""
    fee_case = _locked(fee_case)
    _require_fee_role(actor, fee_case)
    if fee_case.proposed_by_id == actor.pk:
        raise ValidationError(_("You proposed this fee, so someone else must decide it."), code="proposer_decides")
    if fee_case.status in {FeeCaseStatus.PROPOSED, FeeCaseStatus.NOTICE_SENT}:
        refusal = _("The person must be heard first: wait for the answer or the end of the answer period.")
    elif fee_case.status in {FeeCaseStatus.ANSWERED, FeeCaseStatus.ANSWER_PERIOD_PASSED}:
        refusal = _("Assess hardship before deciding.")
    else:
        refusal = _("The case is already decided; it is now: %(status)s.")
    _require_step(fee_case, "decide", refusal)
    errors = {}
    if outcome not in FeeOutcome.values:
        errors["outcome"] = [_("Choose the decision.")]
    reasons = reasons.strip()
    if not reasons:
        errors["reasons"] = [
            _("Give the reasons: the facts, and why a fee is or is not unreasonably burdensome for the person.")
        ]
    if outcome == FeeOutcome.IMPOSED and fee_case.hardship_unreasonably_burdensome:
        errors["outcome"] = [
            _(
                "The hardship assessment found a fee unreasonably burdensome; "
                "it cannot be imposed. Assess again or waive it."
            )
        ]
    if errors:
        raise ValidationError(errors)
    fee_case.outcome = outcome
    fee_case.decided_amount = fee_case.amount if outcome == FeeOutcome.IMPOSED else None
    fee_case.reasons = reasons
    fee_case.decided_by = actor
    fee_case.decided_at = timezone.now()
    fee_case.notified_on = None
    # Both run from the day the decision reaches the person (_decision_reached), once its letter has left.
    fee_case.appeal_deadline = None
    fee_case.payment_due = None
    fee_case_move(
        actor=actor,
        fee_case=fee_case,
        to=FeeCaseStatus.DECIDED,
        kind="decided",
        message=gettext_noop(
            "Fee decided: %(outcome)s. The appeal deadline runs from the day the decision reaches the person."
        )
        if fee_case.appealable
        else gettext_noop("Fee decided: %(outcome)s."),
        params={"outcome": translatable(FeeOutcome(outcome).label)},
    )
    fee_letters_make(actor=actor, fee_case=fee_case, kind=FeeLetterKind.DECISION)
    return fee_case


def _appeal_received_errors(fee_case: FeeCase, received_on: datetime.date, grounds: str) -> dict:
    errors = {}
    if not grounds.strip():
        errors["grounds"] = [_("Write down the grounds of the appeal.")]
    if received_on > timezone.localdate():
        errors["received_on"] = [_("The date cannot be in the future.")]
    elif received_on < timezone.localdate(fee_case.decided_at):
        errors["received_on"] = [_("The appeal cannot have come before the decision.")]
    return errors


@transaction.atomic
def fee_case_register_appeal(*, actor, fee_case: FeeCase, received_on: datetime.date, grounds: str) -> FeeCase:
    """The person appealed the fee in time: collection waits until the appeal is concluded. An appeal after the
    deadline is a late appeal (fee_case_register_late_appeal)."""
    fee_case = _locked(fee_case)
    _require_fee_role(actor, fee_case)
    _require_step(
        fee_case,
        "appeal",
        _("An appeal is registered against a decision that is not yet final; the case is now: %(status)s."),
    )
    if fee_case.outcome != FeeOutcome.IMPOSED:
        raise ValidationError(_("Only a decision that imposes a fee can be appealed here."), code="wrong_step")
    errors = _appeal_received_errors(fee_case, received_on, grounds)
    if "received_on" not in errors and fee_case.appeal_deadline is not None and received_on > fee_case.appeal_deadline:
        errors["received_on"] = [
            _(
                "The appeal deadline was %(date)s. An appeal posted by then is in time (forvaltningsloven § 30): "
                "give the day it was posted. Otherwise register it as a late appeal."
            )
            % {"date": date_format(fee_case.appeal_deadline, "SHORT_DATE_FORMAT")}
        ]
    if errors:
        raise ValidationError(errors)
    fee_case.appeal_received_on = received_on
    fee_case.appeal_grounds = grounds.strip()
    fee_case.appeal_registered_by = actor
    fee_case_move(
        actor=actor,
        fee_case=fee_case,
        to=FeeCaseStatus.APPEALED,
        kind="appealed",
        message=gettext_noop("Appeal received %(date)s registered; collection on hold."),
        params={"date": received_on.strftime("%d.%m.%Y")},
    )
    _deadline_flags_resolve(actor=actor, fee_case=fee_case, kinds=[FlagKind.FEE_APPEAL_PERIOD_OVER])
    return fee_case


@transaction.atomic
def fee_case_register_late_appeal(*, actor, fee_case: FeeCase, received_on: datetime.date, grounds: str) -> FeeCase:
    """An appeal that came after the deadline (forvaltningsloven § 31), also once the decision is final or the fee
    is in collection. Registered, it waits to be considered or rejected; collection goes on until it is considered.
    A decision can be appealed once: not after an appeal already registered."""
    fee_case = _locked(fee_case)
    _require_fee_role(actor, fee_case)
    _require_step(
        fee_case,
        "late_appeal",
        _(
            "A late appeal is registered against a decided fee after the appeal deadline, also when it is final "
            "or in collection; the case is now: %(status)s."
        ),
    )
    if fee_case.outcome != FeeOutcome.IMPOSED:
        raise ValidationError(_("Only a decision that imposes a fee can be appealed here."), code="wrong_step")
    if fee_case.appeal_received_on is not None:
        raise ValidationError(
            _("This decision has already been appealed, on %(date)s; it cannot be appealed again."),
            params={"date": date_format(fee_case.appeal_received_on, "SHORT_DATE_FORMAT")},
            code="appealed_before",
        )
    errors = _appeal_received_errors(fee_case, received_on, grounds)
    if "received_on" not in errors and fee_case.appeal_deadline is None:
        # The decision is not known to have reached the person: the appeal period has not even begun.
        errors["received_on"] = [
            _("The appeal deadline runs from the day the decision reaches the person: register it as an appeal.")
        ]
    elif "received_on" not in errors and received_on <= fee_case.appeal_deadline:
        errors["received_on"] = [
            _("The appeal came by the deadline of %(date)s: register it as an appeal, not a late one.")
            % {"date": date_format(fee_case.appeal_deadline, "SHORT_DATE_FORMAT")}
        ]
    if errors:
        raise ValidationError(errors)
    fee_case.appeal_received_on = received_on
    fee_case.appeal_grounds = grounds.strip()
    fee_case.appeal_registered_by = actor
    fee_case_move(
        actor=actor,
        fee_case=fee_case,
        to=FEE_CASE_STEPS[fee_case.status]["late_appeal"],
        kind="late_appeal",
        message=gettext_noop(
            "Late appeal received %(date)s registered (the deadline was %(deadline)s): consider or reject it."
        ),
        params={"date": received_on.strftime("%d.%m.%Y"), "deadline": fee_case.appeal_deadline.strftime("%d.%m.%Y")},
    )
    _deadline_flags_resolve(actor=actor, fee_case=fee_case, kinds=[FlagKind.FEE_APPEAL_PERIOD_OVER])
    return fee_case


def _late_appeal_decided(fee_case: FeeCase, *, actor, considered: bool, reasons: str) -> None:
    if not reasons.strip():
        raise ValidationError(
            {
                "reasons": _("Give the reasons for considering the late appeal.")
                if considered
                else _("Give the reasons for rejecting the late appeal.")
            }
        )
    fee_case.late_appeal_considered = considered
    fee_case.late_appeal_reasons = reasons.strip()
    fee_case.late_appeal_decided_at = timezone.now()
    fee_case.late_appeal_decided_by = actor


@transaction.atomic
def fee_case_consider_late_appeal(*, actor, fee_case: FeeCase, reasons: str) -> FeeCase:
    """The late appeal is considered all the same (forvaltningsloven § 31: the person can hardly be blamed for the
    delay, or there are special reasons): the case goes on as an appeal, to be reversed or forwarded, and
    collection is on hold. A fee already sent to collection is taken out of its export; if it still stands after
    the appeal, the next collection export sends it again, with the amount that then stands."""
    fee_case = _locked(fee_case)
    _require_fee_role(actor, fee_case)
    _require_step(
        fee_case,
        "consider_late_appeal",
        _("Only a late appeal waiting to be considered or rejected can be considered; the case is now: %(status)s."),
    )
    _late_appeal_decided(fee_case, actor=actor, considered=True, reasons=reasons)
    export = fee_case.exported_in
    if export is not None:
        fee_case.withdrawn_from_export = export
        fee_case.exported_in = None
    fee_case_move(
        actor=actor,
        fee_case=fee_case,
        to=FeeCaseStatus.APPEALED,
        kind="late_appeal_considered",
        message=gettext_noop(
            "The late appeal is considered (forvaltningsloven § 31). Collection on hold: "
            "ask the collection agency to stop the claim sent on %(date)s."
        )
        if export
        else gettext_noop("The late appeal is considered (forvaltningsloven § 31); collection on hold."),
        params={"date": timezone.localdate(export.created_at).strftime("%d.%m.%Y")} if export else {},
    )
    return fee_case


@transaction.atomic
def fee_case_reject_late_appeal(*, actor, fee_case: FeeCase, reasons: str) -> list[FeeLetter]:
    """The late appeal is rejected (forvaltningsloven § 31): a decision with its reasons, and a letter to the
    person. The fee decision stands as before: final, or in collection."""
    fee_case = _locked(fee_case)
    _require_fee_role(actor, fee_case)
    _require_step(
        fee_case,
        "reject_late_appeal",
        _("Only a late appeal waiting to be considered or rejected can be rejected; the case is now: %(status)s."),
    )
    _late_appeal_decided(fee_case, actor=actor, considered=False, reasons=reasons)
    to = FEE_CASE_STEPS[fee_case.status]["reject_late_appeal"]
    if to == FeeCaseStatus.FINAL and fee_case.final_at is None:
        fee_case.final_at = timezone.now()
    fee_case_move(
        actor=actor,
        fee_case=fee_case,
        to=to,
        kind="late_appeal_rejected",
        message=gettext_noop("The late appeal is rejected (forvaltningsloven § 31); the fee decision stands."),
    )
    return fee_letters_make(actor=actor, fee_case=fee_case, kind=FeeLetterKind.LATE_APPEAL_REJECTED)


@transaction.atomic
def fee_case_reverse(*, actor, fee_case: FeeCase, reasons: str) -> FeeCase:
    """The service finds the appeal justified and reverses its decision itself (forvaltningsloven § 33): no fee.
    Makes the letter telling the person."""
    fee_case = _locked(fee_case)
    _require_fee_role(actor, fee_case)
    _require_step(
        fee_case,
        "reverse",
        _(
            "Only an appealed decision that has not been forwarded can be reversed by the service; "
            "the case is now: %(status)s."
        ),
    )
    if not reasons.strip():
        raise ValidationError({"reasons": _("Give the reasons for reversing the decision.")})
    fee_case.appeal_outcome = AppealOutcome.REVERSED
    fee_case.appeal_outcome_reasons = reasons.strip()
    fee_case.appeal_outcome_on = timezone.localdate()
    fee_case.appeal_outcome_registered_by = actor
    fee_case_move(
        actor=actor,
        fee_case=fee_case,
        to=FeeCaseStatus.APPEAL_CONCLUDED,
        kind="reversed",
        message=gettext_noop("The fee decision reversed after the appeal."),
    )
    fee_letters_make(actor=actor, fee_case=fee_case, kind=FeeLetterKind.APPEAL_OUTCOME)
    return fee_case


@transaction.atomic
def fee_case_forward_appeal(*, actor, fee_case: FeeCase) -> FeeCase:
    """The service keeps its decision and sends the appeal to the appeal body (forvaltningsloven § 33), and tells
    the person so in a letter, to the same recipients as the other fee letters."""
    fee_case = _locked(fee_case)
    _require_fee_role(actor, fee_case)
    _require_step(
        fee_case,
        "forward",
        _("Only an appealed decision can be forwarded to the appeal body; the case is now: %(status)s."),
    )
    policy = fee_policy_for(fee_case.referral.service)
    fee_case.appeal_forwarded_at = timezone.now()
    fee_case_move(
        actor=actor,
        fee_case=fee_case,
        to=FeeCaseStatus.FORWARDED,
        kind="forwarded",
        message=gettext_noop("Appeal forwarded to the appeal body (%(body)s)."),
        params={"body": policy.appeal_body},
    )
    fee_letters_make(actor=actor, fee_case=fee_case, kind=FeeLetterKind.APPEAL_FORWARDED, policy=policy)
    return fee_case


APPEAL_BODY_OUTCOMES = (AppealOutcome.UPHELD, AppealOutcome.PARTLY_ALLOWED, AppealOutcome.ALLOWED)


@transaction.atomic
def fee_case_register_appeal_outcome(
    *,
    actor,
    fee_case: FeeCase,
    outcome: str,
    decided_on: datetime.date,
    reasons: str = "",
    new_amount: int | None = None,
) -> FeeCase:
    """What the appeal body decided: the fee upheld, the appeal partly allowed with a lower fee (`new_amount`, which
    collection then uses), or the appeal allowed and no fee. Makes the letter telling the person."""
    fee_case = _locked(fee_case)
    _require_fee_role(actor, fee_case)
    _require_step(
        fee_case,
        "appeal_outcome",
        _("The appeal body's outcome is registered after the appeal was forwarded; the case is now: %(status)s."),
    )
    errors = {}
    if outcome not in APPEAL_BODY_OUTCOMES:
        errors["outcome"] = [_("Choose what the appeal body decided.")]
    if outcome == AppealOutcome.PARTLY_ALLOWED:
        if new_amount is None:
            errors["new_amount"] = [_("Give the fee the appeal body set.")]
        elif not 0 < new_amount < fee_case.decided_amount:
            errors["new_amount"] = [
                _("The new fee must be more than 0 kr and less than the fee decided, %(amount)s kr.")
                % {"amount": _kroner(fee_case.decided_amount)}
            ]
    elif new_amount is not None:
        errors["new_amount"] = [_("Give a new fee only when the appeal body partly allowed the appeal.")]
    if decided_on > timezone.localdate():
        errors["decided_on"] = [_("The date cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    fee_case.appeal_outcome = outcome
    fee_case.appeal_amount = new_amount if outcome == AppealOutcome.PARTLY_ALLOWED else None
    fee_case.appeal_outcome_on = decided_on
    fee_case.appeal_outcome_reasons = reasons.strip()
    fee_case.appeal_outcome_registered_by = actor
    params = {"date": decided_on.strftime("%d.%m.%Y"), "outcome": translatable(AppealOutcome(outcome).label)}
    if outcome == AppealOutcome.PARTLY_ALLOWED:
        message = gettext_noop("The appeal body's decision of %(date)s registered: %(outcome)s, %(amount)s kr.")
        params["amount"] = _kroner(new_amount)
    else:
        message = gettext_noop("The appeal body's decision of %(date)s registered: %(outcome)s.")
    fee_case_move(
        actor=actor,
        fee_case=fee_case,
        to=FeeCaseStatus.APPEAL_CONCLUDED,
        kind="appeal_outcome",
        message=message,
        params=params,
    )
    fee_letters_make(actor=actor, fee_case=fee_case, kind=FeeLetterKind.APPEAL_OUTCOME)
    return fee_case


@transaction.atomic
def fee_case_make_final(*, actor, fee_case: FeeCase) -> FeeCase:
    """The decision can no longer be appealed: after the appeal deadline with no appeal, or once the appeal is
    concluded. A decision without a fee is final at once, since it is all in the person's favour. Resolves the
    appeal period flag; the referral goes back to booking after a valid reason, and is closed when no fee is left."""
    fee_case = _locked(fee_case, with_referral=True)
    _require_fee_role(actor, fee_case)
    _require_step(
        fee_case,
        "final",
        _("A case becomes final after the decision, when no appeal is pending; the case is now: %(status)s."),
    )
    if (
        fee_case.status == FeeCaseStatus.DECIDED
        and fee_case.outcome == FeeOutcome.IMPOSED
        and fee_case.appeal_deadline is None
    ):
        raise ValidationError(
            _(
                "It is not known yet when the decision reached the person, so the appeal period has not started: "
                "record how and when the decision letters were sent."
            ),
            code="decision_not_delivered",
        )
    if (
        fee_case.status == FeeCaseStatus.DECIDED
        and fee_case.outcome == FeeOutcome.IMPOSED
        and timezone.localdate() <= fee_case.appeal_deadline
    ):
        raise ValidationError(
            _("The person may appeal until %(date)s; the decision is final after that."),
            params={"date": date_format(fee_case.appeal_deadline, "SHORT_DATE_FORMAT")},
            code="appeal_period_running",
        )
    fee_case.final_at = timezone.now()
    fee_case_move(
        actor=actor,
        fee_case=fee_case,
        to=FeeCaseStatus.FINAL,
        kind="final",
        message=gettext_noop("The fee decision is final: %(result)s."),
        params={
            "result": translatable(_("the fee goes to collection") if fee_case.collectable else _("no fee to collect"))
        },
    )
    _deadline_flags_resolve(actor=actor, fee_case=fee_case, kinds=[FlagKind.FEE_APPEAL_PERIOD_OVER])
    # The referral moves on with the decision that stands: back to booking after a valid reason, closed when there
    # is no fee to collect (a fee to collect closes it once paid). A referral closed meanwhile, by the end of an
    # earlier fee case of the same referral, stays closed.
    referral = fee_case.referral
    if referral.status != ReferralStatus.CLOSED:
        if fee_case.outcome == FeeOutcome.DROPPED_VALID_REASON:
            referral_move(
                actor=actor,
                referral=referral,
                to=ReferralStatus.VALID_ABSENCE,
                message=gettext_noop("The absence had a valid reason: book a new meeting."),
            )
        elif not fee_case.collectable:
            referral_move(actor=actor, referral=referral, to=ReferralStatus.CLOSED, message=CASE_CLOSED)
    return fee_case


# One line per fee in the collection file. The columns are what a collection agency (e.g. Statens innkrevingssentral)
# needs to identify the debtor and the claim; nothing about the meeting beyond its date.
COLLECTION_COLUMNS = [
    "saksnummer",
    "politireferanse",
    "fodselsnummer",
    "navn",
    "adresse",
    "postnummer",
    "poststed",
    "belop_kr",
    "vedtaksdato",
    "endelig_dato",
    "motedato",
]


def _collection_row(fee_case: FeeCase) -> list:
    """Text as typed (csv_text keeps it from being read as a formula); the case number and amount as numbers."""
    person = fee_case.referral.person
    return [
        fee_case.pk,
        fee_case.referral.police_reference,
        person.national_id,
        person.full_name,
        person.street_address,
        person.postal_code,
        person.postal_town,
        fee_case.collectable_amount,
        timezone.localdate(fee_case.decided_at).isoformat(),
        timezone.localdate(fee_case.final_at).isoformat(),
        timezone.localdate(fee_case.meeting.starts_at).isoformat(),
    ]


@transaction.atomic
def fee_collection_export(*, actor, service, period_start: datetime.date, period_end: datetime.date) -> bytes:
    """The CSV for collection of the service's final fees not exported before, up to the end of the period: each
    fee goes to collection once, and one made final after an earlier export's day is never left behind. The
    export is kept as a batch, with its file and period, for the record."""
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period must end on or after its first day.")})
    if not StaffMembership.objects.active().filter(user_id=actor.pk, service=service, role__in=FEE_ROLES).exists():
        raise ValidationError(_("Only a service lead or fee officer of the service can do this."), code="role")
    zone = timezone.get_current_timezone()
    end = datetime.datetime.combine(period_end + datetime.timedelta(days=1), datetime.time(), zone)
    cases = list(
        FeeCase.objects.select_for_update(of=("self",))
        .filter(
            referral__service=service,
            status=FeeCaseStatus.FINAL,
            outcome=FeeOutcome.IMPOSED,
            appeal_outcome__in=COLLECTABLE_APPEAL_OUTCOMES,
            exported_in__isnull=True,
            final_at__lt=end,
        )
        # Never before the appeal period is over, counted from the day the decision reached the person, unless an
        # appeal has been decided.
        .filter(Q(appeal_deadline__lt=timezone.localdate()) | ~Q(appeal_outcome=""))
        .select_related("referral__person", "referral__service", "meeting")
        .order_by("final_at", "pk")
    )
    content = csv_text(COLLECTION_COLUMNS, (_collection_row(fee_case) for fee_case in cases)).encode("utf-8")
    batch = CollectionExport(
        service=service,
        period_start=period_start,
        period_end=period_end,
        fee_count=len(cases),
        total_amount=sum(c.collectable_amount for c in cases),
        created_by=actor,
    )
    name = f"innkreving-{service.pk}-{period_start:%Y%m%d}-{period_end:%Y%m%d}.csv"
    batch.csv.save(name, ContentFile(content), save=False)
    batch.save()
    # One update for the batch instead of fee_case_move for each case, along the same table.
    _require_transition(FeeCaseStatus.FINAL, FeeCaseStatus.EXPORTED)
    FeeCase.objects.filter(pk__in=[c.pk for c in cases]).update(status=FeeCaseStatus.EXPORTED, exported_in=batch)
    audit_change(actor=actor, action="fee_collection.exported", obj=batch, service=service, extra={"fees": len(cases)})
    for fee_case in cases:
        fee_case.status, fee_case.exported_in = FeeCaseStatus.EXPORTED, batch
        _record(
            fee_case,
            actor=actor,
            kind="exported",
            message=gettext_noop("The fee of %(amount)s kr sent to collection."),
            params={"amount": _kroner(fee_case.collectable_amount)},
        )
    return content


@transaction.atomic
def fee_case_mark_paid(*, actor, fee_case: FeeCase, paid_on: datetime.date) -> FeeCase:
    """The fee sent to collection is paid, and the referral is closed."""
    fee_case = _locked(fee_case, with_referral=True)
    _require_fee_role(actor, fee_case)
    _require_step(
        fee_case,
        "paid",
        _("A fee is marked as paid after it was sent to collection; the case is now: %(status)s."),
    )
    _not_in_future(paid_on, "paid_on")
    fee_case.paid_on = paid_on
    fee_case.closed_by = actor
    fee_case_move(
        actor=actor,
        fee_case=fee_case,
        to=FeeCaseStatus.PAID,
        kind="paid",
        message=gettext_noop("The fee was paid on %(date)s."),
        params={"date": paid_on.strftime("%d.%m.%Y")},
    )
    referral_move(actor=actor, referral=fee_case.referral, to=ReferralStatus.CLOSED, message=CASE_CLOSED)
    return fee_case


@transaction.atomic
def fee_case_cancel(*, actor, fee_case: FeeCase, reason: str) -> FeeCase:
    """Stop the fee case, e.g. registered in error, or the claim withdrawn from collection. Kept, with the reason.
    Resolves its deadline flags and closes the referral, wherever it has got to."""
    fee_case = _locked(fee_case, with_referral=True)
    _require_fee_role(actor, fee_case)
    _require_step(fee_case, "cancel", _("The case is already closed; it is now: %(status)s."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for cancelling the fee case.")})
    fee_case.cancelled_at = timezone.now()
    fee_case.cancel_reason = reason.strip()
    fee_case.closed_by = actor
    fee_case_move(
        actor=actor,
        fee_case=fee_case,
        to=FeeCaseStatus.CANCELLED,
        kind="cancelled",
        message=gettext_noop("The fee case was cancelled."),
    )
    _deadline_flags_resolve(
        actor=actor,
        fee_case=fee_case,
        kinds=[FlagKind.FEE_ANSWER_PERIOD_OVER, FlagKind.FEE_APPEAL_PERIOD_OVER, FlagKind.FEE_COURT_FEE_MISSING],
    )
    referral_move(actor=actor, referral=fee_case.referral, to=ReferralStatus.CLOSED, message=CASE_CLOSED)
    return fee_case


def _letter_locked(letter: FeeLetter) -> FeeLetter:
    return (
        FeeLetter.objects.select_for_update(of=("self",))
        .select_related("fee_case__referral__service", "fee_case__referral__person", "guardian")
        .get(pk=letter.pk)
    )


def _letter_timeline(letter: FeeLetter) -> dict:
    """The letter's dispatch among the fee case's steps (fees.selectors.fee_case_events)."""
    return {"prefix": "fee_case.", "extra": {"fee_case": letter.fee_case_id}}


def _decision_reached(*, actor, fee_case: FeeCase) -> None:
    """Once every decision letter has reached its recipient, the decision has reached the person on the last of
    those days (a minor's guardians too), and the three weeks to appeal run from it (forvaltningsloven § 29)."""
    days = list(fee_case.letters.filter(kind=FeeLetterKind.DECISION).values_list("delivered_on", flat=True))
    if not days or None in days or fee_case.appeal_deadline is not None:
        return
    fee_case.notified_on = max(days)
    fee_case.appeal_deadline = appeal_deadline(fee_case.notified_on)
    if fee_case.outcome == FeeOutcome.IMPOSED:
        fee_case.payment_due = payment_due(
            fee_case.appeal_deadline, payment_period_days=fee_policy_for(fee_case.referral.service).payment_period_days
        )
    FeeCase.objects.filter(pk=fee_case.pk).update(
        notified_on=fee_case.notified_on, appeal_deadline=fee_case.appeal_deadline, payment_due=fee_case.payment_due
    )
    _record(
        fee_case,
        actor=actor,
        kind="decision_reached",
        message=gettext_noop("The decision reached the person on %(date)s: the appeal deadline is %(deadline)s."),
        params={
            "date": fee_case.notified_on.strftime("%d.%m.%Y"),
            "deadline": fee_case.appeal_deadline.strftime("%d.%m.%Y"),
        },
    )


def _after_delivery(*, actor, letter: FeeLetter) -> None:
    """What a letter's dispatch moves in its fee case: the answer period of an advance notice, the appeal
    deadline of a decision."""
    fee_case = FeeCase.objects.select_for_update(of=("self",)).get(pk=letter.fee_case_id)
    fee_case.referral = letter.fee_case.referral
    if (
        letter.kind == FeeLetterKind.ADVANCE_NOTICE
        and letter.recipient_kind == RecipientKind.PERSON
        and fee_case.status == FeeCaseStatus.NOTICE_SENT
    ):
        # The answer period runs from the day the notice reached the person (the day it went out while that is
        # not known): sent late, the person gets the full period (never less than the letter says).
        policy = fee_policy_for(fee_case.referral.service)
        start = letter.delivered_on or letter.sent_on
        from_sending = next_working_day(start + datetime.timedelta(days=policy.answer_period_days))
        if from_sending > fee_case.answer_deadline:
            FeeCase.objects.filter(pk=fee_case.pk).update(answer_deadline=from_sending)
            fee_case.answer_deadline = from_sending
    if letter.kind == FeeLetterKind.DECISION:
        _decision_reached(actor=actor, fee_case=fee_case)


@transaction.atomic
def fee_letter_mark_sent(
    *,
    actor,
    letter: FeeLetter,
    sent_on: datetime.date,
    method: str = DispatchMethod.POSTED,
    delivered_on: datetime.date | None = None,
    receipt: str = "",
) -> FeeLetter:
    """Record how and when a fee letter left and reached its recipient (referrals.letters.letter_dispatch_record):
    posted (the service's presumption of arrival), e-mailed, or digital post (the receipt's day). Recorded once.
    The decision's appeal deadline is set once every decision letter has reached its recipient."""
    letter = _letter_locked(letter)
    _require_fee_role(actor, letter.fee_case)
    if letter_dispatch_record(
        actor=actor,
        letter=letter,
        method=method,
        sent_on=sent_on,
        delivered_on=delivered_on,
        receipt=receipt,
        timeline=_letter_timeline(letter),
    ):
        _after_delivery(actor=actor, letter=letter)
    return letter


@transaction.atomic
def fee_letter_mark_received(*, actor, letter: FeeLetter, delivered_on: datetime.date, receipt: str = "") -> FeeLetter:
    """The digital post's receipt for a fee letter: the day it reached the recipient."""
    letter = _letter_locked(letter)
    _require_fee_role(actor, letter.fee_case)
    if letter_receipt_record(
        actor=actor, letter=letter, delivered_on=delivered_on, receipt=receipt, timeline=_letter_timeline(letter)
    ):
        _after_delivery(actor=actor, letter=letter)
    return letter
