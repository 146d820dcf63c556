"""What a person's name, an address or a reason may be typed as, and the check that no CSV cell could run it."""

import csv
import io

from portal.csv_export import FORMULA_STARTS

# Each would run as a formula, or be skipped to one, in a spreadsheet opening the file.
HOSTILE = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def assert_no_formula(rows: list[list[str]]) -> None:
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_STARTS), f"{cell!r} in {row!r}"
