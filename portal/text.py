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
