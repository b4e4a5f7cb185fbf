"""formulas, corpus_formulas and the researcher's lists behind them (gazetteer, stoplist).

Every expected value was worked out by hand from the texts below (hand-written, in the
project's own words) or read off the seed (print ``analysis.load_corpus().text[0]``); none
was produced by the functions under test. The shared reports are used only where the
``gwr_dir`` fixture finds them, and no text of theirs is copied here.
"""
from __future__ import annotations

import warnings

import pandas as pd
import pytest

from analysis.extract.formulas import (
    corpus_formulas,
    formula_shape,
    formulas,
    gazetteer,
    lexicon,
    not_formulas,
    numeral_claim,
)

NA = pd.NA


def _plain(v):
    return None if v is pd.NA else v


# --------------------------------------------------------------------------- the seed

@pytest.fixture(scope="module")
def seed_formulas(seed_text):
    return formulas(seed_text)


def test_seed_formulas_table(seed_formulas):
    rows = [(r.formula, r.evidence, r.numerals, _plain(r.numeral), r.numeral_kind, int(r.quoted),
             int(r.count), r.expansion, r.expansion_source, _plain(r.matches))
            for r in seed_formulas.itertuples(index=False)]
    assert rows == [
        ("兩會", "quoted", [2], 2, "count", 1, 1, [], "none", None),
        # 雙降: quoted five times in the text and once inside the 《》 title, bare once in
        # “…帶頭少生促雙降”; defined by the sentence after 2.1's heading, whose shared head
        # 降低人口 goes to both coordinated rates.
        ("雙降", "quoted", [2], 2, "count", 6, 7, ["降低人口出生率", "降低人口自然增長率"],
         "defining sentence", True),
        ("兩年明顯變化、五年大見成效、十年實現跨越", "quoted", [2, 5, 10], None, "timeline", 1, 1,
         [], "none", None),
        # 雙 = both sides pledge: no count of two (the gazetteer says `both`).
        ("雙誠信、雙承諾", "quoted", [2, 2], None, "both", 1, 1, [], "none", None),
        ("兩委", "gazetteer", [2], 2, "count", 0, 1, [], "none", None),  # 村(居)兩委, bare
        ("五項工程", "quoted", [5], 5, "count", 1, 1, [], "none", None),
        ("五有", "quoted", [5], 5, "count", 1, 1,
         ["有活動場所", "有活動制度", "有宣傳隊伍", "有文體器材", "有服務計劃和記錄"], "parenthesis", True),
        ("雙建雙匯", "quoted", [2, 2], 4, "count", 1, 1,
         ["建會員之家", "建文藝宣傳隊", "匯編人口文化作品", "開展文藝匯演"], "parenthesis", True),
        ("三進", "quoted", [3], 3, "count", 1, 1, ["進校園", "進企業", "進社區"], "parenthesis", True),
    ]


def test_seed_formula_places(seed_text, seed_formulas):
    by = seed_formulas.set_index("formula")
    assert by.loc["五有", ["section", "point", "quoted"]].tolist() == [2, 5, 1]
    assert by.loc["雙降", ["start", "end", "n_items"]].tolist() == [502, 504, 2]
    at = by.loc["雙降", "expansion_start"]
    assert seed_text[at:at + 14] == "降低人口出生率和自然增長率是"
    assert seed_text[by.loc["五有", "expansion_start"]] == "（"
    assert by.loc["兩會", "part"] == "preamble"
    assert by.loc["兩會", "section"] is NA


# --------------------------------------------------------------------------- what is no formula

def test_numbers_dates_ordinals_and_counts_are_not_formulas():
    assert formulas("一是加强领导。二是部门支持。三是自身建设。第一，讲三点意见。").empty
    assert formulas("第一届一次会议，一些同志，一个时期，2012年，十分艰巨，十分严峻。").empty
    assert formulas("抓好三个方面（思想、组织、作风）。").empty  # a count, though expanded
    # Years and numbers in numerals, decimals, ranges, plenums, congresses, streaks.
    text = ("一九七七年和一九七八年，一九七七年以来，一五六项工程，增长一点八倍，用五到十年，"
            "十一届三中全会，党的“十八大”，粮食“九连增”，“十二五”规划，第一个五年计划，第二个五年计划。")
    assert formulas(text).empty


def test_idioms_and_words_whose_numeral_counts_nothing_are_not_formulas():
    text = ("要“四两拨千斤”，不能“三心二意”，千方百计，“五湖四海”，“一刀切”要不得，反对“一切向钱看”，"
            "实现“双赢”，“百花齐放、百家争鸣”。五湖四海，五湖四海。一心一意，一心一意。")
    assert formulas(text).empty


