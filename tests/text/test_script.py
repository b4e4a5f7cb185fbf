"""to_simplified: OpenCC t2s, one character per character."""
from __future__ import annotations

import analysis.text.script as script
from analysis import to_simplified
from analysis.text.script import is_traditional, surviving_simplified


def test_converts_and_keeps_positions(seed_text):
    simp = to_simplified(seed_text)
    assert len(simp) == len(seed_text)
    assert simp[:34] == "同志们：\n在全市上下认真学习贯彻全国“两会”精神之际，今天，市计划生"
    # Every span of the original maps to the same span of the Simplified text.
    i = seed_text.index("流動人口")
    assert simp[i:i + 4] == "流动人口"


def test_simplified_text_is_left_alone():
    assert to_simplified("计生协会要做好流动人口服务管理") == "计生协会要做好流动人口服务管理"


def test_phrase_rules_that_change_length_fall_back_to_characters(monkeypatch):
    class LengthChanging:
        """Stands in for an OpenCC phrase rule that turns one character into two."""

        def convert(self, text):
            return text.replace("協", "协协").replace("會", "会")

    script._char.cache_clear()
    monkeypatch.setattr(script, "_converter", lambda config: LengthChanging())
    try:
        out = script.to_simplified("第一行\n計生協會")
        # The first line converts as a whole; on the second, 協 (whose rule gives two
        # characters) is kept, and 會 still converts.
        assert out == "第一行\n計生協会"
    finally:
        script._char.cache_clear()


def test_is_traditional(seed_text):
    assert is_traditional(seed_text)
    assert not is_traditional(to_simplified(seed_text))
    assert not is_traditional("no Han here")
    # the threshold: more than 1% of the Han characters change (2 of 150, not 1 of 150)
    assert is_traditional("计" * 148 + "計劃") and not is_traditional("计" * 149 + "計")
    # given the Simplified form (a corpus's text_simplified), the same answer without converting
    simplified = to_simplified(seed_text)
    assert is_traditional(seed_text, simplified) and not is_traditional(simplified, simplified)


def test_traditional_variants_are_no_trace_of_a_simplified_original():
    from analysis.text.script import surviving_simplified

    # 爲 衆 羣 裏 麽 are Traditional variant forms (older prints, Wikisource transcriptions):
    # Taiwan's standard writes them otherwise, but they are not Simplified. 并 and 后 are.
    text = "我們爲人民服務，羣衆在這裏做甚麽。各縣今后要並且加強幹部隊伍，并且團結一致。"
    found = surviving_simplified(text)
    assert found[["char", "traditional", "count"]].values.tolist() == [["后", "後", 1], ["并", "並", 1]]


def test_the_seeds_provenance_finding_names_its_surviving_simplified_characters(seed_corpus):
    from analysis.output.findings import provenance

    text = str(provenance(seed_corpus))
    assert "000_8ebf5a98b5b66884: written in Traditional characters, but 11 Simplified-only characters" in text
    assert "干 ×3 (協會干部隊), 于 ×2 (《關于持續), 后 ×2 (設市后市第), 并 ×2 (作，并與各)" in text
    assert "托" not in text.split("survive")[1].split(":")[0]   # 依托 is right in Traditional too


def test_forms_taiwan_and_hong_kong_write_are_no_trace_of_a_simplified_original():
    """台 (Hong Kong's form; OpenCC writes 臺), 污 and 峰 (Taiwan's: 汙, 峯) and 岩 (Taiwan's
    standard list; OpenCC writes 巖) are how genuine Taiwan text is written: a new user's
    Taiwan speeches were said to be machine conversions for them. 今后 is still a trace."""
    text = "台北市政府今年致力減少河川污染，並整治花崗岩步道，舉辦高峰會。各縣協會今后要加強幹部隊伍。"
    assert surviving_simplified(text).values.tolist() == [["后", "後", 1, "會今后要加"]]
