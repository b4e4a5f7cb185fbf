"""themes: the lexicon file, hits (leftmost-longest, both scripts, token-aware option) and
shares per section and per speech.

Expected counts on the seed were made by reading the seed text and counting by hand.
"""
from __future__ import annotations

import math

import pandas as pd
import pytest

from analysis import tokenize
from analysis.measures.themes import theme_hits, theme_lexicon, theme_shares

THEMES = ["control", "service", "sector", "mass_work", "floating", "incentives", "propaganda",
          "organisation", "association"]


@pytest.fixture(scope="module")
def seed_shares(seed_corpus):
    return theme_shares(seed_corpus)


def _hits(frame: pd.DataFrame, section: str) -> dict[str, int]:
    rows = frame[(frame.section == section) & (frame.hits > 0)]
    return dict(zip(rows.theme, rows.hits))


# --------------------------------------------------------------------------- lexicon

def test_lexicon_themes_labels_and_simplified_terms():
    lexicon = theme_lexicon()
    assert lexicon.columns.tolist() == ["theme", "label", "term", "simplified"]
    assert list(dict.fromkeys(lexicon.theme)) == THEMES
    labels = dict(zip(lexicon.theme, lexicon.label))
    assert labels["control"] == "生育控制" and labels["service"] == "服務與健康"
    assert labels["sector"] == "部門名稱"
    assert labels["floating"] == "流動人口"
    row = lexicon[lexicon.term == "聯系群眾"].iloc[0]
    assert (row.theme, row.simplified) == ("mass_work", "联系群众")
    assert lexicon.simplified.is_unique


