"""corpus_tokens and load_corpus at corpus scale: the on-disk cache, parallel segmentation
and progress bars."""
from __future__ import annotations

import multiprocessing
import random
import shutil
import warnings

import pandas as pd
import pytest

import analysis.config as config
import analysis.parallel as parallel
import analysis.pipeline as pipeline
import analysis.segment as segment
from analysis import corpus_tokens, load_corpus, to_simplified
from analysis.cache import ArrowStore, ParquetStore


@pytest.fixture()
def cache_dir(tmp_path, monkeypatch):
    """A fresh, empty cache for one test."""
    folder = tmp_path / "cache"
    monkeypatch.setattr(config, "CACHE_DIR", folder)
    return folder


@pytest.fixture()
def counted(monkeypatch):
    """Counts the speeches actually segmented (cache misses)."""
    calls = []
    original = pipeline._segment_one

    def counting(pair):
        calls.append(pair[0][:20])
        return original(pair)

    monkeypatch.setattr(pipeline, "_segment_one", counting)
    return calls


def _speeches(folder, seed_text, n=4):
    """n speeches shuffled from the seed's paragraphs, Traditional and Simplified mixed."""
    folder.mkdir(exist_ok=True)
    paragraphs = seed_text.split("\n")
    rng = random.Random(7)
    for i in range(n):
        body = paragraphs[:1] + rng.sample(paragraphs[1:], len(paragraphs) - 1)
        text = "\n".join(body)
        (folder / f"s{i}.txt").write_text(to_simplified(text) if i % 2 else text, encoding="utf-8")
    return folder


def test_second_run_segments_nothing(tmp_path, cache_dir, counted, seed_text):
    corpus = load_corpus(_speeches(tmp_path / "c", seed_text))
    first = corpus_tokens(corpus, workers=1)
    assert len(counted) == 4
    again = corpus_tokens(load_corpus(tmp_path / "c"), workers=1)
    assert len(counted) == 4  # all from the cache
    pd.testing.assert_frame_equal(first, again)
    assert len(ParquetStore("tokens")) == 4 and len(ArrowStore("tokens-bundles")) == 1


def test_cached_equals_uncached(tmp_path, cache_dir, seed_text):
    corpus = load_corpus(_speeches(tmp_path / "c", seed_text))
    corpus_tokens(corpus, workers=1)
    pd.testing.assert_frame_equal(corpus_tokens(corpus, workers=1),
                                  corpus_tokens(corpus, workers=1, cache=False))


def test_editing_one_speech_resegments_only_it(tmp_path, cache_dir, counted, seed_text):
    folder = _speeches(tmp_path / "c", seed_text)
    corpus_tokens(load_corpus(folder), workers=1)
    (folder / "s2.txt").write_text("同志們：\n要做好流動人口服務管理工作。\n", encoding="utf-8")
    tokens = corpus_tokens(load_corpus(folder), workers=1)
    assert counted[4:] == ["同志們：\n要做好流動人口服務管理工作。"]
    assert tokens[tokens.speech_id == "s2"].token.tolist()[:4] == ["同志們", "：", "要", "做好"]


def test_editing_the_dictionary_resegments_everything(tmp_path, cache_dir, counted, seed_text,
                                                      monkeypatch):
    folder = _speeches(tmp_path / "c", seed_text, n=2)
    before = corpus_tokens(load_corpus(folder), workers=1)
    assert "隆重召開" not in before.token.tolist() and "隆重" in before.token.tolist()
    userdict = tmp_path / "userdict.txt"
    shutil.copy(segment.USER_DICT, userdict)
    with userdict.open("a", encoding="utf-8") as f:
        f.write("隆重召开 50000 l\n")  # a researcher's edit: keep 隆重召開 whole
    monkeypatch.setattr(segment, "USER_DICT", userdict)
    after = corpus_tokens(load_corpus(folder), workers=1)
    assert len(counted) == 4
    assert "隆重召開" in after.token.tolist() and "隆重" not in after.token.tolist()


