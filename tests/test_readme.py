"""Every number the README and its docs pages state about the data, read from the page where the
sentence stands (README.md, or the docs/ page it moved to) and computed again.

Each test finds a sentence of its page by a pattern, reads the numbers in it and computes
them from the data with the functions the notebooks call: the README and the code cannot
drift apart. A change that moves a finding (a theme rule, a formula rule, the cleaner) fails
here until the README says the new number; a sentence rewritten fails its pattern, and the
message asks for the pattern to be updated with the new wording (and the numbers checked).

What is not pinned here, by design, and says so where it stands:

- timings, speeds and memory (``make bench``; ``bench/README.md`` holds the latest runs): a
  benchmark's figures depend on the machine and belong in no test's pass/fail;
- past states of the code the README compares with ("it was 297 s", "the numbers before
  them were …", "when it was added, … changed 643 tokens"): no test of today's code can
  recompute them;
- hand judgments (the outline's precision read by eye, the formula sample read by a person):
  the counts they judged are recomputed, the judgments add up to them;
- estimates of scale ("10,000 speeches is about 30 MB", "some 35,000 speeches fit"), drawn
  from the benchmarks' slopes.

Texts of the shared corpus never enter the project: only counts, years and the names of
formulas are compared.
"""
from __future__ import annotations

import functools
import re

import pytest

import analysis
from analysis import config
from analysis.measures.compare import _critical_g2
from analysis.measures.concordance import MIN_HITS
from analysis.measures.trends import MIN_DATED, MIN_GROUPS
from analysis.text.script import surviving_simplified

# The docs pages the README's details moved to: each test reads the page its sentence stands on.
CLEANING = "docs/cleaning.md"
DATA_MODEL = "docs/data-model.md"
NOTEBOOKS = "docs/notebooks.md"
REPORT = "docs/report.md"
FILES = "docs/researcher-files.md"
SCALE = "docs/scale.md"
SEGMENTATION = "docs/segmentation.md"

NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}


@functools.cache
def page_text(page: str) -> str:
    """A page of the project (README.md, or a page of docs/ where the README sends the reader
    for details) with every run of whitespace made one space (line wraps do not matter)."""
    return re.sub(r"\s+", " ", (config.ROOT / page).read_text(encoding="utf-8"))


def readme() -> str:
    return page_text("README.md")


def said(pattern: str, page: str = "README.md") -> re.Match:
    """The sentence of ``page`` matching ``pattern``; fails, naming both, when it is gone."""
    m = re.search(pattern, page_text(page))
    if m is None:
        pytest.fail(f"{page} no longer says /{pattern}/: update the pattern in tests/test_readme.py to "
                    "the new wording (or the page where the sentence now stands), and check that its numbers "
                    "are what the test computes")
    return m


def num(text: str) -> int | float:
    """A number as the README writes it: 1,077; 0.43; 44; four."""
    if text in NUMBER_WORDS:
        return NUMBER_WORDS[text]
    text = text.replace(",", "")
    return float(text) if "." in text else int(text)


def nums(m: re.Match) -> list:
    return [num(g) for g in m.groups()]


# --------------------------------------------------------------------------- the seed

@pytest.fixture(scope="module")
def seed(seed_corpus, tokens):
    return seed_corpus, tokens, analysis.corpus_outline(seed_corpus)


def test_00_dating_and_provenance(seed):
    corpus, _, _ = seed
    row = corpus.iloc[0]
    m = said(r"dated \*\*(\d{4}) from its text\*\* \(`(\d{4})年度`, (\w+) times; the page's `時間:` line, "
             r"(\d{4}-\d\d-\d\d), is its posting time", page=NOTEBOOKS)
    year, own, times, posted = m.groups()
    assert (row["year"], row["date_source"]) == (int(year), "text")
    assert row["date_evidence"] == f"{own}年度 ({num(times)} times)"
    assert row["published"].strftime("%Y-%m-%d") == posted
    m = said(r"(\d+) Simplified-only characters survive: ([^)]+)\)", page=NOTEBOOKS)
    survivors = surviving_simplified(row["text"])
    assert int(survivors["count"].sum()) == num(m[1])
    assert all(char in m[2] for char in survivors["char"])   # each is in a word the README lists


