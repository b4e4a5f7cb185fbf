"""Text reuse (analysis.reuse): passages shared across speeches and scripts, with exact spans.

Every test text is written here in our own words (a made-up water-supply policy); the shared
corpus is read from ../shared only, never copied.
"""
from __future__ import annotations

import csv
import logging
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from opencc import OpenCC

from analysis.config import DATA_DIR, ROOT
from analysis.reuse import align
from analysis.reuse import links as MODULE
from analysis.reuse.frames import repeated_frames
from analysis.reuse.links import reuse
from analysis.reuse.shingles import boilerplate, substitutions
from analysis.reuse.summary import most_reused, predecessor_reuse, reuse_summary
from analysis.text.script import to_simplified

# The national source, in Simplified characters.
PASSAGE = ("要把农村饮水安全工程摆在更加突出的位置，全国各地要在三年内基本解决农村居民喝上干净水的问题，"
           "加快建设覆盖城乡的供水管网，同时建立健全工程长效管护机制，确保我国农村群众长期受益")
CLAUSE = "，加快建设覆盖城乡的供水管网"   # the clause the local copy leaves out
SOURCE = ("各位代表：\n过去一年，各项工作稳步推进，粮食生产再获丰收。" + PASSAGE
          + "。此外，还要大力发展职业教育，培养更多技术工人。\n谢谢大家！")
# The local copy: localised (全国 → 全市, 我国 → 我市), shortened (a clause left out), its last
# sentence joined to a sentence of its own, then converted to Traditional characters.
LOCAL_SIMPLIFIED = ("同志们：\n今天我们召开水利工作会议，我讲几点意见。"
                    + PASSAGE.replace(CLAUSE, "").replace("全国", "全市").replace("我国", "我市")
                    + "，这是今年市里确定的十件实事之一。\n散会。")
LOCAL = OpenCC("s2t").convert(LOCAL_SIMPLIFIED)
UNRELATED = ("同志们：\n今年要继续推进经济社会发展，抓好森林防火和地质灾害防治，汛期前完成水库除险加固。"
             "各乡镇要落实值班制度，遇到险情及时报告，确保人民群众生命财产安全。")


def frame(ids, texts, **columns) -> pd.DataFrame:
    """A corpus frame as load_corpus gives it (the columns reuse reads)."""
    return pd.DataFrame({"speech_id": ids, "text": texts, "text_simplified": [to_simplified(t) for t in texts],
                         **columns})


def compared(text: str) -> int:
    """Han characters, letters and digits: what reuse compares and counts."""
    return sum(ch.isalnum() for ch in text)


def test_the_local_copy_is_what_the_tests_say():
    assert LOCAL != LOCAL_SIMPLIFIED and "全市各地" in to_simplified(LOCAL) and "我市" in to_simplified(LOCAL)
    assert "飲水" in LOCAL and "加快建設" not in LOCAL


def test_a_copied_converted_localised_shortened_passage_is_found_with_its_exact_spans():
    corpus = frame(["local", "source"], [LOCAL, SOURCE], year=[2012, 2010])
    links = reuse(corpus)
    assert len(links) == 1
    link = links.iloc[0]
    # a is the earlier speech, although the corpus lists it second.
    assert (link["speech_a"], link["speech_b"], bool(link["dated"])) == ("source", "local", True)
    start_a, end_a = SOURCE.index("要把农村"), SOURCE.index("长期受益") + 4
    start_b, end_b = LOCAL.index("要把農村"), LOCAL.index("長期受益") + 4
    assert (link["start_a"], link["end_a"], link["start_b"], link["end_b"]) == (start_a, end_a, start_b, end_b)
    assert link["text_a"] == PASSAGE and link["text_b"] == LOCAL[start_b:end_b]
    n = compared(PASSAGE)
    assert (link["n_chars"], link["n_chars_b"]) == (n, n - compared(CLAUSE))
    # Every character of the copy matches; the left-out clause is the only gap.
    assert link["similarity"] == pytest.approx((n - compared(CLAUSE)) / n)
    assert link["passage_a"] == "source:pre:s2" and link["passage_b"] == "local:pre:s2"


def test_against_a_second_collection_and_without_dates_a_is_the_source():
    links = reuse(frame(["local"], [LOCAL]), against=frame(["source"], [SOURCE]))
    assert links[["speech_a", "speech_b", "dated"]].values.tolist() == [["source", "local", False]]
    assert links["start_a"].tolist() == [SOURCE.index("要把农村")]
    with pytest.raises(ValueError, match="share speech ids"):
        reuse(frame(["source"], [LOCAL]), against=frame(["source"], [SOURCE]))


