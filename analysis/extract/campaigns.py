"""Named campaigns, slogans, standards, documents and numbered formulas in a speech: where
each name stands, how it is written (its form) and what it does (its function).

Official speeches mark the names they invoke: a campaign or slogan in quotation marks
(“陽光計生行動”, “晚婚晚育、從我做起”), a document in title marks (《…實施意見》), a numbered
formula by its numeral (“雙降”, “五有”, 兩委). Some known names go unmarked (少生快富): the
researcher's gazetteer (``analysis/data/gazetteer.tsv``) finds those.

Two separate labels per name:

* ``form``, from how the name is written: ``title`` (《》), ``formula`` (a numbered formula
  that :func:`analysis.formulas.formulas` reports), ``quoted`` (another name in quotation
  marks), ``unquoted`` (a gazetteer name written without marks);
* ``function``, what the name does in the speech (campaign, target, standard, slogan,
  mechanism, policy, problem, event, period, document, body, figure, other), from the
  researcher-editable rule table ``analysis/data/campaign_rules.tsv`` (tried top to bottom,
  first match wins; the ``rule`` column says which line decided). The speech's own words
  come first: “三進”等活動 makes 三進 an activity although its form is a formula.

Counting: every occurrence of a name is a mention, quoted or bare. A mention inside a longer
one (雙降 in 《…確保“雙降”目標…》 or in “…帶頭少生促雙降”) belongs to the outermost name: its
``nested_in`` says which, and :func:`campaigns` counts it under ``nested``, not ``count``,
so a chart of own mentions counts each stretch of text once.

:func:`agreement` measures the classifier against the hand-coded validation table in
``analysis/data/validation/``. All matching runs on the Simplified text, so Traditional and
Simplified speeches give the same results; names and spans are reported in the original
script.
"""
from __future__ import annotations

import hashlib
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..common.datafiles import data_lines
from ..common.deprecation import renamed_arguments
from ..config import DATA_DIR, GWR_DIR, SEEDS_DIR
from ..corpus.cache import cached_frame, code_digest, digest
from ..corpus.memo import corpus_memo
from ..text.numbers import numeral_value
from ..text.outline import outline
from ..text.script import to_simplified
from .formulas import (
    FUNCTIONS,
    NUMERAL_CHARS,
    Lexicon,
    clauses,
    corpus_lexicon,
    formula_candidates,
    han_run_after,
    lexicon,
    listed_hits,
    marked_names,
    name_occurrences,
    numeral_claim,
    places_of,
    prepare_text,
    speech_texts,
)

CAMPAIGN_RULES = DATA_DIR / "campaign_rules.tsv"
VALIDATION_DIR = DATA_DIR / "validation"
VALIDATION_LABELS = VALIDATION_DIR / "labels.tsv"

FORMS = ("title", "formula", "quoted", "unquoted")
FORM_LABELS = {"title": "書名號", "formula": "數字提法", "quoted": "引號名稱", "unquoted": "未加引號"}
"""Chinese labels for the forms, for charts."""
FUNCTION_LABELS = {
    "campaign": "活動/行動", "target": "目標", "standard": "標準/要求", "slogan": "口號",
    "mechanism": "機制/制度", "policy": "方針/戰略", "problem": "反對對象", "event": "會議/事件",
    "period": "規劃期", "document": "文件", "body": "組織", "figure": "比喻", "other": "其他",
}
"""Chinese labels for the functions, for charts."""

_TESTS = ("form", "name", "name_ends", "name_contains", "preceded_by", "followed_by", "listed", "shape")
_SHAPES = ("zhi_pairs", "clauses", "quotation", "timeline", "congress", "plan_period", "formula")


# --------------------------------------------------------------------------- rule table

def campaign_rules(path: str | Path | None = None) -> pd.DataFrame:
    """The function rules, in precedence order.

    Returns columns ``function``, ``test``, ``term`` (as written) and ``simplified``; one
    row per rule line of ``analysis/data/campaign_rules.tsv`` (or ``path``), comments
    skipped. Raises ``ValueError`` naming the line for an unknown function, test or shape.

    >>> campaign_rules().iloc[0].tolist()
    ['document', 'form', 'title', 'title']
    """
    path = Path(path) if path is not None else CAMPAIGN_RULES
    rows = []
    for lineno, fields in data_lines(path):
        line = "\t".join(fields)
        if len(fields) != 3 or not all(fields):
            raise ValueError(
                f"{path}:{lineno}: expected function<TAB>test<TAB>term, got {line!r}")
        function, test, term = fields
        if test not in _TESTS:
            raise ValueError(f"{path}:{lineno}: unknown test {test!r} (one of {_TESTS})")
        if test == "listed":
            if function != "*" or term != "gazetteer":
                raise ValueError(f"{path}:{lineno}: write the listed rule as *<TAB>listed<TAB>gazetteer")
        elif function not in FUNCTIONS:
            raise ValueError(
                f"{path}:{lineno}: unknown function {function!r} (one of {FUNCTIONS})")
        if test == "shape" and term not in _SHAPES:
            raise ValueError(f"{path}:{lineno}: unknown shape {term!r} (one of {_SHAPES})")
        if test == "form" and term not in FORMS:
            raise ValueError(f"{path}:{lineno}: unknown form {term!r} (one of {FORMS})")
        simplified = term if test in ("form", "shape", "listed") else to_simplified(term)
        rows.append((function, test, term, simplified))
    return pd.DataFrame(rows, columns=["function", "test", "term", "simplified"])


