"""``make export``: the tables a researcher cites, as CSV and as one XLSX workbook.

Each table is computed by the package's own functions on a corpus (default ``seeds/``) and
written by :func:`write_tables`, the one function that writes them (CSV, UTF-8 with a BOM so
that spreadsheet programs read the Chinese; and ``tables.xlsx``, one sheet per table). Rows of
hits carry their citable ``passage`` id (:mod:`analysis.passages`), so that a quotation in a
paper can be traced to its sentence.

Tables (``README.md`` in the folder says the same, with the corpus and the references used):

* ``kwic``: every occurrence of the key terms (``term``: the query) with context;
* ``formulas``: numbered formulas with their expansions;
* ``campaigns`` and ``campaign_mentions``: names, and every mention of them;
* ``theme_hits``: every match of the theme lexicon;
* ``keyness_general`` and ``keyness_reports``: keywords against general Chinese and against
  the government work reports of the corpus's period (the same genre; left out when the
  corpus holds the reports themselves);
* ``term_counts``: the frequent and key terms counted as words and inside words;
* ``frequencies``: the content-word list.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from ..config import BUILD_DIR

EXPORT_DIR = BUILD_DIR / "export"
DEFAULT_TERMS = ["雙降", "計劃生育", "流動人口", "計生協會"]
DESCRIPTIONS = {
    "kwic": "every occurrence of the key terms (term: the query; keyword: as written), with context",
    "formulas": "numbered formulas (數字提法), their evidence, numerals and expansions",
    "campaigns": "names of campaigns, targets, slogans, documents…, one row per speech and name",
    "campaign_mentions": "every mention of every name (nested_in: the longer name it stands inside)",
    "theme_hits": "every match of the theme lexicon (analysis/data/themes.tsv)",
    "keyness_general": "keywords against general Chinese (wordfreq); read lrc, not log_ratio",
    "keyness_reports": "keywords against the government work reports of the corpus's period (same genre)",
    "term_counts": "terms counted as words (word) and inside words (within), with the longer words holding them",
    "frequencies": "content words by frequency (alias groups counted once)",
}


def _cell(value):
    """A value as a spreadsheet cell: lists joined with 、, missing values empty."""
    if isinstance(value, list | tuple):
        return "、".join(str(v) for v in value)
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    return value


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or isinstance(out[column].dtype, pd.CategoricalDtype | pd.StringDtype):
            out[column] = [_cell(v) for v in out[column]]
    return out


def write_tables(tables: dict[str, pd.DataFrame], out_dir: str | Path, *, readme: str | None = None) -> list[Path]:
    """Write each table as ``<name>.csv`` and all of them as sheets of ``tables.xlsx`` in
    ``out_dir`` (created), plus ``README.md`` when ``readme`` is given. Lists become text
    joined with 、; missing values are empty cells. Returns the paths written, in order.

    The only place the export writes files, through the project's one table writer
    (:mod:`analysis.tables`): a cell a spreadsheet would run as a formula is made inert, files
    are written whole or not at all, and CSVs start with a byte-order mark so that Excel reads
    the Chinese.
    """
    from ..common.atomic import replacing
    from .tables import write_csv, write_xlsx

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    flat = {name: _flat(frame) for name, frame in tables.items()}
    written = [write_csv(frame, out / f"{name}.csv", bom=True) for name, frame in flat.items()]
    written.append(write_xlsx(flat, out / "tables.xlsx"))
    if readme is not None:
        path = out / "README.md"
        with replacing(path) as part:
            Path(part).write_text(readme, encoding="utf-8")
        written.append(path)
    return written


def export_tables(corpus_dir: str | Path | None = None, terms: list[str] | None = None,
                  top: int = 20) -> tuple[dict[str, pd.DataFrame], str]:
    """The tables of the module's docstring for the corpus in ``corpus_dir`` (default
    ``seeds/``), and the README text saying what each is and what it was compared with.
    ``terms`` are the key terms of the concordance (either script; default: the notebooks'
    terms this corpus uses as words, and its ``top`` keywords against the reports of its
    period, or against general Chinese)."""
    from ..corpus.load import load_corpus
    from ..corpus.passages import with_passages
    from ..corpus.pipeline import corpus_outline, corpus_tokens
    from ..extract.campaigns import corpus_campaign_mentions, corpus_campaigns
    from ..extract.formulas import corpus_formulas
    from ..measures.compare import keyness
    from ..measures.concordance import kwic
    from ..measures.counts import term_counts
    from ..measures.reference import period_reference
    from ..measures.themes import theme_hits
    from ..measures.trends import corpus_terms
    from ..measures.vocabulary import frequencies
    from . import findings

    corpus = load_corpus(corpus_dir)
    tokens = corpus_tokens(corpus)
    parts = corpus_outline(corpus)
    tables: dict[str, pd.DataFrame] = {}
    general = keyness(tokens, reference="general")
    compared = {"keyness_general": general.attrs["reference"]}
    dated = corpus["year"].dropna() if "year" in corpus.columns else pd.Series(dtype=float)
    reports = None
    if not findings.own_reports(corpus):
        period = period_reference(dated) or "gwr"
        reports = keyness(tokens, reference=period)
        compared["keyness_reports"] = reports.attrs["reference"]
    ranked = reports if reports is not None and len(reports) else general
    if terms is None:
        chosen = corpus_terms(tokens, DEFAULT_TERMS)
        terms = list(dict.fromkeys([*chosen, *ranked["token"].head(top)]))
    frames = []
    for term in terms:
        hits = kwic(corpus, term, parts=parts)
        frames.append(hits.assign(term=term))
    found = pd.concat(frames, ignore_index=True) if frames else kwic(corpus, "—", parts=parts)
    if "term" not in found.columns:
        found["term"] = pd.Series(dtype=object)
    tables["kwic"] = found[["term", *[c for c in found.columns if c != "term"]]]
    tables["formulas"] = corpus_formulas(corpus)
    tables["campaigns"] = corpus_campaigns(corpus)
    tables["campaign_mentions"] = corpus_campaign_mentions(corpus)
    tables["theme_hits"] = with_passages(theme_hits(corpus, tokens=tokens, parts=parts), corpus, parts)
    tables["keyness_general"] = general
    if reports is not None:
        tables["keyness_reports"] = reports
    freq = frequencies(tokens)
    counted_terms = list(dict.fromkeys([*freq["token"].head(top), *terms]))
    tables["term_counts"] = term_counts(tokens, counted_terms, match="both")
    tables["frequencies"] = freq
    return tables, _readme(corpus, tables, compared, corpus_dir)


def _readme(corpus: pd.DataFrame, tables: dict[str, pd.DataFrame], compared: dict[str, str],
            corpus_dir) -> str:
    from ..common.wording import counted

    where = str(corpus_dir) if corpus_dir is not None else "seeds/"
    lines = ["# Exported tables", "",
             f"Corpus: {where}, {counted(len(corpus), 'speech')}. Written by `make export` "
             "(analysis/export.py) from the package's own functions.", "",
             "Rows of hits carry `passage`: `<speech_id>:<section.point>:s<sentence>` (pre = preamble, "
             "sal = salutation, end = closing), stable while a speech's cleaned text is unchanged.", "",
             "| table | rows | what it holds |", "| --- | --: | --- |"]
    for name, frame in tables.items():
        lines.append(f"| `{name}.csv` | {len(frame):,} | {DESCRIPTIONS.get(name, '')} |")
    lines += ["", "The same tables are the sheets of `tables.xlsx`.", ""]
    for name, description in compared.items():
        lines.append(f"- `{name}`: against {description}.")
    lines += ["", "Keyness: `lrc` is the effect size to read (the conservative Log Ratio, Evert 2022); "
              "`basis` says whether a term was compared as a word or by its occurrences inside words "
              "(see docs/measures.md).", ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.export [--corpus-dir DIR] [--out DIR] [--terms 雙降,計生協會]``."""
    parser = argparse.ArgumentParser(prog="python -m analysis.export",
                                     description="Write the tables a researcher cites as CSV and XLSX.")
    parser.add_argument("--corpus-dir", type=Path, default=None, help="folder of speeches (default seeds/)")
    parser.add_argument("--out", type=Path, default=EXPORT_DIR, help=f"output folder (default {EXPORT_DIR})")
    parser.add_argument("--terms", default=None, help="key terms for the concordance, comma-separated")
    args = parser.parse_args(argv)
    terms = [t.strip() for t in args.terms.split(",") if t.strip()] if args.terms else None
    tables, readme = export_tables(args.corpus_dir, terms)
    paths = write_tables(tables, args.out, readme=readme)
    for name, frame in tables.items():
        print(f"{name}: {len(frame):,} rows")
    print(f"wrote {len(paths)} files to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
