"""analysis.extract.targets: numbers in every form, units, qualifiers, ranges, the indicator a figure
belongs to, its kind and year; the data files' errors; agreement with the hand-coded sample
and the growth targets of the shared reports.

Every sentence here is written for the tests (none is copied from a speech)."""
from __future__ import annotations

import pandas as pd
import pytest

from analysis.extract.targets import (
    arabic_number,
    enough_for_targets,
    figure_label,
    indicator_table,
    target_agreement,
    target_rules,
    target_table,
    targets,
    targets_and_results,
    term_figures,
    text_targets,
    validation_targets,
    year_figures,
)

FIELDS = ["indicator", "value", "low", "high", "unit", "qualifier", "kind", "year", "until"]


def rows(text, year=2020, **kw):
    found = text_targets(text, year=year, **kw)
    return [[None if pd.isna(v) else v for v in r] for r in found[FIELDS].values.tolist()]


# --- numbers ---------------------------------------------------------------------------------

@pytest.mark.parametrize("written, value", [
    ("6.5", 6.5), ("６．５", 6.5), ("1 0", 10.0), ("3，680", 3680.0), ("1,100", 1100.0), ("4·5", 4.5),
])
def test_arabic_numbers(written, value):
    assert arabic_number(written) == value


@pytest.mark.parametrize("sentence, expected", [
    ("今年国内生产总值增长6.5%。", ["gdp_growth", 6.5, None, None, "%", ""]),
    ("今年国内生产总值增长６．５％。", ["gdp_growth", 6.5, None, None, "%", ""]),
    ("今年国内生产总值增长1 0 %。", ["gdp_growth", 10.0, None, None, "%", ""]),
    ("今年国内生产总值增长百分之八。", ["gdp_growth", 8.0, None, None, "%", ""]),
    ("今年国内生产总值增长百分之七点五。", ["gdp_growth", 7.5, None, None, "%", ""]),
    ("今年国内生产总值增长七点五%。", ["gdp_growth", 7.5, None, None, "%", ""]),
    ("今年国内生产总值增长百分之八至九。", ["gdp_growth", None, 8.0, 9.0, "%", ""]),
    ("今年国内生产总值增长百分之八到百分之九。", ["gdp_growth", None, 8.0, 9.0, "%", ""]),
    ("今年国内生产总值增长6%－6.5%。", ["gdp_growth", None, 6.0, 6.5, "%", ""]),
    ("今年国内生产总值增长6-6.5%。", ["gdp_growth", None, 6.0, 6.5, "%", ""]),
    ("今年人口自然增长率控制在千分之十三以内。", ["natural_growth_rate", 13.0, None, None, "‰", "以内"]),
    ("今年人口出生率降到12.5‰左右。", ["birth_rate", 12.5, None, None, "‰", "左右"]),
    ("今年城镇新增就业1100万人以上。", ["urban_jobs", 1100.0, None, None, "万人", "以上"]),
    ("今年城镇新增就业不低于900万人。", ["urban_jobs", 900.0, None, None, "万人", "不低于"]),
    ("今年城镇新增就业700多万人。", ["urban_jobs", 700.0, None, None, "万人", "多"]),
    ("今年居民消费价格涨幅不超过3%。", ["cpi", 3.0, None, None, "%", "不超过"]),
    ("今年粮食产量稳定在1.3万亿斤以上。", ["grain_output", 65000.0, None, None, "万吨", "以上"]),
    ("今年粮食产量达到5.5亿吨。", ["grain_output", 55000.0, None, None, "万吨", ""]),
    ("今年粮食产量要达到3，680亿斤。", ["grain_output", 18400.0, None, None, "万吨", ""]),
    ("今年粮食产量计划达到三亿六千万吨。", ["grain_output", 36000.0, None, None, "万吨", ""]),
    ("今年粮食总产量要有七千二百亿斤到七千五百亿斤。", ["grain_output", None, 36000.0, 37500.0, "万吨", ""]),
    ("今年拟安排财政赤字2.5万亿元。", ["deficit", 25000.0, None, None, "亿元", ""]),
    ("今年广义货币M2预期增长12%左右。", ["m2", 12.0, None, None, "%", "左右"]),
    ("今年出生人口性别比降到115以下。", ["sex_ratio_at_birth", 115.0, None, None, "ratio", "以下"]),
])
def test_every_number_form_unit_and_qualifier(sentence, expected):
    (found,) = rows(sentence)
    assert found[:6] == expected
    assert found[6:] == ["target", 2020, 2020]