def _rule_list(rules: pd.DataFrame) -> list[tuple[str, str, str, str]]:
    """The rule table as (function, test, term, simplified) tuples: pandas row access in the
    per-name loop would dominate the run time on a large corpus."""
    columns = ["function", "test", "term", "simplified"]
    return list(rules[columns].itertuples(index=False, name=None))


# --------------------------------------------------------------------------- shapes

_ZHI = re.compile(r"^\w{1,2}之\w{1,3}$")
_CONGRESS = re.compile(f"^[{NUMERAL_CHARS}]+(?:大|届.*|中全会)$")
_PLAN_PERIOD = re.compile("^([一二三四五六七八九十]{1,2})五$")
# A slogan's clauses are short (晚婚晚育、從我做起); a clause longer than this is a sentence
# quoted, not a slogan (官僚主義是比資本主義更加危險的敵人).
_MAX_CLAUSE = 10


def _shape(shape: str, simp: str, form: str) -> bool:
    if shape == "formula":
        return form == "formula"
    if shape == "zhi_pairs":
        parts = clauses(simp)
        return len(parts) >= 2 and all(_ZHI.match(c) for c in parts)
    if shape == "timeline":
        return numeral_claim(simp)[2] == "timeline"
    if shape == "congress":
        return bool(_CONGRESS.match(simp))
    if shape == "plan_period":
        m = _PLAN_PERIOD.match(simp)
        return bool(m) and 1 <= (numeral_value(m.group(1)) or 0) <= 15
    if shape == "quotation":
        return any(len(c) > _MAX_CLAUSE for c in clauses(simp))
    return len(clauses(simp)) >= 2  # "clauses"


# --------------------------------------------------------------------------- context

_FOLLOW_GAP = 4  # Han characters allowed between a name and a followed_by term
_PAREN = {"（": "）", "(": ")"}
_PAIRS = {"“": "”", "「": "」", "『": "』", "‘": "’", "《": "》", "〈": "〉"}
_CLOSERS = {close: open_ for open_, close in _PAIRS.items()}
_COORDINATORS = "、和与及"
_SIBLING_REACH = 42  # a sibling name is at most _MAX_NAME characters long, plus its marks


def _skip_paren(simp: str, at: int) -> int:
    close = _PAREN.get(simp[at:at + 1])
    if close:
        j = simp.find(close, at + 1, at + 200)
        if j > 0:
            return j + 1
    return at


def _after(simp: str, m: dict) -> int:
    """Where the words after a marked mention start: past its closing mark, past a
    parenthesis right after it (“五有”標準（即…） → 標準), and past the names coordinated
    with it (“關愛女孩行動”、“婚育新風進萬家”活動: the noun after the last one is theirs too)."""
    at = _skip_paren(simp, m["end"] + 1)
    while simp[at:at + 1] in _COORDINATORS and simp[at + 1:at + 2] in _PAIRS:
        j = simp.find(_PAIRS[simp[at + 1]], at + 2, at + 2 + _SIBLING_REACH)
        if j < 0:
            break
        at = _skip_paren(simp, j + 1)
    return at


def _before(simp: str, m: dict) -> int:
    """Where the words before a marked mention end: at its opening mark, or at the first
    of the names coordinated with it (不搞“形象工程”、“政績工程”: 不搞 governs both)."""
    at = m["start"] - 1
    while at >= 2 and simp[at - 1] in _COORDINATORS and simp[at - 2] in _CLOSERS:
        j = simp.rfind(_CLOSERS[simp[at - 2]], max(0, at - 2 - _SIBLING_REACH), at - 2)
        if j < 0:
            break
        at = j
    return at


def _followed_at(simp: str, context: list[dict], term: str) -> int | None:
    """The smallest offset (in Han characters, at most _FOLLOW_GAP) at which ``term``
    follows any of the mentions, or None."""
    best = None
    for m in context:
        i = han_run_after(simp, _after(simp, m), _FOLLOW_GAP + len(term)).find(term)
        if 0 <= i <= _FOLLOW_GAP and (best is None or i < best):
            best = i
    return best


