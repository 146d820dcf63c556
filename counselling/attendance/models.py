"""Attendance: what happened at the meeting (who came, consent), the needs assessment that only consent
allows, and the reports the police are entitled to.

The tables keep the names they had in the counselling app (`db_table`).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from counselling.scheduling.models import Meeting
from portal.models import SERVICE_NAME_LENGTH
from referrals.models import (
    FULL_NAME_LENGTH,
    NATIONAL_ID_LENGTH,
    POLICE_DISTRICT_LENGTH,
    POLICE_REFERENCE_LENGTH,
)


class AttendanceOutcome(models.TextChoices):
    ATTENDED = "attended", _("Attended")
    NO_SHOW = "no_show", _("Did not attend")
    VALID_ABSENCE = "valid_absence", _("Valid absence")


class ConsentBy(models.TextChoices):
    PERSON = "person", _("The person (16 or older)")
    GUARDIANS = "guardians", _("The guardians (person under 16)")


class Attendance(models.Model):
    """What happened at the meeting, as the law needs it recorded. Not a patient journal."""

    meeting = models.OneToOneField(
        Meeting, on_delete=models.PROTECT, related_name="attendance", verbose_name=_("meeting")
    )
    outcome = models.CharField(_("outcome"), max_length=15, choices=AttendanceOutcome.choices)
    absence_reason = models.TextField(_("reason for the absence"), blank=True)
    person_present = models.BooleanField(_("the person came"), default=False)
    guardians_present = models.ManyToManyField(
        "referrals.Guardian", blank=True, related_name="+", verbose_name=_("guardians who came")
    )
    risk_information_given = models.BooleanField(_("information about risks was given"), default=False)
    consent = models.BooleanField(_("consent to a needs assessment"), null=True, blank=True)
    consent_by = models.CharField(_("consent given by"), max_length=10, choices=ConsentBy.choices, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        db_table = "counselling_attendance"  # the table it had in the counselling app
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        constraints = [
            models.CheckConstraint(
                condition=~Q(outcome="valid_absence") | ~Q(absence_reason=""),
                name="valid_absence_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(outcome="attended") | Q(consent__isnull=True, person_present=False),
                name="consent_only_when_attended",
            ),
        ]

    def __str__(self):
        return f"{self.meeting} – {self.get_outcome_display()}"


class Need(models.TextChoices):
    SUBSTANCE_USE = "substance_use", _("Substance use")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    PHYSICAL_HEALTH = "physical_health", _("Physical health")
    FAMILY = "family", _("Family and network")
    SCHOOL_WORK = "school_work", _("School or work")
    HOUSING = "housing", _("Housing")
    FINANCES = "finances", _("Finances")
    OTHER = "other", _("Other")


class OnwardService(models.TextChoices):
    MUNICIPAL_SUBSTANCE_USE = "municipal_substance_use", _("Municipal substance use service")
    MENTAL_HEALTH = "mental_health", _("Mental health service")
    GP = "gp", _("GP (regular doctor)")
    CHILD_WELFARE = "child_welfare", _("Child welfare service")
    NAV = "nav", _("NAV")
    SPECIALIST = "specialist", _("Specialist substance use treatment (TSB)")
    OTHER = "other", _("Other")


class NeedsAssessment(models.Model):
    """Only with consent: the assessed needs, onward referrals and a confidential note. Shown only to the
    assigned counsellor and the service lead; every read is in the audit log."""

    attendance = models.OneToOneField(
        Attendance, on_delete=models.CASCADE, related_name="assessment", verbose_name=_("attendance")
    )
    needs = models.JSONField(_("assessed needs"), default=list, blank=True)
    onward_referrals = models.JSONField(_("onward referrals"), default=list, blank=True)
    confidential_note = models.TextField(_("confidential note"), blank=True)

    class Meta:
        db_table = "counselling_needsassessment"  # the table it had in the counselling app
        verbose_name = _("needs assessment")
        verbose_name_plural = _("needs assessments")

    def __str__(self):
        return str(self.attendance)

    def get_needs_display(self) -> list[str]:
        return [str(Need(code).label) for code in self.needs if code in Need.values]

    def get_onward_referrals_display(self) -> list[str]:
        return [str(OnwardService(code).label) for code in self.onward_referrals if code in OnwardService.values]


class PoliceReportKind(models.TextChoices):
    ATTENDED = "attended", _("Attendance confirmation")
    NOT_ATTENDED = "not_attended", _("Non-attendance report")
    TESTING_END = "testing_end", _("Drug testing: report at the end of the period")
    TESTING_BREACH = "testing_breach", _("Drug testing: report of a breach")


def police_report_path(report, filename):
    return f"police-reports/{report.referral.service_id}/{filename}"


class PoliceReport(models.Model):
    """What the police are entitled to: the attendance fact and who it is about, never notes, consent,
    assessment or onward referrals. The content is copied in when the report is made, so the report
    says what was sent even if the case changes later."""

    referral = models.ForeignKey(
        "referrals.Referral", on_delete=models.PROTECT, related_name="police_reports", verbose_name=_("referral")
    )
    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, null=True, blank=True, related_name="police_reports")
    # A drug-testing report is about the programme, and a breach report also about the test.
    programme = models.ForeignKey(
        "attendance.TestingProgramme", on_delete=models.PROTECT, null=True, blank=True, related_name="police_reports"
    )
    drug_test = models.ForeignKey(
        "attendance.DrugTest", on_delete=models.PROTECT, null=True, blank=True, related_name="police_reports"
    )
    kind = models.CharField(_("kind"), max_length=15, choices=PoliceReportKind.choices)
    # What a drug-testing report says, copied in when it is made: the period, the tests called and taken, and the
    # dates of no-shows and refusals. Never a result, a note or health information.
    testing_summary = models.JSONField(_("drug testing"), default=dict, blank=True)
    police_district = models.CharField(_("police district"), max_length=POLICE_DISTRICT_LENGTH)
    police_reference = models.CharField(_("police reference"), max_length=POLICE_REFERENCE_LENGTH)
    person_name = models.CharField(_("name"), max_length=FULL_NAME_LENGTH)
    national_id = models.CharField(_("national identity number"), max_length=NATIONAL_ID_LENGTH)
    service_name = models.CharField(_("service"), max_length=SERVICE_NAME_LENGTH)
    # Empty for a refusal to attend: the report then says only that the person did not attend.
    meeting_date = models.DateField(_("meeting date"), null=True, blank=True)
    # Under the order route the police get nothing by default: a report the lead chooses to make records the legal
    # basis for disclosing to the police. Under the condition route the prosecution's condition is the basis.
    legal_basis = models.TextField(_("legal basis for the disclosure"), blank=True)
    pdf = models.FileField(_("PDF"), upload_to=police_report_path)
    # Empty when the deadline sweep made the report (attendance.deadlines_report), not a person.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("made by"),
    )
    created_at = models.DateTimeField(_("made"), auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        db_table = "counselling_policereport"  # the table it had in the counselling app
        verbose_name = _("police report")
        verbose_name_plural = _("police reports")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "kind"], name="one_police_report_per_meeting_and_kind"),
            models.UniqueConstraint(
                fields=["programme"], condition=Q(kind="testing_end"), name="one_end_report_per_programme"
            ),
            models.UniqueConstraint(
                fields=["drug_test"], condition=Q(kind="testing_breach"), name="one_breach_report_per_test"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} – {self.police_reference}"


class RefusalToAttend(models.Model):
    """The person said they will not attend (condition route). The reason stays with the service: the police hear
    only that the person did not attend."""

    referral = models.OneToOneField(
        "referrals.Referral", on_delete=models.PROTECT, related_name="refusal_to_attend", verbose_name=_("referral")
    )
    reason = models.TextField(_("reason"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("refusal to attend")
        verbose_name_plural = _("refusals to attend")
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="refusal_to_attend_has_reason")]

    def __str__(self):
        return str(self.referral)


# Drug testing lives in its own module for its size; its models are the attendance app's.
from .testing_models import *  # noqa: E402, F403