def test_00_cleaning_and_structure(seed):
    corpus, _, parts = seed
    audit = analysis.removals(corpus)
    m = said(r"and (\d+) inline pinyin readings \((\d+) after 協\), and changed (\d+) half-width punctuation marks",
             page=NOTEBOOKS)
    pinyin = audit[audit["kind"] == "pinyin"]
    raw = corpus["raw"].iloc[0]
    assert nums(m) == [len(pinyin), sum(raw[s - 1] == "協" for s in pinyin["start"]),
                       int((audit["kind"] == "punctuation").sum())]
    deletions = audit[audit["new"] == ""]["kind"].value_counts().to_dict()
    assert {k: deletions.get(k, 0) for k in ("title", "date", "lede", "footer")} == dict.fromkeys(
        ("title", "date", "lede", "footer"), 1)   # "a title line, the posting-time line, the 導語: line, the footer"
    m = said(r"The speech has (\w+) numbered sections \(一 (\d+) points, 二 (\d+), 三 (\d+)\) and a closing; "
             r"二 holds ([\d,]+) of its ([\d,]+) Han characters \((\d+)%\)", page=NOTEBOOKS)
    n_sections, p1, p2, p3, second, total, share = nums(m)
    sections = parts[parts["part"] == "section"]
    points = parts[parts["part"] == "point"].groupby("section").size().tolist()
    assert len(sections) == n_sections and points == [p1, p2, p3] and (parts["part"] == "closing").sum() == 1
    assert int(sections.loc[sections["section"] == 2, "n_chars"].iloc[0]) == second
    assert int(corpus["n_chars"].iloc[0]) == total and round(100 * second / total) == share
    assert num(said(r"section 二 is (\d+)% of the seed", page=NOTEBOOKS)[1]) == share
    m = said(r"The seed is dated (\d{4}) by rule 4 \(`(\d{4})年度`, (\w+) times\) while its page says "
             r"(\d{4}-\d\d-\d\d)", page=DATA_MODEL)
    year, own, times, posted = m.groups()
    assert (int(year), corpus["date_evidence"].iloc[0]) == (corpus["year"].iloc[0], f"{own}年度 ({num(times)} times)")
    assert corpus["published"].iloc[0].strftime("%Y-%m-%d") == posted


