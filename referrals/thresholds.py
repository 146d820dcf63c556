"""Classifying a seizure against the threshold regulation in force on a date.

    classify([("cannabis", "12", "g")], on=date(2026, 3, 1)).outcome == "waiver"

Rules (Prop. 92 L (2020–2021), thresholds set by regulation):
- quantities of one substance are added up, after converting units within their family;
- every substance at or below its lower threshold, and no more distinct substances than the
  regulation allows → "exempt";
- any substance above its lower but none above its upper threshold → "waiver";
- any above its upper threshold, too many substances, a substance without a threshold in the
  regulation, or no regulation in force that day → "not_eligible".
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import UNIT_SIZES, Outcome, Route, Substance, ThresholdRegulation, Unit, format_quantity

EXEMPT = Outcome.EXEMPT
WAIVER = Outcome.WAIVER
NOT_ELIGIBLE = Outcome.NOT_ELIGIBLE


@dataclass
class Classification:
    outcome: Outcome
    reasons: list = field(default_factory=list)
    regulation: ThresholdRegulation | None = None


def parse_quantity(value) -> Decimal:
    try:
        quantity = value if isinstance(value, Decimal) else Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("“%(value)s” is not a quantity."), params={"value": value}, code="quantity") from None
    if not quantity.is_finite():
        raise ValidationError(_("“%(value)s” is not a quantity."), params={"value": value}, code="quantity")
    if quantity <= 0:
        raise ValidationError(_("A quantity must be more than zero."), code="quantity")
    return quantity


def convert(quantity: Decimal, unit: str, substance: Substance) -> Decimal:
    """`quantity` in `unit` expressed in the substance's unit; refuses to cross unit families."""
    if unit not in UNIT_SIZES:
        raise ValidationError(_("Unknown unit “%(unit)s”."), params={"unit": unit}, code="unit")
    family, size = UNIT_SIZES[unit]
    target_family, target_size = UNIT_SIZES[substance.unit]
    if family != target_family:
        raise ValidationError(
            _("%(substance)s is measured in %(target)s; %(unit)s cannot be converted to it."),
            params={"substance": substance.name, "target": substance.unit, "unit": unit},
            code="unit",
        )
    return quantity * size / target_size


def regulation_in_force(on: datetime.date) -> ThresholdRegulation | None:
    return (
        ThresholdRegulation.objects.filter(valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("-valid_from")
        .first()
    )


def classify(
    items: Iterable[tuple[str, object, str]], on: datetime.date, regulation: ThresholdRegulation | None = None
) -> Classification:
    """Classify the seized `items` — (substance code, quantity, unit) — against the regulation in force `on`,
    or against `regulation` when given (to explain a classification made earlier)."""
    items = list(items)
    codes = {code for code, _quantity_value, _unit in items}
    substances = {s.code: s for s in Substance.objects.filter(code__in=codes)}
    totals: dict[str, Decimal] = {}
    for code, quantity, unit in items:
        substance = substances.get(code)
        if substance is None:
            raise ValidationError(_("Unknown substance “%(code)s”."), params={"code": code}, code="substance")
        totals[code] = totals.get(code, Decimal(0)) + convert(parse_quantity(quantity), unit, substance)

    regulation = regulation or regulation_in_force(on)
    if regulation is None:
        return Classification(
            NOT_ELIGIBLE,
            [_("No threshold regulation is in force on %(date)s.") % {"date": on.isoformat()}],
        )
    thresholds = {t.substance.code: t for t in regulation.thresholds.select_related("substance")}

    not_eligible, waiver = [], []
    if len(totals) > regulation.max_substances:
        not_eligible.append(
            _("%(count)d different substances; the regulation allows at most %(max)d.")
            % {"count": len(totals), "max": regulation.max_substances}
        )
    for code, total in totals.items():
        substance = substances[code]
        threshold = thresholds.get(code)
        params = {"substance": substance.name, "quantity": format_quantity(total), "unit": Unit(substance.unit).label}
        if threshold is None:
            not_eligible.append(_("%(substance)s has no threshold in the regulation.") % params)
        elif total > threshold.upper:
            not_eligible.append(
                _("%(substance)s: %(quantity)s %(unit)s is above the upper threshold of %(limit)s %(unit)s.")
                % {**params, "limit": format_quantity(threshold.upper)}
            )
        elif total > threshold.lower:
            waiver.append(
                _("%(substance)s: %(quantity)s %(unit)s is above the lower threshold of %(limit)s %(unit)s.")
                % {**params, "limit": format_quantity(threshold.lower)}
            )
    if not_eligible:
        return Classification(NOT_ELIGIBLE, not_eligible, regulation)
    if waiver:
        return Classification(WAIVER, waiver, regulation)
    return Classification(
        EXEMPT, [_("Every substance is at or below its lower threshold.")] if totals else [], regulation
    )


def suggested_route(outcome: str) -> str | None:
    """The route the classification points to: an exempt seizure is the order route, the waiver range
    is the prosecution's condition. Outside the scheme no route is suggested: only a condition, set by
    the prosecution on its own judgement, can still send the person to the service."""
    return {EXEMPT: Route.ORDER, WAIVER: Route.CONDITION}.get(outcome)


def classification_reasons(referral) -> list[str]:
    """Why the referral's seizure got its classification, in the reader's language.

    Worked out again from the stored seizure and regulation rather than stored as text, which would be frozen in
    the language of whoever registered the referral. A regulation that referrals use is never edited, so the answer
    does not change.
    """
    if not referral.classification:
        return []
    items = [(s.substance.code, s.quantity, s.unit) for s in referral.seized.all()]
    return [
        str(reason) for reason in classify(items, on=referral.incident_date, regulation=referral.regulation).reasons
    ]