def _preceded_by(simp: str, m: dict, term: str) -> bool:
    return simp.endswith(term, 0, max(_before(simp, m), 0))


def _classify(simp_name: str, canonical: str, form: str, context: list[dict], simp: str,
              rules: list[tuple[str, str, str, str]], lex: Lexicon) -> tuple[str, str]:
    """(function, rule that decided it) for one name; ("other", "") when no rule matches.

    Of the followed_by rules, only those whose term stands nearest the name can match: the
    noun right after a name is its own (“包乾制”改革試點: 改革, not 試點)."""
    offsets = {term: _followed_at(simp, context, term) for _, test, _, term in rules
               if test == "followed_by"} if context else {}
    nearest = min((o for o in offsets.values() if o is not None), default=None)
    for function, test, written, term in rules:
        if test == "form":
            hit = form == term
        elif test == "name":
            hit = simp_name == term
        elif test == "name_ends":
            hit = simp_name.endswith(term)
        elif test == "name_contains":
            hit = term in simp_name
        elif test == "preceded_by":
            hit = any(_preceded_by(simp, m, term) for m in context)
        elif test == "followed_by":
            hit = nearest is not None and offsets[term] == nearest
        elif test == "listed":
            listed = lex.functions.get(canonical)
            if listed is not None:
                return listed, "listed gazetteer"
            hit = False
        else:
            hit = _shape(term, simp_name, form)
        if hit:
            return function, f"{test} {written}"
    return "other", ""


# --------------------------------------------------------------------------- mentions

MENTION_COLUMNS = ["name", "simplified", "canonical", "form", "function", "written", "quoted",
                   "nested_in", "start", "end", "part", "section", "point", "passage"]
CAMPAIGN_COLUMNS = ["name", "simplified", "canonical", "form", "function", "rule", "quoted",
                    "count", "nested", "start", "end", "part", "section", "point", "sections",
                    "clauses", "passage"]
# A bare occurrence of a quoted name counts only when the name has at least this many
# characters (or is a formula or a gazetteer name): quoted single words (“左”, “自由”) are
# scare quotes, and their bare occurrences are ordinary words.
_MIN_BARE = 3


def _nest(text: str, mentions: list[dict]) -> list[dict]:
    """Sort mentions in text order (an outer one before those inside it) and set each one's
    ``nested_in``: the outermost mention covering it owns it. Sorted by start and longest
    first, a mention is inside the last top-level mention when it ends before that one does."""
    mentions.sort(key=lambda m: (m["start"], -m["end"]))
    top = None
    for m in mentions:
        if top is not None and m["end"] <= top["end"]:
            m["nested_in"] = text[top["start"]:top["end"]]
        else:
            m["nested_in"] = None
            top = m
    return mentions


def _speech_mentions(text: str, simp: str, lex: Lexicon, rules: list) -> list[dict]:
    """One dict per mention (see :func:`campaign_mentions`), in text order, each with the
    name-level ``form``, ``function`` and ``rule``."""
    marked = marked_names(text, simp)
    hits = listed_hits(simp, lex)
    formulas = formula_candidates(marked, simp, lex, hits)
    by_span: dict[tuple[int, int], dict] = {}

    def add(key: str, start: int, end: int, written: str, canonical: str | None = None) -> None:
        if (start, end) not in by_span:
            by_span[(start, end)] = {"key": key, "canonical": canonical or lex.canonical.get(key, key),
                                     "start": start, "end": end, "written": written}

    for q in marked:
        add(q.simplified, q.start, q.end, q.kind)
    for h in hits:
        add(h.spelling, h.start, h.end, "split" if h.split else "bare", h.canonical)
    for key in formulas:
        for s in name_occurrences(simp, key, lex):
            add(key, s, s + len(key), "bare")
    mentions = _nest(text, list(by_span.values()))

    groups: dict[str, list[dict]] = {}
    for m in mentions:
        groups.setdefault(m["key"], []).append(m)
    labels = {}
    for key, group in groups.items():
        written = {m["written"] for m in group}
        form = ("title" if "title" in written else "formula" if key in formulas
                else "quoted" if "quote" in written else "unquoted")
        # Context comes from the mentions the speech marks itself and that stand on their
        # own: around a bare mention the words are about something else as often as not
        # (反對四項基本原則的人, 實現四個現代化的舊習慣勢力).
        context = [m for m in group if m["nested_in"] is None and m["written"] in ("quote", "title")]
        labels[key] = (form, *_classify(key, group[0]["canonical"], form, context, simp, rules, lex))
    # Bare repeats of a quoted name are mentions too (做好…幸福工程 after “幸福工程”), but only
    # of a name the rules recognise: a quoted word left `other` is a scare quote or a
    # quotation (“社會主義”), and its bare occurrences are ordinary words.
    added = False
    for key, (_, function, _) in labels.items():
        if len(key) >= _MIN_BARE and function != "other":
            for s in name_occurrences(simp, key, lex):
                if (s, s + len(key)) not in by_span:
                    add(key, s, s + len(key), "bare")
                    added = True
    if added:
        mentions = _nest(text, list(by_span.values()))
    for m in mentions:
        m["form"], m["function"], m["rule"] = labels[m["key"]]
        m["name"] = text[m["start"]:m["end"]]
        m["simplified"] = m.pop("key")
        m["quoted"] = m["written"] in ("quote", "title")
    return mentions


