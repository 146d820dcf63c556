"""Recording what happened at the meeting, and what follows from it for the case."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from counselling.scheduling.models import FlagKind, Meeting, MeetingStatus
from counselling.scheduling.services.flags import flags_resolve
from portal.audit import audit_change
from referrals.models import Referral, ReferralStatus, Route
from referrals.recipients import AGE_OF_CONSENT, guardians_informed
from referrals.services import referral_move, timeline_add, translatable

from ..models import Attendance, AttendanceOutcome, ConsentBy, Need, NeedsAssessment, OnwardService
from ..signals import no_show_under_order
from .police_reports import police_report_make
from .testing import testing_running


@dataclass
class AttendanceDetails:
    outcome: str
    absence_reason: str = ""
    person_present: bool = False
    guardian_ids: list[int] = field(default_factory=list)
    risk_information_given: bool = False
    consent: bool | None = None
    needs: list[str] = field(default_factory=list)
    onward_referrals: list[str] = field(default_factory=list)
    confidential_note: str = ""

    @property
    def has_assessment(self) -> bool:
        return bool(self.needs or self.onward_referrals or self.confidential_note.strip())


def consent_by_for(referral: Referral, meeting: Meeting) -> str:
    age = referral.person.age_on(timezone.localdate(meeting.starts_at))
    return ConsentBy.PERSON if age >= AGE_OF_CONSENT else ConsentBy.GUARDIANS


def guardians_present_recorded(meeting: Meeting) -> bool:
    """The form asks which guardians came only while the person is under 18 on the day of the meeting
    (referrals.recipients): from the 18th birthday the guardians are not told of the case, so not recorded in it."""
    return guardians_informed(meeting.referral, on=timezone.localdate(meeting.starts_at))


def _check(details: AttendanceDetails, meeting: Meeting, guardian_ids: set[int]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if details.outcome not in AttendanceOutcome.values:
        errors["outcome"] = [_("Choose what happened.")]
        return errors
    if details.outcome == AttendanceOutcome.VALID_ABSENCE and not details.absence_reason.strip():
        errors["absence_reason"] = [_("Give the reason for the absence, e.g. documented illness.")]
    if not set(details.guardian_ids) <= guardian_ids:
        errors["guardian_ids"] = [_("Choose among the case's guardians.")]
    elif details.guardian_ids and not guardians_present_recorded(meeting):
        errors["guardian_ids"] = [
            _("The person was 18 on the day of the meeting: the guardians are no longer part of the case.")
        ]
    if details.outcome == AttendanceOutcome.ATTENDED:
        if details.consent is None:
            errors["consent"] = [_("Record whether consent to a needs assessment was given.")]
        elif (
            details.consent
            and consent_by_for(meeting.referral, meeting) == ConsentBy.GUARDIANS
            and not details.guardian_ids
        ):
            errors["consent"] = [_("The person is under 16: the guardians give consent. Record which guardians came.")]
    elif details.consent is not None or details.risk_information_given:
        errors["outcome"] = [_("Consent and risk information are recorded only when the person attended.")]
    if details.has_assessment and details.consent is not True:
        errors["consent"] = [_("Without consent, no needs assessment, onward referral or note can be stored.")]
    unknown = set(details.needs) - set(Need.values)
    if unknown:
        errors["needs"] = [_("Unknown need: %(codes)s") % {"codes": ", ".join(sorted(unknown))}]
    unknown = set(details.onward_referrals) - set(OnwardService.values)
    if unknown:
        errors["onward_referrals"] = [_("Unknown service: %(codes)s") % {"codes": ", ".join(sorted(unknown))}]
    return errors


def attendance_refusal(meeting: Meeting) -> str | None:
    """Why the attendance of `meeting` cannot be recorded now, or None when it can: the meeting page offers the
    form exactly when `attendance_record` would take it."""
    if meeting.status != MeetingStatus.BOOKED:
        return _("The attendance of this meeting is already recorded, or the meeting was moved.")
    if meeting.starts_at > timezone.now():
        return _("Attendance can be recorded once the meeting has started.")
    if meeting.referral.status == ReferralStatus.CLOSED:
        return _("The case is closed.")
    return None


def attendance_deadline_passed(referral: Referral, *, today=None) -> bool:
    """The prosecution's attendance deadline is over: the case's last day to attend was before today."""
    return referral.attendance_deadline < (today or timezone.localdate())


@transaction.atomic
def attendance_record(*, actor, meeting: Meeting, details: AttendanceDetails) -> Attendance:
    """Record the meeting's outcome, once, after it started. What follows depends on the outcome and route:

    - attended: the case is closed; under the condition route an attendance confirmation to the police
      is made at once, to be sent;
    - did not attend, under the condition route: while the attendance deadline has not passed the case waits for a
      new meeting; after it, a non-attendance report is made and the case closed;
    - did not attend, under the order route: the case waits for the fee step;
    - valid absence: the case waits for a new meeting.
    """
    # The case first, then the meeting: the same order as booking and moving, so they cannot deadlock.
    referral = Referral.objects.select_for_update(of=("self",)).select_related("person").get(pk=meeting.referral_id)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    meeting.referral = referral
    refusal = attendance_refusal(meeting)
    if refusal:
        raise ValidationError(refusal)
    guardian_ids = set(referral.guardians.values_list("pk", flat=True))
    errors = _check(details, meeting, guardian_ids)
    if errors:
        raise ValidationError(errors)

    attended = details.outcome == AttendanceOutcome.ATTENDED
    attendance = Attendance.objects.create(
        meeting=meeting,
        outcome=details.outcome,
        absence_reason=details.absence_reason.strip(),
        person_present=attended,
        risk_information_given=attended and details.risk_information_given,
        consent=details.consent if attended else None,
        consent_by=consent_by_for(referral, meeting) if attended else "",
        recorded_by=actor,
    )
    attendance.guardians_present.set(details.guardian_ids)
    if details.consent and details.has_assessment:
        NeedsAssessment.objects.create(
            attendance=attendance,
            needs=sorted(set(details.needs)),
            onward_referrals=sorted(set(details.onward_referrals)),
            confidential_note=details.confidential_note.strip(),
        )
    meeting.status = MeetingStatus.HELD
    meeting.save(update_fields=["status"])
    flags_resolve(actor=actor, referral=referral, kinds=[FlagKind.ATTENDANCE_NOT_RECORDED], meeting=meeting)
    flags_resolve(actor=actor, referral=referral, kinds=[FlagKind.DEADLINE_PASSED])

    # The timeline is read by everyone on the case: it names the outcome, never the assessment.
    timeline_add(
        referral=referral,
        actor=actor,
        kind="meeting.attendance",
        message=gettext_noop("Attendance recorded for the meeting on %(date)s: %(outcome)s."),
        params={
            "date": timezone.localtime(meeting.starts_at).strftime("%d.%m.%Y"),
            "outcome": translatable(AttendanceOutcome(details.outcome).label),
        },
        extra={"meeting": meeting.pk},
    )
    audit_change(
        actor=actor,
        action="attendance.recorded",
        obj=attendance,
        service=referral.service,
        person_id=referral.person_id,
    )

    # The attendance entry above names the outcome; of the moves it makes, only closing and waiting for a new meeting
    # after a no-show get an entry of their own.
    if details.outcome == AttendanceOutcome.VALID_ABSENCE:
        referral_move(actor=actor, referral=referral, to=ReferralStatus.VALID_ABSENCE, message=None)
    elif attended or (referral.route == Route.CONDITION and attendance_deadline_passed(referral)):
        # Attendance is reported at once; under the condition route a no-show after the deadline leaves no time for
        # a new meeting, so the police hear of it now.
        if referral.route == Route.CONDITION:
            police_report_make(actor=actor, meeting=meeting)
        if attended and testing_running(referral):
            # The drug testing goes on: the case waits at "attended" and closes when the programme ends.
            referral_move(actor=actor, referral=referral, to=ReferralStatus.ATTENDED, message=None)
        else:
            referral_move(
                actor=actor,
                referral=referral,
                to=ReferralStatus.CLOSED,
                kind="referral.closed",
                message=gettext_noop("Case closed."),
            )
    elif referral.route == Route.CONDITION:
        # Time is left before the prosecution's deadline: the case stays open for a new meeting, and the police
        # hear of non-attendance only if the deadline passes without attendance (sweeps.py) or the person refuses.
        referral_move(
            actor=actor,
            referral=referral,
            to=ReferralStatus.MISSED,
            kind="referral.new_meeting_needed",
            message=gettext_noop(
                "Did not attend: book a new meeting before the attendance deadline on %(deadline)s. The police are "
                "told of non-attendance only if the deadline passes without attendance."
            ),
            params={"deadline": referral.attendance_deadline.strftime("%d.%m.%Y")},
        )
    else:
        # The order route: the fee step decides what follows.
        referral_move(actor=actor, referral=referral, to=ReferralStatus.MISSED, message=None)
        # fees proposes a fee case here, in this transaction, when the service charges fees (fees/receivers.py).
        no_show_under_order.send(sender=Attendance, actor=actor, meeting=meeting)
    return attendance
