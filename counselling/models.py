"""The organisation: municipalities, the counselling services that serve them, and staff."""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from portal.models import PostalAddress

municipality_number_validator = RegexValidator(
    r"^[0-9]{4}$", _("A municipality number is exactly four digits, for example 0301.")
)


class Municipality(models.Model):
    """A Norwegian municipality. Numbers are reused after mergers, so each row has a validity period."""

    number = models.CharField(_("municipality number"), max_length=4, validators=[municipality_number_validator])
    name = models.CharField(_("name"), max_length=100)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["number", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["number", "valid_from"], name="municipality_number_valid_from_unique"),
            models.CheckConstraint(condition=Q(number__regex=r"^[0-9]{4}$"), name="municipality_number_four_digits"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="municipality_valid_to_after_valid_from",
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.name}"


class CounsellingService(PostalAddress):
    """A municipal counselling service for drug cases (rådgivende enhet); may serve several municipalities."""

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(
        _("short name"), max_length=50, unique=True, help_text=_("Used in the portal's addresses, e.g. oslo.")
    )
    municipalities = models.ManyToManyField(
        Municipality, related_name="counselling_services", verbose_name=_("municipalities served")
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("counselling service")
        verbose_name_plural = _("counselling services")
        ordering = ["name"]
        permissions = [("lead_counsellingservice", _("Can lead the counselling service"))]

    def __str__(self):
        return self.name


class Role(models.TextChoices):
    COUNSELLOR = "counsellor", _("Counsellor")
    SERVICE_LEAD = "service_lead", _("Service lead")
    FEE_OFFICER = "fee_officer", _("Fee officer")


class StaffMembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, service__is_active=True)


class StaffMembership(models.Model):
    """A staff member's role in one counselling service. Changed only through counselling.services."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user")
    )
    service = models.ForeignKey(
        CounsellingService, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("service")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    started_at = models.DateTimeField(_("started"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    objects = StaffMembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        ordering = ["service__name", "user__last_name", "user__first_name"]
        constraints = [
            # One active role per person and service; ended memberships are kept as history.
            models.UniqueConstraint(
                fields=["user", "service"],
                condition=Q(is_active=True),
                name="one_active_membership_per_service",
                violation_error_message=_("This person already has an active role in this service; end it first."),
            ),
        ]

    def __str__(self):
        return f"{self.user} – {self.service} ({self.get_role_display()})"
