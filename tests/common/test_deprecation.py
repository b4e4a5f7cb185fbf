"""The old spellings of calls (docs/api.md): the decorator, then each old spelling of the
public API giving the same result as the new one, with a DeprecationWarning naming it."""
import warnings

import pandas as pd
import pytest

import analysis
from analysis.common.deprecation import SpellingDeprecationWarning, renamed_arguments

from ..measures.test_vocabulary import TOY_NGRAMS, toy_tokens


@renamed_arguments({"top": "n", "group": "by"}, moved=("n", "by"))
def _rows(table, *, n=2, by=None):
    return (table, n, by)


def test_the_new_spelling_passes_silently():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _rows("t", n=3, by="year") == ("t", 3, "year")
        assert _rows("t") == ("t", 2, None)


def test_a_renamed_keyword_is_read_as_the_new_one_with_a_warning():
    with pytest.warns(DeprecationWarning, match=r"_rows\(\): top= is now n="):
        assert _rows("t", top=5) == ("t", 5, None)
    with pytest.warns(SpellingDeprecationWarning, match=r"group= is now by=.*next release"):
        assert _rows("t", group="genre") == ("t", 2, "genre")


def test_moved_positionals_become_their_keywords_in_their_former_order():
    with pytest.warns(DeprecationWarning) as caught:
        assert _rows("t", 4, "year") == ("t", 4, "year")
    assert [str(w.message).split(";")[0] for w in caught] == [
        "_rows(): the 2nd positional argument is now n= (keyword only)",
        "_rows(): the 3rd positional argument is now by= (keyword only)"]
    assert caught[0].filename == __file__   # the warning points at the caller


def test_both_spellings_or_too_many_positionals_raise_as_python_would():
    with pytest.raises(TypeError, match="both top= .* and n="):
        _rows("t", top=1, n=2)
    with pytest.raises(TypeError, match="multiple values for argument 'n'"):
        _rows("t", 1, n=2)
    with pytest.raises(TypeError, match="at most 3 positional arguments"):
        _rows("t", 1, 2, 3)


def test_a_rename_to_no_parameter_is_refused_when_decorating():
    with pytest.raises(TypeError, match="names no parameter"):
        renamed_arguments({"top": "rows"})(lambda table, *, n=1: table)


def test_the_signature_is_the_new_one():
    import inspect

    assert list(inspect.signature(analysis.kwic).parameters)[:4] == ["corpus", "term", "window", "tokens"]
    assert inspect.signature(analysis.kwic).parameters["window"].kind is inspect.Parameter.KEYWORD_ONLY
    assert analysis.top_terms.__renamed__ == {"per_theme": "n"}


def _same(old, new):
    """``old()`` warns (a DeprecationWarning naming the new spelling) and equals ``new()``."""
    with pytest.warns(DeprecationWarning, match="is now") as caught:
        got = old()
    assert all(issubclass(w.category, DeprecationWarning) for w in caught)
    want = new()
    if isinstance(want, pd.DataFrame):
        pd.testing.assert_frame_equal(got, want)
    else:
        assert got == want
    return got


# A small corpus of our own words, two speeches (as tests/measures/test_themes.py writes them).
CORPUS = pd.DataFrame({
    "speech_id": ["a", "b"], "year": [2010, 2014], "genre": ["report", "report"],
    "text": ["一、加強流動人口服務。\n群眾工作要做好，群眾滿意。", "一、深化改革開放。\n流動人口和群眾，改革再改革。"],
})
CORPUS["text_simplified"] = CORPUS["text"].map(analysis.to_simplified)


@pytest.fixture(scope="module")
def tokens():
    return analysis.corpus_tokens(CORPUS, cache=False)


