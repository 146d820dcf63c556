"""Referrals from the police: substances and thresholds, persons, guardians, seizures and the case."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.formats import number_format
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from portal.models import PostalAddress
from portal.phone import validate_phone

from .identity import validate_national_id


class Unit(models.TextChoices):
    GRAM = "g", _("g")
    MILLIGRAM = "mg", _("mg")
    KILOGRAM = "kg", _("kg")
    DECILITRE = "dl", _("dl")
    CENTILITRE = "cl", _("cl")
    MILLILITRE = "ml", _("ml")
    LITRE = "l", _("l")
    TAB = "tab", _("tabs")
    DOSE = "dose", _("doses")


class UnitFamily(models.TextChoices):
    MASS = "mass", _("mass")
    VOLUME = "volume", _("volume")
    TABS = "tabs", _("tabs / blotter papers")
    DOSES = "doses", _("recreational doses")


# Each unit's family and its size in the family's reference unit (g, dl, tab, dose).
UNIT_SIZES: dict[str, tuple[str, Decimal]] = {
    Unit.MILLIGRAM: (UnitFamily.MASS, Decimal("0.001")),
    Unit.GRAM: (UnitFamily.MASS, Decimal("1")),
    Unit.KILOGRAM: (UnitFamily.MASS, Decimal("1000")),
    Unit.MILLILITRE: (UnitFamily.VOLUME, Decimal("0.01")),
    Unit.CENTILITRE: (UnitFamily.VOLUME, Decimal("0.1")),
    Unit.DECILITRE: (UnitFamily.VOLUME, Decimal("1")),
    Unit.LITRE: (UnitFamily.VOLUME, Decimal("10")),
    Unit.TAB: (UnitFamily.TABS, Decimal("1")),
    Unit.DOSE: (UnitFamily.DOSES, Decimal("1")),
}


def format_quantity(value: Decimal) -> str:
    """0.500 → "0,5" in Bokmål, "0.5" in English; 10.0000 → "10" (never "1E+1")."""
    return number_format(Decimal(format(value.normalize(), "f")), use_l10n=True)


class Substance(models.Model):
    """A substance in the register. Its thresholds are given in `unit`."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_nb = models.CharField(_("name (Bokmål)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    unit = models.CharField(_("unit"), max_length=4, choices=Unit.choices)

    class Meta:
        verbose_name = _("substance")
        verbose_name_plural = _("substances")
        ordering = ["name_nb"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "nb").startswith("en") else self.name_nb

    @property
    def unit_family(self) -> str:
        return UNIT_SIZES[self.unit][0]


class RegulationStatus(models.TextChoices):
    """Whether a threshold table is law. The table of Prop. 92 L (2020–2021) never took effect: the Storting
    rejected the reform in 2021, though courts have used similar amounts as guidance since 2022."""

    IN_FORCE = "in_force", _("In force")
    PROPOSAL = "proposal", _("Proposal, never in force")


