"""analysis.memo: a corpus-level result read back is the result computed, and anything that
decides it changes its key."""
from __future__ import annotations

import warnings

import pandas as pd
import pytest

import analysis.config as config
from analysis.corpus.memo import corpus_memo, frame_fingerprint

CALLS: list[int] = []
RULES = None  # a module-level data file, as extractors have (set in the test)


@pytest.fixture()
def memo_on(tmp_path, monkeypatch):
    monkeypatch.setenv("SPEECHES_MEMO", "1")
    monkeypatch.setattr(config, "CACHE_DIR", tmp_path / "cache")
    CALLS.clear()


@corpus_memo("test-counts")
def _counts(frame: pd.DataFrame, n: int = 2) -> pd.DataFrame:
    CALLS.append(1)
    if n > 5:
        warnings.warn(f"n is large: {n}", UserWarning, stacklevel=2)
    text = RULES.read_text(encoding="utf-8") if RULES else ""
    return pd.DataFrame({"speech_id": frame["speech_id"], "n": frame["text"].str.len() * n,
                         "rule": text, "year": pd.array([2012] * len(frame), dtype="Int64")})


def test_a_kept_result_is_the_computed_one(memo_on):
    frame = pd.DataFrame({"speech_id": ["a", "b"], "text": ["計生協會", "雙降目標"]})
    first = _counts(frame)
    again = _counts(frame.copy())
    assert CALLS == [1]
    pd.testing.assert_frame_equal(first, again)
    _counts(frame, n=3)                                  # another argument
    _counts(frame.assign(text=["計生協會", "雙降"]))       # another text
    assert CALLS == [1, 1, 1]


def test_warnings_are_given_again_when_read_back(memo_on):
    frame = pd.DataFrame({"speech_id": ["a"], "text": ["計生協會"]})
    with pytest.warns(UserWarning, match="n is large: 9"):
        _counts(frame, n=9)
    with pytest.warns(UserWarning, match="n is large: 9"):
        _counts(frame, n=9)
    assert CALLS == [1]


def test_a_data_file_the_module_points_at_is_in_the_key(memo_on, tmp_path, monkeypatch):
    rules = tmp_path / "rules.tsv"
    rules.write_text("one", encoding="utf-8")
    monkeypatch.setattr(__import__(__name__), "RULES", rules, raising=False)
    globals()["RULES"] = rules
    frame = pd.DataFrame({"speech_id": ["a"], "text": ["計生協會"]})
    assert _counts(frame)["rule"].tolist() == ["one"]
    rules.write_text("two!", encoding="utf-8")
    assert _counts(frame)["rule"].tolist() == ["two!"]
    globals()["RULES"] = None


def test_off_by_the_setting_or_the_call(memo_on, monkeypatch):
    frame = pd.DataFrame({"speech_id": ["a"], "text": ["計生協會"]})
    _counts(frame)
    _counts(frame, cache=False)
    monkeypatch.setenv("SPEECHES_MEMO", "0")
    _counts(frame)
    assert CALLS == [1, 1, 1]


def test_a_loaded_corpus_is_known_by_its_store_and_its_other_columns(memo_on, seed_text, tmp_path):
    from analysis import load_corpus

    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "s.txt").write_text(seed_text, encoding="utf-8")
    corpus = load_corpus(folder)
    assert frame_fingerprint(corpus) == frame_fingerprint(load_corpus(folder))
    assert frame_fingerprint(corpus) != frame_fingerprint(corpus.assign(year=2013))
    (folder / "s.txt").write_text(seed_text + "\n同志們，再見。", encoding="utf-8")
    assert frame_fingerprint(load_corpus(folder)) != frame_fingerprint(corpus)


@corpus_memo("test-missing")
def _with_missing(frame: pd.DataFrame) -> pd.DataFrame:
    CALLS.append(1)
    return pd.DataFrame({"term": ["a", "b"], "variants": ["a 2 · b 1", pd.NA]})


def test_a_missing_value_comes_back_as_it_was_computed(memo_on):
    frame = pd.DataFrame({"speech_id": ["a"], "text": ["計生協會"]})
    first = _with_missing(frame)
    again = _with_missing(frame)
    assert CALLS == [1] and again["variants"].iloc[1] is pd.NA
    pd.testing.assert_frame_equal(first, again)


def test_a_reference_is_known_by_what_it_holds(memo_on, tokens):
    from analysis import keyness
    from analysis.measures.reference import reference

    general = reference("general")
    assert general.fingerprint() == reference("general").fingerprint()
    assert general.fingerprint() != reference("gwr").fingerprint()
    first = keyness(tokens, reference=general)
    again = keyness(tokens, reference=reference("general"))
    pd.testing.assert_frame_equal(first, again)


