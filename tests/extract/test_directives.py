"""analysis.extract.directives: strength, cue, addressee and deadline of directive sentences; the
words that only look like cues; the rule file's errors; agreement with the hand-coded
sentences (Cohen's κ). Sentences are written for the tests, not copied from a speech."""
from __future__ import annotations

import pandas as pd
import pytest

from analysis.extract.directives import (
    addressee_table,
    cohen_kappa,
    directive_agreement,
    directive_rules,
    directives,
    sentence_sha1,
    text_directives,
    validation_directives,
)

COLUMNS = ["strength", "level", "cue", "addressee", "deadline"]


def read(text, **kw):
    return text_directives(text, **kw)[COLUMNS].values.tolist()


@pytest.mark.parametrize("sentence, strength, level, cue", [
    ("各单位必须按时上报。", "obligation", 3, "必须"),
    ("各单位务必按时上报。", "obligation", 3, "务必"),
    ("确保按时上报。", "obligation", 3, "确保"),
    ("各单位要按时上报。", "requirement", 2, "要"),
    ("各单位应当按时上报。", "requirement", 2, "应当"),
    ("鼓励企业按时上报。", "encouragement", 1, "鼓励"),
    ("支持企业扩大生产。", "encouragement", 1, "支持"),
    ("企业可以自行上报。", "encouragement", 1, "可以"),
    ("严禁虚报数字。", "prohibition", 3, "严禁"),
    ("各单位不得虚报数字。", "prohibition", 3, "不得"),
    ("禁止虚报数字。", "prohibition", 3, "禁止"),
    ("不要虚报数字。", "prohibition", 2, "不要"),
])
def test_each_strength(sentence, strength, level, cue):
    assert read(sentence)[0][:3] == [strength, level, cue]


def test_the_strongest_cue_decides_and_a_prohibition_wins_a_tie():
    assert read("各级政府要大力支持，确保资金到位。")[0][:3] == ["obligation", 3, "确保"]
    assert read("各地要抓紧，不要拖延。")[0][:3] == ["prohibition", 2, "不要"]
    assert text_directives("各地要抓紧，不要拖延。")["cues"].tolist() == ["要、不要"]


@pytest.mark.parametrize("sentence", [
    "这是当前的主要任务。", "这项工作十分重要。", "这是发展的需要。", "只要坚持就能成功。",
    "建立相应的制度。", "他们不得不放弃。", "我们完全适应了新形势。", "这个项目将要完成。",
    "会议通过了《关于确保工作落实的决定》。",
])
def test_words_that_only_contain_a_cue_are_no_directive(sentence):
    assert read(sentence) == []


def test_addressees():
    assert read("各级财政部门要为协会开展工作创造条件。")[0][3] == "各级财政部门"
    assert read("各級黨委、政府要定期聽取匯報。")[0][3] == "各級黨委、政府"
    assert read("各縣（區）計生協要在年底前簽訂責任書。")[0][3:] == ["各縣（區）計生協", "年底前"]
    assert read("各有关部门特别是理事单位，要整合资源。")[0][3] == "各有关部门特别是理事单位"
    assert read("二是部门要大力支持。")[0][3] == "部门"
    assert read("这就要求我们必须做好工作。")[0][3] == "我们"
    assert read("请大家认真抓好落实。")[0][3] == "大家"
    assert read("协会作为群众组织，要发挥桥梁作用。")[0][3] == "协会"
    assert read("我们都不应放松警惕。")[0][3] == "我们"
    assert read("要深入开展宣传活动。")[0][3] == ""


@pytest.mark.parametrize("sentence, deadline", [
    ("今年6月底前必须配备到位。", "今年6月底前"),
    ("各地要在年内完成。", "年内"),
    ("各地要在年底前完成。", "年底前"),
    ("必须在三月十五日前上报。", "三月十五日前"),
    ("要在2025年前全部完成。", "2025年前"),
    ("要在今后三年内完成改造。", "今后三年内"),
    ("要抓紧完成。", ""),
])
def test_deadlines(sentence, deadline):
    assert read(sentence)[0][4] == deadline


def test_traditional_and_simplified_read_alike_with_offsets_into_the_text():
    text = "去年工作很好。各級財政部門要在年內撥付經費。"
    found = text_directives(text)
    assert found[COLUMNS].values.tolist() == [["requirement", 2, "要", "各級財政部門", "年內"]]
    assert text[found["start"].iloc[0]:found["end"].iloc[0]] == "各級財政部門要在年內撥付經費。"
    simplified = text_directives("去年工作很好。各级财政部门要在年内拨付经费。")
    columns = ["strength", "start", "end"]
    assert simplified[columns].values.tolist() == found[columns].values.tolist()


def test_encouragement_in_a_review_of_past_years_reports_what_was_done():
    text = "一、去年工作回顾\n支持企业扩大出口。\n二、今年任务\n支持企业扩大出口。要稳定就业。"
    review = (0, text.index("二、"))
    found = text_directives(text, past_spans=[review])
    assert found["strength"].tolist() == ["encouragement", "requirement"]
    assert found["start"].iloc[0] > review[1]


