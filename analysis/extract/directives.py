"""Directives: the sentences of a speech that direct someone, how strongly, whom and by when.

A sentence is a directive when it holds a cue word of ``analysis/data/directive_rules.tsv``:
an obligation (必须, 务必, 确保), a requirement (要, 应当, 请), an encouragement (鼓励, 支持,
可以) or a prohibition (严禁, 不得, 禁止; 不要, 不应). It takes the strength of its strongest
cue (levels 3, 2, 1; a prohibition is level 3 or 2, and wins a tie). Words that only contain
a cue (主要, 需要, 相应, 不得不) are listed in the same file and never count; neither does
text inside 《》 (a document's title). In a section whose heading names a past year (a
report's review of the year), level-1 cues do not count: 支持 there says what was done.

The addressee is the subject of the deciding cue's clause when it ends with an addressee word
of the file (各级财政部门要…, 各級黨委、政府要…), or what follows a cue such as 请 or 希望
(请大家…); the deadline is the first deadline pattern of the sentence (今年6月底前, 年内,
年底前, 到2020年).

Unmarked imperatives (严守耕地红线。推动传统产业改造提升。) carry no cue and are not reported:
the marker, not the mood, is what this reads. The validation sample counts how many there are.

All matching runs on ``text_simplified``; offsets, cues and addressees are those of
``text``. One regex pass over each text finds the cues; Python then works per directive
sentence, never per character or token. :func:`directive_agreement` measures the reader
against the hand-coded sample of ``analysis/data/validation/directives.tsv``.
"""
from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..common.datafiles import data_lines
from ..common.deprecation import renamed_arguments
from ..config import DATA_DIR, SEEDS_DIR
from ..corpus.memo import corpus_memo
from ..corpus.passages import SENTENCE_END, passage_ids
from ..text.script import to_simplified

DIRECTIVE_RULES = DATA_DIR / "directive_rules.tsv"
VALIDATION_DIRECTIVES = DATA_DIR / "validation" / "directives.tsv"

STRENGTHS = ("obligation", "requirement", "encouragement", "prohibition")
LEVELS = {"obligation": 3, "requirement": 2, "encouragement": 1}
STRENGTH_LABELS = {"obligation": "義務 必須/務必/確保", "requirement": "要求 要/應當",
                   "encouragement": "鼓勵 鼓勵/支持/可以", "prohibition": "禁止 嚴禁/不得/禁止"}
"""Chinese labels for the strengths, for charts."""
NONE = "none"
DIRECTIVE_COLUMNS = ["speech_id", "strength", "level", "cue", "cues", "addressee", "deadline", "start", "end",
                     "sentence", "passage"]
_RULES = ("cue", "not", "addressee", "deadline")
_ADDRESSEE_LABELS = ("head", "opener", "adverb", "through", "cut", "verb")
_YEAR = "(?:(?:19|20)[0-9]{2}|[一二][九〇零][〇零一二三四五六七八九]{2})"
_N = "(?:[0-9０-９]{1,3}|[一二两三四五六七八九十]{1,3})"
_TITLE = re.compile(r"《[^《》\n]*》")
_CLAUSE_END = re.compile(r"[，,；;：:\n]")
# Numbered openers read without a rule line: 一是, 第一, and a heading's number (三、 （二） 3. 4、).
_NUMBERED = re.compile(r"(?:[一二三四五六七八九十]+是|第[一二三四五六七八九十]+[，,、]?|[一二三四五六七八九十]+[、.．]"
                       r"|[（(][一二三四五六七八九十\d]+[）)]|\d+[、.．](?!\d))")