def test_traditional_text_gives_the_same_figures_with_offsets_into_the_text():
    text = "今年國內生產總值增長百分之八左右，城鎮新增就業一千一百萬人以上。"
    found = text_targets(text, year=2012)
    assert found[["indicator", "value", "unit", "qualifier", "kind", "year"]].values.tolist() == [
        ["gdp_growth", 8.0, "%", "左右", "target", 2012], ["urban_jobs", 1100.0, "万人", "以上", "target", 2012]]
    assert [text[a:b] for a, b in zip(found["start"], found["end"])] == ["百分之八左右", "一千一百萬人以上"]
    assert found["term"].tolist() == ["國內生產總值", "城鎮新增就業"]
    assert found["written"].tolist() == ["百分之八左右", "一千一百萬人以上"]
    assert text_targets("今年城鎮新增就業七百餘萬人。", year=2000)["qualifier"].tolist() == ["餘"]


def test_taiwans_word_for_economic_growth_is_the_growth_indicator():
    """Taiwan writes 經濟成長率 (成長 for 增長): a new user's Taiwan speeches lost their growth targets."""
    found = text_targets("今年經濟成長率目標為3.5%。", year=2023)
    assert found[["indicator", "value", "unit", "kind", "year", "term"]].values.tolist() == [
        ["gdp_growth", 3.5, "%", "target", 2023, "經濟成長率"]]


# --- the indicator a figure belongs to -------------------------------------------------------

def test_a_level_in_another_unit_is_not_the_growth_rate_and_a_carried_clause_is():
    assert rows("国内生产总值达到100万亿元，按可比价格计算，比上年增长5%。") == [
        ["gdp_growth", 5.0, None, None, "%", "", "result", 2019, 2019]]


def test_a_clause_with_its_own_subject_keeps_its_figures():
    found = rows("去年国内生产总值增长5%，财政收入增长8%，城镇新增就业1200万人。")
    assert [r[:2] for r in found] == [["gdp_growth", 5.0], ["urban_jobs", 1200.0]]


def test_a_share_of_the_indicator_is_not_its_value():
    assert rows("服务业占国内生产总值的比重达到55%，消费对经济增长的贡献率超过60%。") == []


def test_respectively_gives_the_nth_figure_to_the_nth_subject():
    found = rows("今年能耗强度和用水量分别下降4%和5%。")
    assert [r[:2] for r in found] == [["energy_intensity", 4.0]]
    found = rows("今年用水量和能耗强度分别下降4%和5%。")
    assert [r[:2] for r in found] == [["energy_intensity", 5.0]]


def test_a_province_s_energy_intensity_is_not_its_growth():
    """单位地区生产总值能耗 (a province's), 单位生产总值能耗 (a city's): the energy used per unit of
    its output, not the output's growth (found by a new user's trial: every provincial
    energy-intensity target was read as a GDP growth figure)."""
    assert rows("今年单位地区生产总值能耗下降3.5%。") == [
        ["energy_intensity", 3.5, None, None, "%", "", "target", 2020, 2020]]
    assert [r[:2] for r in rows("到2015年，全省单位生产总值能耗比2010年下降16%。")] == [["energy_intensity", 16.0]]
    assert [r[:2] for r in rows("萬元地區生產總值能耗下降3%，地區生產總值增長8%。")] == [
        ["energy_intensity", 3.0], ["gdp_growth", 8.0]]
    assert [r[:2] for r in rows("单位地区生产总值二氧化碳排放下降4%。")] == []


def test_a_figure_before_its_indicator():
    assert rows("提出8%左右的国内生产总值增长目标。")[0][:7] == ["gdp_growth", 8.0, None, None, "%", "左右", "target"]


def test_a_blocking_term_keeps_the_shorter_one_from_the_figure():
    assert rows("今年人均国内生产总值增长6%。") == []


# --- kind and year ---------------------------------------------------------------------------