def test_damaged_entries_are_rebuilt_not_trusted(tmp_path, cache_dir, counted, seed_text):
    corpus = load_corpus(_speeches(tmp_path / "c", seed_text, n=2))
    good = corpus_tokens(corpus, workers=1)
    entries = sorted((cache_dir / "tokens").glob("*/*.parquet"))
    bundle = next((cache_dir / "tokens-bundles").glob("*/*.arrow"))
    data = entries[0].read_bytes()
    entries[0].write_bytes(data[: len(data) // 2])  # a partial file
    flipped = bytearray(bundle.read_bytes())
    flipped[len(flipped) // 2] ^= 0xFF  # one bit-rotten byte: still a readable Arrow file
    bundle.write_bytes(bytes(flipped))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        rebuilt = corpus_tokens(corpus, workers=1)
    damaged = sorted(str(w.message).split(" is damaged")[0] for w in caught)
    assert damaged == sorted([f"cache entry {bundle}", f"cache entry {entries[0]}"])
    assert "checksum or key does not match" in " ".join(str(w.message) for w in caught)
    assert len(counted) == 3  # two cold, then only the damaged one again
    pd.testing.assert_frame_equal(rebuilt, good)


def test_entry_with_a_wrong_key_is_rejected(cache_dir):
    store = ParquetStore("tokens")
    import pyarrow as pa

    store.put("aa" * 16, pa.table({"x": [1, 2]}))
    store.path("bb" * 16).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(store.path("aa" * 16), store.path("bb" * 16))  # a file under the wrong name
    with pytest.warns(UserWarning, match="records key a+ with 2 rows"):
        assert store.get("bb" * 16) is None
    assert not store.path("bb" * 16).exists()
    assert store.get("aa" * 16).column("x").to_pylist() == [1, 2]


def test_failed_write_leaves_no_file(cache_dir, monkeypatch):
    import pyarrow as pa
    import pyarrow.parquet as pq

    def crash(table, handle, **kwargs):
        handle.write(b"PAR1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", crash)
    store = ParquetStore("tokens")
    with pytest.raises(OSError, match="disk full"):
        store.put("cc" * 16, pa.table({"x": [1]}))
    assert list(store.root.rglob("*")) == [store.path("cc" * 16).parent]


def _tokens_in_process(folder, cache):
    config.CACHE_DIR = cache
    corpus_tokens(load_corpus(folder), workers=1)


def test_two_runs_at_once_leave_a_sound_cache(tmp_path, cache_dir, seed_text, counted):
    folder = _speeches(tmp_path / "c", seed_text, n=3)
    context = multiprocessing.get_context("fork")
    runs = [context.Process(target=_tokens_in_process, args=(folder, cache_dir)) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join(120)
    assert [run.exitcode for run in runs] == [0, 0]
    assert not list(cache_dir.rglob("*.tmp"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a damaged entry would warn
        corpus_tokens(load_corpus(folder), workers=1)
    assert counted == []  # everything came from what the two runs wrote


def test_parallel_equals_serial(tmp_path, cache_dir, seed_text, monkeypatch):
    corpus = load_corpus(_speeches(tmp_path / "c", seed_text, n=6))
    serial = corpus_tokens(corpus, workers=1, cache=False)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_CHARS", 0)
    in_parallel = corpus_tokens(corpus, workers=2, cache=False)
    pd.testing.assert_frame_equal(serial, in_parallel)
    assert serial.speech_id.unique().tolist() == [f"s{i}" for i in range(6)]


def test_workers_follow_the_cores_this_process_may_use(monkeypatch):
    # A container or taskset narrows the affinity: one core allowed, one worker.
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: {3}, raising=False)
    assert parallel.default_workers() == 1
    # Where affinity is unknown (not Linux), the machine's count.
    def unknown(pid):
        raise AttributeError
    monkeypatch.setattr(parallel.os, "sched_getaffinity", unknown, raising=False)
    monkeypatch.setattr(parallel.os, "cpu_count", lambda: 6)
    assert parallel.default_workers() == 6


def test_progress_bar_only_when_watched(tmp_path, cache_dir, seed_text, capsys, monkeypatch):
    corpus = load_corpus(_speeches(tmp_path / "c", seed_text, n=6))
    corpus_tokens(corpus, workers=1, cache=False)
    assert "segmenting" not in capsys.readouterr().err  # headless: quiet
    corpus_tokens(corpus, workers=1, cache=False, progress=True)
    assert "segmenting: 100%" in capsys.readouterr().err
    monkeypatch.delenv("SPEECHES_HEADLESS")
    monkeypatch.delenv("CI", raising=False)
    assert parallel.show_progress(6, None) and not parallel.show_progress(5, None)


def test_cleaning_is_cached_too(tmp_path, cache_dir, seed_text, monkeypatch):
    folder = _speeches(tmp_path / "c", seed_text, n=3)
    first = load_corpus(folder)
    import analysis.corpus as corpus_module

    def fail(raw):
        raise AssertionError("cleaned again")

    monkeypatch.setattr(corpus_module, "speech_record", fail)
    again = load_corpus(folder)
    pd.testing.assert_frame_equal(pd.DataFrame(first), pd.DataFrame(again))


def test_cached_corpus_equals_a_fresh_one(tmp_path, cache_dir, seed_text):
    folder = _speeches(tmp_path / "c", seed_text, n=3)
    load_corpus(folder)
    pd.testing.assert_frame_equal(pd.DataFrame(load_corpus(folder)),
                                  pd.DataFrame(load_corpus(folder, cache=False)))


def test_bundle_without_its_record_is_rejected(cache_dir):
    import pyarrow as pa

    store = ArrowStore("tokens-bundles")
    path = store.put("dd" * 16, pa.table({"x": [1, 2, 3]}))
    assert store.get("dd" * 16).column("x").to_pylist() == [1, 2, 3]
    path.with_suffix(".json").unlink()  # say, a copy of the cache that lost a file
    with pytest.warns(UserWarning, match="is damaged"):
        assert store.get("dd" * 16) is None
    assert not path.exists()


def test_the_parts_table_is_computed_once_and_read_after(tmp_path, cache_dir, seed_text, monkeypatch):
    from analysis import corpus_outline, outline

    corpus = load_corpus(_speeches(tmp_path / "c", seed_text, n=3))
    calls = []
    original = pipeline.outline
    monkeypatch.setattr(pipeline, "outline", lambda text: calls.append(1) or original(text))
    first = corpus_outline(corpus)
    assert len(calls) == 3
    again = corpus_outline(corpus)
    assert len(calls) == 3   # read from the corpus bundle
    pd.testing.assert_frame_equal(first, again)
    for sid, text in zip(corpus.speech_id, corpus.text):
        mine = first[first.speech_id == sid].drop(columns="speech_id").reset_index(drop=True)
        expected = outline(text)
        assert mine["part"].tolist() == expected["part"].tolist()
        spans = ["start", "end", "n_chars"]
        assert mine[spans].values.tolist() == expected[spans].values.tolist()
    # Tokens take their parts from that table: no outline is computed for them.
    corpus_tokens(corpus, workers=1)
    assert len(calls) == 3


def test_place_agrees_with_locate_across_speeches(tmp_path, cache_dir, seed_text):
    from analysis import corpus_outline, outline
    from analysis.outline import locate
    from analysis.pipeline import place

    corpus = load_corpus(_speeches(tmp_path / "c", seed_text, n=3))
    parts = corpus_outline(corpus)
    rng = random.Random(3)
    queries = [(sid, rng.randrange(len(text))) for sid, text in zip(corpus.speech_id, corpus.text) for _ in range(200)]
    rng.shuffle(queries)   # speeches interleaved, offsets unsorted
    found = place([q[0] for q in queries], [q[1] for q in queries], parts)
    texts = dict(zip(corpus.speech_id, corpus.text))
    for (sid, pos), row in zip(queries, found.itertuples(index=False)):
        expected = locate([pos], outline(texts[sid])).iloc[0]
        assert (row.part if pd.notna(row.part) else None) == expected["part"]
        assert pd.isna(row.section) if pd.isna(expected["section"]) else row.section == expected["section"]
        assert pd.isna(row.point) if pd.isna(expected["point"]) else row.point == expected["point"]


def test_a_cached_frame_is_computed_once_per_key(cache_dir):
    from analysis.cache import cached_frame, code_digest, digest

    calls = []

    def compute():
        calls.append(1)
        return pd.DataFrame({"sample": ["a", "b"], "form": [0.5, float("nan")], "names": [3, 4]})

    first = cached_frame("t", digest("k1"), compute)
    again = cached_frame("t", digest("k1"), compute)
    other = cached_frame("t", digest("k2"), compute)
    assert len(calls) == 2 and again.equals(first) and other.equals(first)
    assert again.dtypes.tolist() == first.dtypes.tolist()
    # The code part of such keys covers the package's modules and its data files.
    assert len(code_digest()) == 32 and code_digest() == code_digest()