def test_the_substitution_rules_read_local_forms_as_national_ones(monkeypatch):
    assert substitutions()["全市"] == "全国" and substitutions()["我市"] == "我国"
    source = "各位代表：\n我国农村饮水工程已覆盖八成村庄。"
    local = "同志們：\n我市農村飲水工程已覆蓋八成村莊。"
    corpus = frame(["source", "local"], [source, local])
    assert reuse(corpus)["text_b"].tolist() == ["我市農村飲水工程已覆蓋八成村莊"]
    link = reuse(frame(["source", "local"], [SOURCE, LOCAL])).iloc[0]
    monkeypatch.setattr(MODULE, "substitutions", lambda: {})
    # Without them the short passage falls below 15 characters, and the long one keeps its
    # span but counts 全市 and 我市 as two mismatches.
    assert reuse(corpus).empty
    unread = reuse(frame(["source", "local"], [SOURCE, LOCAL])).iloc[0]
    assert unread["start_b"] == link["start_b"] and unread["end_b"] == link["end_b"]
    assert unread["similarity"] == pytest.approx(link["similarity"] - 2 / link["n_chars"])


def test_unrelated_texts_share_nothing():
    corpus = frame(["a", "b"], [SOURCE, UNRELATED])
    assert reuse(corpus).empty
    assert reuse(frame(["a"], [UNRELATED]), against=frame(["b"], [SOURCE])).empty


def test_a_passage_repeated_inside_one_speech():
    sentence = "各级部门要把解决群众反映强烈的饮水难题作为今年的头号任务来抓"
    text = f"同志们：\n{sentence}。中间还有许多别的工作要讲，不一一列举。最后再强调一遍，{sentence}。"
    links = reuse(frame(["s"], [text]))
    assert links[["speech_a", "speech_b"]].values.tolist() == [["s", "s"]]
    first, second = text.index(sentence), text.rindex(sentence)
    assert links[["start_a", "end_a", "start_b", "end_b"]].values.tolist() == [
        [first, first + len(sentence), second, second + len(sentence)]]
    assert links["similarity"].tolist() == [1.0]
    assert reuse(frame(["s"], [text]), within=False).empty


def test_boilerplate_formulas_are_not_reuse(monkeypatch):
    # With short passages allowed, the salutation and the thanks would be a shared passage.
    a = "同志们，谢谢大家！我们今天讨论农田水利。"
    b = "同志们，谢谢大家！下面研究城市交通问题。"
    assert "同志们" in boilerplate() and "谢谢大家" in boilerplate()
    corpus = frame(["a", "b"], [a, b])
    assert reuse(corpus, min_chars=6, ngram=4).empty
    monkeypatch.setattr(MODULE, "boilerplate", lambda: ())
    assert reuse(corpus, min_chars=6, ngram=4)["text_a"].tolist() == ["同志们，谢谢大家"]


def filler(doc: int, n: int, part: int = 0) -> str:
    """Text nothing else shares: characters drawn at random (seeded) from an alphabet of 20
    Han characters that belongs to ``doc`` alone."""
    alphabet = [chr(0x6C00 + 20 * doc + j) for j in range(20)]
    return "".join(np.random.default_rng([doc, part]).choice(alphabet, n))


def test_a_sentence_in_most_documents_is_boilerplate_by_document_frequency():
    everywhere = "为实现本年度各项目标任务而团结奋斗努力拼搏"          # in all 12 documents
    shared = "城乡供水一体化工程今年要覆盖全部行政村并通过验收"          # in the first two only
    texts = [filler(i, 60) + everywhere + filler(i, 60, 1) + (shared if i < 2 else "") + filler(i, 30, 2)
             for i in range(12)]
    links = reuse(frame([f"d{i:02}" for i in range(12)], texts))
    assert links.attrs["df_limit"] == 10 and links.attrs["boilerplate_fingerprints"] > 0
    assert links[["speech_a", "speech_b", "text_a"]].values.tolist() == [["d00", "d01", shared]]
    # Above 10 documents only: in a corpus of 10 the sentence shared by all is reuse.
    ten = reuse(frame([f"d{i:02}" for i in range(10)], texts[:10]))
    assert (ten["text_a"] == everywhere).sum() == 45


