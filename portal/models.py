"""The ground floor's data: postal addresses, the organisation (municipalities, the counselling services that
serve them, and staff), and the audit log, an append-only record of who did or saw what, and when.

The organisation's tables keep the names they had in the counselling app (`db_table`).
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from .discretion import is_discreet, revealing_words


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
        db_table = "counselling_municipality"  # the table it had in the counselling app
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


SERVICE_NAME_LENGTH = 200
# The unit's name in the law in force (helse- og omsorgstjenesteloven § 3-9 b, from 1 July 2022).
UNIT_NAME_DEFAULT = "rådgivende enhet for russaker"
NEUTRAL_NAME_LENGTH = 100
SMS_SENDER_LENGTH = 11

sms_sender_validator = RegexValidator(
    r"^[A-Za-z0-9]{1,11}$", _("At most 11 letters A–Z and digits, without spaces or æ, ø, å; e.g. OsloKommune.")
)


class CounsellingService(PostalAddress):
    """A municipal counselling service for drug cases (rådgivende enhet); may serve several municipalities.

    It has two names besides its own: the unit's name, as letters and pages name the unit (the law's by default),
    and a neutral name for what others may see on the person's phone (portal.discretion)."""

    name = models.CharField(_("name"), max_length=SERVICE_NAME_LENGTH)
    unit_name = models.CharField(
        _("name of the unit"),
        max_length=SERVICE_NAME_LENGTH,
        default=UNIT_NAME_DEFAULT,
        help_text=_(
            "How letters and pages name the unit. The law's name (helse- og omsorgstjenesteloven § 3-9 b) is "
            "“rådgivende enhet for russaker”."
        ),
    )
    neutral_name = models.CharField(
        _("neutral sender name"),
        max_length=NEUTRAL_NAME_LENGTH,
        blank=True,
        help_text=_(
            "Shown where others may see it: text message reminders, e-mail subjects and senders, calendar "
            "invitations. It must name neither drugs nor the unit, e.g. “Oslo kommune”. Empty: the first "
            "municipality served, e.g. “Oslo kommune”."
        ),
    )
    sms_sender = models.CharField(
        _("SMS sender ID"),
        max_length=SMS_SENDER_LENGTH,
        blank=True,
        validators=[sms_sender_validator],
        help_text=_("The sender the person sees on text messages, e.g. OsloKommune. Empty: the portal's default."),
    )
    slug = models.SlugField(
        _("short name"), max_length=50, unique=True, help_text=_("Used in the portal's addresses, e.g. oslo.")
    )
    municipalities = models.ManyToManyField(
        Municipality, related_name="counselling_services", verbose_name=_("municipalities served")
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_demonstration = models.BooleanField(
        _("demonstration"),
        default=False,
        help_text=_(
            "The service shows the portal with made-up cases (seed_demo): every letter it makes is marked as a "
            "demonstration letter, not a real summons, notice, decision or report."
        ),
    )

    class Meta:
        db_table = "counselling_counsellingservice"  # the table it had in the counselling app
        verbose_name = _("counselling service")
        verbose_name_plural = _("counselling services")
        ordering = ["name"]
        permissions = [("lead_counsellingservice", _("Can lead the counselling service"))]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        errors = {}
        for field in ("neutral_name", "sms_sender"):
            words = revealing_words(getattr(self, field), unit_name=self.unit_name)
            if words:
                errors[field] = _(
                    "Others may see this on the person's phone, so it must not name drugs or the unit (“%(words)s”)."
                ) % {"words": ", ".join(words)}
        if errors:
            raise ValidationError(errors)

    @property
    def sender_name(self) -> str:
        """The neutral name for reminders, e-mail subjects and senders and invitations: the one configured, or
        "<first municipality served> kommune". A configured name that gives the case away is never used."""
        if self.neutral_name and is_discreet(self.neutral_name, unit_name=self.unit_name):
            return self.neutral_name
        name = self._first_municipality_name
        return f"{name} kommune" if name else "Kommunen"

    @cached_property
    def _first_municipality_name(self) -> str | None:
        """The first municipality served that still exists; looked up once per instance, since a reminder asks for
        the sender name several times."""
        return (
            self.municipalities.filter(Q(valid_to__isnull=True) | Q(valid_to__gte=timezone.localdate()))
            .order_by("number", "-valid_from")
            .values_list("name", flat=True)
            .first()
        )

    @property
    def sms_sender_id(self) -> str:
        """The SMS sender ID to send from; empty for the portal's default (SMS_SENDER)."""
        return self.sms_sender if self.sms_sender and is_discreet(self.sms_sender, unit_name=self.unit_name) else ""


class Role(models.TextChoices):
    COUNSELLOR = "counsellor", _("Counsellor")
    SERVICE_LEAD = "service_lead", _("Service lead")
    FEE_OFFICER = "fee_officer", _("Fee officer")


# What each role lets a member do in the portal, by name: "casework" (register referrals, book and hold meetings,
# record attendance, report to the police), "fees" (decide fee cases, export them to collection), "lead" (assign
# cases, staff, the privacy pages). Templates ask `{% if "fees" in membership.may %}`; views are gated by the role
# sets below, read from the same table, so who may do what is written once.
ROLE_MAY: dict[str, frozenset[str]] = {
    Role.COUNSELLOR: frozenset({"casework"}),
    Role.SERVICE_LEAD: frozenset({"casework", "fees", "lead"}),
    Role.FEE_OFFICER: frozenset({"fees"}),
}


def roles_that_may(capability: str) -> frozenset[str]:
    return frozenset(role for role, may in ROLE_MAY.items() if capability in may)


ALL_ROLES = frozenset(Role.values)
CASEWORK_ROLES = roles_that_may("casework")
FEE_ROLES = roles_that_may("fees")
LEAD_ROLES = roles_that_may("lead")


class StaffMembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True, service__is_active=True)


class StaffMembership(models.Model):
    """A staff member's role in one counselling service. Changed only through portal.memberships."""

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
        db_table = "counselling_staffmembership"  # the table it had in the counselling app
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

    @property
    def may(self) -> frozenset[str]:
        """What the member's role lets them do, by name (ROLE_MAY)."""
        return ROLE_MAY.get(self.role, frozenset())


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
        CounsellingService,
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


# The longest document name: a FileField's own default is 100, and the names the apps give (upload_to folders, the
# meeting or case id, the recipient) stay well within this.
DOCUMENT_NAME_LENGTH = 255


class Document(models.Model):
    """A generated document (letter, report, export) as bytes in PostgreSQL, written and read by
    `portal.storage.DatabaseStorage`, the default storage of every FileField.

    In the database the document is written in the same transaction as the row that names it, so a letter and its
    PDF never exist apart; it is backed up and access-controlled with the rest; and any web or worker node can
    serve it, with nothing on a node's own disk. Documents are small (tens of kB). Retention deletes them with
    their case through the storage, like any other file.
    """

    name = models.CharField(_("name"), max_length=DOCUMENT_NAME_LENGTH, unique=True)
    content = models.BinaryField(_("content"))
    size = models.PositiveIntegerField(_("size (bytes)"))
    created_at = models.DateTimeField(_("stored"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["name"]

    def __str__(self):
        return self.name