def test_01_vocabulary(seed):
    _, tokens, _ = seed
    freq = analysis.frequencies(tokens).set_index("token")
    m = said(r"\*\*計生協會, (\d+) times\*\* \(written 計生協會 (\d+) · 計生協 (\d+) · 計劃生育協會 (\d+)\), "
             r"then 工作 \((\d+) as a word, (\d+) in all\) and 群眾 \(\*\*(\d+) as a word, (\d+) in all\*\*",
             page=NOTEBOOKS)
    total, a, b, c, work, work_all, masses, masses_all = nums(m)
    assert freq.index[0] == "計生協會" and freq.loc["計生協會", "count"] == total
    assert freq.loc["計生協會", "variants"] == f"計生協會 {a} · 計生協 {b} · 計劃生育協會 {c}"
    assert (freq.loc["工作", "count"], freq.loc["群眾", "count"]) == (work, masses)
    both = analysis.term_counts(tokens, ["工作", "群眾"], match="both").set_index("term")
    assert both[["word", "within"]].values.tolist() == [[work, work_all], [masses, masses_all]]
    assert num(said(r"On the seed, the association is one term of (\d+) mentions", page=DATA_MODEL)[1]) == total
    colloc = analysis.collocations(tokens, node="雙降", window=5, min_count=2).set_index("collocate")
    m = said(r"雙降 collocates with 實現 \((\d+) of its (\d+) uses\) and 目標 \((\d+)\)", page=NOTEBOOKS)
    assert nums(m) == [colloc.loc["實現", "f_xy"], colloc.loc["實現", "f_node"], colloc.loc["目標", "f_xy"]]
    from analysis.measures.compare import FREQUENCY_LIST_MIN_COUNT
    from analysis.output.findings import register_words

    assert num(said(r"terms seen fewer than (\d+) times get no LRC", page=NOTEBOOKS)[1]) == FREQUENCY_LIST_MIN_COUNT
    general = analysis.keyness(tokens)
    m = said(r"Against general Chinese the top keywords \((\w+), (\w+), (\w+), (\w+), (\w+)\)", page=NOTEBOOKS)
    assert list(m.groups()) == general["token"].head(5).tolist()
    corpus = seed[0]
    period = analysis.same_genre_reference(corpus)
    same = analysis.keyness(tokens, reference=period, absent="include", positive_only=False)
    m = said(r"(\w+), (\w+), (\w+) are no keyword against the (\d{4})–(\d{4}) reports", page=NOTEBOOKS)
    assert list(m.groups()[:3]) == register_words(general, same) and period == f"gwr:{m[4]}-{m[5]}"
    ranked = analysis.keyness(tokens, reference=period)
    m = said(r"the same-genre one, where (\w+) and (\w+) lead \(compared inside words", page=NOTEBOOKS)
    assert list(m.groups()) == ranked["token"].head(2).tolist() and (ranked["basis"].head(2) == "within").all()


def test_02_seed_campaign_names(seed_corpus):
    names = analysis.corpus_campaigns(seed_corpus)
    campaigns = names[names["function"] == "campaign"]
    m = said(r"all (\w+) campaign and activity names stand in section 二", page=NOTEBOOKS)
    assert len(campaigns) == num(m[1]) and all(list(where) == [2] for where in campaigns["sections"])
    five = analysis.formulas(seed_corpus["text"].iloc[0]).set_index("formula").loc["五有"]
    assert five["n_items"] == num(said(r"五有 is a standard with its (\w+) items",
                                       page=NOTEBOOKS)[1]) == len(five["expansion"])


def test_03_concordance_and_dispersion(seed):
    corpus, tokens, parts = seed
    hits = analysis.kwic(corpus, "雙降", window=18, parts=parts)
    m = said(r"雙降 occurs (\d+) times, in sections 一 \((\d+)\), 二 \((\d+)\) and 三 \((\d+)\), all (\d+) inside "
             r"numbered points, (\d+) of them in two \(一\.(\d+) and 二\.(\d+)\)", page=NOTEBOOKS)
    n, s1, s2, s3, in_points, in_two, point1, point2 = nums(m)
    by_section = hits["section"].value_counts().to_dict()
    by_point = hits.groupby(["section", "point"]).size()
    assert len(hits) == n and by_section == {1: s1, 2: s2, 3: s3} and int(hits["point"].notna().sum()) == in_points
    assert by_point.loc[(1, point1)] + by_point.loc[(2, point2)] == in_two == by_point.nlargest(2).sum()

    m = said(r"the seed's (\d+) uses of 雙降 give DP ([\d.]+) over its sections and ([\d.]+) over its "
             r"(\d+) paragraphs", page=NOTEBOOKS)
    uses, over_sections, over_paragraphs, n_paragraphs = nums(m)
    sections = analysis.dispersion_measures(corpus, ["雙降"], unit="section", parts=parts).iloc[0]
    assert (sections["hits"], round(sections["dp"], 2)) == (uses, over_sections)

    theme_hits = analysis.theme_hits(corpus, tokens=tokens, parts=parts)
    terms = ["雙降"] + [t for t in analysis.top_terms(theme_hits) if analysis.canonical(t) != "双降"]
    measures = analysis.dispersion_measures(corpus, terms, parts=parts).set_index("term")
    assert (round(measures.loc["雙降", "dp"], 2), measures.loc["雙降", "n_parts"]) == (over_paragraphs, n_paragraphs)
    m = said(r"Over paragraphs its DP is ([\d.]+), from (\d+) hits", page=NOTEBOOKS)
    assert nums(m) == [round(measures.loc["雙降", "dp"], 2), measures.loc["雙降", "hits"]]
    assert num(said(r"`enough_hits` \(at least (\d+)\)", page=NOTEBOOKS)[1]) == MIN_HITS
    assert not measures.loc["雙降", "enough_hits"]
    m = said(r"群眾 \((\d+) hits, (\d+) of them as a word; DP ([\d.]+)\), 人口計生 \((\d+), DP ([\d.]+)\) and "
             r"計生協會 \((\d+), DP ([\d.]+)\) are spread more evenly than 宣傳 \((\d+), DP ([\d.]+)\)", page=NOTEBOOKS)
    words = analysis.term_counts(tokens, ["群眾"], match="word")["count"].iloc[0]
    shown = [[int(measures.loc[t, "hits"]), round(float(measures.loc[t, "dp"]), 2)]
             for t in ("群眾", "人口計生", "計生協會", "宣傳")]
    flat = [x for pair in shown for x in pair]
    assert nums(m) == [flat[0], words, *flat[1:]]
    assert all(measures.loc[t, "enough_hits"] for t in ("群眾", "人口計生", "計生協會", "宣傳"))
    service = theme_hits[theme_hits["theme"] == "service"]
    assert num(said(r"The service theme has (\d+) hits", page=NOTEBOOKS)[1]) == len(service)


