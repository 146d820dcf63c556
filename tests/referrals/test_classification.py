"""Classifying a seizure against the threshold regulation in force on a date.

`referrals.thresholds.classify(items, on)` decides whether a seizure is exempt (within the lower
thresholds), in the waiver range (above a lower, within the upper thresholds) or not eligible for
the scheme. The expected thresholds below are written out from the product table (Prop. 92 L
(2020–2021)) on purpose: reading them from the database would only prove that the code agrees
with itself.
"""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from referrals.models import Substance, Threshold, ThresholdRegulation
from referrals.thresholds import EXEMPT, NOT_ELIGIBLE, WAIVER, classify

pytestmark = pytest.mark.usefixtures("thresholds_2021")

# A day on which the seeded 2021 regulation is in force.
ON = datetime.date(2026, 6, 1)
SEEDED_FROM = datetime.date(2021, 1, 1)
STEP = Decimal("0.001")

# The product table: code, English name, unit, lower threshold, upper threshold.
PRODUCT_TABLE = [
    ("heroin", "Heroin", "g", "2", "5"),
    ("cocaine", "Cocaine", "g", "2", "5"),
    ("amphetamine", "Amphetamine", "g", "2", "5"),
    ("ghb", "GHB, GBL and 1,4-butanediol", "dl", "0.5", "1"),
    ("lsd-tab", "LSD (tabs / blotter papers)", "tab", "1", "3"),
    ("lsd-pure", "LSD, pure active substance", "mg", "1", "2"),
    ("mdma", "MDMA (powder/crystals)", "g", "0.5", "1"),
    ("cannabis", "Cannabis", "g", "10", "15"),
    ("psilocybin-mushrooms", "Mushrooms with psilocin/psilocybin", "g", "20", "50"),
    ("khat", "Khat", "g", "500", "2000"),
    ("medicinal-doses", "Medicinal drugs (e.g. benzodiazepines)", "dose", "15", "25"),
]
NAMES = {code: name for code, name, _unit, _lower, _upper in PRODUCT_TABLE}

OUTCOME_WORDS = {EXEMPT: "exempt", WAIVER: "waiver_range", NOT_ELIGIBLE: "not_eligible"}


def classify_en(items, on=ON):
    """Classify with English texts, so the reasons can be read by the test."""
    with translation.override("en"):
        result = classify(items, on)
        return result, [str(reason) for reason in result.reasons]


def limits_named(reason: str, unit: str) -> set[Decimal]:
    """Every number in `reason` that is followed by `unit` (e.g. "0.500 dl" → Decimal("0.5"))."""
    return {
        Decimal(number.replace(",", ".")) for number in re.findall(rf"(\d+(?:[.,]\d+)?)\s*{re.escape(unit)}", reason)
    }


def error_messages(items, on=ON) -> str:
    """The English messages of the ValidationError that classifying `items` must raise."""
    with translation.override("en"), pytest.raises(ValidationError) as raised:
        classify(items, on)
    with translation.override("en"):
        messages = [str(message) for message in raised.value.messages]
    assert messages, "a ValidationError without a message"
    assert all(message.strip() for message in messages), messages
    return " ".join(messages)


def the_seeded_regulation() -> ThresholdRegulation:
    return ThresholdRegulation.objects.get(valid_from=SEEDED_FROM)


# --- Every substance at, just below and just above each threshold -------------------------------


def _edge_cases():
    for code, _name, unit, lower, upper in PRODUCT_TABLE:
        lower, upper = Decimal(lower), Decimal(upper)
        edges = [
            ("just_below_the_lower_threshold", lower - STEP, EXEMPT, None),
            ("exactly_at_the_lower_threshold", lower, EXEMPT, None),
            ("just_above_the_lower_threshold", lower + STEP, WAIVER, lower),
            ("exactly_at_the_upper_threshold", upper, WAIVER, lower),
            ("just_above_the_upper_threshold", upper + STEP, NOT_ELIGIBLE, upper),
        ]
        for edge, quantity, outcome, limit in edges:
            yield pytest.param(
                code,
                unit,
                quantity,
                outcome,
                limit,
                id=f"{code.replace('-', '_')}_{edge}_is_{OUTCOME_WORDS[outcome]}",
            )


