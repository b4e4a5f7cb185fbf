"""Findings text: counted nouns, and notebook 04's national finding on a corpus that is or is
not the government work reports."""
from __future__ import annotations

import pandas as pd

from analysis import findings
from analysis.common.wording import counted, plural


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


def test_national_gives_the_count_inside_words_and_the_genre_caveat():
    within = REPORTS.assign(count=[1, 4, 1])
    text = str(findings.national(REPORTS, marks([2002], [3]), "2001–2003", within=within))
    assert "**低保**: 4 times as a word (6 counting it inside longer words) in the reports, 2002–2003" in text
    assert "another genre and level of government" in text
    same = str(findings.national(REPORTS, None, "2001–2003", within=REPORTS))
    assert "**低保**: 4 times in the reports" in same and "genre" not in same


def test_register_words_are_those_the_same_genre_does_not_make_key():
    general = pd.DataFrame({"token": ["工作", "做好", "全市", "流動人口"], "term": ["工作", "做好", "全市", "流动人口"],
                            "count": [32, 9, 8, 5], "lrc": [3.8, 5.1, 5.0, 10.9]})
    same = pd.DataFrame({"term": ["工作", "做好", "全市", "流动人口"], "in_reference": [True, True, False, True],
                         "lrc": [1.7, 0.0, 5.0, 1.5], "g2": [64.9, 18.2, 67.1, 23.9]})
    # 做好 is no keyword against the reports (LRC 0); 全市 is not in them at all (not register:
    # another level of government); 工作 and 流動人口 stay keywords.
    assert findings.register_words(general, same) == ["做好"]


def test_the_vocabulary_finding_on_the_seed(tokens, corpus):
    from analysis import (
        collocations,
        frequencies,
        keyness,
        same_genre_reference,
        term_counts,
    )

    freq = frequencies(tokens)
    same = keyness(tokens, reference=same_genre_reference(corpus), absent="include", positive_only=False)
    text = str(findings.vocabulary(freq, keyness(tokens), keyness(tokens, absent="only"), "雙降",
                                   collocations(tokens, node="雙降"), n_candidates=135,
                                   counts=term_counts(tokens, freq.token.head(3), match="both"), same=same))
    assert ("then 工作 (32 as a word; 39 in all, with those inside 群眾工作 4 · 工作人員 1 · 工作力度 1 · "
            "工作匯報 1), 群眾 (15 as a word; 24 in all, with those inside 群眾工作 4 · 群眾團體 2 · 聯系群眾 2 · "
            "動員群眾 1)") in text
    assert "Keywords against general Chinese, by LRC: 著力 (×9, LRC 7.6), 做好 (×9, LRC 5.1)" in text
    assert "or phrases its segmenter cuts into words, and so counted apart rather than ranked: 計生協會 (×35)" in text
    assert "Of those top 10, 切實, 積極, 落實 are no keyword against the government work reports 2008–2016" in text
    assert "全市: never in the government work reports 2008–2016" in text
    assert "協會 (×5, compared inside words: 27 against 4, LRC 6.3)" in text
    assert "Bonferroni-corrected over 135 candidates" in text


def test_term_spread_and_dispersion_say_how_many_hits_are_words(tokens, corpus):
    from analysis import dispersion_measures, kwic

    spread = str(findings.term_spread(kwic(corpus, "群眾"), "群眾", corpus, tokens=tokens))
    assert spread.startswith("- **群眾** occurs 24 times in 1 speech; 15 of them as a word, the others inside "
                             "longer words (群眾工作 4 · 群眾團體 2 · 聯系群眾 2 · 動員群眾 1)")
    assert "as a word" not in str(findings.term_spread(kwic(corpus, "雙降"), "雙降", corpus, tokens=tokens))
    text = str(findings.dispersion(dispersion_measures(corpus, ["群眾", "雙降"]), tokens=tokens))
    assert "- 群眾: 24 hits (15 as a word) in 9 of 17 paragraphs; DP 0.43" in text
    assert "- 雙降: 7 hits in 3 of 17 paragraphs" in text


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


def _audit(rows):
    return pd.DataFrame(rows, columns=["speech_id", "kind", "start", "end", "text", "new"])


def test_the_cleaning_finding_names_every_deletion_and_counts_changes_apart():
    """Notebook 00's cleaning sentence: each kind of deletion in words (none left out under
    "nothing else"), and substitutions (analysis.removals lists them too) counted as
    characters changed, not as lines removed."""
    corpus = pd.DataFrame({"speech_id": ["a"], "raw": ["標題\n協(xié)會，【打印本頁】\n"]})
    audit = _audit([("a", "title", 0, 3, "標題\n", ""), ("a", "pinyin", 4, 9, "(xié)", ""),
                    ("a", "toolbar", 10, 16, "【打印本頁】", ""), ("a", "punctuation", 9, 10, ",", "，"),
                    ("a", "punctuation", 11, 12, ":", "："), ("a", "whitespace", 16, 17, "\n", "")])
    assert findings._cleaning(corpus, audit) == (
        "Cleaning removed 1 title line, 1 page-tool line, 1 inline pinyin reading (1 after 協); other changes: 2 "
        "punctuation marks to full width, and nothing else (every change is in the audit table).")
    assert findings._cleaning(corpus, audit[audit.kind == "whitespace"]) == "Cleaning removed nothing but whitespace."
    assert findings._cleaning(corpus, audit.iloc[:0]) == "Cleaning removed nothing."
    # Many speeches: the most frequent kinds first, each with the speeches it touched.
    many = pd.DataFrame({"speech_id": list("abcdefg"), "raw": [""] * 7})
    audit = _audit([(s, "join", 0, 1, "\n", "") for s in "abc"] + [("a", "join", 5, 6, "\n", ""),
                   ("d", "page", 0, 4, "- 2 -", ""), ("e", "split", 3, 3, "", "\n")])
    assert findings._cleaning(many, audit) == (
        "Cleaning removed 4 line breaks inside a paragraph in 3 speeches, 1 PDF page header or number in 1 "
        "speech; other changes: 1 line break inserted.")
