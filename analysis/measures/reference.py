"""Reference corpora for keyness and for placing a speech's vocabulary in time.

Two references ship with the package, both documented:

* **general Chinese**: wordfreq's Chinese list (``wordfreq`` 3.x, the ``large`` ``zh`` list,
  334,000 words). wordfreq documents its sources: Wikipedia, subtitles (OpenSubtitles 2018,
  SUBTLEX-CH), news (NewsCrawl 2014, GlobalVoices), books (Google Books Ngrams 2012), web
  text (OSCAR), Twitter, and jieba's own word list; it drops each word's highest and lowest
  source before averaging, and its data were frozen in 2021. It gives relative frequencies,
  not counts, so keyness against it is a goodness-of-fit test (see
  :func:`analysis.vocabulary.keyness`). Its words are wordfreq's "oversimplified" Chinese:
  our words are looked up through wordfreq's own ``simplify_chinese``.
* **government work reports**: yearly word counts of the Premier's reports to the National
  People's Congress (1954–2025 where reports exist), computed by this project's own pipeline
  (cleaning, OpenCC, jieba with ``userdict.txt`` and ``aliases.tsv``) from the shared corpus,
  shipped as ``analysis/data/reference/gwr_counts.parquet``: counts only, never text. Its
  record (``gwr_counts.json``) says what it was built with; ``make reference CORPUS_DIR=…``
  rebuilds it. A speech can be compared with national official language of its own period:
  ``reference("gwr", years=(2008, 2016))``.

Both sides of a comparison must be cut alike. When the user dictionary or the alias groups
have changed since the reference was built, the words whose counts that change can move are
flagged (``cut_differs``) and kept out of rankings, and a warning says how to rebuild. Against
wordfreq, whose segmenter never saw our dictionary, the same holds for the parts of our
dictionary words that wordfreq does not list (协会 inside 计划生育协会).
"""
from __future__ import annotations

import copy
import functools
import hashlib
import json
import re
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd

from ..common.deprecation import renamed_arguments
from ..common.warning import warn_user
from ..config import DATA_DIR
from ..text.script import taiwan_converter, taiwan_simplified

REFERENCE_DIR = DATA_DIR / "reference"
GWR_COUNTS = REFERENCE_DIR / "gwr_counts.parquet"
GWR_RECORD = REFERENCE_DIR / "gwr_counts.json"
NAMES = ("general", "gwr", "jieba")
_SPEC = re.compile(r"^(?P<name>general|gwr|jieba)(?::(?P<a>\d{4})(?:\s*[-–]\s*(?P<b>\d{4}))?)?$")


class ReferenceWarning(UserWarning):
    """A reference that does not quite match how the target was cut (rebuild it)."""