@pytest.mark.parametrize(("code", "unit", "quantity", "outcome", "limit"), list(_edge_cases()))
def test_a_single_substance_is_classified_by_its_thresholds(code, unit, quantity, outcome, limit):
    result, reasons = classify_en([(code, quantity, unit)])

    assert result.outcome == outcome, reasons
    assert result.regulation == the_seeded_regulation()
    if limit is not None:
        # The deciding reason names the substance and the limit it passed.
        deciding = [reason for reason in reasons if NAMES[code] in reason]
        assert deciding, f"no reason names {NAMES[code]!r}: {reasons}"
        assert any(limit in limits_named(reason, unit) for reason in deciding), (
            f"no reason names the limit {limit} {unit}: {reasons}"
        )


@pytest.mark.parametrize(
    ("code", "unit", "lower", "upper"),
    [
        pytest.param(code, unit, lower, upper, id=code.replace("-", "_"))
        for code, _n, unit, lower, upper in PRODUCT_TABLE
    ],
)
def test_the_seeded_regulation_holds_the_product_table(code, unit, lower, upper):
    threshold = Threshold.objects.select_related("substance").get(
        regulation=the_seeded_regulation(), substance__code=code
    )
    assert threshold.substance.unit == unit
    assert threshold.lower == Decimal(lower)
    assert threshold.upper == Decimal(upper)


def test_the_seeded_regulation_allows_at_most_three_substances_and_has_every_substance():
    regulation = the_seeded_regulation()
    assert regulation.max_substances == 3
    assert regulation.valid_to is None
    assert set(regulation.thresholds.values_list("substance__code", flat=True)) == set(NAMES)


# --- Quantities of one substance are added up ---------------------------------------------------


@pytest.mark.parametrize(
    ("items", "outcome"),
    [
        pytest.param(
            [("cannabis", "6", "g"), ("cannabis", "6", "g")], WAIVER, id="cannabis_6_g_and_6_g_is_waiver_range"
        ),
        pytest.param(
            [("heroin", "1", "g"), ("heroin", "1", "g")], EXEMPT, id="heroin_1_g_and_1_g_is_at_the_lower_threshold"
        ),
        pytest.param(
            [("heroin", "3", "g"), ("heroin", "3", "g")], NOT_ELIGIBLE, id="heroin_3_g_and_3_g_is_not_eligible"
        ),
        pytest.param(
            [("lsd-tab", "1", "tab"), ("lsd-tab", "1", "tab"), ("lsd-tab", "1", "tab"), ("lsd-tab", "1", "tab")],
            NOT_ELIGIBLE,
            id="four_single_lsd_tabs_are_above_the_upper_threshold",
        ),
        pytest.param(
            [("medicinal-doses", "10", "dose"), ("medicinal-doses", "5", "dose")],
            EXEMPT,
            id="medicinal_10_and_5_doses_is_at_the_lower_threshold",
        ),
    ],
)
def test_quantities_of_the_same_substance_are_added_up(items, outcome):
    result, reasons = classify_en(items)
    assert result.outcome == outcome, reasons


def test_a_summed_reason_names_the_substance_and_the_limit():
    result, reasons = classify_en([("cannabis", "6", "g"), ("cannabis", "6", "g")])
    assert result.outcome == WAIVER
    assert len(reasons) == 1, "one substance, summed, gives one reason"
    assert "Cannabis" in reasons[0]
    assert Decimal("10") in limits_named(reasons[0], "g")


# --- Units convert within their family, never across ---------------------------------------------