def test_an_enumeration_is_no_count():
    assert formulas("坚持“一要吃饭、二要建设”。").empty
    assert formulas("坚持“两手抓、两手都要硬”。").numeral.tolist() == [2]  # the gazetteer's count


def test_a_gloss_in_parentheses_is_not_an_expansion():
    frame = formulas("开展“三进”活动，各县（区）要抓好落实。")
    assert frame.formula.tolist() == ["三进"]
    assert frame.expansion_source.tolist() == ["none"]
    assert frame.matches.isna().all()


# --------------------------------------------------------------------------- evidence

def test_known_formulas_are_found_bare_from_the_gazetteer():
    frame = formulas("坚持一国两制，贯彻三个代表重要思想，协调推进四个全面，落实中央八项规定。")
    assert frame[["formula", "evidence", "numeral_kind"]].values.tolist() == [
        ["一国两制", "gazetteer", "none"],  # one country, two systems: a structure, no list
        ["三个代表", "gazetteer", "count"],
        ["四个全面", "gazetteer", "count"],
        ["八项规定", "gazetteer", "count"],
    ]
    assert frame.numeral.tolist()[1:] == [3, 4, 8]


def test_a_variant_reports_its_canonical_name():
    frame = formulas("根据“一个国家、两种制度”的构想。")
    assert frame[["formula", "canonical", "evidence"]].values.tolist() == [
        ["一个国家、两种制度", "一国两制", "quoted"]]


def test_bare_formula_counts_only_when_the_parenthesis_matches_its_numeral():
    frame = formulas("开展三进（进校园、进企业、进社区）活动。")
    assert frame[["formula", "evidence", "n_items"]].values.tolist() == [["三进", "expanded", 3]]
    assert frame.matches.tolist() == [True]
    assert formulas("开展三进（进校园、进企业）活动。").empty


def test_repeated_compound_is_a_formula_but_once_is_not():
    frame = formulas("推行四联四帮工作法，四联四帮要落实。")
    assert frame[["formula", "evidence", "count"]].values.tolist() == [["四联四帮", "repeated", 2]]
    assert formulas("推行四联四帮工作法。").empty


def test_corpus_formulas_attested_elsewhere_in_the_corpus():
    corpus = pd.DataFrame({"speech_id": ["a", "b"],
                           "text": ["落实“五缓四减”政策。", "继续落实五缓四减，办好实事。"]})
    frame = corpus_formulas(corpus)
    assert frame[["speech_id", "formula", "evidence"]].values.tolist() == [
        ["a", "五缓四减", "quoted"], ["b", "五缓四减", "attested"]]
    assert corpus_formulas(corpus, attested=False).speech_id.tolist() == ["a"]


# --------------------------------------------------------------------------- numerals and expansions

def test_numeral_claims():
    assert numeral_claim("三去一降一补") == ([3, 1, 1], 5, "count")
    assert numeral_claim("两个一百年") == ([2], 2, "count")
    assert numeral_claim("双一流") == ([2], 2, "count")  # 双 then 一流, not the number 一
    assert numeral_claim("百县千乡") == ([100, 1000], None, "magnitude")  # a compound: both heads
    assert numeral_claim("五有", "6") == ([5], 6, "count")
    assert formula_shape("双诚信、双承诺") and not formula_shape("十三五")


def test_both_parties_is_not_a_count_of_two():
    frame = formulas("以村为主的“双诚信、双承诺”工作。")
    assert frame[["numerals", "numeral_kind"]].values.tolist() == [[[2, 2], "both"]]
    assert frame.numeral.isna().all() and frame.matches.isna().all()


@pytest.mark.parametrize("text, formula, items", [
    ("長照政策的目標是「五有」：幼有所育、學有所教、勞有所得、病有所醫、老有所養。", "五有",
     ["幼有所育", "學有所教", "勞有所得", "病有所醫", "老有所養"]),
    ("我們提出「三個確保」：確保物價穩定、確保就業增加、確保民生改善。", "三個確保",
     ["確保物價穩定", "確保就業增加", "確保民生改善"]),
    ("要落实“三进”要求：进企业、进社区、进家庭。", "三进", ["进企业", "进社区", "进家庭"]),
])
def test_expansion_after_a_colon(text, formula, items):
    """A colon after the formula (or after a word naming it) opens its list: a new user's
    「五有」：…, 「三個確保」：… had no expansion."""
    frame = formulas(text)
    row = frame[frame["formula"] == formula].iloc[0]
    assert (row["expansion"], row["expansion_source"], bool(row["matches"])) == (items, "colon", True)