@corpus_memo("test-indexed")
def _by_year(frame: pd.DataFrame) -> pd.DataFrame:
    CALLS.append(1)
    return pd.DataFrame({"shared": [3, 4]}, index=pd.Index([2012, 2013], name="year"))


def test_a_result_whose_index_means_something_is_not_kept_without_it(memo_on):
    frame = pd.DataFrame({"speech_id": ["a"], "text": ["計生協會"]})
    first = _by_year(frame)
    again = _by_year(frame)
    assert CALLS == [1, 1]  # computed each time: the store keeps columns, not an index
    assert list(again.index) == [2012, 2013] and again.index.name == "year"
    pd.testing.assert_frame_equal(first, again)


@corpus_memo("test-series")
def _lengths(terms) -> pd.DataFrame:
    CALLS.append(1)
    return pd.DataFrame({"term": list(terms), "n": [len(t) for t in terms]})


def test_a_series_argument_is_known_by_its_values(memo_on):
    terms = pd.Series(["雙降", "計生協會"], name="token")
    first = _lengths(terms)
    pd.testing.assert_frame_equal(_lengths(terms.copy()), first)
    assert CALLS == [1]
    _lengths(pd.Series(["雙降", "計生協"], name="token"))   # another value
    _lengths(terms.rename("term"))                          # another name
    assert CALLS == [1, 1, 1]


def test_what_lies_under_a_missing_value_is_not_in_the_fingerprint():
    """Two nullable columns with the same values and the same missing ones are one content,
    whatever bytes sit under the missing values (a cold load left other bytes there than a
    warm one, so a result kept in the first run was never found again)."""
    import numpy as np
    import pandas as pd

    from analysis.corpus.memo import frame_fingerprint

    mask = np.array([False, True, False])
    one = pd.DataFrame({"year": pd.arrays.IntegerArray(np.array([2012, 0, 2013]), mask)})
    other = pd.DataFrame({"year": pd.arrays.IntegerArray(np.array([2012, -7, 2013]), mask.copy())})
    assert frame_fingerprint(one) == frame_fingerprint(other)
    changed = pd.DataFrame({"year": pd.arrays.IntegerArray(np.array([2012, 0, 2014]), mask.copy())})
    assert frame_fingerprint(changed) != frame_fingerprint(one)
    missing = pd.DataFrame({"year": pd.arrays.IntegerArray(np.array([2012, 0, 2013]), np.array([False, True, True]))})
    assert frame_fingerprint(missing) != frame_fingerprint(one)


@pytest.mark.parametrize("threaded", [False, True], ids=["one thread", "two threads"])
def test_a_frame_changed_in_place_after_its_fingerprint_gets_another(threaded, monkeypatch):
    """A frame fingerprinted once is checked, not hashed again, on the next call (the token
    table passed to one memoised function after another); a value changed in place, in a
    number, a categorical or a nullable column, or a category renamed, still changes the
    fingerprint, and the fingerprint is always the one a fresh copy of the frame has. A
    large frame's columns are checked on two threads (forced here), with the same answers."""
    import numpy as np

    from analysis.corpus import memo

    monkeypatch.setattr(memo, "_THREADED_BYTES", -1 if threaded else 1 << 60)

    frame = pd.DataFrame({"start": np.arange(5, dtype=np.int64),
                          "token": pd.Categorical(["雙", "降", "雙", "降", "目標"]),
                          "section": pd.array([1, None, 2, 2, 3], dtype="Int64")})
    first = frame_fingerprint(frame)
    assert frame_fingerprint(frame) == first == frame_fingerprint(frame.copy())
    assert memo._KNOWN[id(frame)][2] == first   # kept for this frame
    seen = {first}
    for column, value in (("start", 99), ("token", "目標"), ("section", 7)):
        frame.loc[1, column] = value
        now = frame_fingerprint(frame)
        assert now not in seen, column
        assert now == frame_fingerprint(frame.copy())
        seen.add(now)
    frame["token"] = frame["token"].cat.rename_categories({"目標": "指標"})
    now = frame_fingerprint(frame)
    assert now not in seen and now == frame_fingerprint(frame.copy())
    seen.add(now)
    frame["added"] = 1.5
    assert frame_fingerprint(frame) not in seen
    key = id(frame)
    del frame
    assert key not in memo._KNOWN   # forgotten with its frame