@dataclass(frozen=True)
class Reference:
    """A reference corpus as keyness and trends use it.

    ``counts``: by reference word (counts, or relative frequencies when ``kind`` is
    ``"frequencies"``); ``size``: its word tokens (None for frequencies); ``key``: how one
    of our Simplified words is written in the reference; ``merged_here``: words our
    segmenter keeps whole and the reference's did not (our count of such a word, or of a
    word containing one, has no counterpart there); ``merged_there``: words the reference's
    segmenter kept whole and ours now cuts (our counts of their parts are inflated against
    it); ``splits``: for a reference whose own segmenter is known, a function giving the
    words of a list that it cuts into several (a phrase such a reference has no rate of its
    own for); ``description``: what it is, for a table's caption.
    """

    name: str
    description: str
    counts: pd.Series
    kind: str = "counts"
    size: int | None = None
    key: object = None
    merged_here: frozenset = field(default_factory=frozenset)
    merged_there: frozenset = field(default_factory=frozenset)
    floor: float | None = None
    table: dict | None = field(default=None, repr=False)
    splits: object = field(default=None, repr=False)

    def fingerprint(self) -> str:
        """A digest of what the reference holds (for keeping results computed against it:
        :mod:`analysis.corpus.memo`); its functions count by their names, the code by the
        package's digest."""
        from ..corpus.cache import digest

        counts = pd.util.hash_pandas_object(self.counts, index=True).to_numpy().tobytes()
        named = [getattr(f, "__qualname__", repr(f)) for f in (self.key, self.splits)]
        return digest("reference", self.name, self.description, self.kind, str(self.size), str(self.floor),
                      ",".join(sorted(self.merged_here)), ",".join(sorted(self.merged_there)), *named, counts)

    @functools.cached_property
    def _values(self) -> dict:
        # A dict lookup costs a tenth of Series.get, and keyness looks up every candidate.
        return self.table if self.table is not None else self.counts.to_dict()

    def lookup(self, word: str) -> float:
        """The count (or frequency) of one Simplified word; 0 when absent. OpenCC's t2s keeps
        characters such as 著 that are also Simplified, while Simplified texts write 着 in
        著力/着力: the word's Taiwan-standard conversion (OpenCC tw2s, phrase-aware: 著作 stays)
        is looked up too, and the larger value counts."""
        found = 0.0
        for form in {word, taiwan_simplified(word)}:
            key = self.key(form) if self.key is not None else form
            found = max(found, float(self._values.get(key, 0)))
        return found

    def lookup_many(self, words: list[str]) -> np.ndarray:
        """:meth:`lookup` of many words at once (one OpenCC call for all of them)."""
        words = list(words)
        converted = taiwan_converter().convert("\n".join(words)).split("\n") if words else []
        if len(converted) != len(words):
            converted = [taiwan_simplified(w) for w in words]
        values, key = self._values, self.key
        out = np.zeros(len(words))
        for i, (word, other) in enumerate(zip(words, converted)):
            a = values.get(key(word) if key is not None else word, 0)
            b = values.get(key(other) if key is not None else other, 0) if other != word else 0
            out[i] = max(a, b)
        return out

    @functools.cached_property
    def _vocabulary(self):
        from .counts import WordCounts

        return WordCounts(self.counts.index, self.counts.to_numpy(dtype=float))

    def within(self, forms) -> float:
        """How often any of ``forms`` (Simplified) occurs inside the reference's words, alone or
        as part of a longer word (:class:`analysis.counts.WordCounts`): a count, or a summed
        relative frequency for a frequency list. Each form is looked up as :meth:`lookup`
        does: through ``key``, and in its Taiwan-standard conversion too."""
        keyed = set()
        for form in forms:
            for written in {form, taiwan_simplified(form)}:
                keyed.add(self.key(written) if self.key is not None else written)
        return self._vocabulary.within(keyed)

    @functools.cached_property
    def _merged_here_re(self):
        return re.compile("|".join(map(re.escape, sorted(self.merged_here)))) if self.merged_here else None

    @functools.cached_property
    def _parts_there(self) -> frozenset:
        return frozenset(w[i:j] for w in self.merged_there for i in range(len(w))
                         for j in range(i + 1, len(w) + 1) if j - i < len(w))

    def cut_differs(self, word: str) -> bool:
        """Whether the two sides cut ``word`` differently: it is or contains a word merged
        here only, or is part of a word merged there only."""
        here = self._merged_here_re
        return bool(here is not None and here.search(word)) or word in self._parts_there


# ---------------------------------------------------------------- our dictionary words
def dictionary_words() -> frozenset[str]:
    """Every word our segmenter was told to keep whole: ``userdict.txt`` and every term of
    ``aliases.tsv`` (Simplified)."""
    from ..text.aliases import alias_words
    from ..text.segment import user_dictionary

    return frozenset(user_dictionary()["word"]) | frozenset(alias_words())


def build_fingerprint() -> dict:
    """What a reference built now is built with: library and code versions, and the
    dictionary words (their hash and the list, so a later change can be traced word by word)."""
    from ..corpus.store import pipeline_digest
    from ..text.script import OPENCC_VERSION

    words = sorted(dictionary_words())
    return {
        "jieba": version("jieba"), "opencc": OPENCC_VERSION,
        # A digest of the code and data files that clean, outline and cut (analysis.store):
        # any change of them, not a version number someone must remember to raise.
        "pipeline": pipeline_digest(),
        "dictionary_sha256": hashlib.sha256("\n".join(words).encode()).hexdigest(),
        "dictionary_words": words,
    }


