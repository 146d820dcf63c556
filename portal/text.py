"""Norwegian text rules the letters and pages share."""

# Bokmål marks the genitive of a name ending in s, x or z with an apostrophe alone ("Hans' sak", "Felix' time"),
# and of every other name with s and no apostrophe ("Olas sak").
_APOSTROPHE_ONLY = ("s", "x", "z")


def genitive(name: str) -> str:
    """The name in the genitive: "Lars" → "Lars'", "Ola" → "Olas"; an empty name stays empty."""
    name = (name or "").rstrip()
    if not name:
        return ""
    if name.lower().endswith(_APOSTROPHE_ONLY):
        return f"{name}'"
    return f"{name}s"


# Small whole numbers in running text are written in words, as the summons does ("to ganger rettsgebyret"); larger
# ones in digits with a space between thousands ("2 690").
_WORDS = ["null", "én", "to", "tre", "fire", "fem", "seks", "sju", "åtte", "ni", "ti", "elleve", "tolv"]


def number_in_words(number) -> str:
    """3 → "tre", 12 → "tolv", 13 → "13", 2690 → "2 690" (a space that does not break)."""
    value = int(number)
    if 0 <= value < len(_WORDS):
        return _WORDS[value]
    return f"{value:,}".replace(",", "\u00a0")