def test_the_spans_map_back_to_each_text_in_its_own_script():
    links = reuse(frame(["source", "local"], [SOURCE, LOCAL]))
    texts = {"source": SOURCE, "local": LOCAL}
    for row in links.itertuples():
        assert texts[row.speech_a][row.start_a:row.end_a] == row.text_a
        assert texts[row.speech_b][row.start_b:row.end_b] == row.text_b
        assert row.n_chars >= 15 and row.n_chars_b >= 15


def test_bad_input_is_named():
    with pytest.raises(KeyError, match="text_simplified"):
        reuse(pd.DataFrame({"speech_id": ["a"], "text": ["一"]}))
    with pytest.raises(ValueError, match="repeats speech ids"):
        reuse(frame(["a", "a"], [SOURCE, LOCAL]))
    bad = frame(["a"], [SOURCE])
    bad.loc[0, "text_simplified"] = SOURCE[:-1]
    with pytest.raises(ValueError, match="differs in length"):
        reuse(bad)


def test_a_substitution_rule_of_two_lengths_is_refused(tmp_path):
    path = tmp_path / "subs.tsv"
    path.write_text("# local\tnational\n全市\t全国\n本市\t中华人民共和国\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"subs.tsv:3: '本市' and '中华人民共和国' differ in length"):
        substitutions(str(path))


def test_the_data_files_are_well_formed():
    rules = substitutions()
    assert all(len(k) == len(v) for k, v in rules.items()) and len(rules) >= 20
    with open(DATA_DIR / "reuse_substitutions.tsv", encoding="utf-8") as handle:
        lines = [line for line in handle if line.strip() and not line.startswith("#")]
    assert len(lines) == len(rules)


def test_nothing_of_dask_is_imported_without_a_client():
    code = ("import sys, pandas as pd; from analysis.reuse.links import reuse; "
            "t = ['同志们要把饮水安全工程摆在更加突出的位置上抓紧抓好', "
            "'大家要把饮水安全工程摆在更加突出的位置上抓紧抓好']; "
            "r = reuse(pd.DataFrame({'speech_id': ['a', 'b'], 'text': t, 'text_simplified': t})); "
            "assert len(r) == 1, r; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "[]"


# --- summaries -------------------------------------------------------------------------------

def test_reuse_summary_by_speech_and_by_year():
    third = filler(7, 80)
    corpus = frame(["source", "local", "other"], [SOURCE, LOCAL, third], year=[2010, 2012, 2012])
    links = reuse(corpus)
    summary = reuse_summary(links, corpus=corpus)
    n_source, n_local = compared(SOURCE), compared(LOCAL)
    shared_a, shared_b = links["n_chars"].iloc[0], links["n_chars_b"].iloc[0]
    assert summary.values.tolist() == [
        ["source", "local", n_source, shared_a, shared_a / n_source],
        ["local", "source", n_local, shared_b, shared_b / n_local]]
    matrix = reuse_summary(links, corpus=corpus, by="year")
    assert matrix[["year", "other_year"]].values.tolist() == [[2010, 2010], [2010, 2012], [2012, 2010], [2012, 2012]]
    # 2012 holds the local copy and a text of its own: the year's characters are both.
    assert matrix["n_chars"].tolist() == [n_source, n_source, n_local + 80, n_local + 80]
    assert matrix["shared_chars"].tolist() == [0, shared_a, shared_b, 0]


def test_predecessor_reuse_follows_the_dates_within_a_group():
    corpus = frame(["local", "source", "later"], [LOCAL, SOURCE, filler(3, 50) + PASSAGE],
                   year=[2012, 2010, 2013], genre=["speech", "report", "report"])
    links = reuse(corpus)
    pred = predecessor_reuse(links, corpus=corpus)
    assert pred[["speech_id", "predecessor"]].values.tolist() == [["local", "source"], ["later", "local"]]
    by_genre = predecessor_reuse(links, corpus=corpus, by="genre")
    assert by_genre[["speech_id", "predecessor", "shared_chars"]].values.tolist() == [
        ["later", "source", compared(PASSAGE)]]
    assert by_genre["share"].iloc[0] == pytest.approx(compared(PASSAGE) / (50 + compared(PASSAGE)))


def test_predecessor_reuse_keeps_each_place_and_genre_a_series_of_its_own():
    """Two cities' reports and a resolution: a city's report follows its own city's report,
    never the other city's of a later date or the resolution (series_columns picks place and
    genre where they vary)."""
    from analysis import findings
    from analysis.reuse.summary import series_columns

    corpus = frame(["a2010", "b2011", "a2012", "res2012", "b2013"],
                   [SOURCE, filler(5, 60), filler(3, 50) + PASSAGE, LOCAL, filler(6, 40) + PASSAGE],
                   year=[2010, 2011, 2012, 2012, 2013], place=["A", "B", "A", "A", "B"],
                   genre=["report", "report", "report", "resolution", "report"])
    assert series_columns(corpus) == ["place", "genre"]
    assert series_columns(corpus.assign(place="A")) == ["genre"]
    links = reuse(corpus)
    pred = predecessor_reuse(links, corpus=corpus, by=series_columns(corpus))
    assert pred[["speech_id", "place", "genre", "predecessor"]].values.tolist() == [
        ["a2012", "A", "report", "a2010"], ["b2013", "B", "report", "b2011"]]
    assert pred["shared_chars"].tolist() == [compared(PASSAGE), 0]
    # As one series, the 2013 report of B follows the resolution of A.
    assert predecessor_reuse(links, corpus=corpus)["predecessor"].tolist()[-1] == "res2012"
    said = str(findings.reuse_over_time(pred, most_reused(links, corpus=corpus), corpus, group=["place", "genre"]))
    assert "A · report: a speech repeats a median" in said and "B · report: a speech repeats a median 0.0%" in said
    many = pd.concat([pred.assign(place=f"city{i}") for i in range(7)], ignore_index=True)
    said = str(findings.reuse_over_time(many, most_reused(links, corpus=corpus), corpus, group=["place", "genre"]))
    assert "7 series (place × genre) pooled: a speech repeats a median" in said and "city0" not in said


def test_most_reused_counts_each_passage_once_at_its_source():
    texts = [SOURCE, LOCAL, filler(3, 40) + PASSAGE, filler(4, 40) + PASSAGE.replace(CLAUSE, "")]
    corpus = frame(["source", "local", "c", "d"], texts, year=[2010, 2012, 2013, 2014])
    top = most_reused(reuse(corpus), corpus=corpus)
    assert top[["speech_id", "n_speeches", "speeches"]].values.tolist()[0] == ["source", 3, ["local", "c", "d"]]
    assert top["text"].iloc[0] == PASSAGE
    # The copies are not sources of their own: only what c adds to d's shorter copy is
    # left, and it is mostly a copy itself.
    assert set(top["speech_id"]) == {"source"}


# --- frames ----------------------------------------------------------------------------------

def test_the_seeds_repeated_frames(seed_corpus, seed_text):
    found = repeated_frames(seed_corpus)
    first = found.iloc[0]
    assert (first["frame"], first["n"]) == ("是要著力在…上有新作為", 5)
    assert first["slots"] == ["實現“雙降”目標", "人口計生基層群眾自治建設", "做好流動人口服務管理",
                              "落實利益導向機制", "轉變群眾婚育觀念"]
    assert [seed_text[s:s + 5] for s in first["starts"]] == ["是要著力在"] * 5
    assert first["passage"] == "000_8ebf5a98b5b66884:2.1:s1"
    assert "加強計生協工作是…的需要" in found["frame"].tolist()


def test_a_phrase_repeated_with_one_variant_is_not_a_frame():
    text = "要着力在抓好水源保护上下功夫。要着力在抓好水源保护上下功夫。要着力在管网改造上下功夫。"
    assert repeated_frames(frame(["s"], [text])).empty
    three = "要着力在水源保护上下功夫。要着力在管网改造上下功夫。要着力在节约用水上下功夫。"
    found = repeated_frames(frame(["s"], [three]))
    assert found[["frame", "n"]].values.tolist() == [["要着力在…上下功夫", 3]]


# --- the shared corpus -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def gwr(gwr_dir):
    from analysis import load_corpus

    corpus = load_corpus(gwr_dir)
    return corpus, reuse(corpus)


def test_the_reports_links_hold(gwr):
    corpus, links = gwr
    years = dict(zip(corpus["speech_id"], corpus["year"]))
    texts = dict(zip(corpus["speech_id"], corpus["text"]))
    assert len(links) > 1000
    dated = links[links["dated"]]
    assert (dated["speech_a"].map(years) < dated["speech_b"].map(years)).all()
    for row in links.sample(200, random_state=0).itertuples():
        assert texts[row.speech_a][row.start_a:row.end_a] == row.text_a
        assert min(row.n_chars, row.n_chars_b) >= 15 and 0 < row.similarity <= 1


def test_the_hand_checked_links_are_still_found(gwr):
    _, links = gwr
    found = set(map(tuple, links[["speech_a", "start_a", "end_a", "speech_b", "start_b", "end_b"]].values.tolist()))
    with open(DATA_DIR / "validation" / "reuse_links.tsv", encoding="utf-8") as handle:
        rows = list(csv.DictReader((line for line in handle if not line.startswith("#")), delimiter="\t"))
    assert len(rows) == 30
    for row in rows:
        key = (row["speech_a"], int(row["start_a"]), int(row["end_a"]), row["speech_b"], int(row["start_b"]),
               int(row["end_b"]))
        assert key in found, f"{key}: the method changed; redo the sample (analysis/data/validation/README.md)"


def test_recent_reports_repeat_their_predecessor_more_than_early_ones(gwr):
    corpus, links = gwr
    pred = predecessor_reuse(links, corpus=corpus, by="genre")
    reports = pred[pred["speech_id"].str.startswith("gwr_")]
    early = reports[reports["year"] < 1990]["share"].median()
    recent = reports[reports["year"] >= 2000]["share"].median()
    assert recent > 3 * early


# --- on a dask.distributed cluster -----------------------------------------------------------

def test_on_a_cluster_of_two_worker_processes_the_rows_are_the_local_ones(seed_corpus):
    distributed = pytest.importorskip("distributed")
    texts = [SOURCE, LOCAL, UNRELATED, filler(3, 40) + PASSAGE, seed_corpus["text"].iloc[0]]
    corpus = frame(["source", "local", "unrelated", "c", "seed"], texts, year=[2010, 2012, 2011, 2013, 2012])
    local = reuse(corpus, workers=1)
    assert set(local["speech_a"] + "/" + local["speech_b"]) == {"source/local", "source/c", "local/c", "seed/seed"}
    with (distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0",
                                   silence_logs=logging.ERROR) as cluster,
          distributed.Client(cluster) as client,
          distributed.get_task_stream(client) as stream):
        remote = reuse(corpus, client=client)
    pd.testing.assert_frame_equal(remote, local)
    # The shingling and the alignment ran as tasks on the workers.
    ran = {task["key"][0] if isinstance(task["key"], tuple) else task["key"] for task in stream.data}
    assert any(key.startswith("prepare_chunk") for key in ran) and any(key.startswith("_align_remote") for key in ran)


# --- findings and charts ---------------------------------------------------------------------

def test_the_findings_state_what_was_computed(seed_corpus):
    from analysis import findings

    corpus = frame(["source", "local", "c"], [SOURCE, LOCAL, filler(3, 40) + PASSAGE], year=[2010, 2012, 2013])
    links = reuse(corpus)
    within = str(findings.reuse_within(repeated_frames(corpus), links, corpus, 15))
    assert "No speech uses a frame" in within and "No passage of 15 or more characters is repeated" in within
    echoes = reuse(frame(["local"], [LOCAL]), against=frame(["source"], [SOURCE]))
    said = str(findings.reuse_echoes(echoes, frame(["local"], [LOCAL]), frame(["source"], [SOURCE]),
                                     "central documents", 15))
    n = compared(PASSAGE) - compared(CLAUSE)
    assert f"1 speech of 1 shares 1 passage of 15 or more characters with 1 document of the 1 central documents: " \
           f"{n / compared(LOCAL):.1%} of the corpus's characters." in said
    assert f"The longest, {n} characters at local:pre:s2, is found at source:pre:s2" in said
    pred = predecessor_reuse(links, corpus=corpus)
    over = str(findings.reuse_over_time(pred, most_reused(links, corpus=corpus), corpus))
    assert f"a speech repeats a median {pred['share'].median():.1%} of its characters" in over
    assert "shared by 2 other speeches, from 2012 to 2013" in over


def test_the_reuse_charts_read_at_corpus_size(tmp_path):
    from analysis import plot_predecessor_reuse, plot_reuse_matrix, save_figure

    years = list(range(1960, 2025))
    rng = np.random.default_rng(0)
    matrix = pd.DataFrame([(y, o, 1000, int(rng.integers(0, 200)), 0.0) for y in years for o in years],
                          columns=["year", "other_year", "n_chars", "shared_chars", "share"])
    matrix["share"] = matrix["shared_chars"] / matrix["n_chars"]
    save_figure(plot_reuse_matrix(matrix), "05-test-matrix", figures_dir=tmp_path)   # refuses overprinted labels
    saved = pd.read_csv(tmp_path / "05-test-matrix.csv")
    assert len(saved) == len(years) ** 2
    pred = pd.DataFrame({"speech_id": [f"s{y}" for y in years], "year": years, "genre": ["report"] * len(years),
                         "share": rng.random(len(years))})
    save_figure(plot_predecessor_reuse(pred, by="genre"), "05-test-pred", figures_dir=tmp_path)
    assert (tmp_path / "05-test-pred.png").is_file()
    # Forty cities' reports: more series than colours, drawn as points and a yearly median.
    cities = pd.DataFrame([(f"c{c}-{y}", y, f"city{c}", "report", rng.random()) for c in range(40) for y in years],
                          columns=["speech_id", "year", "place", "genre", "share"])
    fig = plot_predecessor_reuse(cities, by=["place", "genre"])
    [line] = fig.axes[0].get_lines()
    assert line.get_label() == "中位數 median of 40 series (place × genre)"
    assert list(line.get_ydata()) == list(cities.groupby("year")["share"].median() * 100)
    save_figure(fig, "05-test-cities", figures_dir=tmp_path)


def test_the_seed_cache_may_be_smaller_than_the_corpus(monkeypatch):
    # With room for one document only, every pair still gets both documents' seeds.
    monkeypatch.setattr(align, "_SEED_CACHE_DOCS", 1)
    corpus = frame(["source", "local", "c"], [SOURCE, LOCAL, filler(3, 40) + PASSAGE])
    small = reuse(corpus, workers=1)
    monkeypatch.undo()
    pd.testing.assert_frame_equal(small, reuse(corpus, workers=1))
    assert len(small) == 3


def test_a_frame_never_cuts_a_number():
    """Figures that share their first or last digits (100, 200, 300; 2012, 2013, 2014) go
    whole to the slot: the fixed parts are words, not "00亿元" or "比201" (found by a new
    user's trial: a frame "生产总值…201")."""
    text = "".join(f"地区生产总值达到{n}00亿元，比201{n + 1}年增长。" for n in (1, 2, 3))
    corpus = pd.DataFrame({"speech_id": ["x"], "text": [text], "text_simplified": [text]})
    found = repeated_frames(corpus, passage_ids=False)
    assert found[["frame", "n", "slots"]].values.tolist() == [["地区生产总值达到…亿元", 3, ["100", "200", "300"]]]


def test_many_candidate_pairs_are_said_before_they_are_aligned(monkeypatch):
    """Beyond MANY_PAIRS candidate pairs, reuse says how many, and what bounds them, before the
    long alignment (found by a new user's trial: 20,000 short speeches, silent for 20 minutes)."""
    import warnings

    shared = "各地区各部门要认真贯彻落实党中央国务院决策部署，切实抓好各项工作落实。"
    corpus = frame(["a", "b", "c"], [shared + "甲。", "乙。" + shared, "丙丁。" + shared])
    monkeypatch.setattr(MODULE, "MANY_PAIRS", 2)
    with pytest.warns(UserWarning, match=r"^reuse: 3 pairs of documents share enough fingerprints to be aligned "
                                         r"\(3 documents\); this can take long\. A lower max_df \(now 0\.25"):
        found = reuse(corpus, passage_ids=False, within=False)
    assert found.attrs["pairs"] == 3 and len(found) == 3
    monkeypatch.setattr(MODULE, "MANY_PAIRS", 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        reuse(corpus, passage_ids=False, within=False)


def test_a_share_the_same_every_year_is_said_to_have_no_trend_not_a_rho_of_nan():
    """Spearman's ρ of a constant share is nan (and scipy warns): a new user's notebook 05
    said "no monotonic change with the year (Spearman ρ = nan, p = nan)"."""
    from analysis import findings

    years = [2010, 2011, 2012, 2013, 2014, 2015]
    pred = pd.DataFrame({"speech_id": [f"s{y}" for y in years], "predecessor": [f"s{y - 1}" for y in years],
                         "share": [0.0] * 6, "year": years})
    corpus = pd.DataFrame({"speech_id": pred["speech_id"], "year": years})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        said = str(findings.reuse_over_time(pred, pd.DataFrame(), corpus))
    assert "the same share every year (0.0%), so no trend to test" in said and "nan" not in said
