"""Bokmål is complete: every string in the code is in locale/nb, translated, not fuzzy, and compiled."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib

from tests.conftest import require

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale/nb/LC_MESSAGES/django.po"
MO = PO.with_suffix(".mo")


def test_every_bokmal_entry_is_translated_and_not_fuzzy():
    catalog = polib.pofile(str(PO))
    assert [e.msgid for e in catalog.untranslated_entries()] == []
    assert [e.msgid for e in catalog.fuzzy_entries()] == []
    assert not catalog.metadata_is_fuzzy


def test_the_compiled_catalog_matches_the_source():
    source = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in polib.pofile(str(PO)) if not e.obsolete}
    compiled = {(e.msgctxt, e.msgid): e.msgstr or e.msgstr_plural for e in polib.mofile(str(MO))}
    compiled.pop((None, ""), None)
    assert compiled == source, "run `make messages` to recompile locale/nb"


def test_every_string_in_the_code_is_in_the_catalog(tmp_path):
    require(shutil.which("xgettext") is not None, "gettext (xgettext) is not installed")
    copy = tmp_path / "project"
    shutil.copytree(
        ROOT, copy, ignore=shutil.ignore_patterns(".venv", ".git", "var", "staticfiles", "node_modules", "__pycache__")
    )
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "nb", "--no-obsolete", "--no-location"]
        + ["--ignore", "var", "--ignore", "staticfiles"],
        cwd=copy,
        check=True,
        capture_output=True,
    )
    fresh = {e.msgid for e in polib.pofile(str(copy / "locale/nb/LC_MESSAGES/django.po"))}
    committed = {e.msgid for e in polib.pofile(str(PO))}
    assert sorted(fresh - committed) == [], "new strings: run `make messages` and translate them"
    assert sorted(committed - fresh) == [], "strings no longer used: run `make messages`"