@pytest.mark.parametrize("text", ["要實現“雙降”：這是全年的硬任務。", "抓好“三进”：进企业、进社区。"])
def test_a_colon_before_a_sentence_or_a_list_of_another_length_is_no_expansion(text):
    assert formulas(text)["expansion_source"].tolist() == ["none"]


def test_expansion_after_ji_and_with_he():
    frame = formulas("实现“双降”，即降低出生率、降低自然增长率。")
    assert frame[["expansion", "expansion_source"]].values.tolist() == [[["降低出生率", "降低自然增长率"], "即"]]
    frame = formulas("发挥“两委”（村党支部和村委会）作用。")
    assert frame.expansion.tolist() == [["村党支部", "村委会"]]


def test_a_shared_head_is_distributed_over_coordinated_items():
    found = formulas("要实现“双降”目标。降低人口出生率和自然增长率是当前的重中之重。")
    assert found.expansion.tolist() == [["降低人口出生率", "降低人口自然增长率"]]
    assert found.matches.tolist() == [True]
    # Items that do not end alike share only the verb.
    found = formulas("实现“双提高”，即提高农业综合生产能力和农民收入。")
    assert found.expansion.tolist() == [["提高农业综合生产能力", "提高农民收入"]]


def test_defining_sentence_needs_same_paragraph_and_a_shared_character():
    other_paragraph = formulas("要实现“双降”目标。\n降低人口出生率和自然增长率是当前的重中之重。")
    assert other_paragraph.expansion_source.tolist() == ["none"]
    unrelated = formulas("要实现“双降”目标。提高服务水平和工作质量是当前的重中之重。")
    assert unrelated.expansion_source.tolist() == ["none"]


def test_compound_formula_sums_its_numerals_and_splits_on_both_commas():
    frame = formulas("落实“双建双汇”（建会员之家、建文艺宣传队，汇编人口文化作品、开展文艺汇演）。")
    assert frame[["numeral", "n_items"]].values.tolist() == [[4, 4]]
    assert frame.matches.tolist() == [True]


def test_timeline_claims_no_count():
    frame = formulas("实现“两年明显变化、五年大见成效、十年实现跨越”的要求。")
    assert frame.numerals.tolist() == [[2, 5, 10]]
    assert frame.numeral.isna().all() and frame.matches.isna().all()


# --------------------------------------------------------------------------- the researcher's files