def directive_rules(path: str | Path | None = None) -> pd.DataFrame:
    """The lines of ``analysis/data/directive_rules.tsv`` (or ``path``): columns ``rule``,
    ``label``, ``term``, ``level`` and ``simplified``, in file order. Raises ``ValueError``
    naming the line for an unknown rule or strength, a prohibition without its level, or a
    deadline pattern that is no regular expression.

    >>> rules = directive_rules()
    >>> rules.iloc[0][["rule", "label", "term"]].tolist(), int(rules.iloc[0]["level"])
    (['cue', 'obligation', '必须'], 3)
    """
    path = Path(path) if path is not None else DIRECTIVE_RULES
    rows = []
    for lineno, fields in data_lines(path):
        where = f"{path}:{lineno}"
        if len(fields) < 3 or not all(fields[:3]):
            raise ValueError(f"{where}: expected rule<TAB>label<TAB>term[<TAB>level], got {chr(9).join(fields)!r}")
        rule, label, term = fields[:3]
        level = 0
        if rule not in _RULES:
            raise ValueError(f"{where}: unknown rule {rule!r} (one of {_RULES})")
        if rule == "cue":
            if label not in STRENGTHS:
                raise ValueError(f"{where}: unknown strength {label!r} (one of {STRENGTHS})")
            if label == "prohibition":
                if len(fields) < 4 or fields[3] not in ("1", "2", "3"):
                    raise ValueError(f"{where}: give a prohibition its level, 1 to 3")
                level = int(fields[3])
            else:
                level = LEVELS[label]
        if rule == "addressee" and label not in _ADDRESSEE_LABELS:
            raise ValueError(f"{where}: an addressee line is one of {_ADDRESSEE_LABELS}, got {label!r}")
        if rule == "deadline":
            try:
                re.compile(_expand(term))
            except re.error as exc:
                raise ValueError(f"{where}: the deadline pattern is no regular expression ({exc})") from None
        simplified = term if rule == "deadline" else to_simplified(term)
        rows.append((rule, label, term, level, simplified))
    return pd.DataFrame(rows, columns=["rule", "label", "term", "level", "simplified"])


def _expand(pattern: str) -> str:
    return pattern.replace("{YEAR}", _YEAR).replace("{N}", _N)


def _alternation(terms) -> str:
    return "|".join(re.escape(t) for t in sorted(set(terms), key=lambda t: (-len(t), t)))


@dataclass(frozen=True)
class _Rules:
    cues: re.Pattern
    cue_of: dict          # simplified word → (strength, level); None for a not-word
    heads: re.Pattern
    openers: re.Pattern
    verbs: re.Pattern
    adverbs: re.Pattern
    through: re.Pattern
    through_words: frozenset
    cut: re.Pattern
    deadline: re.Pattern


@functools.lru_cache(maxsize=4)
def _compiled(path: str, _stamp: tuple) -> _Rules:
    rules = directive_rules(path)

    def terms(rule, label=None):
        chosen = rules[rules["rule"] == rule]
        return chosen if label is None else chosen[chosen["label"] == label]

    cue_of: dict = {row.simplified: (row.label, row.level) for row in terms("cue").itertuples()}
    for word in terms("not")["simplified"]:
        cue_of[word] = None
    addressee = terms("addressee")

    def words(label):
        return list(addressee.loc[addressee["label"] == label, "simplified"])

    never = "(?!)"
    return _Rules(
        cues=re.compile(_alternation(cue_of)),
        cue_of=cue_of,
        heads=re.compile(f"(?:{_alternation(words('head')) or never})$"),
        openers=re.compile(f"(?:{_alternation(words('opener')) or never})[，,、]?"),
        verbs=re.compile(_alternation(words("verb")) or never),
        adverbs=re.compile(f"(?:{_alternation(words('adverb')) or never})+$"),
        through=re.compile(_alternation(words("through")) or never),
        through_words=frozenset(words("through")),
        cut=re.compile(_alternation(words("cut")) or never),
        deadline=re.compile("|".join(f"(?:{_expand(p)})" for p in terms("deadline")["simplified"]) or never),
    )