# ---------------------------------------------------------------- general Chinese (wordfreq)
class _Simplifier:
    """wordfreq's ``simplify_chinese`` (its character map, then casefold) without importing
    wordfreq: a picklable callable over the map read back from the cache."""

    def __init__(self, mapping: dict[int, str]):
        self.mapping = mapping

    def __call__(self, text: str) -> str:
        return text.translate(self.mapping).casefold()


def _wordfreq_tables() -> tuple[dict[str, float], dict[int, str]]:
    """wordfreq's ``large`` zh list and its Traditional→Simplified character map. Importing
    wordfreq costs about a second (its tokenizer regexes, and ``locate`` walking the stack to
    find its data), so both are kept in the cache (``CACHE_DIR/reference-general``), keyed
    by wordfreq's version, and read back in a few milliseconds."""
    import pyarrow as pa

    from ..corpus.cache import ArrowStore, digest

    store = ArrowStore("reference-general")
    words_key, chars_key = (digest("wordfreq", version("wordfreq"), "zh", "large", part) for part in ("words", "map"))
    words, chars = store.get(words_key), store.get(chars_key)
    if words is None or chars is None:
        import wordfreq
        from wordfreq.chinese import SIMPLIFIED_MAP

        freqs = wordfreq.get_frequency_dict("zh", wordlist="large")
        mapping = {int(k): str(v) for k, v in SIMPLIFIED_MAP.items()}
        store.put(words_key, pa.table({"word": list(freqs), "freq": pa.array(list(freqs.values()), pa.float64())}))
        store.put(chars_key, pa.table({"code": pa.array(list(mapping), pa.int64()),
                                       "to": list(mapping.values())}))
        return freqs, mapping
    freqs = dict(zip(words.column("word").to_pylist(), words.column("freq").to_pylist()))
    mapping = dict(zip(chars.column("code").to_pylist(), chars.column("to").to_pylist()))
    return freqs, mapping


def _general_splits(words) -> frozenset[str]:
    """Those of our Simplified ``words`` that wordfreq's own tokenizer cuts into several
    tokens, in every spelling :meth:`Reference.lookup` tries (as written and in OpenCC's
    tw2s form: 著力 is cut, 着力 is not). wordfreq counts such a phrase as its parts in running
    text; the rate its list gives the whole (联系群众, from jieba's list among its sources) is
    no rate of the phrase. Kept in the cache folder, keyed by wordfreq's version and the
    words, so that a warm run never imports wordfreq."""
    import pyarrow as pa

    from ..corpus.cache import ArrowStore, digest

    words = sorted(set(words))
    store = ArrowStore("general-splits")
    key = digest("wordfreq-splits", version("wordfreq"), *words)
    cached = store.get(key)
    if cached is not None:
        return frozenset(cached.column("word").to_pylist())
    import logging

    import jieba
    import wordfreq

    jieba.setLogLevel(logging.WARNING)
    split = [w for w in words if all(len(wordfreq.tokenize(form, "zh")) > 1 for form in {w, taiwan_simplified(w)})]
    store.put(key, pa.table({"word": pa.array(split, pa.string())}))
    return frozenset(split)


@functools.lru_cache(maxsize=1)
def general_reference() -> Reference:
    """wordfreq's Chinese list (``large``) as a :class:`Reference` of relative frequencies.
    Our words are looked up through wordfreq's own ``simplify_chinese``."""
    freqs, mapping = _wordfreq_tables()
    simplify_chinese = _Simplifier(mapping)
    counts = pd.Series(freqs, dtype=float)
    ours = dictionary_words()
    merged_here = frozenset(w for w in ours if simplify_chinese(w) not in freqs)
    return Reference(
        name="general",
        description=(f"general Chinese: wordfreq {version('wordfreq')} 'large' zh list "
                     f"({len(counts):,} words; Wikipedia, subtitles, news, books, web, Twitter, "
                     "jieba's list; frozen 2021)"),
        counts=counts, kind="frequencies", key=simplify_chinese, merged_here=merged_here,
        floor=float(counts.min()), table=freqs, splits=_general_splits)


