"""Plain Bokmål (klarspråk) in the catalog and the letters: one term for each concept, no "booke", genitives of
names ending in s, and numbers and dates written the same way in every letter."""

import re
from pathlib import Path

import polib
import pytest

from portal.text import genitive, number_in_words

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale/nb/LC_MESSAGES/django.po"
# What goes out to the public on paper: the letterhead, the summons, the police report, the fee letters, and the
# person's own copy of their data.
LETTERS = [
    *sorted((ROOT / "templates/letters").glob("*")),
    *sorted((ROOT / "templates/fees/letters").glob("*.html")),
    *sorted((ROOT / "counselling/scheduling/letter_defaults").glob("*.html")),
    *sorted((ROOT / "templates/privacy/pdf").glob("*.html")),
]

BANNED = re.compile(r"\bbook\w*", re.IGNORECASE)  # book, booke, booket, booking: "sette opp", "avtale"
# The hardship assessment has one name, "rimelighetsvurdering"; these were used beside it and are gone.
DROPPED_HARDSHIP_TERMS = [
    re.compile(r"\burimelighet\b", re.IGNORECASE),  # "Vurdering av urimelighet", "Urimelighet vurdert"
    re.compile(r"vurdering av rimelighet", re.IGNORECASE),
    re.compile(r"vurdering av om gebyret er urimelig tyngende", re.IGNORECASE),
]


def _translations():
    for entry in polib.pofile(str(PO)):
        if entry.obsolete:
            continue
        for text in [entry.msgstr, *entry.msgstr_plural.values()]:
            if text:
                yield entry.msgid, text


def test_the_bokmal_catalog_never_says_booke():
    assert [(msgid, text) for msgid, text in _translations() if BANNED.search(text)] == []


def test_the_bokmal_catalog_has_one_name_for_the_hardship_assessment():
    dropped = [(msgid, text) for msgid, text in _translations() if any(t.search(text) for t in DROPPED_HARDSHIP_TERMS)]
    assert dropped == []
    hardship = [text for msgid, text in _translations() if re.search(r"hardship", msgid, re.IGNORECASE)]
    assert hardship and all("rimelighetsvurdering" in text.lower() for text in hardship), hardship


def test_a_cancelled_fee_case_or_meeting_is_never_called_closed():
    """Closed ("avsluttet") is a case that has run its course; a meeting is cancelled ("avlyst"), a fee case
    withdrawn ("trukket tilbake")."""
    cancelled = [(msgid, text) for msgid, text in _translations() if re.search(r"cancel", msgid, re.IGNORECASE)]
    assert cancelled
    assert [(msgid, text) for msgid, text in cancelled if "avslutt" in text.lower()] == []
    closed = [text for msgid, text in _translations() if re.fullmatch(r"(The case is )?[Cc]losed\.?", msgid)]
    assert closed and all("avsluttet" in text.lower() for text in closed)


@pytest.mark.parametrize("path", LETTERS, ids=lambda path: path.name)
def test_no_letter_says_booke_or_a_dropped_hardship_term(path):
    text = path.read_text(encoding="utf-8")
    assert not BANNED.search(text)
    assert not any(term.search(text) for term in DROPPED_HARDSHIP_TERMS)


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Lars", "Lars'"), ("Hans", "Hans'"), ("Felix", "Felix'"), ("Inez", "Inez'"), ("Ola", "Olas"), ("Kari", "Karis")],
)
def test_a_name_ending_in_s_x_or_z_takes_an_apostrophe_in_the_genitive(name, expected):
    assert genitive(name) == expected


def test_no_letter_builds_a_genitive_by_hand():
    """A name followed by a bare "s" gives "Larss"; letters use the genitive filter."""
    for path in LETTERS:
        assert not re.search(r"\}\}s\b", path.read_text(encoding="utf-8")), path


LETTER_DATE_FORMATS = {"j. F Y", "l j. F Y"}  # "3. desember 2026", "torsdag 3. desember 2026"


@pytest.mark.parametrize("path", [p for p in LETTERS if "privacy" not in p.parts], ids=lambda path: path.name)
def test_every_letter_writes_dates_the_same_way(path):
    """The person's data export is a table of events with dates and times, not a letter: it keeps 03.12.2026."""
    assert set(re.findall(r'\|date:"([^"]*)"', path.read_text(encoding="utf-8"))) <= LETTER_DATE_FORMATS


@pytest.mark.parametrize("path", LETTERS, ids=lambda path: path.name)
def test_every_letter_writes_amounts_the_same_way(path):
    """Every amount goes through the kroner filter ("2 690 kr"), never printed raw or with a "kr" of its own."""
    for name, filters in re.findall(
        r"\{\{\s*([\w.]*(?:amount|court_fee)[\w.]*)([^}]*)\}\}", path.read_text(encoding="utf-8")
    ):
        assert "|kroner" in filters, (path.name, name)


@pytest.mark.parametrize(
    ("number", "words"), [(1, "én"), (2, "to"), (3, "tre"), (12, "tolv"), (13, "13"), (2690, "2\xa0690")]
)
def test_small_numbers_in_running_text_are_words_and_large_ones_are_grouped(number, words):
    assert number_in_words(number) == words


@pytest.mark.parametrize("path", LETTERS, ids=lambda path: path.name)
def test_every_letter_writes_the_fee_multiplier_in_words_as_the_summons_does(path):
    """The summons says "to ganger rettsgebyret"; the fee letters said "2 ganger"."""
    for filters in re.findall(r"\{\{\s*policy\.multiplier([^}]*)\}\}", path.read_text(encoding="utf-8")):
        assert "|in_words" in filters or "|pluralize" in filters, path.name