@pytest.mark.parametrize(
    ("items", "outcome"),
    [
        pytest.param([("cannabis", "0.016", "kg")], NOT_ELIGIBLE, id="cannabis_0_016_kg_is_16_g_not_eligible"),
        pytest.param([("cannabis", "0.01", "kg")], EXEMPT, id="cannabis_0_01_kg_is_10_g_exempt"),
        pytest.param([("cannabis", "0.011", "kg")], WAIVER, id="cannabis_0_011_kg_is_11_g_waiver_range"),
        pytest.param([("heroin", "2000", "mg")], EXEMPT, id="heroin_2000_mg_is_2_g_exempt"),
        pytest.param([("heroin", "2001", "mg")], WAIVER, id="heroin_2001_mg_is_waiver_range"),
        pytest.param([("khat", "2", "kg")], WAIVER, id="khat_2_kg_is_at_the_upper_threshold"),
        pytest.param([("khat", "2.001", "kg")], NOT_ELIGIBLE, id="khat_2_001_kg_is_not_eligible"),
        pytest.param([("lsd-pure", "0.001", "g")], EXEMPT, id="lsd_pure_0_001_g_is_1_mg_exempt"),
        pytest.param([("lsd-pure", "0.0015", "g")], WAIVER, id="lsd_pure_0_0015_g_is_1_5_mg_waiver_range"),
        pytest.param([("ghb", "50", "ml")], EXEMPT, id="ghb_50_ml_is_0_5_dl_exempt"),
        pytest.param([("ghb", "6", "cl")], WAIVER, id="ghb_6_cl_is_0_6_dl_waiver_range"),
        pytest.param([("ghb", "0.1", "l")], WAIVER, id="ghb_0_1_l_is_1_dl_waiver_range"),
        pytest.param([("ghb", "101", "ml")], NOT_ELIGIBLE, id="ghb_101_ml_is_not_eligible"),
        pytest.param(
            [("cannabis", "5", "g"), ("cannabis", "0.006", "kg")],
            WAIVER,
            id="cannabis_5_g_and_0_006_kg_is_11_g_waiver_range",
        ),
        pytest.param(
            [("ghb", "20", "ml"), ("ghb", "3", "cl")],
            EXEMPT,
            id="ghb_20_ml_and_3_cl_is_0_5_dl_exempt",
        ),
        pytest.param(
            [("ghb", "0.05", "l"), ("ghb", "1", "cl")],
            WAIVER,
            id="ghb_0_05_l_and_1_cl_is_0_6_dl_waiver_range",
        ),
    ],
)
def test_units_convert_within_their_family(items, outcome):
    result, reasons = classify_en(items)
    assert result.outcome == outcome, reasons


def test_a_converted_quantity_is_reported_against_the_limit_in_the_substances_unit():
    result, reasons = classify_en([("cannabis", "0.016", "kg")])
    assert result.outcome == NOT_ELIGIBLE
    assert "Cannabis" in reasons[0]
    assert Decimal("15") in limits_named(reasons[0], "g")


@pytest.mark.parametrize(
    ("quantity", "outcome"),
    [
        pytest.param(Decimal("12"), WAIVER, id="a_decimal_quantity"),
        pytest.param("12", WAIVER, id="a_decimal_string"),
        pytest.param("10.000", EXEMPT, id="a_decimal_string_with_trailing_zeros"),
        pytest.param(" 12 ", WAIVER, id="a_decimal_string_with_surrounding_spaces"),
        pytest.param("10,5", WAIVER, id="a_norwegian_decimal_comma"),
        pytest.param("9,999", EXEMPT, id="a_norwegian_decimal_comma_just_below_the_lower_threshold"),
    ],
)
def test_a_quantity_may_be_given_as(quantity, outcome):
    result, reasons = classify_en([("cannabis", quantity, "g")])
    assert result.outcome == outcome, reasons


def test_mdma_half_a_gram_with_a_decimal_comma_is_exempt():
    assert classify_en([("mdma", "0,5", "g")])[0].outcome == EXEMPT
    assert classify_en([("mdma", "0,6", "g")])[0].outcome == WAIVER