# ---------------------------------------------------------------- jieba's dictionary
@functools.lru_cache(maxsize=1)
def jieba_reference() -> Reference:
    """jieba's ``dict.txt`` frequencies. Kept for comparison with earlier results only: it is
    a segmentation lexicon of undocumented provenance, many entries sit at the floor count 3,
    and every user-dictionary word has count 0 in it."""
    from .vocabulary import reference_frequencies

    counts = reference_frequencies()
    return Reference(name="jieba", description="jieba's dict.txt counts (a segmentation lexicon, "
                     "not a reference corpus)", counts=counts, size=int(counts.sum()),
                     merged_here=frozenset(w for w in dictionary_words() if w not in counts.index),
                     floor=float(counts.min()))


# ---------------------------------------------------------------- government work reports
@functools.lru_cache(maxsize=2)
def _gwr_table(mtime: int) -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    if not GWR_COUNTS.is_file():
        raise FileNotFoundError(f"{GWR_COUNTS}: the government-work-report reference is missing; "
                                "build it with: make reference CORPUS_DIR=<folder of the reports>")
    table = pd.read_parquet(GWR_COUNTS)
    record = json.loads(GWR_RECORD.read_text(encoding="utf-8"))
    years = pd.DataFrame(record["years"]).astype({"year": "int64", "n_words": "int64",
                                                  "n_speeches": "int64"})
    return table, years, record


def gwr_counts() -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The shipped reference: ``(counts, years, record)``: counts one row per year and word
    (``year``, ``word``, ``count``, ``docs``), years one row per year (``year``,
    ``n_words``, ``n_speeches``), and the build record. Copies of what is read once per
    edit of the file: a caller's edit (``drop(inplace=True)``) changes nothing for the next."""
    counts, years, record = _gwr_shipped()
    return counts.copy(), years.copy(), copy.deepcopy(record)


def _gwr_shipped() -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """:func:`gwr_counts` as read and kept (not copied: for this module, which only reads it)."""
    return _gwr_table(GWR_COUNTS.stat().st_mtime_ns if GWR_COUNTS.exists() else 0)


@renamed_arguments(moved=("margin",))
def period_reference(years, *, margin: int = 4) -> str | None:
    """The named reference of the government work reports for a corpus's ``years`` ± ``margin``
    (``"gwr:2008-2016"`` for a speech of 2012), kept within the years the reference has; None
    when no year is given.

    >>> period_reference([2012])
    'gwr:2008-2016'
    """
    years = pd.Series(years).dropna().astype(int)
    if years.empty:
        return None
    _, have, _ = _gwr_shipped()
    first = max(int(years.min()) - margin, int(have["year"].min()))
    last = min(int(years.max()) + margin, int(have["year"].max()))
    return f"gwr:{first}-{last}"


@renamed_arguments(moved=("margin",))
def same_genre_reference(corpus: pd.DataFrame, *, margin: int = 4) -> str | None:
    """The comparison to read for official speeches: the government work reports of the
    corpus's years ± ``margin`` (:func:`period_reference`), all the reports when no speech is
    dated, and None when the corpus holds the reports themselves (it would be compared with
    itself). Against general Chinese, the register of official text (工作, 开展, 做好, 落实)
    tops every official speech; against the reports it does not.

    >>> import pandas as pd
    >>> same_genre_reference(pd.DataFrame({"speech_id": ["a"], "year": [2012]}))
    'gwr:2008-2016'
    """
    if own_reports(corpus):
        return None
    years = corpus["year"].dropna() if "year" in corpus.columns else pd.Series(dtype=float)
    return period_reference(years, margin=margin) if len(years) else "gwr"


