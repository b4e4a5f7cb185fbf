"""How good is the segmentation? Accuracy against a hand-made gold, and an audit of suspect
tokens in any speech.

**Accuracy.** ``analysis/data/gold/`` holds a gold segmentation of 54 sentences of the seed
speech (1,667 words), written by hand following the Peking University standard (see the
README there), in two parts (dev, used to choose the segmentation rules; test, written
after) and two variants (strict PKU; "domain", with names and policy terms whole).
:func:`score` computes the word-level precision, recall and F1 that the SIGHAN bakeoffs
report (a word is correct when its character span is in the gold), plus recall on the gold
words the segmenter's dictionary knows (IV) and does not know (OOV). :func:`evaluate` runs
the project's pipeline and its alternatives (plain jieba.posseg, ``jieba.lcut`` and
``rjieba`` with each dictionary) over the gold.

**Audit.** :func:`segmentation_audit` lists tokens worth a second look: a word whose every
occurrence sits in the same repeated frame (such as 上有 in 要著力在…上有新作為), a word at
the reference corpus's floor count, a user-dictionary word that came out in pieces, and
words the dictionary does not list (made by jieba's unknown-word model).
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ..common.frames import reading_order, value_counts
from ..config import DATA_DIR
from .chars import HAN
from .script import taiwan_simplified, to_simplified
from .segment import (
    floor_phrases,
    jieba_tokenizer,
    known_words,
    pos_tokenizer,
    tokenize,
    user_dictionary,
)

GOLD_DIR = DATA_DIR / "gold"
GOLD_VARIANTS = ("pku", "domain")
GOLD_PARTS = ("dev", "test")
SCORE_COLUMNS = ["precision", "recall", "f1", "gold_words", "predicted_words", "correct",
                 "oov_rate", "oov_recall", "iv_recall"]

_WORDLIKE = re.compile(r"\w")

Sentence = Sequence[str]
Segmenter = Callable[[str], list[str]]


# ---------------------------------------------------------------- gold


def read_gold(path) -> list[list[str]]:
    """A gold segmentation file: one sentence a line, words separated by single spaces.

    Returns one list of words per line. A line that is empty, or has a leading, trailing
    or double space or a tab, raises ``ValueError`` naming the file and line: a stray space
    would silently add or merge words.
    """
    path = Path(path)
    sentences = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        problem = ("an empty line" if not line else
                   "a tab" if "\t" in line else
                   "a leading or trailing space" if line != line.strip() else
                   "a double space" if "  " in line else None)
        if problem:
            raise ValueError(f"{path.name}, line {number}: {problem} "
                             "(words are separated by single spaces)")
        sentences.append(line.split(" "))
    if not sentences:
        raise ValueError(f"{path.name}: no sentences")
    return sentences


def gold(variant: str = "pku", parts: Sequence[str] = GOLD_PARTS) -> list[list[str]]:
    """The seed's gold segmentation, sentences of words.

    ``variant``: ``"pku"`` (strict PKU standard) or ``"domain"`` (the same with the
    sequences of ``domain-merges.txt`` written as one word: organisation and campaign
    names, numbered formulas, policy terms). ``parts``: ``"dev"`` (29 sentences, written
    first and used to choose the segmentation rules) and/or ``"test"`` (25 sentences,
    written after the rules were fixed and scored once). Simplified script, as
    segmentation sees it (the seed's ``text_simplified``).
    """
    if variant not in GOLD_VARIANTS:
        raise ValueError(f"variant must be one of {GOLD_VARIANTS}, not {variant!r}")
    if isinstance(parts, str):
        parts = [parts]
    unknown = [p for p in parts if p not in GOLD_PARTS]
    if unknown or not parts:
        raise ValueError(f"parts must be drawn from {GOLD_PARTS}, not {list(parts)!r}")
    return [s for part in parts for s in read_gold(GOLD_DIR / f"{part}-{variant}.txt")]


def domain_merges() -> list[list[str]]:
    """The word sequences the domain gold writes as one word (``domain-merges.txt``)."""
    lines = (GOLD_DIR / "domain-merges.txt").read_text(encoding="utf-8").splitlines()
    return [ln.split() for ln in lines if ln.strip() and not ln.startswith("#")]


# ---------------------------------------------------------------- scoring


def word_spans(words: Iterable[str]) -> list[tuple[int, int]]:
    """The (start, end) character span of each word when the words are written together.

    >>> word_spans(["计生", "协会", "工作"])
    [(0, 2), (2, 4), (4, 6)]
    """
    spans, pos = [], 0
    for word in words:
        spans.append((pos, pos + len(word)))
        pos += len(word)
    return spans


def score(gold_sentences: Sequence[Sentence], predicted: Sequence[Sentence],
          lexicon: Iterable[str] | None = None) -> dict:
    """Word-level precision, recall and F1 of ``predicted`` against ``gold_sentences``.

    A predicted word is correct when a gold word has the same character span in the same
    sentence (as the SIGHAN bakeoffs' scorer counts). Returns ``precision`` (correct /
    predicted words), ``recall`` (correct / gold words), ``f1``, the three counts, and,
    given a ``lexicon`` (the words the segmenter's dictionary knows): ``oov_rate`` (share
    of gold words outside it; punctuation counts as known), ``oov_recall`` and
    ``iv_recall`` (recall on the gold words outside and inside it); NaN without a lexicon
    or where nothing is counted.

    Both sides must hold the same characters sentence by sentence, or ``ValueError`` names
    the first sentence that differs.

    >>> s = score([["计生", "协会", "工作"]], [["计生协会", "工作"]])
    >>> s["precision"], s["recall"], s["correct"]
    (0.5, 0.3333333333333333, 1)
    """
    if len(gold_sentences) != len(predicted):
        raise ValueError(f"{len(gold_sentences)} gold sentences but {len(predicted)} predicted")
    known = None if lexicon is None else set(lexicon)
    n_gold = n_pred = correct = 0
    oov = oov_correct = iv = iv_correct = 0
    for number, (g, p) in enumerate(zip(gold_sentences, predicted), 1):
        if "".join(g) != "".join(p):
            raise ValueError(f"sentence {number}: gold and predicted text differ "
                             f"({''.join(g)[:20]}… / {''.join(p)[:20]}…)")
        predicted_spans = set(word_spans(p))
        n_gold += len(g)
        n_pred += len(p)
        for word, span in zip(g, word_spans(g)):
            hit = span in predicted_spans
            correct += hit
            if known is not None:
                # Punctuation counts as known, as in the SIGHAN training word lists.
                if word in known or not _WORDLIKE.search(word):
                    iv += 1
                    iv_correct += hit
                else:
                    oov += 1
                    oov_correct += hit
    precision = correct / n_pred if n_pred else float("nan")
    recall = correct / n_gold if n_gold else float("nan")
    f1 = (2 * precision * recall / (precision + recall)) if correct else 0.0
    nan = float("nan")
    return {
        "precision": precision, "recall": recall, "f1": f1,
        "gold_words": n_gold, "predicted_words": n_pred, "correct": correct,
        "oov_rate": oov / n_gold if known is not None and n_gold else nan,
        "oov_recall": oov_correct / oov if oov else nan,
        "iv_recall": iv_correct / iv if iv else nan,
    }


def _pieces(text: str, start: int, cuts: list[int]) -> str:
    bounds = [start, *cuts]
    return "/".join(text[a:b] for a, b in zip(bounds, bounds[1:]))


def disagreements(gold_sentences: Sequence[Sentence],
                  predicted: Sequence[Sentence]) -> pd.DataFrame:
    """Where ``predicted`` and the gold part ways: one row per stretch of text on which their
    boundaries differ, with ``sentence`` (1-based), ``start``, ``text``, ``gold`` and
    ``predicted`` (the words of each side, joined by ``/``). Sorted by position.

    >>> disagreements([["上", "有", "新", "作为"]], [["上有", "新", "作为"]]).values.tolist()
    [[1, 0, '上有', '上/有', '上有']]
    """
    rows = []
    for number, (g, p) in enumerate(zip(gold_sentences, predicted), 1):
        text = "".join(g)
        if text != "".join(p):
            raise ValueError(f"sentence {number}: gold and predicted text differ")
        cuts_g = {end for _, end in word_spans(g)}
        cuts_p = {end for _, end in word_spans(p)}
        shared = sorted((cuts_g & cuts_p) | {0})
        for start, end in zip(shared, shared[1:]):
            inner_g = sorted(c for c in cuts_g if start < c <= end)
            inner_p = sorted(c for c in cuts_p if start < c <= end)
            if inner_g != inner_p:
                rows.append((number, start, text[start:end], _pieces(text, start, inner_g),
                             _pieces(text, start, inner_p)))
    return pd.DataFrame(rows, columns=["sentence", "start", "text", "gold", "predicted"])


# ---------------------------------------------------------------- segmenters


def _pipeline(line: str) -> list[str]:
    return tokenize(line, simplified=line)["simplified"].tolist()


@functools.lru_cache(maxsize=3)
def _rjieba(user_dict: bool, rules: bool):
    import rjieba

    engine = rjieba.Jieba()
    if rules:
        for word in floor_phrases():
            engine.add_word(word, 0, None)
    if user_dict:
        for word, freq, pos in user_dictionary().itertuples(index=False):
            engine.add_word(word, freq, pos)
        # The alias groups' terms, with the frequency the jieba side gave them.
        from .aliases import alias_words

        freqs = jieba_tokenizer(user_dict=True, rules=rules).FREQ
        for word in alias_words():
            if freqs.get(word):
                engine.add_word(word, freqs[word], None)
    return engine


def segmenters(rjieba: bool | None = None) -> dict[str, Segmenter]:
    """The segmenters :func:`evaluate` compares, by name; each takes a Simplified line and
    returns its words. "Project dictionary" is jieba's dictionary without the
    :func:`~analysis.segment.floor_phrases`, plus ``userdict.txt``.

    * ``pipeline``: the project's :func:`analysis.tokenize` (jieba.posseg, the project
      dictionary, and the rule that keeps posseg's HMM from rebuilding words the
      dictionary turned down);
    * ``jieba.posseg + user dict``: plain jieba.posseg over jieba's whole dictionary and
      the user dictionary: the pipeline as it was before the rules;
    * ``jieba.lcut + project dict``, ``jieba.lcut + user dict``, ``jieba.lcut``: jieba's
      cut without POS (its own HMM for unknown words), with each dictionary;
    * ``rjieba + project dict``, ``rjieba + user dict``, ``rjieba``: jieba-rs
      (``pip install -e '.[bench]'``), the same three ways; included when ``rjieba`` is
      True, or None and the package is installed.
    """
    out: dict[str, Segmenter] = {
        "pipeline": _pipeline,
        "jieba.posseg + user dict": _words_of(pos_tokenizer(rules=False)),
        "jieba.lcut + project dict": jieba_tokenizer().lcut,
        "jieba.lcut + user dict": jieba_tokenizer(rules=False).lcut,
        "jieba.lcut": jieba_tokenizer(user_dict=False, rules=False).lcut,
    }
    if rjieba is None:
        import importlib.util

        rjieba = importlib.util.find_spec("rjieba") is not None
    if rjieba:
        out["rjieba + project dict"] = lambda s: _rjieba(True, True).cut(s, True)
        out["rjieba + user dict"] = lambda s: _rjieba(True, False).cut(s, True)
        out["rjieba"] = lambda s: _rjieba(False, False).cut(s, True)
    return out


# (user dictionary, rules) of each segmenter's dictionary, for the OOV counts.
_DICTIONARIES = {
    "jieba.posseg + user dict": (True, False), "jieba.lcut + user dict": (True, False),
    "rjieba + user dict": (True, False), "jieba.lcut": (False, False), "rjieba": (False, False),
}


def _words_of(pos_tk) -> Segmenter:
    return lambda line: [pair.word for pair in pos_tk.cut(line)]


def evaluate(variants: Sequence[str] = GOLD_VARIANTS,
             engines: dict[str, Segmenter] | None = None,
             parts: Sequence[str] = GOLD_PARTS) -> pd.DataFrame:
    """Score each segmenter on each gold variant (over the gold ``parts``, both by default).

    Returns one row per (``gold``, ``segmenter``) with the columns of :func:`score`
    (:data:`SCORE_COLUMNS`). OOV is counted against each segmenter's own dictionary
    (:func:`analysis.segment.known_words` of its settings); a segmenter of your own,
    passed in ``engines``, is counted against the project's.
    """
    engines = segmenters() if engines is None else engines
    lexicons = {}
    rows = []
    for variant in variants:
        sentences = gold(variant, parts)
        lines = ["".join(s) for s in sentences]
        for name, segment in engines.items():
            predicted = [list(segment(line)) for line in lines]
            settings = _DICTIONARIES.get(name, (True, True))
            if settings not in lexicons:
                lexicons[settings] = known_words(*settings)
            lexicon = lexicons[settings]
            rows.append({"gold": variant, "segmenter": name,
                         **score(sentences, predicted, lexicon)})
    return pd.DataFrame(rows, columns=["gold", "segmenter", *SCORE_COLUMNS])


# ---------------------------------------------------------------- audit

AUDIT_COLUMNS = ["token", "simplified", "count", "reason", "detail", "ref_count", "in_user_dict"]
REASONS = ("frame", "reference floor", "split user-dictionary word", "unknown word")
_EDGE = "¶"  # stands for the edge of a paragraph in a context
_ALL_HAN = re.compile(f"[{HAN}]+")


def _contexts(ordered: pd.DataFrame, width: int) -> tuple[list[str], list[str]]:
    """Per token, the ``width`` tokens before and after it in its paragraph (Simplified,
    space-joined; ¶ marks the paragraph's edge, and nothing beyond it counts)."""
    words = ordered["simplified"].astype(object).to_numpy()
    para = ordered["_para"].to_numpy()
    n = len(words)
    left, right = [], []
    for i in range(n):
        before = [words[j] for j in range(max(i - width, 0), i) if para[j] == para[i]]
        after = [words[j] for j in range(i + 1, min(i + 1 + width, n)) if para[j] == para[i]]
        left.append(" ".join(([_EDGE] if len(before) < width else []) + before))
        right.append(" ".join(after + ([_EDGE] if len(after) < width else [])))
    return left, right


def _frame_rows(ordered: pd.DataFrame, width: int, min_count: int) -> list[dict]:
    words = ordered[~ordered["is_punct"]]
    counts = value_counts(words["simplified"])
    frequent = set(counts[counts >= min_count].index)
    if not frequent:
        return []
    left, right = _contexts(ordered, width)
    frame = ordered.assign(_left=left, _right=right)
    frame = frame[frame["simplified"].isin(frequent)]
    rows = []
    for word, group in frame.groupby("simplified", sort=True, observed=True):
        for side in ("_left", "_right"):
            contexts = group[side].unique()
            # A shared context of punctuation and paragraph edges only (every occurrence
            # opens a paragraph, or ends a sentence) is layout, not a template.
            if len(contexts) == 1 and _WORDLIKE.search(contexts[0].replace(_EDGE, "")):
                text = (f"{contexts[0]} [{word}] …" if side == "_left"
                        else f"… [{word}] {contexts[0]}")
                rows.append({"simplified": word, "reason": "frame",
                             "detail": f"all {counts[word]} in the same context: {text}"})
                break
    return rows


def _reference_lookup(words: pd.DataFrame, reference: pd.Series) -> pd.Series:
    """Each distinct Simplified word's reference count (0 when absent), looked up by its
    Simplified form, then by the Taiwan-standard conversion of its original form (OpenCC
    t2s keeps 著 in 著力; the reference may list 着力), as :func:`analysis.keyness` does."""
    counts = reference.groupby(reference.index.map(to_simplified), observed=True).sum()
    forms = words.drop_duplicates("simplified").set_index("simplified")["token"].astype(object)
    found = forms.index.to_series().map(counts)
    missing = found.isna()
    found[missing] = forms[missing].map(taiwan_simplified).map(counts)
    return found.fillna(0).astype("int64"), counts


def _floor_rows(ref: pd.Series, floor: int) -> list[dict]:
    return [{"simplified": w, "reason": "reference floor",
             "detail": f"the reference lists it at {ref[w]}, its floor"}
            for w in sorted(ref[(ref > 0) & (ref <= floor)].index)]


def _split_user_word_rows(ordered: pd.DataFrame) -> list[dict]:
    """User-dictionary words written out in a paragraph that came out as two or more whole
    tokens. (A word straddling a token boundary, as 人口计生 in 流动人口/计生家庭, is
    another reading of the text, not a split, and is not listed.)"""
    words = sorted(set(user_dictionary()["word"]))
    rows = []
    for _, para in ordered.groupby("_para", sort=False, observed=True):
        pieces = para["simplified"].astype(object).tolist()
        if len(pieces) < 2:
            continue
        text = "".join(pieces)
        offsets = np.cumsum([0, *map(len, pieces)])
        index = {int(o): k for k, o in enumerate(offsets)}
        for word in words:
            at = text.find(word)
            while at != -1:
                first, last = index.get(at), index.get(at + len(word))
                if first is not None and last is not None and last - first > 1:
                    split = pieces[first:last]
                    rows += [{"simplified": piece, "reason": "split user-dictionary word",
                              "detail": f"{word} came out as {'/'.join(split)}"}
                             for piece in split]
                at = text.find(word, at + 1)
    return rows


def segmentation_audit(tokens: pd.DataFrame, reference: pd.Series | None = None, *,
                       floor_count: int | None = None, context: int = 2,
                       min_count: int = 3) -> pd.DataFrame:
    """Tokens whose segmentation deserves a second look, with the reason.

    ``tokens`` is a token frame (:func:`analysis.tokenize` or :func:`analysis.corpus_tokens`);
    ``reference``, optional, a Series of counts indexed by word (either script; it is
    folded onto Simplified), such as :func:`analysis.vocabulary.reference_frequencies`.

    Reasons (one row per word and reason):

    * ``frame``: a word seen at least ``min_count`` times whose every occurrence has the
      same ``context`` tokens on its left, or on its right (punctuation and paragraph edges
      alone do not make a frame): a piece of a repeated template, such as 上有 in
      要著力在…上有新作為 before the segmenter's HMM rule, rather than a word the speaker
      chose each time;
    * ``reference floor``: the reference lists the word at ``floor_count`` or less (by
      default its lowest count). jieba's dictionary has two floors, 2 (mostly numerals)
      and 3 (158,000 entries, many of them phrases: 上有, 发挥优势), so pass
      ``floor_count=3`` with it;
    * ``split user-dictionary word``: a word of ``userdict.txt`` written out in the text
      came out as two or more tokens (each piece is listed);
    * ``unknown word``: a word of two or more Han characters that the segmenter's
      dictionary does not list (jieba's, less the floor phrases, plus the user
      dictionary), so jieba's unknown-word model (an HMM) made it: 著力 (jieba lists 着力).

    Returns :data:`AUDIT_COLUMNS`: ``token`` (most common original form), ``simplified``,
    ``count`` (in ``tokens``), ``reason``, ``detail``, ``ref_count`` (NA without a
    reference, 0 when the reference lacks the word; looked up as :func:`analysis.keyness`
    does) and ``in_user_dict``; sorted by reason (in the order above), count (descending)
    and word. An empty frame means nothing is suspect.

    >>> from analysis import tokenize
    >>> text = "一是要在甲方面有新作为。二是要在乙方面有新作为。三是要在丙方面有新作为。"
    >>> audit = segmentation_audit(tokenize(text))
    >>> audit.simplified.tolist()
    ['作为', '在', '新', '方面', '是', '有']
    >>> audit.set_index("simplified").loc["方面", "detail"]
    'all 3 in the same context: … [方面] 有 新'
    """
    if context < 1:
        raise ValueError("context must be at least 1")
    if min_count < 1:
        raise ValueError("min_count must be at least 1")
    ordered = reading_order(tokens)
    words = ordered[~ordered["is_punct"]]
    rows = _frame_rows(ordered, context, min_count)
    ref = None
    if reference is not None:
        ref, counts = _reference_lookup(words, reference)
        floor = int(counts[counts > 0].min()) if floor_count is None else floor_count
        rows += _floor_rows(ref, floor)
    rows += _split_user_word_rows(ordered)
    known = known_words(user_dict=True)
    unknown = sorted({w for w in words["simplified"].astype(object)
                      if len(w) > 1 and w not in known and _ALL_HAN.fullmatch(w)})
    rows += [{"simplified": w, "reason": "unknown word",
              "detail": "not in the segmenter's dictionary: made by jieba's HMM"}
             for w in unknown]
    table = pd.DataFrame(rows, columns=["simplified", "reason", "detail"])
    # One row per word and reason; a piece of several split words lists each split once.
    table = (table.groupby(["simplified", "reason"], sort=False, observed=True)["detail"]
             .agg(lambda d: "; ".join(dict.fromkeys(d))).reset_index())
    counts = value_counts(words["simplified"])
    forms = (words.groupby(["simplified", "token"], observed=True).size().reset_index(name="n")
             .sort_values(["simplified", "n", "token"], ascending=[True, False, True])
             .drop_duplicates("simplified").set_index("simplified")["token"])
    table["token"] = table["simplified"].map(forms)
    table["count"] = table["simplified"].map(counts).fillna(0).astype("int64")
    if ref is None:
        table["ref_count"] = pd.array([pd.NA] * len(table), dtype="Int64")
    else:
        table["ref_count"] = table["simplified"].map(ref).fillna(0).astype("Int64")
    table["in_user_dict"] = table["simplified"].isin(set(user_dictionary()["word"]))
    order = {reason: k for k, reason in enumerate(REASONS)}
    table = table.assign(_order=table["reason"].map(order)).sort_values(
        ["_order", "count", "simplified"], ascending=[True, False, True], kind="stable")
    return table[AUDIT_COLUMNS].reset_index(drop=True)
