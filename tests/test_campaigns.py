"""campaigns, campaign_mentions, formulas: quoted names, their categories and counts, numbered
formulas and their expansions, on the seed (Traditional) and on hand-built Simplified texts.

Every expected value below was read off the seed text by hand (print
``analysis.load_corpus().text[0]``), not produced by the functions under test.
"""
from __future__ import annotations

import pandas as pd
import pytest

from analysis import to_simplified
from analysis.campaigns import (
    campaign_mentions,
    campaign_rules,
    campaigns,
    corpus_campaigns,
    corpus_formulas,
    formulas,
)

NA = pd.NA

# name, category, quoted (in marks of its own), count (all occurrences), section of the first
# occurrence (None: preamble), point of the first occurrence.
SEED_CAMPAIGNS = [
    ("兩會", "event", 1, 1, None, None),
    ("全市2011年計劃生育協會工作目標績效評估結果的表彰通報", "document", 1, 1, None, None),
    # “雙降” five times in section 1-2 and once inside the 《…確保“雙降”目標…》 title; a 7th,
    # bare, inside “…帶頭少生促雙降”.
    ("雙降", "formula", 6, 7, 1, 2),
    ("兩年明顯變化、五年大見成效、十年實現跨越", "formula", 1, 1, 1, 2),  # “…”的要求
    ("百萬會員一幫一、帶頭少生促雙降", "campaign", 1, 1, 2, 1),
    ("晚婚晚育、從我做起", "campaign", 1, 1, 2, 1),  # “…”宣傳服務活動
    ("關愛女孩行動", "campaign", 1, 1, 2, 1),
    ("婚育新風進萬家", "campaign", 1, 1, 2, 1),  # “…”活動
    ("陽光計生行動", "campaign", 1, 1, 2, 2),
    ("雙誠信、雙承諾", "campaign", 1, 1, 2, 2),  # “…”工作
    ("誠信計生承諾協議", "other", 1, 1, 2, 2),
    ("五項工程", "formula", 1, 1, 2, 4),
    ("生育關懷行動", "campaign", 1, 1, 2, 4),
    ("幸福工程", "campaign", 1, 2, 2, 4),  # bare again in 做好農村計生幫扶和幸福工程
    ("倡導婚育新風、推進移風易俗、促進男女平等", "slogan", 1, 1, 2, 5),
    ("五有", "formula", 1, 1, 2, 5),
    ("會員之家", "other", 1, 2, 2, 5),  # bare again in （建會員之家、…）
    ("雙建雙匯", "formula", 1, 1, 2, 5),
    ("三進", "formula", 1, 1, 2, 5),
    ("關于持續加大人口和計劃生育工作力度確保“雙降”目標實現的實施意見", "document", 1, 1, 3, 1),
    ("車之兩輪、鳥之兩翼", "figure", 1, 1, 3, 2),  # 猶如“…”
]


def _rows(frame: pd.DataFrame) -> list[tuple]:
    def plain(v):
        return None if v is pd.NA else int(v)
    return [(r.name, r.category, int(r.quoted), int(r.count), plain(r.section), plain(r.point))
            for r in frame.itertuples(index=False)]


@pytest.fixture(scope="module")
def seed_campaigns(seed_text):
    return campaigns(seed_text)


@pytest.fixture(scope="module")
def seed_formulas(seed_text):
    return formulas(seed_text)


# --------------------------------------------------------------------------- campaigns

def test_seed_campaigns_table(seed_campaigns):
    assert _rows(seed_campaigns) == SEED_CAMPAIGNS