def _rules(path=None) -> _Rules:
    p = Path(path) if path is not None else DIRECTIVE_RULES
    return _compiled(str(p), (p.stat().st_mtime_ns, p.stat().st_size))


# --------------------------------------------------------------------------- one text

def _masked(simp: str) -> str:
    """The Simplified text with every 《…》 title blanked (same length)."""
    return _TITLE.sub(lambda m: "《" + "\u3000" * (len(m.group()) - 2) + "》", simp)


def _addressee(simp: str, sentence_start: int, cue_start: int, cue_end: int, rules: _Rules) -> tuple[int, int] | None:
    """(start, end) of the addressee of the cue at ``cue_start``, or None."""
    cue = simp[cue_start:cue_end]
    for word in rules.through_words:
        # 让我们: the cue names its addressee
        if cue != word and cue.startswith(word) and rules.heads.search(cue):
            return cue_start + len(word), cue_end
    if cue in rules.through_words:
        # 请大家…, 希望有关各方面…: the addressee follows the cue
        m = _CLAUSE_END.search(simp, cue_end)
        stop = min(m.start() if m else len(simp), cue_end + 25)
        # the longest stretch after the cue that ends with an addressee word
        for stop_at in range(stop, cue_end, -1):
            if rules.heads.search(simp, cue_end, stop_at):
                return cue_end, stop_at
        return None
    start = _clause_start(simp, sentence_start, cue_start)
    subject = simp[start:cue_start]
    if not subject.strip() and start > sentence_start:
        # the cue opens its clause: the subject is the clause before (各有关部门…，要…)
        end = start - 1
        start = _clause_start(simp, sentence_start, end)
        subject = simp[start:end]
    return _trim(simp, start, start + len(subject), rules)


def _clause_start(simp: str, floor: int, at: int) -> int:
    """The start of the clause holding offset ``at`` (not before ``floor``)."""
    last = floor
    for m in _CLAUSE_END.finditer(simp, floor, at):
        last = m.end()
    return last


def _trim(simp: str, start: int, end: int, rules: _Rules) -> tuple[int, int] | None:
    """The addressee within a subject span: openers, leading 要求/请 and trailing adverbs
    dropped, cut at 作为; None unless it ends with an addressee word, and None when it opens
    with an action verb (加强领导，确保… : 加强领导 is an action, not who is addressed)."""
    while start < end and simp[start] in " \u3000\t“”‘’「」—–-－·•":
        start += 1
    for pattern in (_NUMBERED, rules.openers):
        m = pattern.match(simp, start, end)
        if m:
            start = m.end()
    through = None
    for m in rules.through.finditer(simp, start, end):
        through = m
    if through is not None:
        start = through.end()
    adverbs = rules.adverbs.search(simp, start, end)
    if adverbs:
        end = adverbs.start()
    cut = rules.cut.search(simp, start, end)
    if cut:
        end = cut.start()
    if rules.verbs.match(simp, start, end):
        return None
    if end - start < 1 or end - start > 30 or not rules.heads.search(simp, start, end):
        return None
    return start, end