@pytest.mark.parametrize(
    ("code", "unit"),
    [
        pytest.param("ghb", "g", id="ghb_in_grams"),
        pytest.param("ghb", "tab", id="ghb_in_tabs"),
        pytest.param("heroin", "ml", id="heroin_in_millilitres"),
        pytest.param("heroin", "dose", id="heroin_in_doses"),
        pytest.param("cannabis", "tab", id="cannabis_in_tabs"),
        pytest.param("cannabis", "l", id="cannabis_in_litres"),
        pytest.param("lsd-tab", "dose", id="lsd_tabs_in_doses"),
        pytest.param("lsd-tab", "mg", id="lsd_tabs_in_milligrams"),
        pytest.param("lsd-pure", "tab", id="pure_lsd_in_tabs"),
        pytest.param("medicinal-doses", "tab", id="medicinal_doses_in_tabs"),
        pytest.param("medicinal-doses", "g", id="medicinal_doses_in_grams"),
    ],
)
def test_a_unit_never_converts_across_families(code, unit):
    message = error_messages([(code, "1", unit)])
    assert NAMES[code] in message
    assert unit in message


def test_a_unit_across_families_is_refused_even_next_to_valid_items():
    error_messages([("cannabis", "1", "g"), ("ghb", "1", "g")])


# --- The number of distinct substances -----------------------------------------------------------


def test_three_substances_each_within_the_lower_threshold_is_exempt():
    result, reasons = classify_en([("heroin", "2", "g"), ("cannabis", "10", "g"), ("ghb", "0.5", "dl")])
    assert result.outcome == EXEMPT, reasons


def test_four_distinct_substances_is_not_eligible_even_in_tiny_quantities():
    result, reasons = classify_en(
        [("heroin", "0.001", "g"), ("cocaine", "0.001", "g"), ("amphetamine", "0.001", "g"), ("cannabis", "0.001", "g")]
    )
    assert result.outcome == NOT_ELIGIBLE
    assert result.regulation == the_seeded_regulation()
    assert any("4" in reason and "3" in reason for reason in reasons), f"no reason names the maximum of 3: {reasons}"


def test_repeated_items_of_one_substance_count_as_one_distinct_substance():
    result, reasons = classify_en(
        [("heroin", "0.5", "g"), ("heroin", "0.5", "g"), ("cocaine", "1", "g"), ("amphetamine", "1", "g")]
    )
    assert result.outcome == EXEMPT, reasons


def test_the_worst_substance_decides_and_its_reason_is_given():
    result, reasons = classify_en([("heroin", "3", "g"), ("cannabis", "5", "g")])
    assert result.outcome == WAIVER
    assert any("Heroin" in reason and Decimal("2") in limits_named(reason, "g") for reason in reasons), reasons
    assert not any("Cannabis" in reason for reason in reasons), "cannabis within its lower threshold decided nothing"

    result, reasons = classify_en([("heroin", "3", "g"), ("cannabis", "16", "g")])
    assert result.outcome == NOT_ELIGIBLE
    assert any("Cannabis" in reason and Decimal("15") in limits_named(reason, "g") for reason in reasons), reasons


def test_items_may_be_any_iterable():
    items = (item for item in [("cannabis", "6", "g"), ("cannabis", "6", "g")])
    assert classify_en(items)[0].outcome == WAIVER


# --- A registered substance without a threshold --------------------------------------------------


@pytest.fixture
def ketamine(db):
    return Substance.objects.create(code="ketamine", name_nb="Ketamin", name_en="Ketamine", unit="g")


def test_a_registered_substance_without_a_threshold_is_not_eligible(ketamine):
    result, reasons = classify_en([("ketamine", "0.001", "g")])
    assert result.outcome == NOT_ELIGIBLE
    assert result.regulation == the_seeded_regulation()
    assert any("Ketamine" in reason for reason in reasons), reasons


def test_a_substance_without_a_threshold_makes_the_whole_seizure_not_eligible(ketamine):
    result, reasons = classify_en([("cannabis", "1", "g"), ("ketamine", "0.001", "g")])
    assert result.outcome == NOT_ELIGIBLE, reasons


