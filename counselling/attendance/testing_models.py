"""Drug testing (ruskontroll) as a condition set by the prosecution: a programme per case, the tests it plans
(announced ones booked like meetings, unannounced ones called in on the day) and what happened at each.

The tests are sanctionary samples taken for the prosecution, the requester: the laboratory reports to the police,
and nothing here is a patient journal. The portal keeps whether a sample was taken, never a result, unless a lead
records one the police chose to share (LabResultShared), kept confidential like the needs assessment.

Imported by attendance.models, so the tables belong to the attendance app.
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from counselling.scheduling.constraints import PostgresExclusionConstraint
from counselling.scheduling.models import Location, TsTzRange
from referrals.models import POLICE_DISTRICT_LENGTH, PoliceDistrict

__all__ = [
    "BREACHES",
    "HOLDS_DAY",
    "CallInChannel",
    "CallInMessage",
    "CallInPurpose",
    "CallInState",
    "DrugTest",
    "DrugTestKind",
    "DrugTestOutcome",
    "DrugTestStatus",
    "LabResultShared",
    "ProgrammeStatus",
    "ReportingRule",
    "SampleType",
    "TestingProgramme",
]

PROSECUTION_REFERENCE_LENGTH = 50
SAMPLE_NUMBER_LENGTH = 40


class SampleType(models.Model):
    """What is sampled: urine, saliva... configured by an administrator, because the procedures and the
    laboratories' offers change."""

    name = models.CharField(_("name"), max_length=60, unique=True)
    is_active = models.BooleanField(_("in use"), default=True)

    class Meta:
        verbose_name = _("sample type")
        verbose_name_plural = _("sample types")
        ordering = ["name"]

    def __str__(self):
        return self.name


class ReportingRule(models.TextChoices):
    AT_END = "at_end", _("At the end of the period only")
    EACH_BREACH = "each_breach", _("At the end, and on each no-show or refusal")


class ProgrammeStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    ENDED = "ended", _("Ended")


