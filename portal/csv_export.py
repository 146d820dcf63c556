"""Every CSV file the portal writes is made here, so that no cell can become a spreadsheet formula.

A name, an address or a reason typed into the portal may start with `=`, `+`, `-` or `@`; a spreadsheet opening the
file (the collection agency's, a service lead's) would run it as a formula (CSV injection). Such a text cell gets a
leading single quote, which spreadsheets show as text: https://owasp.org/www-community/attacks/CSV_Injection.
Numbers the code itself computes (an amount, a count) are written as they are and stay numbers.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal

# OWASP's list: formula prefixes, and tab and carriage return, which some spreadsheets skip before reading one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str | int | Decimal:
    """The value as the cell should hold it: a number stays a number, any text that could start a formula is quoted."""
    if value is None:
        return ""
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Sequence, rows: Iterable[Sequence], *, delimiter: str = ";") -> str:
    """The file: a header and rows, each cell through `csv_cell`, lines ending in CRLF (RFC 4180)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([csv_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([csv_cell(cell) for cell in row])
    return out.getvalue()
