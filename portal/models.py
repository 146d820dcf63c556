"""The audit log: an append-only record of who did or saw what, and when."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PostalAddress(models.Model):
    """A Norwegian postal address, as services, persons and guardians have one."""

    street_address = models.CharField(_("street address"), max_length=200, blank=True)
    postal_code = models.CharField(
        _("postal code"),
        max_length=4,
        blank=True,
        validators=[RegexValidator(r"^[0-9]{4}$", _("A postal code is four digits, for example 0155."))],
    )
    postal_town = models.CharField(_("postal town"), max_length=100, blank=True)

    class Meta:
        abstract = True

    @property
    def postal_address(self) -> str:
        """One line: "Storgata 1, 0155 Oslo"; empty when nothing is known."""
        town = f"{self.postal_code} {self.postal_town}".strip()
        return ", ".join(part for part in (self.street_address, town) if part)


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("audit events are append-only")

    def delete(self):
        raise AppendOnlyError("audit events are append-only")


class AuditEvent(models.Model):
    """One thing that happened: written by services (changes) and by views that show personal data (reads).

    Rows are never updated or deleted: the model and queryset refuse, the admin offers no
    way, and on PostgreSQL a trigger refuses at the database.
    """

    class Kind(models.TextChoices):
        CHANGE = "change", _("Change")
        READ = "read", _("Read")
        EXPORT = "export", _("Export")
        AUTH = "auth", _("Sign-in")

    occurred_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        # Staff who appear in the log are deactivated, never deleted.
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
        help_text=_("Empty for scheduled jobs."),
    )
    # The actor's name at the time, so the log reads the same after a rename.
    actor_label = models.CharField(_("actor name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    action = models.CharField(_("action"), max_length=100, db_index=True)
    service = models.ForeignKey(
        "counselling.CounsellingService",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("service"),
    )
    object_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("object type")
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    # The object's name at the time, as str() gives it: built from fields of any length (a person's name, a
    # letter's kind and recipient), so not cut to a length of its own.
    object_repr = models.TextField(_("object"), blank=True)
    # The person the event concerns, by id: a plain integer so the log neither blocks nor
    # follows the anonymisation or removal of a person's record.
    person_id = models.BigIntegerField(_("person id"), null=True, blank=True, db_index=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    extra = models.JSONField(_("details"), default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self):
        return (
            f"{timezone.localtime(self.occurred_at):%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"
        )

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events are append-only")


class RecordType(models.TextChoices):
    """What the retention sweep (portal.retention) can anonymise, each with its own period."""

    CLOSED_CASE = "closed_case", _("Closed cases: the person's identity, contact details, guardians and notes")
    LETTERS = "letters", _("Letters and police reports of closed cases (PDF files)")


class RetentionRule(models.Model):
    """How long a record type is kept after its case was last active, set by the administrator.

    A record type without a rule is kept: nothing is anonymised until an administrator decides the period.
    """

    record_type = models.CharField(_("record type"), max_length=20, choices=RecordType.choices, unique=True)
    retention_days = models.PositiveIntegerField(
        _("retention period (days)"),
        help_text=_("Counted from the last event on the closed case (e.g. 1825 for five years)."),
    )
    legal_basis = models.CharField(
        _("legal basis"), max_length=300, blank=True, help_text=_("Why this period, e.g. the archive plan.")
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering = ["record_type"]
        constraints = [
            models.CheckConstraint(condition=models.Q(retention_days__gte=1), name="retention_days_positive"),
        ]

    def __str__(self):
        return f"{self.get_record_type_display()}: {self.retention_days}"


from .break_glass_models import BreakTheGlassAccess  # noqa: E402, F401  (a model of this app, in its own module)