def test_03_theme_density(seed):
    corpus, tokens, parts = seed
    shares = analysis.theme_shares(corpus, tokens=tokens, parts=parts)
    densest = shares.sort_values("per_1000", ascending=False, kind="stable").drop_duplicates("place")
    densest = densest.set_index("place")
    m = said(r"section 二, where propaganda and education lead \(([\d.]+) per 1,000 characters, (\d+) hits\)",
             page=NOTEBOOKS)
    assert densest.loc["二", "theme"] == "propaganda" and round(densest.loc["二", "per_1000"], 1) == num(m[1])
    assert densest.loc["二", "hits"] == num(m[2])
    m = said(r"its closing's ([\d.]+) is (\d+) hits", page=NOTEBOOKS)
    assert [round(densest.loc["結語", "per_1000"], 1), densest.loc["結語", "hits"]] == nums(m)
    # "the association's naming of itself leads every part but section 二"
    assert set(densest.drop(index="二")["theme"]) == {"association"}


def test_04_the_terms_in_the_reports_and_the_seed(tokens):
    m = said(r"計劃生育 appears in the reports from (\d{4}) to (\d{4}) \((\d+) times as a word, (\d+) counting it "
             r"inside longer words; peak (\d{4}), ([\d.]+) per 10,000 "
             r"words\) and 流動人口 from (\d{4}) to (\d{4}); the seed uses them at ([\d.]+) and ([\d.]+) per "
             r"10,000, far above the 2012 report \(([\d.]+) and ([\d.]+)\)", page=NOTEBOOKS)
    first, last, as_word, within, peak, peak_rate, f2, l2, seed_a, seed_b, report_a, report_b = nums(m)
    national = analysis.reference_trends(["計劃生育", "流動人口"])
    inside = analysis.reference_trends(["計劃生育"], match="within")
    assert (national.loc[national["term"] == "計劃生育", "count"].sum(), inside["count"].sum()) == (as_word, within)
    used = national[national["count"] > 0]
    plan, floating = used[used["term"] == "計劃生育"], used[used["term"] == "流動人口"]
    assert (plan["year"].min(), plan["year"].max(), floating["year"].min(), floating["year"].max()) == (
        first, last, f2, l2)
    top = plan.loc[plan["per_10k"].idxmax()]
    assert (top["year"], round(top["per_10k"], 1)) == (peak, peak_rate)
    in_2012 = national[national["year"] == 2012].set_index("term")["per_10k"].round(1)
    assert (in_2012["計劃生育"], in_2012["流動人口"]) == (report_a, report_b)
    own = analysis.speech_rates(tokens, ["計劃生育", "流動人口"]).set_index("term")["per_10k"].round(1)
    assert (own["計劃生育"], own["流動人口"]) == (seed_a, seed_b)
    m = said(r"the reports of its own years ± (\d+) \(the seed: (\d{4})–(\d{4})\), by LRC: (\w+) and (\w+)",
             page=NOTEBOOKS)
    period = analysis.keyness(tokens, reference=f"gwr:{m[2]}-{m[3]}")
    assert [m[4], m[5]] == period["token"].head(2).tolist()
    margin, low, high = (num(g) for g in m.groups()[:3])
    assert analysis.period_reference([2012], margin=margin) == f"gwr:{low}-{high}"
    m = said(r"Within a dated corpus of at least (\w+) speeches in (\w+) years", page=NOTEBOOKS)
    assert nums(m) == [MIN_DATED, MIN_GROUPS]
    m = said(r"significant at p < ([\d.]+), G² ≥ ([\d.]+)", page=NOTEBOOKS)
    assert round(_critical_g2(num(m[1])), 2) == num(m[2])


