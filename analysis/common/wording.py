"""Counted nouns in English sentences: ``counted(1, "speech")`` is "1 speech",
``counted(2, "speech")`` "2 speeches". One helper for every sentence the package writes
(findings, chart notes), so no sentence says "speechs" or "1 hits"."""
from __future__ import annotations

_IRREGULAR = {"person": "people", "child": "children", "analysis": "analyses", "index": "indices"}
# Mass nouns take no plural of their own: counted by a countable head ("9 furniture lines").
_MASS = {"furniture", "legal", "information", "equipment", "metadata", "boilerplate"}


def plural(noun: str) -> str:
    """The plural of a count noun (or of a phrase's last word): speech → speeches, city →
    cities, hit → hits, point → points; a mass noun gets a countable head: furniture →
    furniture lines."""
    if " of " in noun:   # run of whitespace → runs of whitespace
        first, _, rest = noun.partition(" of ")
        return f"{plural(first)} of {rest}"
    head, _, last = noun.rpartition(" ")
    prefix = f"{head} " if head else ""
    lower = last.lower()
    if lower in _MASS:
        return f"{noun} lines"
    if lower in _IRREGULAR:
        return prefix + _IRREGULAR[lower]
    if lower.endswith(("s", "sh", "ch", "x", "z")):
        return f"{noun}es"
    if len(lower) > 1 and lower.endswith("y") and lower[-2] not in "aeiou":
        return f"{noun[:-1]}ies"
    return f"{noun}s"


def counted(n: int, noun: str, plural_form: str | None = None) -> str:
    """``n`` and the noun, plural unless ``n`` is 1 (``plural_form`` overrides the rule):

    >>> counted(1, "speech"), counted(2, "speech"), counted(1_234, "hit"), counted(9, "furniture")
    ('1 speech', '2 speeches', '1,234 hits', '9 furniture lines')
    """
    if n == 1:
        return f"1 {noun} line" if noun.rpartition(" ")[2].lower() in _MASS else f"1 {noun}"
    return f"{n:,} {plural_form or plural(noun)}"


def listed(items, limit: int = 5, sep: str = ", ") -> str:
    """The first ``limit`` items joined by ``sep``, and how many more there are (a warning
    naming the speeches it is about):

    >>> listed(["a", "b", "c"], 2), listed(["a = b"], 2, "; ")
    ('a, b and 1 more', 'a = b')
    """
    items = list(items)
    shown = sep.join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")
