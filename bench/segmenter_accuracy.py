"""Which segmenter is most accurate, and what does speed cost? The project's pipeline
(jieba-rs with the project dictionary, posseg's HMM for the words jieba-rs made up, the
rules: ``analysis.text.segment.Engine``), the former posseg pipeline, plain jieba and rjieba,
scored against the hand-made gold segmentation of the seed (``analysis/data/gold``).

    .venv/bin/python bench/segmenter_accuracy.py [MB]   # speed on an MB corpus of the shared reports (default 3)

Prints, as Markdown:

1. precision, recall, F1 and OOV recall of every segmenter of
   :func:`analysis.segquality.segmenters` on the strict-PKU and the domain gold (both
   parts; the test part alone too, the honest estimate);
2. speed on a corpus of halves of the shared government work reports (``bench/corpora.py``),
   cleaned text, one process, CPU seconds (the machine is shared): the pipeline's engine
   with POS tags, the former posseg pipeline, ``jieba.lcut`` and ``rjieba`` with the same
   dictionary; and how many of the former pipeline's token boundaries the engine shares.

Exits 0 whatever the numbers.
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

os.environ.setdefault("SPEECHES_HEADLESS", "1")  # no progress bars in a report

import pandas as pd  # noqa: E402

import analysis  # noqa: E402
from analysis.text.segment import pos_tokenizer  # noqa: E402
from analysis.text.segquality import evaluate, segmenters  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpora import build  # noqa: E402  (halves of the shared reports)

COLUMNS = ["precision", "recall", "f1", "oov_recall"]


def markdown(table: pd.DataFrame) -> str:
    head = "| " + " | ".join(table.columns) + " |"
    rule = "|" + "|".join("---" if table[c].dtype == object else "--:" for c in table.columns) + "|"
    rows = ["| " + " | ".join(f"{v:.4g}" if isinstance(v, float) else str(v) for v in row) + " |"
            for row in table.itertuples(index=False)]
    return "\n".join([head, rule, *rows])


def accuracy(engines) -> pd.DataFrame:
    both = evaluate(engines=engines)
    test = evaluate(engines=engines, parts="test")
    table = both[["gold", "segmenter", *COLUMNS]].copy()
    table["f1 (test part)"] = test["f1"].to_numpy()
    return table


def boundaries(words) -> set[int]:
    out, pos = set(), 0
    for word in words:
        pos += len(word)
        out.add(pos)
    return out


def speed(engines, size_mb: float) -> tuple[pd.DataFrame, float]:
    from analysis.text.segment import engine

    corpus = analysis.load_corpus(build(size_mb), cache=False)
    texts = corpus["text_simplified"].tolist()
    size = sum(len(t.encode()) for t in corpus["text"]) / 1e6
    posseg = pos_tokenizer()
    eng = engine()
    runs = {"pipeline (jieba-rs + posseg HMM, with POS)": lambda t: eng.cut(t)[0],
            "former pipeline (jieba.posseg, with POS)": lambda t: [p.word for p in posseg.cut(t)],
            "jieba.lcut + project dict": engines["jieba.lcut + project dict"],
            "rjieba + project dict": engines["rjieba + project dict"]}
    rows, words = [], {}
    for name, cut in runs.items():
        wall, cpu = time.perf_counter(), time.process_time()
        words[name] = [cut(t) for t in texts]
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        rows.append({"segmenter": name, "wall s": wall, "CPU s": cpu, "MB/s (CPU)": size / cpu})
    ours = [boundaries(w) for w in words["pipeline (jieba-rs + posseg HMM, with POS)"]]
    former = [boundaries(w) for w in words["former pipeline (jieba.posseg, with POS)"]]
    shared = sum(len(a & b) for a, b in zip(ours, former)) / sum(len(b) for b in former)
    print(f"\nSpeed on {size:.2f} MB of cleaned text ({len(texts)} halves of the shared reports; "
          f"load average {os.getloadavg()[0]:.1f} at the end):\n")
    return pd.DataFrame(rows), shared


def main() -> int:
    if not (analysis.config.GWR_DIR / "metadata.csv").is_file():
        print(f"skipped: the shared corpus {analysis.config.GWR_DIR} is absent")
        return 0
    size_mb = float(sys.argv[1]) if len(sys.argv) > 1 else 3.0
    engines = segmenters(rjieba=True)
    table = accuracy(engines)
    print("Accuracy against the gold segmentation of the seed (1,667 words strict PKU, "
          "1,545 domain; `analysis/data/gold`):\n")
    print(markdown(table))
    timing, shared = speed(engines, size_mb)
    print(markdown(timing))
    print(f"\nThe pipeline shares {shared:.2%} of the former posseg pipeline's word boundaries there.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