def reference_data(name: str = "gwr") -> tuple[pd.DataFrame, pd.DataFrame, dict]:
    """The shipped counts of a named reference: for ``"gwr"``, :func:`gwr_counts`."""
    if name != "gwr":
        raise ValueError(f"only the government work reports ('gwr') ship as counts, not {name!r}")
    return gwr_counts()


def gwr_reference(years: tuple[int, int] | None = None) -> Reference:
    """The government work reports of ``years`` (inclusive range; default all) as a
    :class:`Reference` of counts. Warns (:class:`ReferenceWarning`) when our dictionary or
    code versions differ from the build's, and records the changed words (``merged_here``:
    added to our dictionary since; ``merged_there``: removed since)."""
    table, year_rows, record = _gwr_shipped()
    if years is not None:
        a, b = years
        table = table[(table["year"] >= a) & (table["year"] <= b)]
        year_rows = year_rows[(year_rows["year"] >= a) & (year_rows["year"] <= b)]
        if year_rows.empty:
            have = f"{record['years'][0]['year']}–{record['years'][-1]['year']}"
            raise ValueError(f"no government work report in {a}–{b} (the reference has {have})")
    counts = table.groupby("word", sort=False, observed=True)["count"].sum()
    span = f"{year_rows['year'].min()}–{year_rows['year'].max()}"
    added, removed = _changed_words(record)
    return Reference(
        name="gwr", description=(f"government work reports {span} ({len(year_rows)} reports, "
                                 f"{int(year_rows['n_words'].sum()):,} words; project pipeline)"),
        counts=counts, size=int(year_rows["n_words"].sum()), merged_here=added,
        merged_there=removed, floor=1.0)


def _changed_words(record: dict) -> tuple[frozenset[str], frozenset[str]]:
    """Our dictionary words added and removed since the reference was built; warns when
    anything that decides the cut differs."""
    now = build_fingerprint()
    added = frozenset(set(now["dictionary_words"]) - set(record["dictionary_words"]))
    removed = frozenset(set(record["dictionary_words"]) - set(now["dictionary_words"]))
    changed = added | removed
    stale = [k for k in ("jieba", "opencc", "pipeline") if now[k] != record.get(k)]
    if changed or stale:
        what = []
        if changed:
            shown = ", ".join(sorted(changed)[:8]) + (" …" if len(changed) > 8 else "")
            what.append(f"{len(changed)} dictionary word(s) changed ({shown}); words they touch "
                        "are flagged cut_differs")
        if stale:
            what.append("versions differ: " + ", ".join(f"{k} {record[k]} → {now[k]}" for k in stale))
        warn_user("the government-work-report reference was built with another dictionary or "
                  "code: " + "; ".join(what) + ". Rebuild it: make reference "
                  "CORPUS_DIR=../shared/corpora/government-work-reports", ReferenceWarning)
    return added, removed


