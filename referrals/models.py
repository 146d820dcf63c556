"""Referrals from the police: substances and thresholds, persons, guardians, seizures and the case."""

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


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


class ThresholdRegulation(models.Model):
    """A set of threshold quantities in force for a period (set by regulation, changed over time)."""

    name = models.CharField(_("name"), max_length=200)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True, help_text=_("Empty: in force until replaced."))
    max_substances = models.PositiveSmallIntegerField(
        _("maximum number of substances"), default=3, validators=[MinValueValidator(1)]
    )
    source = models.CharField(_("source"), max_length=300, blank=True)

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
        help_text=_("At or below: no punishment (in the substance's unit)."),
    )
    upper = models.DecimalField(
        _("upper threshold"),
        max_digits=10,
        decimal_places=3,
        help_text=_("At or below: waiver of prosecution is the main rule."),
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