class ThresholdRegulation(models.Model):
    """A set of threshold quantities for a period (set by regulation, changed over time), with its status."""

    name = models.CharField(_("name"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Empty: in force until replaced."))
    max_substances = models.PositiveSmallIntegerField(
        _("maximum number of substances"), default=3, validators=[MinValueValidator(1)]
    )
    source = models.CharField(_("source"), max_length=300, blank=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=RegulationStatus.choices,
        default=RegulationStatus.IN_FORCE,
        help_text=_("A proposal that never took effect is shown as such beside every classification made with it."),
    )

    class Meta:
        verbose_name = _("threshold regulation")
        verbose_name_plural = _("threshold regulations")
        ordering = ["-valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="regulation_valid_to_after_valid_from",
            ),
            models.CheckConstraint(condition=Q(max_substances__gte=1), name="regulation_max_substances_positive"),
        ]

    def __str__(self):
        return self.name

    @property
    def is_proposal(self) -> bool:
        """True for a table that was proposed but never became law: its classifications are information only."""
        return self.status == RegulationStatus.PROPOSAL


class Threshold(models.Model):
    regulation = models.ForeignKey(
        ThresholdRegulation, on_delete=models.CASCADE, related_name="thresholds", verbose_name=_("regulation")
    )
    substance = models.ForeignKey(
        Substance, on_delete=models.PROTECT, related_name="thresholds", verbose_name=_("substance")
    )
    lower = models.DecimalField(
        _("lower threshold"),
        max_digits=10,
        decimal_places=3,
        help_text=_("In the substance's unit. In Prop. 92 L: at or below it, no punishment under the proposal."),
    )
    upper = models.DecimalField(
        _("upper threshold"),
        max_digits=10,
        decimal_places=3,
        help_text=_("In Prop. 92 L: at or below it, waiver of prosecution as the main rule under the proposal."),
    )

    class Meta:
        verbose_name = _("threshold")
        verbose_name_plural = _("thresholds")
        ordering = ["substance__name_nb"]
        constraints = [
            models.UniqueConstraint(fields=["regulation", "substance"], name="one_threshold_per_substance"),
            models.CheckConstraint(condition=Q(lower__gt=0), name="threshold_lower_positive"),
            models.CheckConstraint(
                condition=Q(upper__gte=F("lower")),
                name="threshold_upper_not_below_lower",
                violation_error_message=_("The upper threshold cannot be below the lower one."),
            ),
        ]

    def __str__(self):
        return f"{self.substance}: {self.lower}–{self.upper} {self.substance.unit}"


class Language(models.TextChoices):
    NB = "nb", _("Norwegian Bokmål")
    NN = "nn", _("Norwegian Nynorsk")
    EN = "en", _("English")


# The longest values the intake form takes. Letters, reports and reminders copy them; their columns take these
# lengths from here, so a value the form accepts always fits where it is copied.
NATIONAL_ID_LENGTH = 11
FIRST_NAME_LENGTH = 100
LAST_NAME_LENGTH = 100
FULL_NAME_LENGTH = FIRST_NAME_LENGTH + 1 + LAST_NAME_LENGTH  # Person.full_name: "first last"
GUARDIAN_NAME_LENGTH = 200
# A letter's recipient is the person or a guardian.
RECIPIENT_NAME_LENGTH = max(FULL_NAME_LENGTH, GUARDIAN_NAME_LENGTH)
POLICE_DISTRICT_LENGTH = 20
POLICE_REFERENCE_LENGTH = 40


class Person(PostalAddress):
    """One person as one counselling service knows them, found again by national identity number on the service's
    next referral.

    Each service is the data controller for its own cases, so the record belongs to the service like the referral:
    the same national ID in two services is two records, each seen and changed only by its own service, and one
    service's retention never waits on another's cases (README, "Each service is its own controller").
    """

    service = models.ForeignKey(
        "portal.CounsellingService",
        on_delete=models.PROTECT,
        related_name="persons",
        verbose_name=_("service"),
        editable=False,
    )
    national_id = models.CharField(
        _("national identity number"),
        max_length=NATIONAL_ID_LENGTH,
        validators=[validate_national_id],
        help_text=_("Fødselsnummer or D-number, 11 digits."),
    )
    first_name = models.CharField(_("first name"), max_length=FIRST_NAME_LENGTH)
    last_name = models.CharField(_("last name"), max_length=LAST_NAME_LENGTH)
    date_of_birth = models.DateField(_("date of birth"))
    phone = models.CharField(
        _("mobile phone"), max_length=20, blank=True, validators=[validate_phone], help_text=_("E.g. 912 34 567.")
    )
    email = models.EmailField(_("email"), blank=True)
    municipality = models.ForeignKey(
        "portal.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("municipality of residence"),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.NB
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    # Until referrals 0013 one record was shared by every service, and the audit log's events from then carry the
    # shared record's id (the log is append-only, so they keep it). A service's copy made from it keeps that id here,
    # so the service's own earlier events about the person are still found: `audit_person_ids`.
    shared_record_id = models.BigIntegerField(_("shared record's id"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "national_id"],
                name="one_person_per_national_id_in_service",
                violation_error_message=_("The service already has a person with this national identity number."),
            ),
            models.UniqueConstraint(
                fields=["service", "shared_record_id"],
                condition=Q(shared_record_id__isnull=False),
                name="one_copy_per_shared_record_in_service",
            ),
        ]
        indexes = [models.Index(fields=["shared_record_id"], name="person_shared_record_idx")]

    def __str__(self):
        return self.full_name

    @property
    def audit_person_ids(self) -> list[int]:
        """The person ids the audit log's events about this record carry, within its service: its own, and the
        shared record's for what happened before records were per service."""
        return [self.pk] if self.shared_record_id is None else [self.pk, self.shared_record_id]

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def age_on(self, day) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


class Route(models.TextChoices):
    ORDER = "order", _("Order to attend (police order)")
    CONDITION = "condition", _("Condition of waived prosecution or suspended sentence")


class PoliceDistrict(models.TextChoices):
    OSLO = "oslo", "Oslo"
    OST = "ost", "Øst"
    INNLANDET = "innlandet", "Innlandet"
    SOR_OST = "sor-ost", "Sør-Øst"
    AGDER = "agder", "Agder"
    SOR_VEST = "sor-vest", "Sør-Vest"
    VEST = "vest", "Vest"
    MORE_OG_ROMSDAL = "more-og-romsdal", "Møre og Romsdal"
    TRONDELAG = "trondelag", "Trøndelag"
    NORDLAND = "nordland", "Nordland"
    TROMS = "troms", "Troms"
    FINNMARK = "finnmark", "Finnmark"


class ReferralStatus(models.TextChoices):
    """received → assigned → meeting booked → attended / did not attend / valid absence → closed.
    Moved only by referrals.services.referral_move, along REFERRAL_TRANSITIONS."""

    RECEIVED = "received", _("Received")
    ASSIGNED = "assigned", _("Assigned")
    BOOKED = "booked", _("Meeting booked")
    ATTENDED = "attended", _("Attended")
    MISSED = "missed", _("Did not attend")
    VALID_ABSENCE = "valid_absence", _("Valid absence")
    CLOSED = "closed", _("Closed")


# From each status, the statuses a case may move to; referral_move refuses any other move, and the case page asks
# the same table whether the case waits for a meeting. The steps that make each move are named beside it.
#
# Recording attendance moves a case that is not closed, whatever it waited for: a meeting entered as already held
# (the demo's past meetings) never went through booking. Every open case can be closed, because cancelling a fee
# case closes its case wherever the case has got to since.
REFERRAL_TRANSITIONS: dict[str, frozenset[str]] = {
    ReferralStatus.RECEIVED: frozenset(
        {
            ReferralStatus.ASSIGNED,  # referral_assign
            ReferralStatus.BOOKED,  # meeting_book
            ReferralStatus.ATTENDED,  # attendance_record, while a drug-testing programme runs
            ReferralStatus.MISSED,  # attendance_record, the order route
            ReferralStatus.VALID_ABSENCE,  # attendance_record
            ReferralStatus.CLOSED,  # attendance_record; a fee case ended
        }
    ),
    ReferralStatus.ASSIGNED: frozenset(
        {
            ReferralStatus.RECEIVED,  # referral_unassign
            ReferralStatus.BOOKED,
            ReferralStatus.ATTENDED,
            ReferralStatus.MISSED,
            ReferralStatus.VALID_ABSENCE,
            ReferralStatus.CLOSED,
        }
    ),
    ReferralStatus.BOOKED: frozenset(
        {
            ReferralStatus.RECEIVED,  # meeting_cancel: the case waits for a booking again
            ReferralStatus.ASSIGNED,  # meeting_cancel, when a counsellor has the case
            ReferralStatus.ATTENDED,
            ReferralStatus.MISSED,
            ReferralStatus.VALID_ABSENCE,
            ReferralStatus.CLOSED,
        }
    ),
    # Attendance closes the case at once, unless drug testing goes on: the case then waits here for the programme's
    # end (programme_end).
    ReferralStatus.ATTENDED: frozenset({ReferralStatus.CLOSED}),
    ReferralStatus.MISSED: frozenset(
        {
            ReferralStatus.BOOKED,  # meeting_book: the condition route only (ROUTE_ONLY_MOVES)
            ReferralStatus.VALID_ABSENCE,  # fee_case_make_final: dropped for a valid reason
            # fee_case_make_final without a fee, fee_case_mark_paid, fee_case_cancel; the condition route:
            # police_reports_for_passed_deadlines, refusal_to_attend_record
            ReferralStatus.CLOSED,
        }
    ),
    ReferralStatus.VALID_ABSENCE: frozenset(
        {
            ReferralStatus.BOOKED,  # meeting_book: the new meeting
            ReferralStatus.CLOSED,  # fee_case_cancel of the fee case that found the valid reason
        }
    ),
    ReferralStatus.CLOSED: frozenset(),
}

# Moves of the table that only one route makes. Under the condition route a no-show leaves the case open for a new
# meeting while the prosecution's attendance deadline allows (the police hear of non-attendance when it passes);
# under the order route a no-show waits for the fee step.
ROUTE_ONLY_MOVES: dict[tuple[str, str], str] = {
    (ReferralStatus.MISSED, ReferralStatus.BOOKED): Route.CONDITION,
}


def waits_for_a_meeting() -> Q:
    """`Referral.waits_for_a_meeting` in the database, read from the same tables: the statuses from which a case
    may move to "meeting booked", each on the route the move is limited to (ROUTE_ONLY_MOVES)."""
    condition = Q(pk__in=[])
    for status, moves in REFERRAL_TRANSITIONS.items():
        if ReferralStatus.BOOKED in moves:
            route = ROUTE_ONLY_MOVES.get((status, ReferralStatus.BOOKED))
            condition |= Q(status=status, route=route) if route else Q(status=status)
    return condition


class Outcome(models.TextChoices):
    """Where a seizure falls against the thresholds. The labels say what the proposal of Prop. 92 L would have
    meant, never a legal effect: the table never took effect, and the prosecution decides the case."""

    EXEMPT = "exempt", _("Below the lower limit in the proposal (no punishment under the proposal)")
    WAIVER = "waiver", _("Between the limits in the proposal")
    NOT_ELIGIBLE = "not_eligible", _("Outside the limits in the proposal")


class Referral(models.Model):
    """A referral from the police to the counselling service: the case."""

    service = models.ForeignKey(
        "portal.CounsellingService", on_delete=models.PROTECT, related_name="referrals", verbose_name=_("service")
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("person"))
    route = models.CharField(_("route"), max_length=10, choices=Route.choices)
    police_district = models.CharField(
        _("police district"), max_length=POLICE_DISTRICT_LENGTH, choices=PoliceDistrict.choices
    )
    police_reference = models.CharField(_("police reference"), max_length=POLICE_REFERENCE_LENGTH)
    incident_date = models.DateField(_("incident date"))
    decision_date = models.DateField(_("date of the order or decision"))
    attendance_deadline = models.DateField(_("attendance deadline"))
    seizure_unknown = models.BooleanField(
        _("seizure not known to the service"),
        default=False,
        help_text=_("Only for conditions: the prosecution's decision does not depend on the thresholds."),
    )
    classification = models.CharField(
        _("classification"), max_length=15, choices=Outcome.choices, blank=True, help_text=_("Empty when unknown.")
    )
    regulation = models.ForeignKey(
        ThresholdRegulation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="referrals",
        verbose_name=_("threshold regulation"),
    )
    assigned_counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_referrals",
        verbose_name=_("assigned counsellor"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.RECEIVED
    )
    created_at = models.DateTimeField(_("registered"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )
    # A legal hold keeps the case out of the retention sweep (privacy.retention) whatever its age: a
    # complaint, a court case or a request from the supervisory authority. Set through privacy.retention.
    legal_hold = models.BooleanField(_("legal hold"), default=False)
    legal_hold_reason = models.CharField(_("reason for the legal hold"), max_length=500, blank=True)
    legal_hold_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("legal hold set by"),
    )
    legal_hold_at = models.DateTimeField(_("legal hold set"), null=True, blank=True)

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at"]
        permissions = [("work_on_referral", _("Can work on the case (assigned counsellor)"))]
        constraints = [
            models.UniqueConstraint(
                fields=["police_district", "police_reference"],
                name="police_reference_unique_per_district",
                violation_error_message=_("A referral with this police reference already exists in this district."),
            ),
            models.CheckConstraint(
                condition=Q(attendance_deadline__gte=F("decision_date")),
                name="referral_deadline_after_decision",
                violation_error_message=_("The attendance deadline cannot be before the order or decision date."),
            ),
            # The seed's order route is only for quantities within the lower thresholds.
            models.CheckConstraint(
                condition=~Q(route="order") | Q(classification="exempt", seizure_unknown=False),
                name="order_needs_exempt_seizure",
            ),
        ]
        indexes = [
            models.Index(fields=["service", "status"], name="referral_service_status_idx"),
            models.Index(fields=["service", "attendance_deadline"], name="referral_service_deadline_idx"),
            # The dashboard's "registered in the last 7 days".
            models.Index(fields=["service", "created_at"], name="referral_service_created_idx"),
        ]

    def __str__(self):
        return f"{self.get_police_district_display()} {self.police_reference}"

    @property
    def waits_for_a_meeting(self) -> bool:
        """A meeting can be booked: the transitions table lets the case move to "meeting booked" (received,
        assigned, or its last absence had a valid reason)."""
        return self.may_move_to(ReferralStatus.BOOKED)

    @property
    def was_minor_at_incident(self) -> bool:
        """Under 18 on the incident date: the intake registers the guardians. Whether they hear of the case on a
        given day is referrals.recipients' rule, by the age on that day."""
        return self.person.age_on(self.incident_date) < 18

    def may_move_to(self, status: str) -> bool:
        """Whether REFERRAL_TRANSITIONS lets the case move from its status to `status` (never to the one it has),
        on its route (ROUTE_ONLY_MOVES)."""
        route = ROUTE_ONLY_MOVES.get((self.status, status), self.route)
        return status in REFERRAL_TRANSITIONS[self.status] and route == self.route

    @property
    def waits_for_a_new_meeting_after_a_no_show(self) -> bool:
        """Under the condition route, after a no-show: a new meeting can be booked (after the attendance deadline only
        with a reason, as any late meeting; until one is booked the deadline sweep reports the no-show)."""
        return self.status == ReferralStatus.MISSED and self.waits_for_a_meeting


class SeizedSubstance(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="seized", verbose_name=_("referral"))
    substance = models.ForeignKey(Substance, on_delete=models.PROTECT, related_name="+", verbose_name=_("substance"))
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=4, choices=Unit.choices)

    class Meta:
        verbose_name = _("seized substance")
        verbose_name_plural = _("seized substances")
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="seized_quantity_positive")]

    def __str__(self):
        return f"{self.substance} {self.quantity_display} {self.get_unit_display()}"

    @property
    def quantity_display(self) -> str:
        return format_quantity(self.quantity)