# --------------------------------------------------------------------------- the shared reports

@pytest.fixture(scope="module")
def reports(gwr_dir):
    return analysis.load_corpus(gwr_dir, progress=False)


def test_the_shared_corpus_loads_as_it_is(reports):
    m = said(r"gives (\d+) rows with `title`, `year`, `genre` and `source` from its table, the (\d+) reports "
             r"dated by it \(`date_source == \"metadata\"`\) and the (\d+) NPC resolutions")
    n, by_table, resolutions = nums(m)
    sources = reports["date_source"].value_counts().to_dict()
    assert len(reports) == n and sources == {"metadata": by_table, "text": resolutions}
    assert reports.loc[reports["date_source"] == "text", "speech_id"].str.startswith("npc_resolution").all()


def test_02_formulas_in_the_reports(reports):
    found = analysis.corpus_formulas(reports)
    m = said(r"On the (\d+) shared government work reports and resolutions, `corpus_formulas` reports (\d+) "
             r"formulas \(speech × formula\) in (\d+) of them", page=NOTEBOOKS)
    assert nums(m) == [len(reports), len(found), found["speech_id"].nunique()]
    m = said(r"while finding 一國兩制 in (\d+) reports, 三個代表 in (\d+), 八項規定 in (\d+), 四個全面 in (\d+), "
             r"兩個一百年 in (\d+), 四個現代化 in (\d+) and 三去一降一補 in (\d+)", page=NOTEBOOKS)
    names = ["一国两制", "三个代表", "八项规定", "四个全面", "两个一百年", "四个现代化", "三去一降一补"]
    assert nums(m) == [found.loc[found["simplified"] == f, "speech_id"].nunique() for f in names]
    m = said(r"Reading a random sample of (\d+) of those rows \(`random_state=(\d+)`, redrawn and read again after "
             r"these additions\), none was wrong and (\d+) debatable \(一個中國 and 九二共識", page=NOTEBOOKS)
    size, seed, debatable = nums(m)
    sample = found.sample(size, random_state=seed)
    assert int(sample["simplified"].isin(["一个中国", "九二共识"]).sum()) == debatable


def test_04_life_cycles_in_the_reports(reports):
    cycles = analysis.lifecycle(reports).set_index("name")
    m = said(r"一个国家、两种制度 \(一国两制\) runs from (\d{4}) to (\d{4}) in (\d+) speeches and 三个代表 from "
             r"(\d{4}) to (\d{4}) in (\d+)", page=NOTEBOOKS)
    shown = [cycles.loc[name, column] for name in ("一个国家、两种制度", "三个代表")
             for column in ("first", "last", "n_speeches")]
    assert nums(m) == shown