class TestingProgramme(models.Model):
    """The prosecution's drug-testing condition for one case, as its decision sets it."""

    __test__ = False  # pytest would take the name for a test class

    referral = models.OneToOneField(
        "referrals.Referral",
        on_delete=models.PROTECT,
        related_name="testing_programme",
        verbose_name=_("referral"),
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    planned_tests = models.PositiveSmallIntegerField(_("planned number of tests"))
    announced = models.BooleanField(_("announced tests"), default=True)
    unannounced = models.BooleanField(_("unannounced tests (call-ins)"), default=True)
    sample_type = models.ForeignKey(
        SampleType, on_delete=models.PROTECT, related_name="+", verbose_name=_("sample type")
    )
    # Whether the prosecution also set the conversation as a condition: without it the case ends with the programme.
    conversation_required = models.BooleanField(_("the conversation is also a condition"), default=True)
    requester = models.CharField(
        _("requester (prosecution authority)"),
        max_length=200,
        help_text=_("Named on the requisitions, e.g. the police district's prosecution authority."),
    )
    police_district = models.CharField(
        _("police district"), max_length=POLICE_DISTRICT_LENGTH, choices=PoliceDistrict.choices
    )
    prosecution_reference = models.CharField(_("prosecution reference"), max_length=PROSECUTION_REFERENCE_LENGTH)
    reporting_rule = models.CharField(
        _("report to the police"), max_length=15, choices=ReportingRule.choices, default=ReportingRule.AT_END
    )
    call_in_by = models.TimeField(
        _("call-ins: meet before"),
        default=datetime.time(15, 0),
        help_text=_("The call-in says: meet today before this time."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ProgrammeStatus.choices, default=ProgrammeStatus.RUNNING
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )
    registered_at = models.DateTimeField(_("registered"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        verbose_name = _("testing programme")
        verbose_name_plural = _("testing programmes")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="programme_ends_after_start"),
            models.CheckConstraint(condition=Q(planned_tests__gte=1), name="programme_plans_a_test"),
            models.CheckConstraint(condition=Q(announced=True) | Q(unannounced=True), name="programme_has_a_kind"),
        ]
        indexes = [models.Index(fields=["status", "ends_on"], name="programme_status_end_idx")]

    def __str__(self):
        return f"{self.referral} {self.starts_on:%d.%m.%Y}–{self.ends_on:%d.%m.%Y}"

    @property
    def is_running(self) -> bool:
        return self.status == ProgrammeStatus.RUNNING


class DrugTestKind(models.TextChoices):
    ANNOUNCED = "announced", _("Announced")
    CALL_IN = "call_in", _("Unannounced (call-in)")


class DrugTestStatus(models.TextChoices):
    SUGGESTED = "suggested", _("Suggested")  # a call-in day the portal drew, not yet confirmed by staff
    PLANNED = "planned", _("Planned")
    RECORDED = "recorded", _("Outcome recorded")
    CANCELLED = "cancelled", _("Cancelled")


class DrugTestOutcome(models.TextChoices):
    TAKEN = "taken", _("Sample taken")
    NO_SHOW = "no_show", _("Did not appear")
    REFUSED = "refused", _("Refused")
    VALID_ABSENCE = "valid_absence", _("Valid absence")
    NOT_POSSIBLE = "not_possible", _("Not possible (e.g. could not give a sample)")


# The outcomes that breach the condition, and are reported to the police.
BREACHES = [DrugTestOutcome.NO_SHOW, DrugTestOutcome.REFUSED]

# Tests in these states hold the collector's time and the day.
HOLDS_DAY = [DrugTestStatus.PLANNED, DrugTestStatus.RECORDED]


class DrugTest(models.Model):
    """One test of a programme: an announced one at a booked time, or a call-in for a day ("before 15:00")."""

    programme = models.ForeignKey(
        TestingProgramme, on_delete=models.PROTECT, related_name="tests", verbose_name=_("testing programme")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=DrugTestKind.choices)
    status = models.CharField(_("status"), max_length=10, choices=DrugTestStatus.choices)
    day = models.DateField(_("day"))
    # An announced test's booked time; a call-in's window (the send time to its "before" time).
    starts_at = models.DateTimeField(_("from"), null=True, blank=True)
    ends_at = models.DateTimeField(_("to"), null=True, blank=True)
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("location")
    )
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="drug_tests_collected",
        verbose_name=_("sample collector"),
    )
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("planned by"),
    )
    outcome = models.CharField(_("outcome"), max_length=15, choices=DrugTestOutcome.choices, blank=True)
    outcome_at = models.DateTimeField(_("when"), null=True, blank=True)
    # The observed-sampling steps of the national procedure for sanctionary samples.
    identity_checked = models.BooleanField(_("identity checked"), default=False)
    sampling_observed = models.BooleanField(_("sampling observed"), default=False)
    sample_sealed = models.BooleanField(_("sample sealed and labelled in the person's presence"), default=False)
    sample_number = models.CharField(_("sample or requisition number"), max_length=SAMPLE_NUMBER_LENGTH, blank=True)
    outcome_note = models.TextField(
        _("reason"), blank=True, help_text=_("For a valid absence or a test that was not possible.")
    )
    # The collector must not be the person's own counsellor; a lead may allow it, with a reason.
    collector_override_reason = models.TextField(_("reason the own counsellor took the sample"), blank=True)
    collector_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("allowed by"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for the cancellation"), blank=True)

    class Meta:
        verbose_name = _("drug test")
        verbose_name_plural = _("drug tests")
        ordering = ["day", "starts_at", "id"]
        constraints = [
            # One test a day: two on one day would tell the person the plan.
            models.UniqueConstraint(
                fields=["programme", "day"],
                condition=~Q(status="cancelled"),
                name="one_drug_test_a_day_per_programme",
            ),
            models.CheckConstraint(
                condition=~Q(status="recorded") | ~Q(outcome=""), name="recorded_drug_test_has_outcome"
            ),
            models.CheckConstraint(
                condition=~Q(outcome="taken") | ~Q(sample_number=""), name="taken_sample_has_number"
            ),
            models.CheckConstraint(
                condition=~Q(outcome__in=["valid_absence", "not_possible"]) | ~Q(outcome_note=""),
                name="drug_test_absence_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(kind="call_in") | Q(status__in=["suggested", "cancelled"]) | Q(starts_at__isnull=False),
                name="announced_test_has_time",
            ),
            # The last word against double booking an announced test, as for meetings.
            PostgresExclusionConstraint(
                name="drug_test_no_double_booking",
                expressions=[
                    ("collector", "="),
                    (TsTzRange("starts_at", "ends_at", models.Value("[)")), "&&"),
                ],
                condition=Q(kind="announced", status__in=HOLDS_DAY),
                violation_error_message=_("That time was just taken."),
            ),
        ]
        indexes = [
            models.Index(fields=["day", "status"], name="drug_test_day_status_idx"),
            models.Index(fields=["collector", "starts_at"], name="drug_test_collector_start_idx"),
        ]

    def __str__(self):
        return f"{self.programme.referral} {self.get_kind_display()} {self.day:%d.%m.%Y}"

    @property
    def is_breach(self) -> bool:
        return self.outcome in BREACHES


class CallInState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class CallInPurpose(models.TextChoices):
    CALL_IN = "call_in", _("Call-in")
    NOTICE = "notice", _("Notice of an announced test")
    REMINDER = "reminder", _("Reminder of an announced test")


class CallInChannel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("E-mail")


class CallInMessage(models.Model):
    """One message about a test to the person, by SMS or e-mail: the call-in on its day, or the notice and the
    reminder of an announced test. A row with a due time and a state, sent by the sweep, as reminders are."""

    test = models.ForeignKey(DrugTest, on_delete=models.CASCADE, related_name="messages", verbose_name=_("drug test"))
    purpose = models.CharField(_("purpose"), max_length=10, choices=CallInPurpose.choices)
    channel = models.CharField(_("channel"), max_length=5, choices=CallInChannel.choices)
    address = models.CharField(_("email or phone"), max_length=254)
    language = models.CharField(_("language"), max_length=2, default="nb")
    due_at = models.DateTimeField(_("due"))
    state = models.CharField(_("state"), max_length=10, choices=CallInState.choices, default=CallInState.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    provider_message_id = models.CharField(_("provider's message id"), max_length=200, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("test message")
        verbose_name_plural = _("test messages")
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["test", "purpose", "channel"], name="one_test_message_per_channel"),
        ]
        indexes = [
            models.Index(fields=["due_at"], condition=Q(state="pending"), name="test_message_pending_due_idx"),
        ]

    def __str__(self):
        return f"{self.test} – {self.get_purpose_display()} {self.get_channel_display()}"

    @property
    def reference(self) -> str:
        """The same for every attempt, so the SMS gateway can drop a resend."""
        return f"drugtest-{self.pk}"


class LabResultShared(models.Model):
    """A laboratory result the police chose to share with the service, recorded by a lead. Confidential: shown only
    to the assigned counsellor and the lead, every read in the audit log, never in a report."""

    test = models.OneToOneField(
        DrugTest, on_delete=models.CASCADE, related_name="lab_result", verbose_name=_("drug test")
    )
    result = models.TextField(_("result as shared by the police"))
    shared_on = models.DateField(_("shared by the police on"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("lab result shared by the police")
        verbose_name_plural = _("lab results shared by the police")
        constraints = [models.CheckConstraint(condition=~Q(result=""), name="lab_result_not_empty")]

    def __str__(self):
        return str(self.test)