def _scan(text: str, simp: str, past_spans: list[tuple[int, int]], rules: _Rules) -> list[dict]:
    masked = _masked(simp)
    hits = [(m.start(), m.end(), rules.cue_of[m.group()]) for m in rules.cues.finditer(masked)]
    hits = [(a, b, c) for a, b, c in hits if c is not None]
    if not hits:
        return []
    starts = np.fromiter((h[0] for h in hits), dtype=np.int64, count=len(hits))
    if past_spans:
        # level-1 cues in a review of past years report what was done
        keep = np.ones(len(hits), dtype=bool)
        for a, b in past_spans:
            keep &= ~((starts >= a) & (starts < b) & (np.fromiter((h[2][1] for h in hits), dtype=np.int64) <= 1))
        hits = [h for h, k in zip(hits, keep) if k]
        starts = starts[keep]
        if not hits:
            return []
    ends = np.fromiter((m.end() for m in SENTENCE_END.finditer(simp)), dtype=np.int64)
    which = np.searchsorted(ends, starts, side="right")
    rows = []
    for k in np.unique(which):
        mine = [hits[i] for i in np.flatnonzero(which == k)]
        s_start = int(ends[k - 1]) if k > 0 else 0
        s_end = int(ends[k]) if k < len(ends) else len(simp)
        # the strongest cue; at equal level a prohibition, then the first
        best = max(mine, key=lambda h: (h[2][1], h[2][0] == "prohibition", -h[0]))
        strength, level = best[2]
        span = _addressee(simp, s_start, best[0], best[1], rules)
        if span is None:
            for h in mine:
                if h is not best:
                    span = _addressee(simp, s_start, h[0], h[1], rules)
                    if span:
                        break
        deadline = rules.deadline.search(masked, s_start, s_end)
        lead = len(text[s_start:s_end]) - len(text[s_start:s_end].lstrip())
        rows.append({
            "strength": strength, "level": int(level), "cue": text[best[0]:best[1]],
            "cues": "、".join(text[a:b] for a, b, _ in mine),
            "addressee": text[span[0]:span[1]] if span else "",
            "deadline": text[deadline.start():deadline.end()] if deadline else "",
            "start": s_start + lead, "end": s_end, "sentence": text[s_start:s_end].strip(),
        })
    return rows


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("level", "start", "end"):
        frame[column] = frame[column].astype("int64")
    return frame


def text_directives(text: str, *, simplified: str | None = None, past_spans: list[tuple[int, int]] | None = None,
                    rules_path: str | Path | None = None) -> pd.DataFrame:
    """The directive sentences of one text: :data:`DIRECTIVE_COLUMNS` without ``speech_id``
    and ``passage``. ``past_spans``: ``(start, end)`` of the sections that review past years
    (level-1 cues there do not count).

    >>> d = text_directives("各級財政部門要在年內撥付經費。去年支出增長。嚴禁挪用。")
    >>> d[["strength", "level", "cue", "addressee", "deadline"]].values.tolist()
    [['requirement', 2, '要', '各級財政部門', '年內'], ['prohibition', 3, '嚴禁', '', '']]
    """
    simp = simplified if simplified is not None else to_simplified(text)
    if len(simp) != len(text):
        raise ValueError("text_directives: the Simplified text must have one character per character of the text")
    rows = _scan(text, simp, sorted(past_spans or []), _rules(rules_path))
    return _frame(rows, [c for c in DIRECTIVE_COLUMNS if c not in ("speech_id", "passage")])


def past_sections(corpus: pd.DataFrame, parts: pd.DataFrame) -> dict:
    """For each speech, the ``(start, end)`` of its sections whose heading names only years
    before the speech's (2018年工作回顾 in a 2019 report; 過去五年工作回顧)."""
    from .targets import compiled_rules as _target_rules
    from .targets import heading_time

    rules = _target_rules()
    years = dict(zip(corpus["speech_id"], corpus["year"] if "year" in corpus else [None] * len(corpus)))
    sections = parts[(parts["part"] == "section") & parts["speech_id"].isin(years)]
    out: dict = {}
    for sid, start, end, title in zip(sections["speech_id"], sections["start"], sections["end"], sections["title"]):
        year = years.get(sid)
        if year is None or pd.isna(year) or not isinstance(title, str) or not title:
            continue
        span = heading_time(title, rules, int(year))
        if span is not None and span[1] < int(year):
            out.setdefault(sid, []).append((int(start), int(end)))
    return out