def test_cleaning_the_reports(reports):
    from analysis.text.chars import count_han

    m = said(r"of ([\d,]+) Han characters in the (\d+) raw files, ([\d,]+) are kept\. The ([\d,]+) removed are "
             r"the Wikisource licence footer \(([\d,]+), in (\d+) files\), the title, date line and byline above "
             r"(\d+) reports and resolutions \(([\d,]+)\) and one wiki placeholder \(`粗体文字`, (\d+)\)",
             page=CLEANING)
    raw_han, files, kept, removed, legal, legal_files, headed, head_han, placeholder = nums(m)
    audit = analysis.removals(reports, substitutions=False)
    audit["han"] = audit["text"].map(count_han)
    by_kind = audit.groupby("kind")["han"].sum()
    assert (len(reports), int(reports["raw"].map(count_han).sum()), int(reports["n_chars"].sum())) == (
        files, raw_han, kept)
    assert raw_han - kept == removed == int(audit["han"].sum())
    assert (by_kind["legal"], audit.loc[audit["kind"] == "legal", "speech_id"].nunique()) == (legal, legal_files)
    head = audit[audit["kind"].isin(["title", "date", "byline"])]
    assert (head["speech_id"].nunique(), int(head["han"].sum()), by_kind["code"]) == (headed, head_han, placeholder)
    m = said(r"(\d+) line breaks inside paragraphs are joined", page=CLEANING)
    assert num(m[1]) == int((audit["kind"] == "join").sum())
    m = said(r"([\d,]+) spaces in spaced-out digits go \((\d+) in the 1998 report\)", page=CLEANING)
    spacing = audit[audit["kind"] == "spacing"]
    assert nums(m) == [len(spacing), int((spacing["speech_id"] == "gwr_1998").sum())]


def test_outline_precision_counts(reports):
    m = said(r"By eye on (\w+) reports \(([\d, ]+)\): all (\d+) sections found are real sections and none is missed",
             page=CLEANING)
    n_reports, years, n_sections = num(m[1]), [int(y) for y in m[2].split(", ")], num(m[3])
    ids = [f"gwr_{y}" for y in years]
    parts = analysis.corpus_outline(reports[reports["speech_id"].isin(ids)])
    assert len(years) == n_reports and int((parts["part"] == "section").sum()) == n_sections
    m = said(r"Of (\d+) points found, (\d+) are the section's own numbered points; (\d+) are items", page=CLEANING)
    found, own, items = nums(m)
    assert int((parts["part"] == "point").sum()) == found == own + items   # the split is the reader's


# --------------------------------------------------------------------------- segmentation

SEGMENTERS = {"pipeline": "pipeline", "jieba.posseg + user dictionary": "jieba.posseg + user dict",
              "jieba.lcut, project dictionary": "jieba.lcut + project dict",
              "jieba.lcut + user dictionary": "jieba.lcut + user dict",
              "jieba.lcut, jieba's dictionary alone": "jieba.lcut"}


