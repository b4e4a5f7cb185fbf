"""analysis.text.numbers: the one reader of Chinese numerals (years digit by digit, counted
numbers with units, 廿, decimals, Traditional forms) and of full written dates."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis.text.numbers import DATE_RE, cn_numeral, numeral_value, written_date


@pytest.mark.parametrize("written, value", [
    # one digit, and counted numbers with units (section numbers, targets, formulas)
    ("一", 1), ("两", 2), ("兩", 2), ("双", 2), ("八", 8), ("十", 10), ("十一", 11), ("十三", 13), ("二十", 20),
    ("二十三", 23), ("二十五", 25), ("三十一", 31), ("一百零五", 105), ("三千九百二十", 3920), ("一万二千", 12000),
    ("百万", 1_000_000), ("兩萬", 20_000), ("三千亿", 300_000_000_000), ("一万亿", 1_000_000_000_000),
    # years (and codes) digit by digit, with every zero that is typed or scanned
    ("一九八二", 1982), ("二〇一二", 2012), ("一九八○", 1980), ("二零二零", 2020), ("一九八Ｏ", 1980),
    # 廿 is twenty (dates only ever wrote it), 点 the decimal point
    ("廿", 20), ("廿五", 25), ("廿三", 23), ("七点五", 7.5), ("十一点八", 11.8), ("一點五", 1.5),
])
def test_numeral_values(written, value):
    assert numeral_value(written) == value


@pytest.mark.parametrize("written", ["", "百分", "点五", "七点", "七点x", "三个", "第一"])
def test_what_is_not_a_numeral_is_none(written):
    assert numeral_value(written) is None


def test_every_numeral_a_section_heading_writes_reads_back():
    assert [cn_numeral(n) for n in (1, 2, 9, 10, 11, 19, 20, 21, 99)] == [
        "一", "二", "九", "十", "十一", "十九", "二十", "二十一", "九十九"]
    assert all(numeral_value(cn_numeral(n)) == n for n in range(100))
    with pytest.raises(ValueError):
        cn_numeral(100)


@pytest.mark.parametrize("line, date", [
    ("——2024年3月5日在会议上", "2024-03-05"), ("（2019-11-08）", "2019-11-08"), ("2019.1.8", "2019-01-08"),
    ("一九八二年十一月三十日", "1982-11-30"), ("（二〇二〇年二月廿三日）", "2020-02-23"),
    ("二〇二〇年二月三十日", None), ("1899年1月1日", None),
])
def test_written_dates(line, date):
    m = DATE_RE.search(line)
    assert written_date(m) == (pd.Timestamp(date) if date else None)


def test_no_other_module_keeps_a_table_of_chinese_digits():
    """One reader: a module that maps 一 → 1 by itself reads numerals a second way."""
    from analysis.config import ROOT

    table = re.compile(r"""["']一["']\s*:\s*1\b""")
    found = [str(p.relative_to(ROOT)) for p in sorted((ROOT / "analysis").rglob("*.py"))
             if table.search(p.read_text(encoding="utf-8"))]
    assert found == ["analysis/text/numbers.py"]