def test_old_spellings_of_the_measures(tokens):
    _same(lambda: analysis.kwic(CORPUS, "群眾", 5, tokens),
          lambda: analysis.kwic(CORPUS, "群眾", window=5, tokens=tokens))
    _same(lambda: analysis.dispersion(CORPUS, ["群眾"], tokens),
          lambda: analysis.dispersion(CORPUS, ["群眾"], tokens=tokens))
    _same(lambda: analysis.dispersion_units(CORPUS, "equal", 3),
          lambda: analysis.dispersion_units(CORPUS, unit="equal", n_parts=3))
    _same(lambda: analysis.theme_hits(CORPUS, tokens), lambda: analysis.theme_hits(CORPUS, tokens=tokens))
    _same(lambda: analysis.theme_shares(CORPUS, by="speech"), lambda: analysis.theme_shares(CORPUS, unit="speech"))
    _same(lambda: analysis.theme_shares(CORPUS, "speech", tokens),
          lambda: analysis.theme_shares(CORPUS, unit="speech", tokens=tokens))
    hits = analysis.theme_hits(CORPUS)
    _same(lambda: analysis.top_terms(hits, per_theme=2), lambda: analysis.top_terms(hits, n=2))
    _same(lambda: analysis.top_terms(hits, 2), lambda: analysis.top_terms(hits, n=2))
    _same(lambda: analysis.theme_density(CORPUS, "year", tokens),
          lambda: analysis.theme_density(CORPUS, by="year", tokens=tokens))
    _same(lambda: analysis.frequencies(tokens, "speech_id", "all"),
          lambda: analysis.frequencies(tokens, by="speech_id", words="all"))
    _same(lambda: analysis.collocations(tokens, None, 3, 1),
          lambda: analysis.collocations(tokens, window=3, min_count=1))
    _same(lambda: analysis.term_counts(tokens, ["改革"], "both"),
          lambda: analysis.term_counts(tokens, ["改革"], match="both"))
    _same(lambda: analysis.term_trends(tokens, ["改革"], "year"),
          lambda: analysis.term_trends(tokens, ["改革"], by="year"))
    _same(lambda: analysis.group_column(CORPUS, "genre"), lambda: analysis.group_column(CORPUS, by="genre"))
    ids = pd.Series(["b", "a"])
    assert _same(lambda: analysis.speech_groups(ids, "year", CORPUS).tolist(),
                 lambda: analysis.speech_groups(ids, by="year", corpus=CORPUS).tolist()) == [2014, 2010]
    _same(lambda: analysis.period_reference([2012], 2), lambda: analysis.period_reference([2012], margin=2))