@renamed_arguments(moved=("parts",))
@corpus_memo("directives")
def directives(corpus: pd.DataFrame, *, parts: pd.DataFrame | None = None,
               rules_path: str | Path | None = None) -> pd.DataFrame:
    """Every directive sentence of the speeches of ``corpus``, in speech and text order.

    Columns (:data:`DIRECTIVE_COLUMNS`): ``speech_id``; ``strength`` (obligation,
    requirement, encouragement or prohibition) and ``level`` (3, 2, 1); ``cue`` (the word
    that decided, as written) and ``cues`` (every cue of the sentence, joined by 、);
    ``addressee`` and ``deadline`` as written, or empty; ``start``/``end`` (the sentence's
    offsets in ``text``), ``sentence``, and ``passage`` (a citable id,
    :func:`analysis.passages.passage_ids`).

    ``parts`` is the corpus's :func:`analysis.corpus_outline` (computed when not given): it
    places the passages and says which sections review past years.
    """
    from ..corpus.pipeline import corpus_outline

    rules = _rules(rules_path)
    if parts is None:
        parts = corpus_outline(corpus)
    past = past_sections(corpus, parts)
    rows = []
    for sid, text, simp in zip(corpus["speech_id"], corpus["text"], corpus["text_simplified"]):
        for row in _scan(text, simp, past.get(sid, []), rules):
            row["speech_id"] = sid
            rows.append(row)
    frame = _frame(rows, [c for c in DIRECTIVE_COLUMNS if c != "passage"])
    frame["passage"] = (passage_ids(frame["speech_id"], frame["start"], corpus, parts)
                        if len(frame) else pd.Series([], dtype="string"))
    frame["strength"] = pd.Categorical(frame["strength"], categories=STRENGTHS)
    return frame[DIRECTIVE_COLUMNS]


# --------------------------------------------------------------------------- validation

GOLD_COLUMNS = ["sample", "speech_id", "start", "sentence_sha1", "strength", "addressee", "deadline", "note"]


def validation_directives(path: str | Path | None = None) -> pd.DataFrame:
    """The hand-coded sample (``analysis/data/validation/directives.tsv``): one row per coded
    sentence, :data:`GOLD_COLUMNS`. Raises ``ValueError`` naming the row for an unknown
    strength or a missing column."""
    path = Path(path) if path is not None else VALIDATION_DIRECTIVES
    frame = pd.read_csv(path, sep="\t", comment="#", dtype=str, keep_default_na=False)
    missing = [c for c in GOLD_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: missing columns {missing}")
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        if row.strength not in (*STRENGTHS, NONE):
            raise ValueError(f"{path}: row {i} ({row.speech_id} {row.start}): unknown strength {row.strength!r}")
    frame["start"] = frame["start"].astype(int)
    return frame[GOLD_COLUMNS]


def sentence_sha1(simplified_sentence: str) -> str:
    """The 12-hex-digit fingerprint the validation table keeps of a coded sentence.

    >>> len(sentence_sha1("各级财政部门要创造条件。")), sentence_sha1(" 要。") == sentence_sha1("要。")
    (12, True)
    """
    return hashlib.sha1(simplified_sentence.strip().encode("utf-8")).hexdigest()[:12]


@dataclass
class DirectiveAgreement:
    """How :func:`directives` agrees with the hand-coded sentences.

    ``rows``: one row per coded sentence, coded and found strength, addressee and deadline
    side by side (``none`` and empty where nothing was found). ``precision``/``recall``: of
    directive sentences (any strength). ``accuracy`` and ``kappa`` (Cohen's κ, chance-
    corrected): of the strength label, ``none`` included. ``addressee`` and ``deadline``:
    precision and recall of the named ones (a found one must equal the coded one, compared in
    Simplified). ``samples``: the same per sample (``seed``, ``heldout``).
    """
    rows: pd.DataFrame
    precision: float = float("nan")
    recall: float = float("nan")
    accuracy: float = float("nan")
    kappa: float = float("nan")
    addressee: dict = field(default_factory=dict)
    deadline: dict = field(default_factory=dict)
    confusion: pd.DataFrame | None = None
    samples: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        return (f"DirectiveAgreement({len(self.rows)} sentences: precision {self.precision:.1%}, recall "
                f"{self.recall:.1%}, strength accuracy {self.accuracy:.1%}, κ {self.kappa:.2f})")


def cohen_kappa(a, b) -> float:
    """Cohen's κ of two labellings of the same items: (observed − chance agreement) / (1 −
    chance agreement), chance from each labelling's own label shares.

    >>> round(cohen_kappa(["x", "x", "y", "y"], ["x", "y", "y", "y"]), 2)
    0.5
    """
    a, b = pd.Series(list(a), dtype=object), pd.Series(list(b), dtype=object)
    if not len(a):
        return float("nan")
    observed = float((a.values == b.values).mean())
    pa, pb = a.value_counts(normalize=True), b.value_counts(normalize=True)
    chance = float(sum(pa.get(k, 0) * pb.get(k, 0) for k in set(pa.index) | set(pb.index)))
    return (observed - chance) / (1 - chance) if chance < 1 else float("nan")


def _validation_corpus(speech_ids) -> pd.DataFrame:
    import warnings

    from ..config import GWR_DIR
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
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="not loaded", category=UserWarning)
            frames.append(load_corpus(GWR_DIR).query("speech_id in @others"))
    corpus = pd.concat(frames, ignore_index=True)
    absent = set(ids) - set(corpus["speech_id"])
    if absent:
        raise ValueError(f"validation speeches not found: {sorted(absent)}")
    return corpus


