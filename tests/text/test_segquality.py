"""segquality: the gold segmentation, the SIGHAN-style scores, and the segmentation audit."""
from __future__ import annotations

import importlib.util
import re

import pandas as pd
import pytest

from analysis.measures.vocabulary import reference_frequencies
from analysis.text.segment import TOKEN_COLUMNS, known_words
from analysis.text.segquality import (
    AUDIT_COLUMNS,
    GOLD_DIR,
    GOLD_PARTS,
    GOLD_VARIANTS,
    REASONS,
    SCORE_COLUMNS,
    disagreements,
    domain_merges,
    gold,
    read_gold,
    score,
    segmentation_audit,
    segmenters,
    word_spans,
)

HAS_RJIEBA = importlib.util.find_spec("rjieba") is not None


def frame_of(*paragraphs: list[str]) -> pd.DataFrame:
    """A token frame built by hand: each paragraph's words side by side, a newline between
    paragraphs (which the frame, like tokenize's, leaves out)."""
    rows, pos = [], 0
    for words in paragraphs:
        for word in words:
            rows.append((word, word, word, pos, pos + len(word), "n", False,
                         not re.search(r"\w", word)))
            pos += len(word)
        pos += 1
    return pd.DataFrame(rows, columns=TOKEN_COLUMNS)


# ---------------------------------------------------------------- the gold files


def test_read_gold_splits_on_single_spaces(tmp_path):
    path = tmp_path / "g.txt"
    path.write_text("计生 协会 工作\n上 有 新 作为 。\n", encoding="utf-8")
    assert read_gold(path) == [["计生", "协会", "工作"], ["上", "有", "新", "作为", "。"]]


@pytest.mark.parametrize("text, line, problem", [
    ("计生 协会\n\n工作\n", 2, "an empty line"),
    ("计生  协会\n", 1, "a double space"),
    ("计生 协会 \n", 1, "a leading or trailing space"),
    ("计生\t协会\n", 1, "a tab"),
])
def test_read_gold_refuses_stray_whitespace_naming_file_and_line(tmp_path, text, line, problem):
    path = tmp_path / "bad-gold.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=f"bad-gold.txt, line {line}: {problem}"):
        read_gold(path)


def test_gold_sentences_are_the_seeds_own_text(seed_corpus):
    simplified = seed_corpus.text_simplified.iloc[0]
    for variant in GOLD_VARIANTS:
        for part in GOLD_PARTS:
            for sentence in gold(variant, part):
                assert "".join(sentence) in simplified, (variant, part, sentence[:5])
    # The two parts share no sentence: the test part is held out.
    dev = {"".join(s) for s in gold("pku", "dev")}
    assert not dev & {"".join(s) for s in gold("pku", "test")}


def test_gold_sizes():
    sizes = {(v, p): sum(map(len, gold(v, p))) for v in GOLD_VARIANTS for p in GOLD_PARTS}
    assert sizes == {("pku", "dev"): 945, ("pku", "test"): 722,
                     ("domain", "dev"): 870, ("domain", "test"): 675}
    assert len(gold()) == 54 and len(gold("pku", "dev")) == 29


def test_domain_gold_is_the_pku_gold_with_the_listed_merges():
    merges = {"".join(m): m for m in domain_merges()}
    used = set()
    for part in GOLD_PARTS:
        for strict, domain in zip(gold("pku", part), gold("domain", part), strict=True):
            assert "".join(strict) == "".join(domain)
            # Coarser: every domain boundary is a PKU boundary ...
            assert {e for _, e in word_spans(domain)} <= {e for _, e in word_spans(strict)}
            strict_words = dict(zip(word_spans(strict), strict))
            for span, word in zip(word_spans(domain), domain):
                if span in strict_words:
                    continue
                # ... and each word the PKU gold splits is one of the listed sequences,
                # split as listed.
                assert word in merges, word
                pieces = [w for (s, e), w in strict_words.items() if span[0] <= s and e <= span[1]]
                assert pieces == merges[word]
                used.add(word)
    assert used == set(merges), set(merges) - used


def test_gold_rejects_unknown_variant_or_part():
    with pytest.raises(ValueError, match="variant"):
        gold("msr")
    with pytest.raises(ValueError, match="parts"):
        gold("pku", "train")
    assert GOLD_DIR.name == "gold" and (GOLD_DIR / "README.md").is_file()


# ---------------------------------------------------------------- scoring


def test_word_spans():
    assert word_spans(["上", "有", "新作为"]) == [(0, 1), (1, 2), (2, 5)]
    assert word_spans([]) == []