def test_target_and_result_in_one_sentence():
    found = rows("去年国内生产总值增长6.9%，今年预期增长6.5%左右。", 2017)
    assert found == [["gdp_growth", 6.9, None, None, "%", "", "result", 2016, 2016],
                     ["gdp_growth", 6.5, None, None, "%", "左右", "target", 2017, 2017]]


def test_the_main_expected_targets_list_after_a_colon_on_the_line_before():
    text = "今年经济社会发展的主要预期目标是：\n国内生产总值增长7%左右；城镇登记失业率4.5%以内。"
    found = rows(text, 2015)
    assert [r[0] for r in found] == ["gdp_growth", "unemployment"]
    assert {tuple(r[6:]) for r in found} == {("target", 2015, 2015)}


def test_a_plan_over_the_next_five_years_and_a_horizon_year():
    assert rows("今后五年，国内生产总值年均增长7%。", 2011)[0][6:] == ["plan", 2011, 2015]
    assert rows("到2030年，粮食产量力争达到7亿吨。", 2021)[0][6:] == ["plan", 2021, 2030]


def test_a_result_over_the_past_five_years():
    assert rows("过去五年，国内生产总值年均增长7.1%。", 2018)[0][6:] == ["result", 2013, 2017]


def test_an_intent_word_of_a_past_year_is_a_result_and_a_named_target_stays_a_target():
    assert rows("去年城镇登记失业率控制在4%以内。", 2014)[0][6:] == ["result", 2013, 2013]
    found = rows("去年广义货币M2增长11%，低于13%左右的预期目标。", 2017)
    assert [r[6] for r in found] == ["result", "target"] and {r[7] for r in found} == {2016}


def test_a_base_year_makes_a_span_and_an_anchored_previous_year():
    assert rows("一九八二年同一九七八年相比，工农业总产值增长百分之三十。", 1983)[0][6:] == ["result", 1979, 1982]
    found = rows("1979年人口自然增长率由上年的千分之十二下降到千分之十一点七。", 1980)
    assert [(r[1], r[7]) for r in found] == [(12.0, 1978), (11.7, 1979)]


def test_a_section_heading_gives_the_time_of_figures_that_name_none():
    text = "一、2018年工作回顾\n国内生产总值增长6.6%。\n二、2019年主要任务\n国内生产总值增长6%左右。"
    second = text.index("二、")
    found = rows(text, 2019, headings=[(0, second, "2018年工作回顾"), (second, len(text), "2019年主要任务")])
    assert [r[6:] for r in found] == [["result", 2018, 2018], ["target", 2019, 2019]]


def test_a_comma_set_time_word_heading_the_paragraph_frames_the_next_sentence():
    found = rows("过去一年，各项工作取得了新成绩。国内生产总值增长10%。", 2011)
    assert found[0][6:] == ["result", 2010, 2010]


def test_change_and_direction():
    found = text_targets("今年拟安排财政赤字1.2万亿元，比去年增加2000亿元，赤字率比去年低0.4个百分点。", year=2019)
    assert found[["indicator", "value", "change", "direction"]].values.tolist() == [
        ["deficit", 12000.0, False, ""], ["deficit", 2000.0, True, "up"], ["deficit_ratio", 0.4, True, "down"]]
    assert text_targets("今年单位国内生产总值能耗降低3%左右。", year=2019)["direction"].tolist() == ["down"]


def test_a_text_without_its_year_gives_no_year():
    assert rows("今年国内生产总值增长8%。", None)[0][6:] == ["other", None, None]


def test_a_simplified_text_of_another_length_is_refused():
    with pytest.raises(ValueError, match="one character per character"):
        text_targets("國內生產總值", year=2020, simplified="国内")


# --- the data files --------------------------------------------------------------------------

def test_the_indicator_file_holds_the_issue_s_indicators():
    table = indicator_table()
    keys = set(table["indicator"])
    assert {"gdp_growth", "cpi", "urban_jobs", "unemployment", "deficit_ratio", "m2", "energy_intensity",
            "grain_output", "birth_rate", "natural_growth_rate", "sex_ratio_at_birth", "policy_birth_rate"} <= keys
    gdp = table[table["indicator"] == "gdp_growth"]["term"]
    assert {"国内生产总值", "国民生产总值", "经济增长"} <= set(gdp)