class Guardian(PostalAddress):
    """A parent or other guardian of a person under 18, registered with the referral and summoned with them."""

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="guardians", verbose_name=_("referral")
    )
    name = models.CharField(_("name"), max_length=GUARDIAN_NAME_LENGTH)
    relation = models.CharField(_("relation"), max_length=60, help_text=_("E.g. mother, father, appointed guardian."))
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True, validators=[validate_phone])
    email = models.EmailField(_("email"), blank=True)

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        ordering = ["id"]

    def __str__(self):
        return f"{self.name} ({self.relation})"


class RecipientKind(models.TextChoices):
    PERSON = "person", _("The person")
    GUARDIAN = "guardian", _("Guardian")


# A posted letter is presumed to reach the person this many working days after the posting day, unless the
# service sets otherwise (LetterPolicy).
DEFAULT_POSTED_ARRIVAL_WORKING_DAYS = 3


class LetterPolicy(models.Model):
    """How one counselling service reckons when its letters reach people. A service without a row uses the
    defaults (referrals.letters.letter_policy_for)."""

    service = models.OneToOneField(
        "portal.CounsellingService", on_delete=models.CASCADE, related_name="letter_policy", verbose_name=_("service")
    )
    posted_arrival_working_days = models.PositiveSmallIntegerField(
        _("working days for the post"),
        default=DEFAULT_POSTED_ARRIVAL_WORKING_DAYS,
        validators=[MaxValueValidator(20)],
        help_text=_(
            "A posted letter is taken to have reached the person this many working days after the posting day. "
            "Deadlines, such as the three weeks to appeal, count from that day."
        ),
    )

    class Meta:
        verbose_name = _("letter policy")
        verbose_name_plural = _("letter policies")
        ordering = ["service__name"]

    def __str__(self):
        return gettext("Letter policy of %(service)s") % {"service": self.service}