def test_score_worked_by_hand():
    gold_ = [["计生", "协会", "工作"], ["上", "有", "新", "作为"]]
    predicted = [["计生协会", "工作"], ["上有", "新", "作为"]]
    lexicon = {"计生", "协会", "工作", "新", "作为"}
    s = score(gold_, predicted, lexicon)
    assert list(s) == SCORE_COLUMNS
    # 7 gold words, 5 predicted; 工作, 新, 作为 have the same spans on both sides.
    assert (s["gold_words"], s["predicted_words"], s["correct"]) == (7, 5, 3)
    assert s["precision"] == pytest.approx(3 / 5)
    assert s["recall"] == pytest.approx(3 / 7)
    assert s["f1"] == pytest.approx(0.5)  # 2 * (3/5) * (3/7) / (3/5 + 3/7) = 3.6 / 7.2
    # 上 and 有 are outside the lexicon (2 of 7), both missed; 3 of the 5 known are found.
    assert s["oov_rate"] == pytest.approx(2 / 7)
    assert s["oov_recall"] == 0
    assert s["iv_recall"] == pytest.approx(3 / 5)


def test_score_counts_a_merged_word_as_one_wrong_word_not_a_half():
    # 计生协会 spans both gold words: neither gold word is found, and it is not correct.
    s = score([["计生", "协会"]], [["计生协会"]])
    assert (s["correct"], s["precision"], s["recall"], s["f1"]) == (0, 0, 0, 0)


def test_score_perfect_and_punctuation_known():
    sentence = ["双降", "目标", "，", "五有", "。"]
    s = score([sentence], [sentence], lexicon={"目标"})
    assert (s["precision"], s["recall"], s["f1"]) == (1, 1, 1)
    # Punctuation counts as known; 双降 and 五有 are the OOV words.
    assert s["oov_rate"] == pytest.approx(2 / 5) and s["oov_recall"] == 1
    assert pd.isna(score([sentence], [sentence])["oov_rate"])


def test_score_refuses_different_texts():
    with pytest.raises(ValueError, match="sentence 2"):
        score([["上"], ["有", "新"]], [["上"], ["有", "心"]])
    with pytest.raises(ValueError, match="2 gold sentences but 1"):
        score([["上"], ["有"]], [["上"]])


def test_disagreements_list_each_stretch_once():
    table = disagreements([["在", "工作", "上", "有", "新", "作为"], ["双降"]],
                          [["在", "工作", "上有", "新作为"], ["双", "降"]])
    assert table.values.tolist() == [
        [1, 3, "上有", "上/有", "上有"],
        [1, 5, "新作为", "新/作为", "新作为"],
        [2, 0, "双降", "双降", "双/降"],
    ]
    assert disagreements([["上", "有"]], [["上", "有"]]).empty


# ---------------------------------------------------------------- the segmenters on the gold


@pytest.fixture(scope="module")
def results(segmentation_scores):
    return segmentation_scores


def test_evaluate_rows_and_columns(results):
    names = list(segmenters())
    assert results.columns.tolist() == ["gold", "segmenter", *SCORE_COLUMNS]
    assert results[["gold", "segmenter"]].values.tolist() == [
        [v, n] for v in GOLD_VARIANTS for n in names]
    assert (results.gold_words.groupby(results.gold).unique().map(list).to_dict()
            == {"pku": [1667], "domain": [1545]})


def test_evaluate_is_score_of_each_segmenters_words(results):
    pipeline = segmenters()["pipeline"]
    sentences = gold("domain")
    predicted = [pipeline("".join(s)) for s in sentences]
    expected = score(sentences, predicted, known_words())
    row = results[(results.gold == "domain") & (results.segmenter == "pipeline")].iloc[0]
    assert row[SCORE_COLUMNS].to_dict() == pytest.approx(expected, nan_ok=True)


def test_pipeline_is_the_most_accurate_configuration_with_a_user_dictionary(results):
    for variant, table in results.groupby("gold"):
        f1 = table.set_index("segmenter")["f1"]
        with_user_dict = f1[[n for n in f1.index if n == "pipeline" or "dict" in n]]
        assert with_user_dict.idxmax() == "pipeline", (variant, f1.to_dict())
        # The rules of analysis.text.segment are what put it ahead of plain posseg.
        assert f1["pipeline"] > f1["jieba.posseg + user dict"]
    # On the domain gold it beats jieba without the user dictionary too; on strict PKU it
    # need not, since the user dictionary keeps whole what PKU splits (计生协会).
    domain = results[results.gold == "domain"].set_index("segmenter")["f1"]
    assert domain.idxmax() == "pipeline"


@pytest.mark.skipif(not HAS_RJIEBA, reason="rjieba is not installed (pip install -e '.[bench]')")
def test_rjieba_cuts_like_jieba_lcut_given_the_same_dictionary():
    engines = segmenters(rjieba=True)
    for sentence in gold("pku"):
        line = "".join(sentence)
        assert engines["rjieba + project dict"](line) == engines["jieba.lcut + project dict"](line)
        assert engines["rjieba"](line) == engines["jieba.lcut"](line)


# ---------------------------------------------------------------- the audit