# --- Which regulation is in force ---------------------------------------------------------------


@pytest.mark.parametrize(
    "on",
    [
        pytest.param(datetime.date(2020, 12, 31), id="the_day_before_the_2021_regulation"),
        pytest.param(datetime.date(2000, 1, 1), id="long_before_any_regulation"),
    ],
)
def test_without_a_regulation_in_force_the_seizure_is_not_eligible(on):
    result, reasons = classify_en([("cannabis", "1", "g")], on=on)
    assert result.outcome == NOT_ELIGIBLE
    assert result.regulation is None
    assert any(on.isoformat() in reason for reason in reasons), f"no reason names {on}: {reasons}"


def test_the_regulation_is_in_force_from_its_first_day():
    result, _reasons = classify_en([("cannabis", "1", "g")], on=SEEDED_FROM)
    assert result.outcome == EXEMPT
    assert result.regulation == the_seeded_regulation()


@pytest.fixture
def regulation_2027(db):
    regulation = ThresholdRegulation.objects.create(
        name="Nye terskelverdier 2027", valid_from=datetime.date(2027, 1, 1), max_substances=2
    )
    cannabis = Substance.objects.get(code="cannabis")
    Threshold.objects.create(regulation=regulation, substance=cannabis, lower=Decimal("5"), upper=Decimal("8"))
    Threshold.objects.create(
        regulation=regulation, substance=Substance.objects.get(code="cocaine"), lower=Decimal("2"), upper=Decimal("5")
    )
    Threshold.objects.create(
        regulation=regulation, substance=Substance.objects.get(code="khat"), lower=Decimal("500"), upper=Decimal("2000")
    )
    return regulation


def test_the_regulation_in_force_on_the_date_is_used(regulation_2027):
    before, _reasons = classify_en([("cannabis", "6", "g")], on=datetime.date(2026, 6, 1))
    assert before.outcome == EXEMPT
    assert before.regulation == the_seeded_regulation()

    after, reasons = classify_en([("cannabis", "6", "g")], on=datetime.date(2027, 6, 1))
    assert after.outcome == WAIVER
    assert after.regulation == regulation_2027
    assert any("Cannabis" in reason and Decimal("5") in limits_named(reason, "g") for reason in reasons), reasons

    above, reasons = classify_en([("cannabis", "9", "g")], on=datetime.date(2027, 6, 1))
    assert above.outcome == NOT_ELIGIBLE
    assert any(Decimal("8") in limits_named(reason, "g") for reason in reasons), reasons


def test_the_newer_regulation_takes_over_on_its_first_day(regulation_2027):
    assert classify_en([("cannabis", "6", "g")], on=datetime.date(2026, 12, 31))[0].regulation == (
        the_seeded_regulation()
    )
    assert classify_en([("cannabis", "6", "g")], on=datetime.date(2027, 1, 1))[0].regulation == regulation_2027


def test_the_newer_regulations_maximum_number_of_substances_applies(regulation_2027):
    items = [("cannabis", "1", "g"), ("cocaine", "0.1", "g"), ("khat", "1", "g")]
    assert classify_en(items, on=datetime.date(2026, 6, 1))[0].outcome == EXEMPT
    result, reasons = classify_en(items, on=datetime.date(2027, 6, 1))
    assert result.outcome == NOT_ELIGIBLE
    assert any("2" in reason and "3" in reason for reason in reasons), reasons


def test_a_substance_left_out_of_the_newer_regulation_is_not_eligible_under_it(regulation_2027):
    assert classify_en([("heroin", "1", "g")], on=datetime.date(2026, 6, 1))[0].outcome == EXEMPT
    result, reasons = classify_en([("heroin", "1", "g")], on=datetime.date(2027, 6, 1))
    assert result.outcome == NOT_ELIGIBLE
    assert any("Heroin" in reason for reason in reasons), reasons