def test_seed_campaigns_kinds_spans_and_clauses(seed_text, seed_campaigns):
    by_name = seed_campaigns.set_index("name")
    assert by_name.loc["全市2011年計劃生育協會工作目標績效評估結果的表彰通報", "kind"] == "title"
    assert by_name.loc["幸福工程", "kind"] == "quote"
    for row in seed_campaigns.itertuples(index=False):
        assert seed_text[row.start:row.end] == row.name
    assert by_name.loc["百萬會員一幫一、帶頭少生促雙降", "clauses"] == ["百萬會員一幫一", "帶頭少生促雙降"]
    assert by_name.loc["雙誠信、雙承諾", "clauses"] == ["雙誠信", "雙承諾"]
    assert by_name.loc["幸福工程", "clauses"] == ["幸福工程"]
    assert by_name.loc["雙降", "sections"] == [1, 2, 3]
    assert by_name.loc["雙降", "start"] == 502
    assert by_name.loc["雙降", "simplified"] == "双降"


def test_seed_campaign_rules_that_decided(seed_campaigns):
    rule = dict(zip(seed_campaigns.name, seed_campaigns.rule))
    assert rule["百萬會員一幫一、帶頭少生促雙降"] == "name_contains 一幫一"
    assert rule["晚婚晚育、從我做起"] == "followed_by 活動"
    assert rule["三進"] == "shape numeral_formula"  # not “三進”等活動
    assert rule["兩年明顯變化、五年大見成效、十年實現跨越"] == "followed_by 要求"
    assert rule["車之兩輪、鳥之兩翼"] == "preceded_by 猶如"
    assert rule["誠信計生承諾協議"] == ""


def test_seed_in_simplified_gives_the_same_names_and_categories(seed_text):
    frame = campaigns(to_simplified(seed_text))
    assert frame.name.tolist()[:4] == ["两会", "全市2011年计划生育协会工作目标绩效评估结果的表彰通报", "双降",
                                       "两年明显变化、五年大见成效、十年实现跨越"]
    assert [(n, c, q, k) for n, c, q, k, _, _ in _rows(frame)] == [
        (to_simplified(n), c, q, k) for n, c, q, k, _, _ in SEED_CAMPAIGNS]


def test_seed_mentions_one_row_per_occurrence(seed_text):
    mentions = campaign_mentions(seed_text)
    xingfu = mentions[mentions.name == "幸福工程"]
    assert xingfu[["start", "quoted", "section", "point"]].values.tolist() == [
        [1643, True, 2, 4], [1720, False, 2, 4]]
    shuangjiang = mentions[mentions.simplified == "双降"]
    assert shuangjiang.start.tolist() == [502, 548, 640, 893, 1009, 1104, 2240]
    assert shuangjiang.quoted.tolist() == [True, True, True, True, False, True, True]
    assert len(mentions) == 29  # 21 names, plus the second 幸福工程 and 會員之家 and 6 more 雙降


def test_context_decides_between_campaign_and_slogan():
    assert campaigns("要开展“晚婚晚育、从我做起”宣传服务活动。").category.tolist() == ["campaign"]
    assert campaigns("坚持“晚婚晚育、从我做起”。").category.tolist() == ["slogan"]


def test_campaign_containing_a_formula_and_the_formula_itself():
    frame = campaigns("开展“百万会员一帮一、带头少生促双降”活动，实现“双降”目标。")
    assert frame[["name", "category", "quoted", "count"]].values.tolist() == [
        ["百万会员一帮一、带头少生促双降", "campaign", 1, 1],
        ["双降", "formula", 1, 2],
    ]


def test_figure_document_event_other_in_simplified():
    frame = campaigns("两者如同“车之两轮、鸟之两翼”，建好“会员之家”。学习《关于加强计划生育工作的意见》和“两会”精神。")
    assert frame[["name", "kind", "category"]].values.tolist() == [
        ["车之两轮、鸟之两翼", "quote", "figure"],
        ["会员之家", "quote", "other"],  # one X之Y clause is a name, not a simile
        ["关于加强计划生育工作的意见", "title", "document"],
        ["两会", "quote", "event"],
    ]


def test_other_quotation_marks_and_sentences_in_quotes():
    frame = campaigns('推行「陽光計生行動」和"幸福工程"、＂三進＂，他说：“我们要抓落实。”')
    assert frame.name.tolist() == ["陽光計生行動", "幸福工程", "三進"]  # a quoted sentence is no name
    assert frame.category.tolist() == ["campaign", "campaign", "formula"]
    frame = campaigns("學習《條例〈總則〉》。")
    assert frame[["name", "kind"]].values.tolist() == [["條例〈總則〉", "title"], ["總則", "title"]]