def _prepare(text, parts, simplified, rules, lex, name: str):
    simp, parts = prepare_text(text, parts, simplified, name)
    rules = _rule_list(campaign_rules() if rules is None else rules)
    return simp, parts, rules, (lexicon() if lex is None else lex)


def _mention_frame(rows: list[dict], columns: list[str] = MENTION_COLUMNS) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"quoted": bool, "start": "int64", "end": "int64", "section": "Int64",
                         "point": "Int64"})


def _placed(rows: list[dict], parts: pd.DataFrame | None) -> list[dict]:
    places = places_of([m["start"] for m in rows], parts)
    for i, m in enumerate(rows):
        m.update(part=places["part"][i], section=places["section"][i], point=places["point"][i])
    return rows


@renamed_arguments(moved=("parts",))
def campaign_mentions(text: str, *, parts: pd.DataFrame | None = None, simplified: str | None = None,
                      rules: pd.DataFrame | None = None, lex: Lexicon | None = None) -> pd.DataFrame:
    """Every mention of every name of ``text``: quoted names, 《》 titles, numbered formulas
    and gazetteer names, each occurrence quoted or bare.

    Returns one row per mention in text order (an outer name before the names inside it):
    ``name`` (original script, ``text[start:end]``, marks excluded), ``simplified``,
    ``canonical`` (the gazetteer's name for a listed variant), ``form`` and ``function``
    (of the name, see :func:`campaigns`), ``written`` (quote, title, bare, or split: a
    gazetteer name written with an enumeration comma, 少生、快富), ``quoted`` (in marks of
    its own), ``nested_in`` (the outermost longer name this mention stands inside, else
    None), ``start``, ``end``, ``part``, ``section``, ``point`` and ``passage`` (its
    citable id, :func:`analysis.passages.passage_ids`; "text" as the speech id). ``parts`` is the
    :func:`analysis.outline` of ``text`` (computed when not given).

    >>> found = campaign_mentions("開展“幸福工程”，做好幸福工程。")
    >>> found[["name", "written", "nested_in"]].values.tolist()
    [['幸福工程', 'quote', None], ['幸福工程', 'bare', None]]
    """
    from ..corpus.passages import text_passages

    simp, parts, rules, lex = _prepare(text, parts, simplified, rules, lex, "campaign_mentions")
    frame = _mention_frame(_placed(_speech_mentions(text, simp, lex, rules), parts))
    return text_passages(frame, text, parts)[MENTION_COLUMNS]


def _campaign_rows(mentions: list[dict]) -> list[dict]:
    """The rows of :func:`campaigns` from placed mentions, in order of first occurrence."""
    names: dict[str, dict] = {}
    for m in mentions:
        row = names.get(m["simplified"])
        if row is None:
            name = m["name"]
            row = names[m["simplified"]] = {
                "name": name, "simplified": m["simplified"], "canonical": m["canonical"],
                "form": m["form"], "function": m["function"], "rule": m["rule"],
                "quoted": 0, "count": 0, "nested": 0, "start": m["start"], "end": m["end"],
                "part": m["part"], "section": m["section"], "point": m["point"],
                "sections": set(), "clauses": clauses(name) if m["form"] != "title" else [name],
            }
        if m["nested_in"] is None:
            row["count"] += 1
            row["quoted"] += m["quoted"]
        else:
            row["nested"] += 1
        if m["section"] is not pd.NA:
            row["sections"].add(int(m["section"]))
    return [dict(row, sections=sorted(row["sections"])) for row in names.values()]


def _campaign_frame(rows: list[dict], columns: list[str] = CAMPAIGN_COLUMNS) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    return frame.astype({"quoted": "int64", "count": "int64", "nested": "int64", "start": "int64",
                         "end": "int64", "section": "Int64", "point": "Int64"})