def test_a_regulation_that_has_ended_is_not_used_after_its_last_day():
    regulation = the_seeded_regulation()
    regulation.valid_to = datetime.date(2025, 12, 31)
    regulation.save(update_fields=["valid_to"])

    on_last_day, _reasons = classify_en([("cannabis", "1", "g")], on=datetime.date(2025, 12, 31))
    assert on_last_day.outcome == EXEMPT
    assert on_last_day.regulation == regulation

    after, reasons = classify_en([("cannabis", "1", "g")], on=datetime.date(2026, 1, 1))
    assert after.outcome == NOT_ELIGIBLE
    assert after.regulation is None
    assert any("2026-01-01" in reason for reason in reasons), reasons


def test_an_ended_regulation_is_not_used_even_when_a_later_one_is_in_force(regulation_2027):
    regulation = the_seeded_regulation()
    regulation.valid_to = datetime.date(2026, 12, 31)
    regulation.save(update_fields=["valid_to"])

    assert classify_en([("cannabis", "6", "g")], on=datetime.date(2026, 12, 31))[0].regulation == regulation
    result, _reasons = classify_en([("cannabis", "6", "g")], on=datetime.date(2027, 1, 1))
    assert result.regulation == regulation_2027
    assert result.outcome == WAIVER


# --- Malformed input -----------------------------------------------------------------------------


def test_an_unknown_substance_code_is_refused():
    message = error_messages([("unobtainium", "1", "g")])
    assert "unobtainium" in message


def test_an_unknown_substance_code_is_refused_next_to_valid_items():
    message = error_messages([("cannabis", "1", "g"), ("unobtainium", "1", "g")])
    assert "unobtainium" in message


def test_an_unknown_substance_code_is_refused_even_without_a_regulation_in_force():
    error_messages([("unobtainium", "1", "g")], on=datetime.date(2020, 1, 1))


@pytest.mark.parametrize(
    "quantity",
    [
        pytest.param("0", id="zero"),
        pytest.param(Decimal("0"), id="a_decimal_zero"),
        pytest.param("0.000", id="zero_with_decimals"),
        pytest.param("-1", id="a_negative_quantity"),
        pytest.param(Decimal("-0.001"), id="a_negative_decimal"),
    ],
)
def test_a_quantity_that_is_not_more_than_zero_is_refused(quantity):
    message = error_messages([("cannabis", quantity, "g")])
    assert "quantity" in message.lower()


@pytest.mark.parametrize(
    "quantity",
    [
        pytest.param("abc", id="letters"),
        pytest.param("", id="an_empty_string"),
        pytest.param("1.2.3", id="two_decimal_points"),
        pytest.param("12 g", id="a_number_with_its_unit"),
        pytest.param(None, id="nothing"),
    ],
)
def test_a_quantity_that_is_not_a_number_is_refused(quantity):
    message = error_messages([("cannabis", quantity, "g")])
    assert "quantity" in message.lower()
    if quantity:
        assert quantity in message


@pytest.mark.parametrize(
    "quantity",
    [
        pytest.param("NaN", id="nan"),
        pytest.param("sNaN", id="signalling_nan"),
        pytest.param(Decimal("NaN"), id="a_decimal_nan"),
        pytest.param("Infinity", id="infinity"),
        pytest.param("-Infinity", id="minus_infinity"),
        pytest.param(Decimal("Infinity"), id="a_decimal_infinity"),
    ],
)
def test_a_quantity_that_is_not_a_finite_number_is_refused(quantity):
    message = error_messages([("cannabis", quantity, "g")])
    assert "quantity" in message.lower()


@pytest.mark.parametrize(
    "unit",
    [
        pytest.param("oz", id="ounces"),
        pytest.param("lb", id="pounds"),
        pytest.param("", id="no_unit"),
    ],
)
def test_an_unknown_unit_is_refused(unit):
    message = error_messages([("cannabis", "1", unit)])
    assert "unit" in message.lower()
    if unit:
        assert unit in message