def test_bare_mention_is_counted_but_not_quoted():
    frame = campaigns("开展“幸福工程”，做好幸福工程。")
    assert frame[["quoted", "count", "start", "end"]].values.tolist() == [[1, 2, 3, 7]]
    # A one-character name would match everywhere; only its quoted mention counts.
    assert campaigns("说一个“好”字，好好学习。")[["quoted", "count"]].values.tolist() == [[1, 1]]


def test_idioms_and_plan_periods_are_other():
    frame = campaigns("实行“十二五”规划，走遍“五湖四海”。")
    assert frame.category.tolist() == ["other", "other"]


def test_no_quotes_gives_empty_frame_with_columns():
    frame = campaigns("加强领导，狠抓落实。")
    assert frame.empty
    assert {"name", "category", "count", "clauses", "section"} <= set(frame.columns)


def test_rule_order_is_precedence(seed_text):
    rules = campaign_rules()
    slogan_first = pd.concat([rules[rules.category == "slogan"], rules[rules.category != "slogan"]])
    frame = campaigns("要开展“晚婚晚育、从我做起”宣传服务活动。", rules=slogan_first)
    assert frame.category.tolist() == ["slogan"]


def test_campaign_rules_file_errors(tmp_path):
    bad = tmp_path / "rules.tsv"
    bad.write_text("# comment\ncampaign\tname_ends\t行動\nmovement\tname\t某某\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"rules.tsv:3: unknown category 'movement'"):
        campaign_rules(bad)
    bad.write_text("campaign\tshape\tround\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown shape 'round'"):
        campaign_rules(bad)
    good = tmp_path / "good.tsv"
    good.write_text("# only one rule\n\ncampaign\tname_ends\t行動\n", encoding="utf-8")
    assert campaign_rules(good).values.tolist() == [["campaign", "name_ends", "行動", "行动"]]


def test_corpus_campaigns_and_formulas_carry_speech_id(seed_corpus):
    frame = corpus_campaigns(seed_corpus)
    assert frame.columns[0] == "speech_id"
    assert len(frame) == 21
    assert set(frame.speech_id) == {"000_8ebf5a98b5b66884"}
    assert corpus_formulas(seed_corpus).formula.tolist()[:2] == ["兩會", "雙降"]


# --------------------------------------------------------------------------- formulas

def test_seed_formulas_table(seed_formulas):
    rows = [(r.formula, r.evidence, r.numerals, None if r.numeral is NA else int(r.numeral),
             int(r.count), r.expansion, r.expansion_source,
             None if r.matches is NA else bool(r.matches))
            for r in seed_formulas.itertuples(index=False)]
    assert rows == [
        ("兩會", "quoted", [2], 2, 1, [], "none", None),
        ("雙降", "quoted", [2], 2, 7, ["降低人口出生率", "自然增長率"], "defining sentence", True),
        ("兩年明顯變化、五年大見成效、十年實現跨越", "quoted", [2, 5, 10], None, 1, [], "none", None),
        ("雙誠信、雙承諾", "quoted", [2, 2], 4, 1, [], "none", None),
        ("兩委", "lexicon", [2], 2, 1, [], "none", None),  # 村（居）兩委, bare
        ("五項工程", "quoted", [5], 5, 1, [], "none", None),
        ("五有", "quoted", [5], 5, 1,
         ["有活動場所", "有活動制度", "有宣傳隊伍", "有文體器材", "有服務計劃和記錄"], "parenthesis", True),
        ("雙建雙匯", "quoted", [2, 2], 4, 1,
         ["建會員之家", "建文藝宣傳隊", "匯編人口文化作品", "開展文藝匯演"], "parenthesis", True),
        ("三進", "quoted", [3], 3, 1, ["進校園", "進企業", "進社區"], "parenthesis", True),
    ]


def test_seed_formula_places(seed_text, seed_formulas):
    by = seed_formulas.set_index("formula")
    assert by.loc["五有", ["section", "point", "quoted"]].tolist() == [2, 5, 1]
    assert by.loc["雙降", ["start", "end", "quoted", "n_items"]].tolist() == [502, 504, 6, 2]
    # The expansion of 雙降 is the subject of the sentence after 2.1's title.
    at = by.loc["雙降", "expansion_start"]
    assert seed_text[at:at + 14] == "降低人口出生率和自然增長率是"
    assert seed_text[by.loc["五有", "expansion_start"]] == "（"
    assert by.loc["兩會", "part"] == "preamble"
    assert by.loc["兩會", "section"] is NA


def test_point_labels_ordinals_and_counting_are_not_formulas():
    assert formulas("一是加强领导。二是部门支持。三是自身建设。第一，讲三点意见。").empty
    assert formulas("第一届一次会议，一些同志，一个时期，2012年，十分艰巨，十分严峻。").empty
    assert formulas("抓好三个方面（思想、组织、作风）。").empty  # a count, though expanded


def test_a_gloss_in_parentheses_is_not_an_expansion():
    frame = formulas("开展“三进”活动，各县（区）要抓好落实。")
    assert frame.formula.tolist() == ["三进"]
    assert frame.expansion_source.tolist() == ["none"]
    assert frame.matches.isna().all()
    assert formulas("发挥“两委”（试行）作用。").expansion.tolist() == [[]]


def test_bare_formula_counts_only_when_the_parenthesis_matches_its_numeral():
    frame = formulas("开展三进（进校园、进企业、进社区）活动。")
    assert frame[["formula", "evidence", "n_items"]].values.tolist() == [["三进", "expanded", 3]]
    assert frame.matches.tolist() == [True]
    assert formulas("开展三进（进校园、进企业）活动。").empty


def test_expansion_after_ji_and_with_he():
    frame = formulas("实现“双降”，即降低出生率、降低自然增长率。")
    assert frame[["expansion", "expansion_source"]].values.tolist() == [[["降低出生率", "降低自然增长率"], "即"]]
    frame = formulas("发挥“两委”（村党支部和村委会）作用。")
    assert frame.expansion.tolist() == [["村党支部", "村委会"]]


def test_compound_formula_sums_its_numerals_and_splits_on_both_commas():
    frame = formulas("落实“双建双汇”（建会员之家、建文艺宣传队，汇编人口文化作品、开展文艺汇演）。")
    assert frame[["numeral", "n_items"]].values.tolist() == [[4, 4]]
    assert frame.matches.tolist() == [True]


def test_defining_sentence_needs_same_paragraph_and_a_shared_character():
    found = formulas("要实现“双降”目标。降低人口出生率和自然增长率是当前的重中之重。")
    assert found.expansion.tolist() == [["降低人口出生率", "自然增长率"]]
    other_paragraph = formulas("要实现“双降”目标。\n降低人口出生率和自然增长率是当前的重中之重。")
    assert other_paragraph.expansion_source.tolist() == ["none"]
    unrelated = formulas("要实现“双降”目标。提高服务水平和工作质量是当前的重中之重。")
    assert unrelated.expansion_source.tolist() == ["none"]


def test_repeated_compound_is_a_formula_but_idioms_are_not():
    frame = formulas("推行四联四帮工作法，四联四帮要落实。")
    assert frame[["formula", "evidence", "count"]].values.tolist() == [["四联四帮", "repeated", 2]]
    assert formulas("五湖四海，五湖四海。千家万户，千家万户。一心一意，一心一意。").empty
    assert formulas("推行四联四帮工作法。").empty  # said once, bare: not enough


def test_timeline_claims_no_count():
    frame = formulas("实现“两年明显变化、五年大见成效、十年实现跨越”的要求。")
    assert frame.numerals.tolist() == [[2, 5, 10]]
    assert frame.numeral.isna().all()
    assert frame.matches.isna().all()
