"""Alias groups: one term for the names of one thing, in every analysis, with the written variant
within reach, and off on request."""
from __future__ import annotations

import pytest

from analysis import (
    alias_table,
    canonical,
    corpus_tokens,
    dispersion,
    dispersion_measures,
    frequencies,
    kwic,
    load_corpus,
    theme_hits,
    tokenize,
    variants,
)
from analysis.text.aliases import _alias_table


def test_the_file_parses_into_groups():
    table = alias_table()
    assert table.columns.tolist() == ["canonical", "variant", "canonical_simplified", "variant_simplified"]
    assert variants("計生協會") == ["计划生育协会", "计生协会", "计生协"]   # longest first
    assert canonical("計生協") == canonical("计划生育协会") == "计生协会"
    assert canonical("二胎") == "二孩" and canonical("三胎") == "三孩"
    assert canonical("工作") == "工作" and variants("工作") == ["工作"]


@pytest.mark.parametrize("content, message", [
    ("计生协会\t计生协\n计生协\t计生\n", r":2: '计生协' is already listed on line 1"),
    ("计生协会\n", r":1: expected canonical<TAB>variant"),
    ("计生协会\t計生協會\n", r":1: '計生協會' is already listed on line 1"),   # the same word in two scripts
])
def test_bad_lines_are_named(tmp_path, content, message):
    path = tmp_path / "aliases.tsv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        _alias_table(str(path), 0)


def test_the_segmenter_keeps_every_variant_whole():
    tokens = tokenize("市計劃生育協會召開會議，人口和計劃生育工作。")
    assert "計劃生育協會" in tokens.token.tolist() and "人口和計劃生育" in tokens.token.tolist()
    assert tokens.set_index("token").loc["計劃生育協會", "term"] == "计生协会"


def test_the_seeds_association_is_one_term_of_35_mentions(corpus, tokens, text):
    assert text.count("計生協會") + (text.count("計生協") - text.count("計生協會")) + text.count("計劃生育協會") == 35
    row = frequencies(tokens).set_index("term").loc["计生协会"]
    assert row["count"] == 35 and row["variants"] == "計生協會 17 · 計生協 14 · 計劃生育協會 4"
    hits = kwic(corpus, "計生協會")
    assert hits.keyword.value_counts().to_dict() == {"計生協會": 17, "計生協": 14, "計劃生育協會": 4}
    assert len(dispersion(corpus, "计生协")) == 35   # any variant finds the group
    assert dispersion_measures(corpus, "計生協會").iloc[0]["hits"] == 35
    themes = theme_hits(corpus, tokens=tokens)
    assert (themes.theme == "association").sum() >= 35


def test_aliases_off_counts_each_name_as_written(corpus, tokens):
    assert frequencies(tokens, aliases=False).set_index("term").loc["计生协会", "count"] == 17
    assert len(kwic(corpus, "計生協會", aliases=False)) == 17
    # Without aliases the plain substring 計生協 is also found inside 計生協會.
    assert len(kwic(corpus, "計生協", aliases=False)) == 31


def test_two_child_and_three_child_variants(tmp_path):
    (tmp_path / "a.txt").write_text("同志們：\n全面實施二孩政策，二胎家庭增多。三孩政策和三胎生育。", encoding="utf-8")
    tokens = corpus_tokens(load_corpus(tmp_path))
    table = frequencies(tokens).set_index("term")
    assert table.loc["二孩", "count"] == 2 and table.loc["二孩", "variants"] == "二孩 1 · 二胎 1"
    assert table.loc["三孩", "count"] == 2
