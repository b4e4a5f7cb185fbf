"""Findings text: counted nouns, and notebook 04's national finding on a corpus that is or is
not the government work reports."""
from __future__ import annotations

import pandas as pd

from analysis import findings
from analysis.wording import counted, plural


def test_counted_nouns():
    assert [counted(1, "speech"), counted(2, "speech"), counted(1, "hit"), counted(3, "hit")] == [
        "1 speech", "2 speeches", "1 hit", "3 hits"]
    assert counted(1, "point") == "1 point" and counted(1_234, "numbered section") == "1,234 numbered sections"
    assert counted(9, "furniture") == "9 furniture lines" and counted(65, "legal") == "65 legal lines"
    assert counted(1, "furniture") == "1 furniture line"
    assert [plural("city"), plural("day"), plural("box")] == ["cities", "days", "boxes"]
    assert counted(2, "run of whitespace") == "2 runs of whitespace"
    assert counted(2, "person") == "2 people" and counted(2, "datum", "data") == "2 data"


REPORTS = pd.DataFrame({"term": ["低保"] * 3, "year": [2001, 2002, 2003], "count": [0, 3, 1],
                        "per_10k": [0.0, 3.0, 1.0], "ci_low": [0.0, 1.0, 0.2], "ci_high": [2.0, 8.0, 5.0]})


def marks(years, counts):
    per = [float(c) for c in counts]
    return pd.DataFrame({"term": "低保", "year": years, "count": counts, "per_10k": per,
                         "ci_low": [max(p - 1, 0) for p in per], "ci_high": [p + 1 for p in per]})


def test_national_lists_the_years_the_corpus_uses_the_term_most():
    own = marks(list(range(1995, 2005)), [0, 0, 0, 0, 0, 0, 0, 3, 1, 9])
    text = str(findings.national(REPORTS, own, "2001–2003"))
    assert "**低保**: 4 times in the reports, 2002–2003; peak 2002 (3.0 per 10,000 words)." in text
    assert "This corpus uses it in 3 of its 10 years: 2004: 9.0 per 10,000 (no report that year)." in text
    assert "2002: 3.0 per 10,000 (95% CI 2.0–4.0) against the report's 3.0" in text
    assert "1995" not in text and "speechs" not in text and "1 times" not in text


def test_national_does_not_compare_the_reports_with_themselves():
    corpus = pd.DataFrame({"speech_id": ["gwr_2002", "gwr_2003"]})
    text = str(findings.national(REPORTS, marks([2002, 2003], [3, 1]), "2001–2003", corpus=corpus))
    assert "This corpus uses it in 2 of its 2 years (highest: 2002 3.0, 2003 1.0 per 10,000)" in text
    assert "not compared with the reports, because 2 speeches of the corpus are the reports themselves" in text
    assert "against the report's" not in text
    assert findings.own_reports(pd.DataFrame({"speech_id": ["x", "gwr_1954"]})) == ["gwr_1954"]


def test_dispersion_and_themes_count_their_nouns():
    measures = pd.DataFrame({"speech_id": ["(corpus)"], "term": ["低保"], "hits": [1], "unit": ["speech"],
                             "n_parts": [2], "parts_with_hits": [1], "dp": [0.5], "enough_hits": [False]})
    text = str(findings.dispersion(measures))
    assert text.startswith("- 低保: 1 hit in 1 of 2 speeches; DP 0.50")
    shares = pd.DataFrame({"place": ["一"], "label": ["民生"], "per_1000": [2.0], "hits": [1]})
    assert "(2.0 per 1,000 characters, 1 hit)" in str(findings.themes(shares))


def test_overview_names_the_speakers_and_their_source():
    one = pd.DataFrame({"speaker": [pd.NA], "speaker_source": [pd.NA]})
    assert findings._speakers(one) == ("Speaker: not named (no `speaker` in metadata, no byline under a "
                                       "published head's dateline).")
    one = pd.DataFrame({"speaker": ["王明"], "speaker_source": ["text"]})
    assert findings._speakers(one) == "Speaker: **王明** (a byline in the text)."
    many = pd.DataFrame({"speaker": ["王明", "李华", "王明", pd.NA],
                         "speaker_source": ["text", "metadata", "metadata", pd.NA]})
    assert findings._speakers(many) == ("Speakers: 3 speeches of 4 name one (2 from the metadata, 1 from a "
                                        "byline in the text); most often 王明 (2 speeches), 李华 (1 speech).")