@renamed_arguments(moved=("parts",))
def campaigns(text: str, *, parts: pd.DataFrame | None = None, simplified: str | None = None,
              rules: pd.DataFrame | None = None, lex: Lexicon | None = None) -> pd.DataFrame:
    """The names of ``text``, one row per name: quoted names (“…” 「…」 『…』 ‘…’ "…"),
    《》 titles, numbered formulas and gazetteer names written bare.

    Returns, in order of first occurrence: ``name`` (original script, as first written),
    ``simplified``, ``canonical``, ``form`` (title, formula, quoted, unquoted), ``function``
    (see ``analysis/data/campaign_rules.tsv``), ``rule`` (the rule line that decided it),
    ``quoted`` (own mentions in marks), ``count`` (own mentions, quoted or bare: those not
    inside a longer name), ``nested`` (mentions inside a longer name, counted there),
    ``start``/``end``/``part``/``section``/``point`` of the first mention, ``sections``
    (sorted section numbers of all mentions), ``clauses`` (the name split on 、，; the
    name itself is kept whole) and ``passage`` (the citable id of the first mention,
    :func:`analysis.passages.passage_ids`; "text" as the speech id of one text). Use
    :func:`campaign_mentions` for one row per mention.

    >>> found = campaigns("開展“晚婚晚育、從我做起”宣傳服務活動")
    >>> found[["name", "form", "function", "clauses"]].values.tolist()
    [['晚婚晚育、從我做起', 'quoted', 'campaign', ['晚婚晚育', '從我做起']]]
    """
    from ..corpus.passages import text_passages

    simp, parts, rules, lex = _prepare(text, parts, simplified, rules, lex, "campaigns")
    frame = _campaign_frame(_campaign_rows(_placed(_speech_mentions(text, simp, lex, rules), parts)))
    return text_passages(frame, text, parts)[CAMPAIGN_COLUMNS]


# --------------------------------------------------------------------------- corpus level

def _corpus_mentions(corpus: pd.DataFrame, attested: bool, places: bool = True, lex=None):
    """(speech_id, placed mentions) for every speech, with one lexicon for the corpus
    (``lex``, or :func:`~analysis.formulas.corpus_lexicon` of ``corpus``)."""
    from ..corpus.pipeline import parts_by_speech

    lex = corpus_lexicon(corpus, attested) if lex is None else lex
    rules = _rule_list(campaign_rules())
    # The corpus's parts table is read from the cache, not rebuilt speech by speech.
    table = parts_by_speech(corpus) if places else {}
    for speech_id, text, simp in speech_texts(corpus):
        parts = table.get(speech_id, outline(text)) if places else None
        yield speech_id, _placed(_speech_mentions(text, simp, lex, rules), parts)


@corpus_memo("corpus_campaigns")
def corpus_campaigns(corpus: pd.DataFrame, *, attested: bool = True, places: bool = True) -> pd.DataFrame:
    """:func:`campaigns` of every speech of ``corpus`` (the frame of
    :func:`analysis.load_corpus`), with ``speech_id`` first, in corpus order: one row per
    speech and name. With ``attested`` (the default), a formula quoted in one speech is
    also found bare in the others (see :func:`analysis.formulas.corpus_formulas`);
    ``places=False`` skips the outline (``part``, ``section``, ``point``, ``sections``
    missing or empty), most of the time on a large corpus.

    >>> from analysis import load_corpus
    >>> corpus_campaigns(load_corpus()).query("function == 'mechanism'").name.tolist()
    ['雙誠信、雙承諾']
    """
    return campaign_table(corpus, corpus_lexicon(corpus, attested), places=places)


def campaign_table(corpus: pd.DataFrame, lex, *, places: bool = True) -> pd.DataFrame:
    """:func:`corpus_campaigns` with the lexicon given (see
    :func:`analysis.formulas.formula_table`)."""
    rows = [{"speech_id": speech_id, **row}
            for speech_id, mentions in _corpus_mentions(corpus, True, places, lex)
            for row in _campaign_rows(mentions)]
    return _with_passages(_campaign_frame(rows, ["speech_id", *CAMPAIGN_COLUMNS]), corpus, places)


@corpus_memo("corpus_campaign_mentions")
def corpus_campaign_mentions(corpus: pd.DataFrame, *, attested: bool = True, places: bool = True) -> pd.DataFrame:
    """:func:`campaign_mentions` of every speech of ``corpus``, ``speech_id`` first: one row
    per mention, with the part, section and point it stands in (missing with
    ``places=False``). Keep the rows whose ``nested_in`` is None to count each stretch of
    text once."""
    rows = [{"speech_id": speech_id, **{c: m.get(c) for c in MENTION_COLUMNS}}
            for speech_id, mentions in _corpus_mentions(corpus, attested, places)
            for m in mentions]
    return _with_passages(_mention_frame(rows, ["speech_id", *MENTION_COLUMNS]), corpus, places)