def test_the_segmentation_table(segmentation_scores):
    from analysis.text.segquality import evaluate

    both, test = segmentation_scores, evaluate(parts=("test",))

    def f1(frame, gold, name):
        return round(float(frame[(frame["gold"] == gold) & (frame["segmenter"] == name)]["f1"].iloc[0]), 3)

    text = (config.ROOT / SEGMENTATION).read_text(encoding="utf-8")
    table = text[text.index("| segmenter | strict PKU |"):text.index("Read it this way.")]
    seen = []
    for line in table.splitlines():
        cells = [c.replace("*", "").strip() for c in line.strip().strip("|").split("|")]
        label = re.sub(r"\s*\(.*\)$", "", cells[0]).strip()
        if label not in SEGMENTERS:
            continue
        name = SEGMENTERS[label]
        pku, pku_test, domain, domain_test = cells[1:5]
        numbers = re.findall(r"0\.\d{3}", pku) + re.findall(r"0\.\d{3}", domain)
        expected = [f1(both, "pku", name), f1(test, "pku", name), f1(both, "domain", name), f1(test, "domain", name)]
        assert [float(pku.split()[0]), float(pku_test), float(domain.split()[0]), float(domain_test)] == expected, label
        if len(numbers) == 6:   # F1 (precision / recall)
            row = both[both["segmenter"] == name].set_index("gold")
            assert [float(x) for x in numbers] == [round(float(row.loc[g, c]), 3) for g in ("pku", "domain")
                                                   for c in ("f1", "precision", "recall")], label
        seen.append(label)
    assert seen == list(SEGMENTERS)
    pipeline = both[both["segmenter"] == "pipeline"].set_index("gold")["f1"]
    posseg = both[both["segmenter"] == "jieba.posseg + user dict"].set_index("gold")["f1"]
    m = said(r"The rules below add about (\d+) points of F1 on both golds", page=SEGMENTATION)
    assert {round(100 * (pipeline[g] - posseg[g])) for g in ("pku", "domain")} == {num(m[1])}
    lcut = both[both["segmenter"] == "jieba.lcut + project dict"].set_index("gold")["f1"]
    m = said(r"`jieba.lcut` \(and rjieba alone\) is ([\d.]+) points\s+of F1 below the pipeline on both golds",
             page=SEGMENTATION)
    gaps = {round(100 * (round(pipeline[g], 3) - round(lcut[g], 3)), 1) for g in ("pku", "domain")}
    assert gaps == {num(m[1])}


def test_the_gold_and_the_dictionary():
    from analysis.text.segment import floor_phrases
    from analysis.text.segquality import gold

    m = said(r"`analysis/data/gold/` holds (\d+) sentences of the seed \(([\d,]+) words\)", page=SEGMENTATION)
    assert nums(m) == [len(gold("pku")), sum(map(len, gold("pku")))]
    m = said(r"\*\*domain\*\* \(([\d,]+) words\), the same with (\d+) listed sequences kept whole", page=SEGMENTATION)
    merges = [line for line in (config.DATA_DIR / "gold" / "domain-merges.txt").read_text(encoding="utf-8").splitlines()
              if line.strip() and not line.startswith("#")]
    assert nums(m) == [sum(map(len, gold("domain"))), len(merges)]
    m = said(r"\*\*dev\*\* \((\d+) sentences\), written first .* \*\*test\*\* \((\d+) sentences\)", page=SEGMENTATION)
    assert nums(m) == [len(gold("pku", ("dev",))), len(gold("pku", ("test",)))]
    m = said(r"jieba's dictionary gives ([\d,]+) of its ([\d,]+) entries a count of 2 or 3", page=SEGMENTATION)
    import jieba

    with jieba.get_dict_file() as dictionary:
        counts = [int(line.split()[1]) for line in dictionary.read().decode("utf-8").splitlines() if line.strip()]
    assert nums(m) == [sum(c in (2, 3) for c in counts), len(counts)]
    m = said(r"The segmenter no longer uses ([\d,]+) of them", page=SEGMENTATION)
    assert num(m[1]) == len(floor_phrases())
    assert num(said(r"the hand-made PKU segmentation of (\d+) sentences of the seed",
                    page=FILES)[1]) == len(gold("pku"))
    assert num(said(r"The gold is one speech by one author, ([\d,]+) words",
                    page=SEGMENTATION)[1]) == sum(map(len, gold("pku")))


def test_the_template_and_the_alias_counts_the_segmentation_section_quotes(seed_corpus, tokens):
    m = said(r"keep whole what PKU splits \(計生協會, (\d+) times; 計劃生育協會, (\d+)\)", page=SEGMENTATION)
    written = tokens["token"].value_counts()
    assert nums(m) == [written["計生協會"], written["計劃生育協會"]]
    m = said(r"(\d+) of its (\d+) uses are the template's", page=SEGMENTATION)
    text = seed_corpus["text"].iloc[0]
    assert nums(m) == [text.count("要著力在"), written["著力"]]