def test_audit_finds_a_repeated_frame_but_not_a_word_also_used_freely():
    tokens = frame_of(["一", "是", "要", "在", "甲", "上有", "新", "作为", "。"],
                      ["二", "是", "要", "在", "乙", "上有", "新", "作为", "。"],
                      ["三", "是", "要", "在", "丙", "上有", "新", "作为", "。"],
                      ["新", "作为", "的", "来源"])
    audit = segmentation_audit(tokens)
    frames = audit[audit.reason == "frame"]
    # Two tokens either side: 是 (… 要 在), 在 (是 要 …) and 上有 (… 新 作为) sit in the
    # same frame each time; 要 has 一是/二是/三是 on its left and 在 甲/乙/丙 on its right;
    # 新 and 作为 also stand free in the last paragraph.
    assert frames.simplified.tolist() == ["上有", "在", "是"]
    assert frames.set_index("simplified").loc["上有", "detail"] == (
        "all 3 in the same context: … [上有] 新 作为")
    assert frames["count"].tolist() == [3, 3, 3]
    # A frame of paragraph edges and punctuation alone is layout: the numerals 一二三 start
    # a paragraph each, once each anyway, and 。 is punctuation, never audited.
    assert "。" not in audit.simplified.tolist()


def test_audit_needs_min_count_occurrences_for_a_frame():
    tokens = frame_of(["在", "甲", "上有", "新"], ["在", "乙", "上有", "新"])
    assert segmentation_audit(tokens)[lambda a: a.reason == "frame"].empty
    frames = segmentation_audit(tokens, min_count=2)
    assert "上有" in frames[frames.reason == "frame"].simplified.tolist()


def test_audit_reference_floor_defaults_to_the_minimum():
    tokens = frame_of(["工作", "方面", "作为", "新", "甲乙"])
    reference = pd.Series({"工作": 100, "方面": 5, "作為": 2, "新": 2, "别的": 7})
    audit = segmentation_audit(tokens, reference)
    floor = audit[audit.reason == "reference floor"]
    # 作為 is folded onto 作为; the floor is the reference's minimum, 2.
    assert floor.simplified.tolist() == ["作为", "新"]
    assert floor.ref_count.tolist() == [2, 2]
    assert floor.detail.tolist() == ["the reference lists it at 2, its floor"] * 2
    wider = segmentation_audit(tokens, reference, floor_count=5)
    assert wider[wider.reason == "reference floor"].simplified.tolist() == ["作为", "新", "方面"]
    # Without a reference there is no floor and no reference count.
    bare = segmentation_audit(tokens)
    assert "reference floor" not in bare.reason.tolist() and bare.ref_count.isna().all()


def test_audit_lists_pieces_of_a_split_user_dictionary_word_not_a_straddled_one():
    tokens = frame_of(["计生", "协会", "工作"], ["流动人口", "计生家庭"])
    audit = segmentation_audit(tokens)
    split = audit[audit.reason == "split user-dictionary word"]
    assert split.simplified.tolist() == ["协会", "计生"]
    assert set(split.detail) == {"计生协会 came out as 计生/协会"}
    # 人口计生 (also in the dictionary) straddles 流动人口|计生家庭: another reading, not a split.
    assert "人口计生" not in " ".join(audit.detail)


def test_audit_lists_words_the_dictionary_does_not_know():
    tokens = frame_of(["丁协丙作", "工作", "2012", "6月", "著力", "著力"])
    unknown = segmentation_audit(tokens)[lambda a: a.reason == "unknown word"]
    # Only all-Han words: numbers and dates are not the HMM's inventions.
    assert unknown.simplified.tolist() == ["著力", "丁协丙作"]
    assert unknown["count"].tolist() == [2, 1]


def test_audit_columns_order_and_original_forms():
    tokens = frame_of(["計生協會", "工作"], ["计生协会", "计生", "协会"], ["計生協會"])
    tokens["simplified"] = tokens.token.map(lambda t: t.translate(str.maketrans("計協會", "计协会")))
    audit = segmentation_audit(tokens, pd.Series({"工作": 1, "计生协会": 9}))
    assert audit.columns.tolist() == AUDIT_COLUMNS
    assert audit.reason.map(REASONS.index).is_monotonic_increasing
    row = audit[audit.simplified == "工作"].iloc[0]
    assert (row.reason, row.ref_count, row.in_user_dict) == ("reference floor", 1, False)
    assert segmentation_audit(frame_of(["工作", "。"])).empty


def test_audit_of_the_seed(tokens):
    reference = reference_frequencies()
    audit = segmentation_audit(tokens, reference, floor_count=3)
    by_reason = audit.groupby("reason")["simplified"].apply(list).to_dict()
    # The template fragment is gone from the tokens, so from the audit.
    assert "上有" not in set(tokens.simplified)
    # 流动人口 is at jieba's floor count but a user-dictionary word: listed, and marked so.
    floor = audit[audit.reason == "reference floor"].set_index("simplified")
    assert floor.loc["流动人口", "in_user_dict"] and floor.loc["流动人口", "ref_count"] == 3
    # 著力: the seed writes Taiwan's form of 着力, which jieba lists; its Simplified text reads
    # it as 着力 (to_simplified), so it is no unknown word of jieba's HMM (it was, until the
    # Simplified text took Taiwan's variants into account).
    unknown = audit[audit.reason == "unknown word"].set_index("simplified")
    assert "着力" not in unknown.index and "著力" not in unknown.index
    assert (tokens.simplified == "着力").sum() == 9 and (tokens.token == "著力").sum() == 9
    assert "split user-dictionary word" not in by_reason