def test_lexicon_file_errors(tmp_path):
    path = tmp_path / "themes.tsv"
    path.write_text("# comment\nmass\t群眾\t群眾工作\nmass\t群众\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"themes.tsv:3: term '群众' already listed on line 2"):
        theme_lexicon(path)
    path.write_text("mass\t群眾\t群眾工作\nmass\t服務群眾\t群众\n", encoding="utf-8")
    with pytest.raises(ValueError, match="two labels"):
        theme_lexicon(path)
    path.write_text("mass work\t群眾\n", encoding="utf-8")
    with pytest.raises(ValueError, match="theme key"):
        theme_lexicon(path)
    path.write_text("mass\t群眾\n\nfloat\t流動人口\t流動\n", encoding="utf-8")
    assert theme_lexicon(path).values.tolist() == [
        ["mass", "mass", "群眾", "群众"], ["float", "流動", "流動人口", "流动人口"]]


# --------------------------------------------------------------------------- hits

def test_longest_term_wins_and_is_counted_once():
    hits = theme_hits("加强群众工作，服务群众，联系群众，依靠群众。")
    assert hits[["term", "theme", "start", "end"]].values.tolist() == [
        ["群众工作", "mass_work", 2, 6],
        ["服务群众", "mass_work", 7, 11],
        ["联系群众", "mass_work", 12, 16],
        ["群众", "mass_work", 19, 21],
    ]


def test_traditional_and_simplified_match_the_same_terms():
    trad = theme_hits("加強群眾工作，關注流動人口。")
    simp = theme_hits("加强群众工作，关注流动人口。")
    assert trad.term.tolist() == ["群眾工作", "流動人口"]  # as written
    assert trad.simplified.tolist() == ["群众工作", "流动人口"]
    assert simp.simplified.tolist() == ["群众工作", "流动人口"]
    assert trad.theme.tolist() == simp.theme.tolist() == ["mass_work", "floating"]


def test_leftmost_match_takes_the_characters():
    # 宣傳隊 starts first, so 隊伍 (organisation) is not counted in 宣傳隊伍.
    hits = theme_hits("有宣传队伍")
    assert hits[["simplified", "theme"]].values.tolist() == [["宣传队", "propaganda"]]


def test_tokens_refuse_a_term_that_cuts_two_words():
    text = "要减少生育，真正使群众少生、快富。"
    plain = theme_hits(text)
    assert plain.simplified.tolist() == ["少生", "群众", "少生"]
    tokens = tokenize(text)
    assert tokens.token.tolist()[:3] == ["要", "减少", "生育"]  # the premise: 减少|生育
    tokens.insert(0, "speech_id", "text")
    aware = theme_hits(text, tokens=tokens)
    assert aware[["simplified", "start"]].values.tolist() == [["群众", 9], ["少生", 11]]
    with pytest.raises(ValueError, match="tokens has no rows for speech 'text'"):
        theme_hits(text, tokens=tokens.assign(speech_id="other"))


def test_control_service_and_the_sectors_name_are_apart():
    # The shift from birth control to services is what the field follows: 雙降 and 避孕節育
    # are control, 生殖健康 service, 人口計生 the sector naming itself; 服務群眾 is mass work
    # because the longer term wins. The 服務 after 生殖健康 is bare: no service phrase.
    hits = theme_hits("落實避孕節育，實現雙降；開展生殖健康服務，服務群眾，做好人口計生工作。")
    assert hits[["term", "theme"]].values.tolist() == [
        ["避孕節育", "control"], ["雙降", "control"], ["生殖健康", "service"],
        ["服務群眾", "mass_work"], ["人口計生", "sector"]]


def test_bare_service_is_not_the_service_theme_and_enforcement_is_control():
    # Written for the test: serving the overall situation and people's livelihood, a cadre who
    # wants to, can and knows how to serve: no service delivered. A service network, a service
    # station and good-quality service are. The social maintenance fee and the concentrated
    # service drive are enforcement: control.
    hits = theme_hits("要服務大局、服務民生，想服務、能服務；建好服務網絡和服務站，提供優質服務；"
                      "依法征收社會撫養費，開展集中服務活動，做好清理清查，減少政策外生育。")
    assert hits[["term", "theme"]].values.tolist() == [
        ["民生", "mass_work"], ["服務網絡", "service"], ["服務站", "service"], ["優質服務", "service"],
        ["社會撫養費", "control"], ["集中服務活動", "control"], ["清理清查", "control"],
        ["政策外生育", "control"]]
    assert "服務" not in set(theme_lexicon()["simplified"])


def test_the_seed_service_theme_counts_service_phrases():
    # Read off the seed: of its 20 former service hits, 14 were bare 服務 (服務大局, 服務民生,
    # 服務社會, 服務基層, 想/能/會服務 …). Now: 公共服務, 服務活動 (宣傳服務活動), 生殖健康 ×2,
    # 優生優育 ×2, 優質服務, 服務管理, 服務網絡, 管理服務, 關懷服務, 服務計劃: 12.
    from analysis import load_corpus

    hits = theme_hits(load_corpus())
    service = hits[hits.theme == "service"]
    assert service.term.tolist() == ["公共服務", "服務活動", "生殖健康", "優生優育", "優質服務", "優生優育",
                                     "服務管理", "服務網絡", "管理服務", "關懷服務", "服務計劃", "生殖健康"]


def test_seed_hits_in_section_1(seed_corpus):
    hits = theme_hits(seed_corpus)
    first = hits[hits.section == 1]
    # Section 一, point 2 (read by hand): 統籌解決人口問題, 人口計生工作 three times, “雙降” three times;
    # point 3: 公共服務.
    assert first[first.theme == "control"].term.tolist() == ["人口問題", "雙降", "雙降", "雙降"]
    assert first[first.theme == "sector"].term.tolist() == ["人口計生"] * 3
    assert first[first.theme == "service"].term.tolist() == ["公共服務"]
    assert first[first.theme == "mass_work"].term.tolist() == [
        "聯系群眾", "群眾工作", "群眾團體", "群眾工作", "組織群眾", "宣傳群眾", "服務群眾", "群眾", "群眾"]
    assert set(hits.speech_id) == {"000_8ebf5a98b5b66884"}


# --------------------------------------------------------------------------- shares

def test_seed_shares_grid(seed_shares):
    assert seed_shares.columns.tolist() == [
        "speech_id", "section", "place", "theme", "label", "hits", "share", "per_1000", "n_chars"]
    assert list(dict.fromkeys(seed_shares.place)) == ["前言", "一", "二", "三", "結語"]
    assert seed_shares.place.cat.ordered
    assert list(dict.fromkeys(seed_shares.section)) == ["preamble", "1", "2", "3", "closing"]
    assert len(seed_shares) == 5 * 9
    assert seed_shares.theme.tolist()[:9] == THEMES


def test_seed_shares_preamble_and_closing(seed_shares):
    # Preamble: 計劃生育協會 ×3, 計生協會 ×4, 計生協 (the association naming itself);
    # 理事, 自身建設 (organisation); 民生 (mass work); 服務大局, 服務民生: bare 服務, no service.
    assert _hits(seed_shares, "preamble") == {"mass_work": 1, "organisation": 2, "association": 8}
    # Closing: 計生協會 twice and nothing else.
    assert _hits(seed_shares, "closing") == {"association": 2}
    closing = seed_shares[(seed_shares.section == "closing") & (seed_shares.theme == "association")].iloc[0]
    assert closing.n_chars == 106
    assert closing.share == 1.0
    assert math.isclose(closing.per_1000, 2000 / 106)
    pre = seed_shares[(seed_shares.section == "preamble") & (seed_shares.theme == "association")].iloc[0]
    assert pre.n_chars == 3 + 242  # salutation 同志們 + preamble
    assert math.isclose(pre.share, 8 / 11)


def test_seed_shares_section_1_and_floating_population(seed_shares):
    assert _hits(seed_shares, "1")["control"] == 4 and _hits(seed_shares, "1")["sector"] == 3
    assert _hits(seed_shares, "1")["mass_work"] == 9
    floating = seed_shares[seed_shares.theme == "floating"]
    # 流動人口 ×5, 留守兒童, 出租戶: all in section 2, point 3.
    assert floating.hits.tolist() == [0, 0, 7, 0, 0]


def test_section_without_hits_has_no_share():
    shares = theme_shares("同志們：\n一、加強領導\n狠抓落實。\n二、關注流動人口\n做好工作。")
    assert list(dict.fromkeys(shares.section)) == ["preamble", "1", "2"]
    first = shares[shares.section == "1"]
    assert first.hits.sum() == 0
    assert first.share.isna().all()
    assert first.per_1000.tolist() == [0.0] * 9
    second = shares[(shares.section == "2") & (shares.theme == "floating")].iloc[0]
    assert (second.hits, second.share) == (1, 1.0)


def test_shares_by_speech(seed_corpus):
    shares = theme_shares(seed_corpus, unit="speech")
    assert shares.columns.tolist() == ["speech_id", "theme", "label", "hits", "share", "per_1000", "n_chars"]
    assert shares.theme.tolist() == THEMES
    assert shares.n_chars.unique().tolist() == [2459]
    assert shares.set_index("theme").loc["floating", "hits"] == 7
    assert math.isclose(shares.share.sum(), 1.0)
    with pytest.raises(ValueError, match="unit must be"):
        theme_shares(seed_corpus, unit="point")


def test_top_terms_per_theme(seed_corpus):
    from analysis.measures.themes import top_terms

    hits = theme_hits(seed_corpus)
    # 雙降 (7) leads birth control, 生殖健康 (2, first of the ties) services, 人口計生 the sector's
    # name; 群眾 mass work.
    assert top_terms(hits) == ["雙降", "生殖健康", "人口計生", "群眾", "流動人口", "利益導向", "宣傳", "組織",
                               "計生協會"]
    assert top_terms(hits, n=2)[:2] == ["雙降", "人口問題"]