def test_the_segmentation_audit_of_the_seed(tokens):
    from analysis.measures.vocabulary import reference_frequencies
    from analysis.text.segquality import segmentation_audit

    audit = segmentation_audit(tokens, reference_frequencies(), floor_count=3)
    m = said(r"On the seed, against jieba's dictionary: (\w+) frame words \(橋梁 and 紐帶, the set phrase "
             r"橋梁和紐帶\), (\d+) floor-count words \(流動人口 and (\w+) more user-dictionary words; .*?\), "
             r"no split user-dictionary word, and (\w+) HMM words", page=SEGMENTATION)
    frames, floor, more, hmm = nums(m)
    reasons = audit["reason"].value_counts().to_dict()
    assert reasons == {"frame": frames, "reference floor": floor, "unknown word": hmm}
    assert set(audit.loc[audit["reason"] == "frame", "token"]) == {"橋梁", "紐帶"}
    in_user_dict = audit[(audit["reason"] == "reference floor") & audit["in_user_dict"]]["token"]
    assert "流動人口" in set(in_user_dict) and len(in_user_dict) == more + 1


# --------------------------------------------------------------------------- settings the README quotes

def test_settings_the_readme_quotes():
    from analysis.corpus import parallel
    from analysis.output import figures, plots

    assert num(said(r"up to `analysis.SMALL_MULTIPLES`, (\d+)", page=NOTEBOOKS)[1]) == plots.SMALL_MULTIPLES
    assert num(said(r"no figure side over ([\d,]+) px", page=NOTEBOOKS)[1]) == figures.MAX_SIDE_PX
    assert num(said(r"No figure side exceeds ([\d,]+) px", page=REPORT)[1]) == figures.MAX_SIDE_PX
    assert num(said(r"a chart asked for more than (\w+) panels", page=REPORT)[1]) == plots.MAX_PANELS
    assert num(said(r"once there are more than ([\d,]+) characters of them",
                    page=SCALE)[1]) == parallel.PARALLEL_MIN_CHARS
    assert num(said(r"shows on passes over more than (\w+) speeches", page=SCALE)[1]) == parallel.PROGRESS_MIN_SPEECHES
    text = (config.DATA_DIR / "userdict.txt").read_text(encoding="utf-8")
    national = text[text.index("# National policy vocabulary"):]
    entries = [line for line in national.splitlines() if line.strip() and not line.startswith("#")]
    assert num(said(r"and (\d+) national policy terms of the reform era", page=FILES)[1]) == len(entries)
    labels = analysis.validation_labels()
    m = said(r"the hand-coded form and function of every name in (\d+) paragraphs", page=FILES)
    assert num(m[1]) == labels.groupby(["sample", "speech_id", "paragraph"]).ngroups
    shipped = sum(p.stat().st_size for p in (config.DATA_DIR / "reference").iterdir())
    assert num(said(r"shipped in `analysis/data/reference/` \(([\d.]+) MB, counts only\)")[1]) == round(
        shipped / 1e6, 1)


def test_the_seeds_readme_quotes_the_seed(seed_text):
    # The evidence for the speaker and the place is the seed's own words: every quotation of
    # the two paragraphs (parts around an ellipsis) stands in the cleaned text.
    text = (config.ROOT / "seeds" / "README.md").read_text(encoding="utf-8")
    evidence = text[text.index("**What is known and not known about it.**"):text.index("## What a speech file")]
    quotes = [q for q in re.findall(r"`([^`]+)`", evidence) if re.search("[\u4e00-\u9fff]{6}", q)]
    assert len(quotes) >= 5
    for quote in quotes:
        for piece in quote.split("……"):
            assert piece in seed_text, piece
    assert "呂會長" in seed_text and "撤地設市" in seed_text and seed_text.count("試驗區") == 2