def test_indicator_file_errors_name_the_line(tmp_path):
    path = tmp_path / "indicators.tsv"
    path.write_text("# comment\ngdp_growth\t国内生产总值\t%\tspeed\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"indicators.tsv:2: measure 'speed'"):
        indicator_table(path)
    path.write_text("gdp_growth\t国内生产总值\t%\tgrowth\ncpi\t國內生產總值\t%\tgrowth\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r":2: '國內生產總值' is listed already on line 1"):
        indicator_table(path)
    path.write_text("-\t人均国内生产总值\t%\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r":1: a '-' line .* takes no units"):
        indicator_table(path)


def test_a_unit_the_rules_do_not_know_is_refused(tmp_path):
    path = tmp_path / "indicators.tsv"
    path.write_text("gdp_growth\t国内生产总值\tpercent\tgrowth\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unit 'percent' of '国内生产总值' is not a canonical unit"):
        text_targets("国内生产总值增长5%。", year=2020, indicators_path=path)


def test_rule_file_errors_name_the_line(tmp_path):
    path = tmp_path / "rules.tsv"
    path.write_text("unit\t%\t%\tone\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"rules.tsv:1: a unit line needs a numeric factor"):
        target_rules(path)
    path.write_text("kind\ttarget\tnear\t目标\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r":1: write kind<TAB>target\|intent\|result"):
        target_rules(path)
    path.write_text("colour\tred\t红\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r":1: unknown rule 'colour'"):
        target_rules(path)


def test_a_researcher_extends_the_rules_in_the_files(tmp_path):
    # 增速 is no indicator word in the shipped file; a line makes 'the growth rate' GDP growth.
    shipped = indicator_table()
    path = tmp_path / "indicators.tsv"
    lines = [f"{r.indicator}\t{r.term}\t{','.join(r.units)}\t{r.measure}" for r in shipped.itertuples()]
    path.write_text("\n".join(lines + ["gdp_growth\t增速\t%\tgrowth"]) + "\n", encoding="utf-8")
    assert rows("今年有6%左右的增速就能实现充分就业。") == []
    assert rows("今年有6%左右的增速就能实现充分就业。", indicators_path=path)[0][:2] == ["gdp_growth", 6.0]


# --- tables ----------------------------------------------------------------------------------

def _tiny_corpus():
    texts = {"r2019": "今年国内生产总值增长6%－6.5%。",
             "r2020": "去年国内生产总值增长6.1%。今年国内生产总值增长5%左右。",
             "r2021": "去年国内生产总值增长2.3%。"}
    return _preamble_corpus(texts, [2019, 2020, 2021])


def _preamble_corpus(texts: dict[str, str], years: list[int]):
    """A corpus of ``texts`` dated ``years``, each speech one preamble part."""
    corpus = pd.DataFrame({"speech_id": list(texts), "text": list(texts.values()),
                           "text_simplified": list(texts.values()),
                           "year": pd.array(years, dtype="Int64")})
    parts = pd.DataFrame({"speech_id": list(texts), "part": "preamble", "section": pd.NA, "point": pd.NA,
                          "label": "", "title": "", "start": 0, "end": [len(t) for t in texts.values()],
                          "n_chars": 0})
    return corpus, parts


def test_a_year_s_figure_says_how_many_speeches_gave_one_and_how_many_differ():
    # Two cities' 2020 speeches set different growth targets; a third repeats the first's.
    texts = {"a2020": "今年地区生产总值增长8%左右。", "b2020": "今年地区生产总值增长7.5%左右。",
             "c2020": "今年地区生产总值增长8%左右。", "a2021": "今年地区生产总值增长6%。"}
    corpus, parts = _preamble_corpus(texts, [2020, 2020, 2020, 2021])
    rows = year_figures(targets(corpus, parts=parts), corpus=corpus, kind="target")
    assert rows[["year", "label", "speech_id", "n_speeches", "n_labels"]].values.tolist() == [
        [2020, "8%左右", "a2020", 3, 2], [2021, "6%", "a2021", 1, 1]]


def test_targets_beside_the_next_report_s_results():
    corpus, parts = _tiny_corpus()
    found = targets(corpus, parts=parts)
    assert found["passage"].tolist()[0] == "r2019:pre:s1"
    table = targets_and_results(found, corpus=corpus, indicators=["gdp_growth"])
    assert table[["year", "target", "target_low", "target_high", "result", "gap"]].values.tolist() == [
        [2019, "6–6.5%", 6.0, 6.5, 6.1, 0.0], [2020, "5%左右", 5.0, 5.0, 2.3, -2.7]]
    assert target_table(found, corpus=corpus).values.tolist() == [[2019, "6–6.5%"], [2020, "5%左右"]]
    assert year_figures(found, corpus=corpus, kind="result")["speech_id"].tolist() == ["r2020", "r2021"]
    assert bool(enough_for_targets(table)) and not enough_for_targets(table.iloc[:1])


def test_targets_beside_results_are_not_charted_when_places_give_different_figures():
    """Two places' reports a year, and no column to tell the places apart: a year's target
    (place a) would be set beside another place's result. ``n_speech_labels`` says how many
    figures the speeches give for the year, each speech by its first, and nothing is charted
    (found by a new user's trial: a province's target beside a city's result). Two figures
    in one speech (a2012's 9% and 9.5%) are no sign of two places."""
    texts = {"a2011": "今年地区生产总值增长8%。", "b2011": "今年地区生产总值增长10%。",
             "a2012": "过去一年，地区生产总值增长9%。过去一年，地区生产总值增长9.5%。今年地区生产总值增长7%。",
             "b2012": "过去一年，地区生产总值增长11%。今年地区生产总值增长7%。"}
    corpus, parts = _preamble_corpus(texts, [2011, 2011, 2012, 2012])
    table = targets_and_results(targets(corpus, parts=parts), corpus=corpus, indicators=["gdp_growth"])
    # 2011's result is another place's for all one can tell: left out, with its gap (a new
    # user's notebook 06 showed a Hong Kong target beside a Taiwan result).
    assert table[["year", "target", "result", "gap", "result_passage", "n_speech_labels"]].fillna(
        {"result": -1, "gap": -1, "result_passage": ""}).values.tolist() == [
        [2011, "8%", -1, -1, "", 2], [2012, "7%", -1, -1, "", 1]]
    enough = enough_for_targets(table)
    assert not enough
    assert str(enough).startswith("the speeches give different figures for the same year (1 year; 2011: "
                                  "2 different gdp_growth figures)")
    one_place = corpus[corpus["speech_id"].str.startswith("a")]
    table = targets_and_results(targets(one_place, parts=parts[parts["speech_id"].str.startswith("a")]),
                                corpus=one_place, indicators=["gdp_growth"])
    assert table["n_speech_labels"].tolist() == [1, 1] and not enough_for_targets(table)  # one year with both
    results = year_figures(targets(one_place, parts=parts), corpus=one_place, kind="result")
    assert results[["year", "label", "n_labels", "n_speech_labels"]].values.tolist() == [[2011, "9%", 2, 1]]
    assert "(at least 2 needed)" in str(enough_for_targets(table))


def test_term_figures_says_whether_a_named_target_has_a_number():
    text = "要实现“双降”目标。今年人口出生率降到千分之十二。"
    corpus = pd.DataFrame({"speech_id": ["x"], "text": [text], "text_simplified": [text], "year": [2012]})
    parts = pd.DataFrame({"speech_id": ["x"], "part": ["preamble"], "section": [pd.NA], "point": [pd.NA],
                          "label": [""], "title": [""], "start": [0], "end": [len(text)], "n_chars": [0]})
    found = targets(corpus, parts=parts)
    named = term_figures(corpus, ["雙降", "出生率"], found=found)
    assert named[["term", "figures", "indicators"]].values.tolist() == [["双降", 0, ""], ["出生率", 1, "birth_rate"]]


def test_figure_labels():
    assert figure_label(None, 8.0, 9.0, "%", "") == "8–9%"
    assert figure_label(900.0, None, None, "万人", "不低于") == "不低于900万人"
    assert figure_label(118.0, None, None, "ratio", "以下") == "118以下"


# --- the hand-coded sample and the shared reports ----------------------------------------------

def test_agreement_counts_matches_misses_and_spurious_figures():
    text = "今年国内生产总值增长7%左右，居民消费价格涨幅3%左右。今年出口增长8%。"
    corpus = pd.DataFrame({"speech_id": ["x"], "text": [text], "text_simplified": [text], "year": [2014]})
    found = text_targets(text, year=2014).assign(speech_id="x")
    gold = pd.DataFrame([
        {"sample": "s", "speech_id": "x", "offset": text.index("7%"), "indicator": "gdp_growth", "value": 7.0,
         "low": None, "high": None, "unit": "%", "qualifier": "左右", "kind": "target", "year": 2014, "until": 2014,
         "change": False, "direction": "up", "note": ""},
        {"sample": "s", "speech_id": "x", "offset": text.index("8%"), "indicator": "gdp_growth", "value": 8.0,
         "low": None, "high": None, "unit": "%", "qualifier": "", "kind": "target", "year": 2014, "until": 2014,
         "change": False, "direction": "up", "note": "coded as growth, not found"}])
    result = target_agreement(gold, corpus=corpus, found=found)
    assert result.rows["status"].tolist() == ["matched", "missed", "spurious"]
    assert (result.precision, result.recall) == (0.5, 0.5)
    assert result.fields["value"] == 1.0 and result.fields["kind"] == 1.0


def test_the_validation_file_is_well_formed():
    gold = validation_targets()
    assert set(gold["sample"]) == {"heldout", "heldout2"}
    assert gold["speech_id"].nunique() == 16
    figures = gold[gold["indicator"] != ""]
    assert len(figures) == 161 and figures["offset"].notna().all()


def test_agreement_with_the_hand_coded_reports(gwr_dir):
    gold = validation_targets()
    result = target_agreement(gold)
    by = {name: target_agreement(part, found=None) for name, part in gold.groupby("sample")}
    # First measured at 99.1% precision and 89.4% recall (the first sample, before the changes
    # it prompted); 100% and 86.8% on the second sample, coded after them.
    assert result.precision >= 0.97 and result.recall >= 0.88
    assert by["heldout2"].precision >= 0.97 and by["heldout2"].recall >= 0.85
    assert result.fields["value"] == result.fields["unit"] == 1.0
    missed = result.rows[result.rows["status"] == "missed"]
    # the documented misses: growth written 增速 / 增长速度 with no indicator word
    assert {("gwr_2018", 9167), ("gwr_2014", 5214)} <= set(zip(missed["speech_id"], missed["offset"]))


def test_growth_targets_of_the_shared_reports(gwr_dir):
    import warnings

    from analysis import corpus_outline, load_corpus

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="not loaded", category=UserWarning)
        corpus = load_corpus(gwr_dir)
    found = targets(corpus, parts=corpus_outline(corpus))
    growth = targets_and_results(found, corpus=corpus, indicators=["gdp_growth"]).set_index("year")
    assert growth.loc[2019, ["target_low", "target_high"]].tolist() == [6.0, 6.5]
    assert growth.loc[2019, "target_passage"].startswith("gwr_2019:")
    assert growth.loc[2016, "target"] == "6.5–7%"
    assert growth.loc[2023, ["target", "result"]].tolist() == ["5%左右", 5.2]
    assert growth.loc[2023, "result_passage"].startswith("gwr_2024:")
    assert growth.loc[2022, "gap"] == pytest.approx(-2.5)


def test_a_target_without_any_result_in_the_corpus():
    """One speech: a target and no report of the year after (it raised a TypeError from the
    empty result columns' object dtype; found by a new user's trial on a one-file corpus)."""
    corpus, parts = _preamble_corpus({"a2024": "今年居民消费价格涨幅4%左右。"}, [2024])
    table = targets_and_results(targets(corpus, parts=parts), corpus=corpus, indicators=["cpi", "urban_jobs"])
    assert table[["indicator", "year", "target", "target_low"]].values.tolist() == [["cpi", 2024, "4%左右", 4.0]]
    assert table["result"].isna().all() and table["gap"].isna().all() and table["gap"].dtype == "float64"
    assert str(enough_for_targets(table)).startswith("too little to chart: 1 year with a target, 0 years")