class DispatchMethod(models.TextChoices):
    POSTED = "posted", _("Posted")
    EMAILED = "emailed", _("Emailed")
    DIGITAL = "digital", _("Digital post")


class CaseLetter(models.Model):
    """What every letter of a case has, summons or fee letter: to whom it is addressed, the person or one of the
    guardians (referrals.recipients decides who gets one), and the name written on it, kept as it was; and how and
    when it left and reached the recipient, recorded by referrals.letters.letter_dispatch_record."""

    recipient_kind = models.CharField(_("recipient"), max_length=10, choices=RecipientKind.choices)
    guardian = models.ForeignKey(
        "referrals.Guardian", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipient_name = models.CharField(_("recipient's name"), max_length=RECIPIENT_NAME_LENGTH)

    # Dispatch: how the letter left, the day it left, and the day it reached the recipient — posted: the service's
    # presumption of arrival after the posting day; emailed: the day it was sent; digital post: the receipt's day,
    # unknown until the receipt is recorded.
    dispatch_method = models.CharField(_("sent by"), max_length=10, choices=DispatchMethod.choices, blank=True)
    sent_on = models.DateField(_("sent"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    delivered_on = models.DateField(_("reached the recipient"), null=True, blank=True)
    delivery_receipt = models.CharField(_("receipt"), max_length=200, blank=True)

    class Meta:
        abstract = True

    @property
    def case_referral(self) -> "Referral":
        """The referral the letter belongs to (each concrete letter says through what)."""
        raise NotImplementedError

    @property
    def recipient(self):
        """The guardian or the person the letter is addressed to, with their address and e-mail as they are now."""
        return self.guardian if self.guardian_id else self.case_referral.person

    @property
    def has_postal_address(self) -> bool:
        return bool(self.recipient.postal_address)

    @property
    def is_dispatched(self) -> bool:
        """There is proof that the letter left: how and on which day."""
        return self.sent_on is not None

    @property
    def awaits_receipt(self) -> bool:
        """Sent as digital post and its receipt not recorded yet."""
        return self.dispatch_method == DispatchMethod.DIGITAL and self.delivered_on is None


class ReferralEvent(models.Model):
    """The case timeline: who did what, when. Written only by referrals.services and later apps' services."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="events", verbose_name=_("referral"))
    occurred_at = models.DateTimeField(_("time"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    kind = models.CharField(_("kind"), max_length=40)
    # The English source text (marked with gettext_noop where it is written) and its
    # parameters: the timeline is translated when read, into the reader's language.
    message = models.CharField(_("message"), max_length=300)
    params = models.JSONField(_("message parameters"), default=dict, blank=True)
    extra = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("case event")
        verbose_name_plural = _("case events")
        ordering = ["occurred_at", "id"]

    def __str__(self):
        return self.description

    @property
    def description(self) -> str:
        # A parameter stored as {"t": msgid} (see referrals.services.translatable) is itself translated.
        params = {
            name: gettext(value["t"]) if isinstance(value, dict) and "t" in value else value
            for name, value in self.params.items()
        }
        return gettext(self.message) % params