def _with_passages(frame: pd.DataFrame, corpus: pd.DataFrame, places: bool) -> pd.DataFrame:
    """The citable passage of each row's first character (missing with ``places=False``)."""
    if not places:
        return frame
    from ..corpus.passages import with_passages
    from ..corpus.pipeline import corpus_outline

    return with_passages(frame, corpus, corpus_outline(corpus))


# --------------------------------------------------------------------------- validation

LABEL_COLUMNS = ["sample", "speech_id", "paragraph", "paragraph_sha1", "name", "form", "function", "note"]
MISSED = "(missed)"
"""The prediction of a coded name the classifier did not report."""
NOT_A_NAME = "none"
"""The coded form and function of something the classifier reports that is no name."""


def validation_labels(path: str | Path | None = None) -> pd.DataFrame:
    """The hand-coded validation table (``analysis/data/validation/labels.tsv``).

    One row per name coded in a paragraph: ``sample`` (``dev`` for text the rules were
    written on, ``heldout`` for text coded without looking at the classifier's output),
    ``speech_id``, ``paragraph`` (its number among
    the speech's non-empty lines, from 0), ``paragraph_sha1`` (the first 12 hex digits of
    the SHA-1 of that line's Simplified text, to check that the paragraph is still the
    one coded), ``name`` (as the speech writes it; empty on a row that only says the
    paragraph was coded and holds no name), ``form``, ``function`` (``none`` with an empty
    name) and ``note``. Raises ``ValueError`` naming the row for an unknown form or
    function.
    """
    path = Path(path) if path is not None else VALIDATION_LABELS
    frame = pd.read_csv(path, sep="\t", comment="#", dtype=str, keep_default_na=False)
    missing = [c for c in LABEL_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing columns {missing}")
    for i, row in enumerate(frame.itertuples(index=False)):
        where = f"{path}: row {i + 1} ({row.name!r})"
        if row.form not in (*FORMS, NOT_A_NAME):
            raise ValueError(f"{where}: unknown form {row.form!r}")
        if row.function not in (*FUNCTIONS, NOT_A_NAME):
            raise ValueError(f"{where}: unknown function {row.function!r}")
        if (row.form == NOT_A_NAME) != (row.function == NOT_A_NAME) or (
                (row.form == NOT_A_NAME) != (row.name == "")):
            raise ValueError(f"{where}: an empty name has form and function {NOT_A_NAME!r}, "
                             "a name has neither")
    frame["paragraph"] = frame["paragraph"].astype(int)
    frame["simplified"] = [to_simplified(n) for n in frame["name"]]
    return frame[[*LABEL_COLUMNS, "simplified"]]


def paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-empty line of ``text``, in order: the paragraphs the
    validation table numbers."""
    out, pos = [], 0
    for line in text.split("\n"):
        if line.strip():
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def paragraph_sha1(simplified_paragraph: str) -> str:
    """The 12-hex-digit fingerprint the validation table keeps of a coded paragraph.

    >>> fingerprint = paragraph_sha1("要实现“双降”目标。")
    >>> len(fingerprint), fingerprint == paragraph_sha1("  要实现“双降”目标。 ")
    (12, True)
    """
    return hashlib.sha1(simplified_paragraph.strip().encode("utf-8")).hexdigest()[:12]


@dataclass
class Agreement:
    """How the classifier's labels agree with the hand-coded ones.

    ``rows``: one row per name coded or predicted in the coded paragraphs, with the coded
    and predicted ``form`` and ``function`` (``(missed)`` when the classifier did not find
    a coded name; coded ``none`` when it reported something that is not a name).
    ``accuracy``: share of rows whose predicted label equals the coded one, per column.
    ``scores``: per column and class, precision, recall, F1 and support (coded rows).
    ``confusion``: per column, a table of coded (rows) against predicted (columns) labels.
    ``samples``: the same measures for each ``sample`` of the table (``dev``, ``heldout``).
    """
    rows: pd.DataFrame
    accuracy: dict[str, float] = field(default_factory=dict)
    scores: pd.DataFrame | None = None
    confusion: dict[str, pd.DataFrame] = field(default_factory=dict)
    samples: dict[str, Agreement] = field(default_factory=dict)

    def __repr__(self) -> str:
        acc = ", ".join(f"{k} {v:.1%}" for k, v in self.accuracy.items())
        return f"Agreement({len(self.rows)} rows: {acc})"


def _validation_corpus(speech_ids) -> pd.DataFrame:
    from ..corpus.load import load_corpus

    ids = sorted(set(speech_ids))
    frames = []
    seeds = [s for s in ids if (SEEDS_DIR / f"{s}.txt").is_file()]
    if seeds:
        frames.append(load_corpus(SEEDS_DIR).query("speech_id in @seeds"))
    others = [s for s in ids if s not in seeds]
    if others:
        if not (GWR_DIR / "metadata.csv").is_file():
            raise FileNotFoundError(f"{GWR_DIR}: the shared corpus holding {others[:3]}… is absent")
        with warnings.catch_warnings():  # the shared corpus keeps its metadata.csv beside the reports
            warnings.filterwarnings("ignore", message="not loaded", category=UserWarning)
            frames.append(load_corpus(GWR_DIR).query("speech_id in @others"))
    corpus = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    absent = set(ids) - set(corpus.get("speech_id", []))
    if absent:
        raise ValueError(f"validation speeches not found: {sorted(absent)}")
    return corpus


@renamed_arguments(moved=("corpus",))
def agreement(labels: pd.DataFrame | None = None, *, corpus: pd.DataFrame | None = None,
              attested: bool = True) -> Agreement:
    """Measure :func:`corpus_campaigns` against the hand-coded validation table.

    ``labels`` defaults to :func:`validation_labels`; ``corpus`` to the speeches it names,
    loaded from ``seeds/`` and the shared corpus (``analysis.config.GWR_DIR``). Within each
    coded paragraph, every name the classifier reports (a mention of it stands there) is
    compared with the coded row of the same name; a coded name it does not report is
    ``(missed)``, a reported name nobody coded counts as coded ``none``. Raises
    ``ValueError`` when a coded paragraph's fingerprint does not match the speech's text
    (the cleaner changed it: recode that paragraph).
    """
    labels = validation_labels() if labels is None else labels
    corpus = _validation_corpus(labels["speech_id"]) if corpus is None else corpus
    texts = {sid: (text, simp) for sid, text, simp in speech_texts(corpus)}
    spans: dict[tuple[str, int], tuple[int, int]] = {}
    for sid, para, sha in labels[["speech_id", "paragraph", "paragraph_sha1"]].drop_duplicates().itertuples(
            index=False, name=None):
        if sid not in texts:
            raise ValueError(f"validation: speech {sid!r} is not in the corpus given")
        _, simp = texts[sid]
        found = paragraphs(simp)
        if para < len(found) and paragraph_sha1(simp[slice(*found[para])]) == sha:
            spans[(sid, para)] = found[para]
            continue
        # The paragraph may have moved (cleaning joined or split lines before it): the
        # fingerprint, not the number, identifies it.
        moved = [span for span in found if paragraph_sha1(simp[slice(*span)]) == sha]
        if not moved:
            raise ValueError(f"validation: paragraph {para} of {sid!r} no longer matches its "
                             f"fingerprint {sha}: the text changed, recode it")
        spans[(sid, para)] = moved[0]

    predicted: dict[tuple[str, int, str], tuple[str, str]] = {}
    coded_corpus = corpus[corpus["speech_id"].isin(labels["speech_id"])]
    for sid, mentions in _corpus_mentions(coded_corpus, attested, places=False):
        names = {}
        for m in mentions:
            names.setdefault(m["simplified"], (m["form"], m["function"]))
        for (s, para), (a, b) in spans.items():
            if s != sid:
                continue
            for m in mentions:
                if a <= m["start"] < b:
                    predicted.setdefault((sid, para, m["simplified"]), names[m["simplified"]])

    rows = []
    coded_keys = set()
    sample_of = dict(zip(labels["speech_id"], labels["sample"]))
    for r in labels.itertuples(index=False):
        if not r.name:
            continue
        key = (r.speech_id, r.paragraph, r.simplified)
        coded_keys.add(key)
        form, function = predicted.get(key, (MISSED, MISSED))
        rows.append({"sample": r.sample, "speech_id": r.speech_id, "paragraph": r.paragraph, "name": r.name,
                     "form": r.form, "predicted_form": form, "function": r.function,
                     "predicted_function": function, "note": r.note})
    for key, (form, function) in predicted.items():
        if key not in coded_keys:
            sid, para, simp_name = key
            rows.append({"sample": sample_of[sid], "speech_id": sid, "paragraph": para, "name": simp_name,
                         "form": NOT_A_NAME, "predicted_form": form, "function": NOT_A_NAME,
                         "predicted_function": function, "note": "reported, not coded"})
    frame = pd.DataFrame(rows, columns=["sample", "speech_id", "paragraph", "name", "form",
                                        "predicted_form", "function", "predicted_function", "note"])
    result = _scored(frame)
    result.samples = {name: _scored(part.reset_index(drop=True))
                      for name, part in frame.groupby("sample", sort=True, observed=True)}
    return result


def _scored(frame: pd.DataFrame) -> Agreement:
    """Accuracy, per-class scores and confusion tables of coded against predicted labels."""
    result = Agreement(frame)
    score_rows = []
    for column in ("form", "function"):
        coded, guessed = frame[column], frame[f"predicted_{column}"]
        result.accuracy[column] = float((coded == guessed).mean()) if len(frame) else float("nan")
        result.confusion[column] = pd.crosstab(coded.rename("coded"), guessed.rename("predicted"))
        for label in sorted(set(coded) | set(guessed)):
            tp = int(((coded == label) & (guessed == label)).sum())
            n_pred, n_true = int((guessed == label).sum()), int((coded == label).sum())
            precision = tp / n_pred if n_pred else float("nan")
            recall = tp / n_true if n_true else float("nan")
            f1 = (2 * precision * recall / (precision + recall)
                  if n_pred and n_true and precision + recall else float("nan"))
            score_rows.append((column, label, precision, recall, f1, n_true, n_pred))
    result.scores = pd.DataFrame(score_rows, columns=["column", "label", "precision", "recall", "f1",
                                                      "support", "predicted"])
    return result


SAMPLE_NOTES = {"seed": "the rules were written on it: fit, not generalisation",
                "gwr-tuning": "its disagreements led to rule changes",
                "gwr-heldout": "never used to change anything: the figure to quote"}


def agreement_summary(labels: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`agreement` on the validation samples whose speeches can be loaded here (the
    shared reports only where ``../shared`` is present), one row per sample: ``sample``,
    ``names``, ``form`` and ``function`` (accuracy) and ``note`` (what the sample can show).
    Empty when no sample can be loaded."""
    labels = validation_labels() if labels is None else labels
    have = {s for s in labels["speech_id"] if (SEEDS_DIR / f"{s}.txt").is_file()
            or (GWR_DIR / f"{s}.txt").is_file()}
    labels = labels[labels["speech_id"].isin(have)]
    columns = ["sample", "names", "form", "function", "note"]
    if labels.empty:
        return pd.DataFrame(columns=columns)
    corpus = _validation_corpus(labels["speech_id"])

    def compute() -> pd.DataFrame:
        found = agreement(labels, corpus=corpus)
        rows = [{"sample": name, "names": len(sample.rows), "form": sample.accuracy.get("form"),
                 "function": sample.accuracy.get("function"), "note": SAMPLE_NOTES.get(name, "")}
                for name, sample in found.samples.items()]
        return pd.DataFrame(rows, columns=columns)

    # Measured once for these labels, these texts and this code (rules, gazetteer included).
    key = digest(code_digest(), labels.to_csv(index=False),
                 *(part for sid, text in sorted(zip(corpus["speech_id"], corpus["text"])) for part in (sid, text)))
    return cached_frame("agreement-summary", key, compute)


@renamed_arguments({"top": "n"}, moved=("n",))
def name_summary(names: pd.DataFrame, *, n: int | None = None) -> pd.DataFrame:
    """The names of a corpus (:func:`corpus_campaigns`) over all its speeches: one row per
    name (its gazetteer name, else its Simplified form) with ``name`` (as written in the
    most speeches: 雙降 in a corpus mostly in Traditional, 双降 in one mostly in Simplified;
    of forms written in as many speeches, the first met), ``form``, ``function`` (the most
    common), ``speeches`` and ``mentions`` (speeches and mentions where the name stands on
    its own, counted alike) and ``nested`` (mentions inside a longer name, which neither
    count); the ``n`` most mentioned, by mentions then speeches."""
    key = names["canonical"].fillna(names["simplified"]) if "canonical" in names else names["simplified"]
    frame = names.assign(_key=key, _own=names["speech_id"].where(names["count"] > 0))
    written = frame.groupby(["_key", "name"], sort=False, observed=True)["speech_id"].nunique().reset_index()
    written = written.sort_values("speech_id", ascending=False, kind="stable").drop_duplicates("_key")
    table = frame.groupby("_key", sort=False, observed=True).agg(
        form=("form", lambda v: v.mode().iloc[0]), function=("function", lambda v: v.mode().iloc[0]),
        speeches=("_own", "nunique"), mentions=("count", "sum"), nested=("nested", "sum"))
    table.insert(0, "name", table.index.map(dict(zip(written["_key"], written["name"]))))
    table = table.reset_index(drop=True).astype({"speeches": "int64", "mentions": "int64", "nested": "int64"})
    table = table.sort_values(["mentions", "speeches", "name"], ascending=[False, False, True], kind="stable")
    return (table if n is None else table.head(n)).reset_index(drop=True)
