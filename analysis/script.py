"""Traditional/Simplified conversion that keeps one character per character, so that a span
found on the Simplified text is the same span of the original."""
from __future__ import annotations

import functools
import re

import opencc

from .chars import HAN_RE

OPENCC_VERSION = getattr(opencc, "__version__", "unknown")


@functools.cache
def _converter(config: str) -> opencc.OpenCC:
    return opencc.OpenCC(config)


@functools.lru_cache(maxsize=65536)
def _char(ch: str, config: str) -> str:
    out = _converter(config).convert(ch)
    return out if len(out) == 1 else ch


def to_simplified_char(ch: str) -> str:
    """The Simplified form of one character (itself when OpenCC would change the length)."""
    return _char(ch, "t2s")


def to_traditional_char(ch: str) -> str:
    """One Traditional form of one character (for pinyin lookups; s2t is one-to-many)."""
    return _char(ch, "s2t")


def _convert(text: str, config: str) -> str:
    conv = _converter(config)
    out = conv.convert(text)
    if len(out) == len(text):
        return out
    # A phrase rule changed the length somewhere: convert line by line, and character by
    # character only on the lines where the phrase rules would shift positions.
    lines = re.split("(\n)", text)
    fixed = []
    for line in lines:
        converted = conv.convert(line)
        if len(converted) != len(line):
            converted = "".join(_char(c, config) for c in line)
        fixed.append(converted)
    return "".join(fixed)


def to_simplified(text: str) -> str:
    """Convert to Simplified with OpenCC t2s; ``len(result) == len(text)``, position for position.

    >>> to_simplified("計生協會流動人口")
    '计生协会流动人口'
    """
    return _convert(text, "t2s")


def is_traditional(text: str) -> bool:
    """True when converting to Simplified changes more than 1% of the Han characters."""
    han = HAN_RE.findall(text)
    if not han:
        return False
    simp = to_simplified("".join(han))
    changed = sum(a != b for a, b in zip(han, simp))
    return changed / len(han) > 0.01