def test_gazetteer_file_errors(tmp_path):
    bad = tmp_path / "gaz.tsv"
    bad.write_text("# c\n双降\ttarget\n三进\tparade\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"gaz.tsv:3: unknown function 'parade'"):
        gazetteer(bad)
    bad.write_text("雙降\ttarget\n双降\ttarget\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"gaz.tsv:2: '双降' is already listed on line 1"):
        gazetteer(bad)
    bad.write_text("双降\ttarget\t\tmany\n", encoding="utf-8")
    with pytest.raises(ValueError, match="count must be empty, a number, both or none"):
        gazetteer(bad)
    good = tmp_path / "good.tsv"
    good.write_text("雙誠信、雙承諾\tmechanism\t雙誠信雙承諾\tboth\tboth sides\n", encoding="utf-8")
    assert gazetteer(good).values.tolist() == [
        ["雙誠信、雙承諾", "双诚信、双承诺", "mechanism", ["双诚信双承诺"], "both", "both sides"]]


def test_stoplist_prefixes_and_clauses(tmp_path):
    path = tmp_path / "stop.txt"
    path.write_text("# idioms\n五湖四海  # a comment\n一切*\n", encoding="utf-8")
    stop = not_formulas(path)
    assert "五湖四海" in stop and "一切向钱看" in stop and "三个代表" not in stop
    assert "五湖四海、四面八方" in stop  # a clause is listed
    lex = lexicon(gazetteer(), stop)
    assert formulas("走遍“五湖四海”，落实“三个代表”。", lex=lex).formula.tolist() == ["三个代表"]
    path.write_text("五湖 四海\n", encoding="utf-8")
    with pytest.raises(ValueError, match="stop.txt:1: one string a line"):
        not_formulas(path)


# --------------------------------------------------------------------------- the shared reports

@pytest.fixture(scope="module")
def gwr_formulas(gwr_dir):
    from analysis import load_corpus

    with warnings.catch_warnings():  # metadata.csv sits beside the reports
        warnings.filterwarnings("ignore", message="not loaded", category=UserWarning)
        return corpus_formulas(load_corpus(gwr_dir))


def test_shared_reports_find_the_known_formulas(gwr_formulas):
    found = set(gwr_formulas.simplified)
    assert {"一国两制", "三个代表", "四个全面", "八项规定", "两个一百年", "三去一降一补", "四个现代化"} <= found


def test_shared_reports_have_no_years_idioms_or_counts(gwr_formulas):
    found = set(gwr_formulas.simplified)
    assert not found & {"一九七七", "一九五七", "四两拨千斤", "三心二意", "千方百计", "一心一意",
                        "五湖四海", "三个方面", "一个五年", "一点八倍"}
    # No formula is a run of digits (a year), a plenum or a congress.
    assert not gwr_formulas.simplified.str.match("^[〇零一二三四五六七八九]{3}").any()
    assert not gwr_formulas.simplified.str.contains("中全会|届").any()


def test_shared_reports_one_row_per_speech_and_formula(gwr_formulas):
    assert not gwr_formulas.duplicated(["speech_id", "simplified"]).any()
    assert (gwr_formulas["count"] >= gwr_formulas["quoted"]).all()


def test_shared_reports_unquoted_formulas_lists_before_and_contexts(gwr_formulas):
    by = gwr_formulas.set_index(["speech_id", "simplified"])
    # Bare, in the gazetteer: 双循环 (2021, 2025) with its two parts written before it, 三步走 (1988).
    for year in (2021, 2025):
        row = by.loc[(f"gwr_{year}", "双循环")]
        assert (row["evidence"], row["expansion"], row["expansion_source"]) == ("gazetteer", ["国内", "国际"],
                                                                               "preceding list")
    assert by.loc[("gwr_1988", "三步走"), "evidence"] == "gazetteer"
    # An expansion listed before its formula.
    assert by.loc[("gwr_2016", "三大战略"), "expansion"] == ["“一带一路”建设", "京津冀协同发展", "长江经济带发展"]
    assert by.loc[("gwr_2012", "两个积极性"), "expansion"] == ["中央", "地方"]
    # 一个中国 five times in 2002 and twice in 2008, once each in 同属一个中国: not the formula there.
    assert by.loc[("gwr_2002", "一个中国"), "count"] == 4 and by.loc[("gwr_2008", "一个中国"), "count"] == 1
    # Every row carries the passage of its first occurrence.
    assert gwr_formulas["passage"].str.match(r"^(gwr|npc)_[\w]+:(pre|sal|end|txt|\d+(\.\d+)?):s\d+$").all()
    assert by.loc[("gwr_2016", "三大战略"), "passage"] == "gwr_2016:1.4:s2"


@pytest.mark.parametrize("text, formula, items", [
    # Written for the test. Two nouns joined by 和 before a formula of two.
    ("要充分調動中央和地方兩個積極性。", "兩個積極性", ["中央", "地方"]),
    # Two alike nouns written together (國內國際), before a gazetteer name.
    ("實現國內國際雙循環相互促進。", "雙循環", ["國內", "國際"]),
    # A list of three before a quoted formula: the clause's verb (重點推進) is left out.
    ("重點推進東部開放、中部崛起、西部開發“三大戰略”。", "三大戰略", ["東部開放", "中部崛起", "西部開發"]),
    # 等 between the list and the formula.
    ("反對浪費、拖延、推諉等“三種作風”。", "三種作風", ["浪費", "拖延", "推諉"]),
])
def test_an_expansion_listed_before_its_formula(text, formula, items):
    row = formulas(text).set_index("formula").loc[formula]
    assert (row["expansion"], row["expansion_source"], bool(row["matches"])) == (items, "preceding list", True)


@pytest.mark.parametrize("text, formula", [
    # Verbs, not the two things the formula counts.
    ("堅持和落實“兩個毫不動搖”。", "兩個毫不動搖"),
    # The formula is one more item of the list (和 joins them), not their sum.
    ("學習甲理論、乙思想、丙理論和“三個代表”。", "三個代表"),
    # Three items before a formula of two: no link.
    ("抓好甲、乙、丙“兩手抓”。", "兩手抓"),
])
def test_no_expansion_is_read_from_a_list_that_is_not_one(text, formula):
    row = formulas(text).set_index("formula").loc[formula]
    assert row["expansion"] == [] and row["expansion_source"] == "none"


def test_unquoted_gazetteer_formulas_and_a_context_that_is_no_formula():
    found = formulas("黨的大會確定了分三步走的發展戰略。大陸和台灣同屬一個中國。")
    assert found["formula"].tolist() == ["三步走"]
    assert formulas("堅持一個中國原則。")["formula"].tolist() == ["一個中國"]
    # Only the occurrence in the context is left out, and counted out.
    row = formulas("兩岸同屬一個中國，堅持一個中國原則。").iloc[0]
    assert (row["formula"], int(row["count"]), int(row["start"])) == ("一個中國", 1, 11)


def test_stoplist_contexts_are_read_and_checked(tmp_path):
    path = tmp_path / "stop.txt"
    path.write_text("# contexts\n同屬[一個中國]\n[兩個]之後\n", encoding="utf-8")
    stop = not_formulas(path)
    assert stop.contexts == (("同属", "一个中国", ""), ("", "两个", "之后"))
    assert stop.blocked("同属一个中国", 2, 6) and not stop.blocked("属于一个中国", 2, 6)
    path.write_text("[一個中國]\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"stop.txt:1: a context is written words\[formula\]words"):
        not_formulas(path)


def test_formulas_carry_their_passage():
    text = ("同志們：\n今天開好“兩會”。講三點。\n一、第一部分\n第一，要抓好“五有”（有甲、有乙、有丙、有丁、有戊）。"
            "甲很重要！\n第二，要抓好乙。\n二、第二部分\n這是第二部分的話。還有一句？\n同志們，讓我們共同努力。")
    found = formulas(text)
    assert found[["formula", "passage"]].values.tolist() == [["兩會", "text:pre:s1"], ["五有", "text:1.1:s1"]]


def test_places_agree_with_outline_locate(seed_text):
    from analysis.extract.formulas import places_of
    from analysis.text.outline import locate, outline

    parts = outline(seed_text)
    positions = list(range(0, len(seed_text), 7))
    expect = locate(positions, parts)
    got = places_of(positions, parts)
    assert got["part"] == expect["part"].tolist()
    assert got["section"] == expect["section"].tolist()
    assert got["point"] == expect["point"].tolist()
    assert places_of(positions[:2], None) == {"part": [None, None], "section": [NA, NA], "point": [NA, NA]}


@pytest.mark.parametrize("text, items", [
    # 即 after a word that names the formula (要求, 精神) and a comma
    ("要落实“四个不摘”要求，即摘帽不摘责任、摘帽不摘政策、摘帽不摘帮扶、摘帽不摘监管。",
     ["摘帽不摘责任", "摘帽不摘政策", "摘帽不摘帮扶", "摘帽不摘监管"]),
    ("落实“两个确立”要求即确立甲、确立乙。", ["确立甲", "确立乙"]),
    # 即将 (about to) is no expansion
    ("“三去一降一补”即将完成，去产能、去库存。", []),
])
def test_ji_expansion_across_a_naming_word(text, items):
    assert formulas(text)["expansion"].tolist() == [items]


def test_ji_expansion_runs_across_semicolons_when_that_gives_the_count():
    text = ("对基本建设坚决实行“三保三压”的方针，即保计划内建设，压计划外建设；保生产性建设，压非生产性建设；"
            "保重点建设，压非重点建设。目前各地正在认真贯彻。")
    row = formulas(text).iloc[0]
    assert row["expansion"] == ["保计划内建设", "压计划外建设", "保生产性建设", "压非生产性建设", "保重点建设",
                                "压非重点建设"]
    assert (row["numeral"], row["n_items"], bool(row["matches"])) == (6, 6, True)


def test_a_corpus_given_for_one_text_is_a_clear_error():
    """formulas, campaigns and campaign_mentions read one speech; given a corpus (as docs/api.md
    once wrote ``formulas(corpus)``) they name the function that reads a corpus, instead of
    failing inside OpenCC on ``'Corpus' object has no attribute 'encode'``."""
    import analysis

    corpus = pd.DataFrame({"speech_id": ["a"], "text": ["开展“三进”活动。"]})
    for function in (analysis.formulas, analysis.campaigns, analysis.campaign_mentions):
        name = function.__name__
        with pytest.raises(TypeError, match=rf"^{name}\(\) reads one speech's text \(a str\), not a corpus; .*"
                                            rf"analysis\.corpus_{name}\(corpus\)"):
            function(corpus)
    with pytest.raises(TypeError, match=r"not a list"):
        analysis.formulas(["开展“三进”活动。"])