def test_old_spellings_of_ngrams(tokens):
    toy = toy_tokens(TOY_NGRAMS)
    _same(lambda: analysis.ngrams(toy, 3, "all", 1), lambda: analysis.ngrams(toy, size=3, words="all", min_count=1))
    _same(lambda: analysis.ngrams(toy, n=1, min_count=1), lambda: analysis.ngrams(toy, size=1, min_count=1))
    # min_count is 2 by default, as everywhere; where the former default (1) would keep more, a warning says so.
    with pytest.warns(DeprecationWarning, match=r"min_count is 2 by default.* 2 n-gram\(s\) seen once"):
        default = analysis.ngrams(toy)
    pd.testing.assert_frame_equal(default, analysis.ngrams(toy, min_count=2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        analysis.ngrams(toy, min_count=1)


def test_old_spellings_of_keyness(tokens):
    _same(lambda: analysis.keyness(tokens, ["b"], "general", min_count=1),
          lambda: analysis.keyness(tokens, target=["b"], reference="general", min_count=1))
    # reference=None with a target: the rest of the corpus, as before, with a warning; "rest" says it.
    with pytest.warns(DeprecationWarning, match='pass reference="rest"'):
        old = analysis.keyness(tokens, target=["b"], min_count=1)
    new = analysis.keyness(tokens, target=["b"], reference="rest", min_count=1)
    pd.testing.assert_frame_equal(old, new)
    assert new.attrs["reference"].startswith("reference: the rest of the corpus: 1 speech")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # without a target, None is general Chinese, as it was
        assert analysis.keyness(tokens, min_count=1).attrs["reference"].startswith("general Chinese")
    with pytest.raises(ValueError, match='reference="rest" is the speeches outside the target'):
        analysis.keyness(tokens, reference="rest")
    with pytest.raises(ValueError, match="target='general' names a reference"):
        analysis.keyness(tokens, target="general")
    _same(lambda: analysis.keyness_by_speech(tokens, top=3, min_count=1),
          lambda: analysis.keyness_by_speech(tokens, n=3, min_count=1))
    _same(lambda: analysis.keyness_by_reference(tokens, {"g": "general"}, 2, min_count=1),
          lambda: analysis.keyness_by_reference(tokens, {"g": "general"}, n=2, min_count=1))
    _same(lambda: analysis.keyword_network(tokens, top=5, min_count=1),
          lambda: analysis.keyword_network(tokens, n=5, min_count=1))
    later = analysis.keyness(tokens, target=["b"], reference=["a"], min_count=1)
    earlier = analysis.keyness(tokens, target=["a"], reference=["b"], min_count=1)
    _same(lambda: analysis.period_contrast(later, earlier, 2013, top=1, max_p=None),
          lambda: analysis.period_contrast(later, earlier, 2013, n=1, max_p=None))


def test_old_spellings_of_the_extractors_and_reuse():
    parts = analysis.corpus_outline(CORPUS, cache=False)
    _same(lambda: analysis.formulas(CORPUS.text[0], parts[parts.speech_id == "a"]),
          lambda: analysis.formulas(CORPUS.text[0], parts=parts[parts.speech_id == "a"]))
    _same(lambda: analysis.campaigns(CORPUS.text[0], None), lambda: analysis.campaigns(CORPUS.text[0], parts=None))
    _same(lambda: analysis.directives(CORPUS, parts), lambda: analysis.directives(CORPUS, parts=parts))
    found = analysis.targets(CORPUS, parts=parts)
    _same(lambda: analysis.targets(CORPUS, parts), lambda: found)
    _same(lambda: analysis.term_figures(CORPUS, found, ["改革"]),
          lambda: analysis.term_figures(CORPUS, ["改革"], found=found))
    names = analysis.corpus_campaigns(CORPUS)
    _same(lambda: analysis.name_summary(names, top=1), lambda: analysis.name_summary(names, n=1))
    links = pd.DataFrame({"speech_a": ["a"], "start_a": [6], "end_a": [10], "speech_b": ["b"],
                          "start_b": [11], "end_b": [15], "dated": [True]})
    _same(lambda: analysis.reuse_summary(links, CORPUS), lambda: analysis.reuse_summary(links, corpus=CORPUS))
    _same(lambda: analysis.predecessor_reuse(links, CORPUS, group="genre"),
          lambda: analysis.predecessor_reuse(links, corpus=CORPUS, by="genre"))
    _same(lambda: analysis.most_reused(links, CORPUS, top=1, passage_ids=False),
          lambda: analysis.most_reused(links, corpus=CORPUS, n=1, passage_ids=False))


def test_old_spellings_of_the_pipeline(tmp_path):
    text = CORPUS.text[0]
    simplified = CORPUS.text_simplified[0]
    _same(lambda: analysis.tokenize(text, simplified), lambda: analysis.tokenize(text, simplified=simplified))
    parts = analysis.outline(text)
    from analysis.corpus.pipeline import speech_tokens
    from analysis.text.outline import assign_parts

    whole = _same(lambda: speech_tokens(text, simplified, parts),
                  lambda: speech_tokens(text, simplified=simplified, parts=parts))
    assert whole["token"].astype(str).tolist()[:3] == ["一", "、", "加強"]
    _same(lambda: assign_parts(analysis.tokenize(text), parts),
          lambda: assign_parts(analysis.tokenize(text), parts=parts))
    frame = pd.DataFrame({"where": ["closing", "section"], "n": [None, 1]})
    assert _same(lambda: analysis.places(frame, "where", "n").tolist(),
                 lambda: analysis.places(frame, part_col="where", section_col="n").tolist()) == ["結語", "一"]
    folder = tmp_path / "speeches"
    folder.mkdir()
    (folder / "a.txt").write_text(text, encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    with pytest.warns(Warning) as caught:  # the empty file is skipped with a warning, as errors="warn" says
        corpus = analysis.load_corpus(folder, "warn", cache=False)
    assert "the 2nd positional argument is now errors= (keyword only)" in {
        str(w.message).split(": ", 1)[-1].split(";")[0] for w in caught if issubclass(w.category, DeprecationWarning)}
    assert any("empty.txt" in str(w.message) for w in caught)
    with pytest.warns(UserWarning, match="empty.txt"):
        pd.testing.assert_frame_equal(corpus, analysis.load_corpus(folder, errors="warn", cache=False))
    assert corpus.speech_id.tolist() == ["a"]
    _same(lambda: analysis.removals(corpus, False), lambda: analysis.removals(corpus, substitutions=False))


def test_the_table_of_old_spellings_in_the_docs_is_the_decorated_functions():
    """docs/api.md's table of old spellings names exactly the public functions that keep an
    old spelling (``__renamed__`` or ``__moved__`` set by the decorator)."""
    import re
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text(encoding="utf-8")
    table = text.split("## Old → new spellings", 1)[1]
    listed = {name for row in table.splitlines() if row.startswith("| `")
              for name in re.findall(r"`(\w+)`", row.split("|")[1])}
    decorated = {name for name in dir(analysis) if not name.startswith("_")
                 for fn in [getattr(analysis, name, None)]
                 if callable(fn) and (getattr(fn, "__renamed__", None) or getattr(fn, "__moved__", None))}
    from analysis.corpus.pipeline import speech_tokens
    from analysis.text.outline import assign_parts

    decorated |= {f.__name__ for f in (speech_tokens, assign_parts) if f.__moved__}
    decorated.add("term_figures")  # its own wrapper swaps two positionals, which the decorator does not map
    assert listed == decorated


def test_names_of_a_package_that_was_one_module_resolve_with_a_warning():
    import importlib

    from analysis.corpus.load import load_corpus
    from analysis.reuse.links import reuse

    corpus_package = importlib.import_module("analysis.corpus")  # analysis.reuse is the function
    reuse_package = importlib.import_module("analysis.reuse")

    with pytest.warns(DeprecationWarning, match=r"corpus\.load_corpus is now analysis\.corpus\.load\.load_corpus"):
        assert corpus_package.load_corpus is load_corpus
    with pytest.warns(DeprecationWarning, match=r"analysis\.reuse\.reuse is now analysis\.reuse\.links\.reuse"):
        assert reuse_package.reuse is reuse
    with pytest.raises(AttributeError, match="has no attribute 'no_such_name'"):
        corpus_package.no_such_name  # noqa: B018