def _measures(frame: pd.DataFrame) -> DirectiveAgreement:
    result = DirectiveAgreement(frame)
    coded = frame["strength"] != NONE
    found = frame["found_strength"] != NONE
    result.precision = float((coded & found).sum() / found.sum()) if found.sum() else float("nan")
    result.recall = float((coded & found).sum() / coded.sum()) if coded.sum() else float("nan")
    result.accuracy = float((frame["strength"] == frame["found_strength"]).mean()) if len(frame) else float("nan")
    result.kappa = cohen_kappa(frame["strength"], frame["found_strength"])
    result.confusion = pd.crosstab(frame["strength"].rename("coded"), frame["found_strength"].rename("found"))
    for name in ("addressee", "deadline"):
        a = frame[name].map(to_simplified)
        b = frame[f"found_{name}"].map(to_simplified)
        match = int(((a == b) & (a != "")).sum())
        n_coded, n_found = int((a != "").sum()), int((b != "").sum())
        getattr(result, name).update({
            "coded": n_coded, "found": n_found, "matched": match,
            "precision": match / n_found if n_found else float("nan"),
            "recall": match / n_coded if n_coded else float("nan")})
    return result


@renamed_arguments(moved=("corpus", "found"))
def directive_agreement(gold: pd.DataFrame | None = None, *, corpus: pd.DataFrame | None = None,
                        found: pd.DataFrame | None = None) -> DirectiveAgreement:
    """Measure :func:`directives` against the hand-coded sentences
    (:func:`validation_directives`). ``corpus`` defaults to the coded speeches (the seed and
    the shared reports); ``found`` to ``directives(corpus)``. Raises ``ValueError`` when a
    coded sentence no longer starts where it did with the same fingerprint (the cleaner
    changed the text: recode it)."""
    gold = validation_directives() if gold is None else gold
    corpus = _validation_corpus(gold["speech_id"]) if corpus is None else corpus
    coded_corpus = corpus[corpus["speech_id"].isin(set(gold["speech_id"]))]
    found = directives(coded_corpus) if found is None else found
    simps = dict(zip(coded_corpus["speech_id"], coded_corpus["text_simplified"]))
    by_start = {(sid, int(start)): row for sid, start, row in zip(found["speech_id"], found["start"],
                                                                  found.itertuples(index=False))}
    rows = []
    for g in gold.itertuples(index=False):
        simp = simps.get(g.speech_id)
        if simp is None:
            raise ValueError(f"validation: speech {g.speech_id!r} is not in the corpus given")
        end = next((m.end() for m in SENTENCE_END.finditer(simp, g.start)), len(simp))
        if sentence_sha1(simp[g.start:end]) != g.sentence_sha1:
            raise ValueError(f"validation: the sentence at {g.start} of {g.speech_id!r} no longer matches its "
                             f"fingerprint {g.sentence_sha1}: the text changed, recode it")
        hit = by_start.get((g.speech_id, g.start))
        rows.append({"sample": g.sample, "speech_id": g.speech_id, "start": g.start,
                     "strength": g.strength, "found_strength": str(hit.strength) if hit else NONE,
                     "addressee": g.addressee, "found_addressee": hit.addressee if hit else "",
                     "deadline": g.deadline, "found_deadline": hit.deadline if hit else "",
                     "found_cue": hit.cue if hit else "", "note": g.note})
    frame = pd.DataFrame(rows)
    result = _measures(frame)
    result.samples = {name: _measures(part.reset_index(drop=True)) for name, part in frame.groupby("sample", sort=True)}
    return result