def build_gwr_reference(corpus_dir: str | Path, out_dir: str | Path | None = None,
                        genre: str = "report") -> Path:
    """Count the words of the government work reports in ``corpus_dir`` (a folder with
    ``metadata.csv``; rows whose ``genre`` is ``genre``) with the project's own pipeline and
    write ``gwr_counts.parquet`` and its record ``gwr_counts.json`` to ``out_dir`` (default
    ``analysis/data/reference/``). Counts only: no text leaves the corpus. Returns the path."""
    from ..corpus.load import load_corpus
    from ..corpus.pipeline import corpus_tokens

    out = Path(out_dir) if out_dir is not None else REFERENCE_DIR
    out.mkdir(parents=True, exist_ok=True)
    corpus = load_corpus(corpus_dir)
    if "genre" in corpus.columns:
        corpus = corpus[corpus["genre"] == genre].reset_index(drop=True)
    if corpus.empty or corpus["year"].isna().any():
        raise ValueError(f"{corpus_dir}: no dated {genre} to count (every row needs a year)")
    tokens = corpus_tokens(corpus)
    words = tokens[~tokens["is_punct"]]
    year_of = dict(zip(corpus["speech_id"], corpus["year"].astype(int)))
    frame = pd.DataFrame({"year": words["speech_id"].map(year_of).to_numpy(dtype=np.int64),
                          "speech_id": words["speech_id"].to_numpy(dtype=object),
                          "word": words["simplified"].to_numpy(dtype=object)})
    grouped = frame.groupby(["year", "word"], sort=True, observed=True)
    table = pd.DataFrame({"count": grouped.size(), "docs": grouped["speech_id"].nunique()}).reset_index()
    table = table.astype({"year": "int16", "count": "int32", "docs": "int16"})
    per_year = frame.groupby("year", observed=True).agg(n_words=("word", "size"), n_speeches=("speech_id", "nunique"))
    path = out / GWR_COUNTS.name
    table.to_parquet(path, index=False, compression="zstd", compression_level=19)
    record = {
        "what": "word counts per year of the government work reports, by the project's pipeline "
                "(Simplified words, punctuation left out, stopwords kept); counts only",
        "source": str(Path(corpus_dir).name),
        "files": {sid: _sha256(Path(corpus_dir) / f"{sid}.txt") for sid in corpus["speech_id"]},
        "years": [{"year": int(y), "n_words": int(r.n_words), "n_speeches": int(r.n_speeches)}
                  for y, r in per_year.iterrows()],
        **build_fingerprint(),
    }
    (out / GWR_RECORD.name).write_text(json.dumps(record, ensure_ascii=False, indent=1) + "\n",
                                       encoding="utf-8")
    _gwr_table.cache_clear()
    return path


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- by name
@renamed_arguments(moved=("years",))
def reference(spec, *, years: tuple[int, int] | None = None) -> Reference:
    """A named reference: ``"general"`` (wordfreq), ``"gwr"`` (government work reports;
    ``years=(2008, 2016)`` or ``"gwr:2008-2016"`` for a period), ``"jieba"`` (jieba's
    dictionary, for comparison only). A :class:`Reference` is returned as it is.

    >>> reference("gwr:2008-2016").description.split(" (")[0]
    'government work reports 2008–2016'
    """
    if isinstance(spec, Reference):
        return spec
    m = _SPEC.match(str(spec).strip())
    if not m:
        raise ValueError(f"unknown reference {spec!r}: one of {NAMES}, e.g. 'gwr:2008-2016'")
    if m["a"]:
        years = (int(m["a"]), int(m["b"] or m["a"]))
    if m["name"] == "general":
        return general_reference()
    if m["name"] == "jieba":
        return jieba_reference()
    return gwr_reference(years)


def is_reference_name(spec) -> bool:
    """Whether ``spec`` names a reference (rather than being a query on the corpus)."""
    return isinstance(spec, Reference) or (isinstance(spec, str) and bool(_SPEC.match(spec.strip())))


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.reference build CORPUS_DIR``: rebuild the shipped reference."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m analysis.reference")
    parser.add_argument("command", choices=["build"])
    parser.add_argument("corpus_dir", type=Path)
    parser.add_argument("--out-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    path = build_gwr_reference(args.corpus_dir, args.out_dir)
    table, years, _ = _gwr_shipped()
    print(f"wrote {path} ({path.stat().st_size / 1e6:.2f} MB): {len(years)} years, "
          f"{int(years['n_words'].sum()):,} words, {len(table):,} year-word rows")
    return 0


def own_reports(corpus: pd.DataFrame | None) -> list[str]:
    """The speeches of ``corpus`` that are themselves government work reports of the shipped
    reference (their ids are the reference's files): compared with the reports, such a corpus
    is compared with itself. Notebook 04 skips its keyness against the reports then too."""
    if corpus is None or "speech_id" not in corpus.columns:
        return []
    files = set(_gwr_shipped()[2]["files"])
    return [sid for sid in corpus["speech_id"] if sid in files]


if __name__ == "__main__":
    raise SystemExit(main())