def test_directives_of_a_corpus_carry_passage_ids(seed_corpus):
    found = directives(seed_corpus)
    assert len(found) == 35
    assert found["strength"].astype(str).value_counts().to_dict() == {"requirement": 32, "obligation": 3}
    deadline = found[found["deadline"] != ""]
    assert deadline[["deadline", "strength", "passage"]].values.tolist() == [
        ["今年6月底前", "obligation", "000_8ebf5a98b5b66884:3.1:s3"]]
    table = addressee_table(found)
    assert table.iloc[0]["addressee"] == "（未指明）" and table["sentences"].sum() == 35
    assert table.set_index("addressee").loc["我們", "sentences"] == 3


def test_rule_file_errors_name_the_line(tmp_path):
    path = tmp_path / "rules.tsv"
    path.write_text("cue\tprohibition\t严禁\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"rules.tsv:1: give a prohibition its level"):
        directive_rules(path)
    path.write_text("cue\tcommand\t必须\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r":1: unknown strength 'command'"):
        directive_rules(path)
    path.write_text("deadline\tpattern\t([年\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r":1: the deadline pattern is no regular expression"):
        directive_rules(path)


def test_a_researcher_adds_a_cue_in_the_file(tmp_path):
    path = tmp_path / "rules.tsv"
    path.write_text("cue\trequirement\t要\ncue\tobligation\t责成\n", encoding="utf-8")
    assert read("国务院责成有关部门彻查。") == []
    assert read("国务院责成有关部门彻查。", rules_path=path)[0][:3] == ["obligation", 3, "责成"]


def test_cohen_kappa():
    assert cohen_kappa(["a", "b", "a", "b"], ["a", "b", "a", "b"]) == 1.0
    assert cohen_kappa(["a", "a", "b", "b"], ["a", "b", "a", "b"]) == 0.0


def test_agreement_counts_and_refuses_a_changed_sentence():
    text = "各单位要按时上报。去年增长很快。鼓励企业创新。"
    corpus = pd.DataFrame({"speech_id": ["x"], "text": [text], "text_simplified": [text]})
    starts = [0, text.index("去年"), text.index("鼓励")]
    sentences = ["各单位要按时上报。", "去年增长很快。", "鼓励企业创新。"]
    gold = pd.DataFrame({"sample": "s", "speech_id": "x", "start": starts,
                         "sentence_sha1": [sentence_sha1(s) for s in sentences],
                         "strength": ["requirement", "none", "none"], "addressee": ["各单位", "", ""],
                         "deadline": "", "note": ""})
    result = directive_agreement(gold, corpus=corpus, found=directives(corpus, parts=_parts(corpus)))
    assert result.rows["found_strength"].tolist() == ["requirement", "none", "encouragement"]
    assert (result.precision, result.recall, result.accuracy) == (0.5, 1.0, 2 / 3)
    assert result.addressee == {"coded": 1, "found": 1, "matched": 1, "precision": 1.0, "recall": 1.0}
    gold.loc[0, "sentence_sha1"] = "000000000000"
    with pytest.raises(ValueError, match="the sentence at 0 of 'x' no longer matches its fingerprint"):
        directive_agreement(gold, corpus=corpus, found=directives(corpus, parts=_parts(corpus)))


def _parts(corpus):
    return pd.DataFrame({"speech_id": corpus["speech_id"], "part": "preamble", "section": pd.NA, "point": pd.NA,
                         "label": "", "title": "", "start": 0, "end": corpus["text"].str.len(), "n_chars": 0})


def test_seed_agreement(seed_corpus):
    gold = validation_directives()
    result = directive_agreement(gold[gold["sample"] == "seed"], corpus=seed_corpus)
    # The rules were written on the seed: fit, not generalisation. Its two disagreements are
    # 要求 as a noun in a report of another speech and 要 as 'to reach'.
    assert len(result.rows) == 50
    assert (result.precision, result.recall) == (33 / 35, 1.0)
    assert result.addressee["recall"] == 1.0 and result.deadline["matched"] == 1


def test_agreement_with_the_hand_coded_report_sentences(gwr_dir):
    result = directive_agreement()
    held = result.samples["heldout"]
    # Measured before any rule change it could prompt: precision 94.7%, recall 100%, κ 0.97.
    assert len(held.rows) == 75
    assert held.precision >= 0.9 and held.recall >= 0.95 and held.kappa >= 0.9
    assert held.addressee["precision"] >= 0.9
    deadline = result.samples["deadline-filter"]
    assert deadline.deadline["recall"] == 1.0


def test_the_finding_on_the_seed_states_its_directives_and_its_unnumbered_targets(seed_corpus):
    import analysis

    parts = analysis.corpus_outline(seed_corpus)
    found = analysis.targets(seed_corpus, parts=parts)
    orders = directives(seed_corpus, parts=parts)
    mentions = analysis.term_figures(seed_corpus, ["雙降", "出生率", "自然增長率"], found=found)
    growth = analysis.targets_and_results(found, corpus=seed_corpus, indicators=["gdp_growth"])
    said = str(analysis.findings.targets_and_directives(seed_corpus, orders, found, mentions, growth,
                                                        terms=["雙降", "出生率", "自然增長率"]))
    assert "**35 directive sentences** of 50 sentences (70%)" in said
    assert "3 obligations, 32 requirements, 0 encouragements, 0 prohibitions" in said
    assert "今年6月底前 (obligation, `000_8ebf5a98b5b66884:3.1:s3`)" in said
    assert "No figure is given for any indicator" in said
    assert "雙降 (7 times, 5 sentences)" in said and "gives no number" in said
    assert "nothing is charted" in said


def test_directive_groups_by_year_keep_whole_years_beside_an_undated_speech(tmp_path):
    from analysis import corpus_outline, load_corpus
    from analysis.extract.directives import directive_groups

    folder = tmp_path / "c"
    folder.mkdir()
    rows = ["speech_id,year"]
    for n, year in enumerate(range(2001, 2009)):
        (folder / f"s{n}.txt").write_text(f"各单位必须按时上报。\n企业可以自行上报{n}次。\n", encoding="utf-8")
        rows.append(f"s{n},{year}")
    (folder / "undated.txt").write_text("严禁虚报数字。\n", encoding="utf-8")
    (folder / "metadata.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="have no row: undated"):
        corpus = load_corpus(folder, workers=1)
    shown = directive_groups(directives(corpus), corpus=corpus, parts=corpus_outline(corpus))
    assert shown.attrs["by"] == "year"
    assert shown["year"].dtype == "int64"   # 2001, not 2001.0 on the chart's axis
    assert sorted(set(shown["year"])) == list(range(2001, 2009))
    assert "undated" not in set(shown["speech_id"])


def test_the_finding_counts_an_addressee_and_a_deadline_once_whatever_the_script(tmp_path):
    """A corpus in both scripts: 我们 and 我們 are one addressee, 年内 and 年內 one deadline,
    in the finding's ranking as in analysis.addressee_table (shown as first written)."""
    import analysis

    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "a.txt").write_text("我们必须年内完成改造。\n我们要抓好落实。\n各地要加强领导。\n", encoding="utf-8")
    (folder / "b.txt").write_text("我們必須年內完成改造。\n我們要抓好落實。\n各地要年內完成。\n", encoding="utf-8")
    (folder / "c.txt").write_text("各地必须年内上报。\n各部门要抓紧落实。\n各部门必须年内完成。\n", encoding="utf-8")
    (folder / "d.txt").write_text("各單位必須年內完成。\n", encoding="utf-8")
    corpus = analysis.load_corpus(folder, cache=False)
    orders = directives(corpus)
    table = analysis.addressee_table(orders)
    assert table.set_index("addressee")["sentences"].to_dict() == {"我们": 4, "各地": 3, "各部门": 2, "各單位": 1}
    said = " ".join(analysis.findings._directive_lines(corpus, orders))
    assert "10 directives name whom they address: 我们 (4), 各地 (3), 各部门 (2), 各單位 (1)" in said, said
    assert "6 directives name a deadline; the most frequent: 年内 (6)." in said, said


def test_the_finding_gives_directives_per_100_sentences_by_year_as_the_chart_does(tmp_path):
    """Eight years: the chart groups by year, and so does the finding (it said "from 27 in the
    2010s to 27 in the 2010s" for a corpus of 2011-2016, grouping by decade)."""
    import analysis

    folder = tmp_path / "c"
    folder.mkdir()
    rows = ["speech_id,year"]
    for n, (year, filler) in enumerate(zip(range(2001, 2009), [0, 1, 1, 1, 1, 1, 1, 3])):
        (folder / f"s{n}.txt").write_text(f"各单位必须按时上报{n}次。\n" + "今年天气很好。\n" * filler,
                                         encoding="utf-8")
        rows.append(f"s{n},{year}")
    (folder / "metadata.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    corpus = analysis.load_corpus(folder, cache=False)
    said = " ".join(analysis.findings._directive_lines(corpus, directives(corpus)))
    assert "Per 100 sentences, from 100 in 2001 to 25 in 2008 (highest: 100, 2001)." in said, said


@pytest.mark.parametrize("text, addressee", [
    ("三、加强领导，确保各项任务完成", ""),          # a heading: its number and its action, no addressee
    ("（二）加強領導，確保各項任務完成", ""),
    ("加大财政、税收、金融等方面支持力度，确保企业发展。", ""),  # an action ending in 方面
    ("各有关部门，要加强协调。", "各有关部门"),       # the clause before names who
    ("领导干部要带头。", "领导干部"),
    ("3.各级政府要加强领导。", "各级政府"),            # a heading's number is no part of it
    ("一是各级党委要高度重视。", "各级党委"),
    ("建设单位要落实安全责任。", "建设单位"),           # a noun that is no action verb of the file
])
def test_an_action_or_a_headings_number_is_no_addressee(text, addressee):
    found = text_directives(text)
    assert len(found) == 1
    assert found["addressee"].iloc[0] == addressee