def directive_agreement_summary(gold: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`directive_agreement` per sample, for the samples whose speeches load here (the
    shared reports only where ``../shared`` is present): ``sample``, ``sentences``,
    ``precision``, ``recall`` (of directive sentences), ``accuracy`` and ``kappa`` (of the
    strength), ``addressee_precision`` and ``addressee_recall``."""
    from ..config import GWR_DIR
    from ..corpus.cache import cached_frame, code_digest, digest

    gold = validation_directives() if gold is None else gold
    have = {s for s in gold["speech_id"] if (SEEDS_DIR / f"{s}.txt").is_file() or (GWR_DIR / f"{s}.txt").is_file()}
    gold = gold[gold["speech_id"].isin(have)]
    columns = ["sample", "sentences", "precision", "recall", "accuracy", "kappa", "addressee_precision",
               "addressee_recall"]
    if gold.empty:
        return pd.DataFrame(columns=columns)
    corpus = _validation_corpus(gold["speech_id"])

    def compute() -> pd.DataFrame:
        result = directive_agreement(gold, corpus=corpus)
        rows = [{"sample": name, "sentences": len(part.rows), "precision": part.precision, "recall": part.recall,
                 "accuracy": part.accuracy, "kappa": part.kappa,
                 "addressee_precision": part.addressee["precision"], "addressee_recall": part.addressee["recall"]}
                for name, part in result.samples.items()]
        return pd.DataFrame(rows, columns=columns)

    key = digest(code_digest(), gold.to_csv(index=False),
                 *(part for sid, text in sorted(zip(corpus["speech_id"], corpus["text"])) for part in (sid, text)))
    return cached_frame("directive-agreement", key, compute)


# --------------------------------------------------------------------------- summaries

@renamed_arguments(moved=("corpus", "parts"))
def directive_groups(found: pd.DataFrame, *, corpus: pd.DataFrame, parts: pd.DataFrame) -> pd.DataFrame:
    """The directives ready for a chart of strength by where or when: ``found`` with ``type``
    (the strength's Chinese label, ordered obligation → prohibition), a group column named
    in ``attrs["by"]`` and a ``weight`` to sum (its axis label in ``attrs["ylabel"]``).

    For a handful of speeches the group is the part of the speech (``place``: 前言, 一, 二 …,
    結語) and the weight 1: the bars count sentences. For a dated corpus of many it is the
    year (or decade), and the weight 100 over the number of sentences of that group's
    speeches: the bars show directive sentences per 100 sentences, so that a decade with more
    or longer reports does not look more directive."""
    from ..measures.groups import many, speech_groups, time_unit
    from ..text.outline import locate, places

    out = found.copy()
    order = [STRENGTH_LABELS[s] for s in STRENGTHS]
    out["type"] = pd.Categorical(out["strength"].astype(str).map(STRENGTH_LABELS), categories=order)
    out = out.sort_values("type", kind="stable")
    if many(corpus) and "year" in corpus and corpus["year"].notna().any():
        from ..corpus.passages import sentence_ends

        by = time_unit(corpus)
        out[by] = speech_groups(out["speech_id"], by=by, corpus=corpus).to_numpy()
        out = out.dropna(subset=[by])
        if pd.api.types.is_float_dtype(out[by]) and (out[by] % 1 == 0).all():
            out[by] = out[by].astype("int64")  # years, not 2000.0 (an undated speech made them floats)
        sizes = pd.Series([max(len(sentence_ends(t)), 1) for t in corpus["text"]], index=corpus["speech_id"])
        group_of = speech_groups(corpus["speech_id"], by=by, corpus=corpus)
        per_group = sizes.groupby(group_of.to_numpy()).sum()
        out["weight"] = 100.0 / out[by].map(per_group).astype(float)
        out.attrs["ylabel"] = "每百句 directive sentences per 100 sentences"
    else:
        by = "place"
        located = []
        for sid, rows in out.groupby("speech_id", sort=False):
            where = locate(rows["start"].to_numpy(), parts[parts["speech_id"] == sid])
            located.append(pd.DataFrame({"part": where["part"].to_numpy(), "section": where["section"].array},
                                        index=rows.index))
        where = pd.concat(located) if located else pd.DataFrame({"part": [], "section": []})
        out["place"] = places(where.reindex(out.index))
        out["weight"] = 1.0
        out.attrs["ylabel"] = "句數 directive sentences"
    out.attrs["by"] = by
    return out


@renamed_arguments({"top": "n"}, moved=("n",))
def addressee_table(found: pd.DataFrame, *, n: int | None = None) -> pd.DataFrame:
    """Who the directives address: one row per addressee (compared in Simplified, shown as
    first written), its number of directive ``sentences`` and how many at each strength; the
    directives that name nobody as one row, ``（未指明）``. Most addressed first
    (:func:`by_simplified_form`)."""
    keys, shown = _forms(found["addressee"].astype(str).replace("", "（未指明）"))
    counts = pd.crosstab(keys.to_numpy(), found["strength"].astype(str).to_numpy()).reindex(
        columns=[s for s in STRENGTHS if s in set(found["strength"].astype(str))], fill_value=0)
    table = _ranked(counts.assign(sentences=counts.sum(axis=1)), shown, "sentences").rename(
        columns={"form": "addressee"})
    table.columns.name = None
    return table if n is None else table.head(n)


def by_simplified_form(values: pd.Series, n: int | None = None) -> pd.DataFrame:
    """How often each of ``values`` (addressees, deadlines) occurs, compared in Simplified
    (我们 and 我們 are one, 年内 and 年內 one) and shown as first written: columns ``form`` and
    ``n``, most frequent first, then by the form shown, as :func:`addressee_table` ranks."""
    keys, shown = _forms(values.astype(str))
    table = _ranked(keys.value_counts(sort=False).rename("n").to_frame(), shown, "n")
    return table if n is None else table.head(n)


def _forms(values: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Each value's Simplified form (each distinct value converted once), and the first
    written form of each Simplified one."""
    keys = values.map({v: to_simplified(v) for v in values.unique()})
    return keys, values.groupby(keys.to_numpy(), sort=False).first()


def _ranked(counts: pd.DataFrame, shown: pd.Series, by: str) -> pd.DataFrame:
    """``counts`` (indexed by Simplified form) with the shown ``form`` first, sorted by
    ``by`` (descending), then by the form."""
    table = counts.reset_index(drop=True)
    table.insert(0, "form", shown.reindex(counts.index).to_numpy())
    return table.sort_values([by, "form"], ascending=[False, True], kind="stable").reset_index(drop=True)
