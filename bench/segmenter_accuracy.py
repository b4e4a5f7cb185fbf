"""Which segmenter is most accurate, and what does speed cost? The project's pipeline
(jieba.posseg with the project dictionary and rules), plain jieba, and rjieba (jieba-rs),
scored against the hand-made gold segmentation of the seed (``analysis/data/gold``).

    .venv/bin/python bench/segmenter_accuracy.py [MB]   # speed on the MB benchmark corpus (default 1)

Prints, as Markdown:

1. precision, recall, F1 and OOV recall of every segmenter of
   :func:`analysis.segquality.segmenters` on the strict-PKU and the domain gold (both
   parts; the test part alone too, the honest estimate);
2. speed on the benchmark corpus (the seed's sentences, ``bench_segmentation.py``):
   the pipeline's posseg, ``jieba.lcut`` and ``rjieba`` with the same dictionary, and how
   many of jieba.lcut's word boundaries rjieba shares there (are they the same segmenter?);
3. the verdict: rjieba is worth offering only if it is at least as accurate as the
   pipeline on both golds.

Needs the rjieba package for its rows (``pip install -e '.[bench]'``); without it, the
jieba rows and the verdict "not measured" are printed. Exits 0 whatever the numbers.
"""
from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

os.environ.setdefault("SPEECHES_HEADLESS", "1")  # no progress bars in a report

import pandas as pd  # noqa: E402

import analysis  # noqa: E402
from analysis.text.segment import pos_tokenizer  # noqa: E402
from analysis.text.segquality import evaluate, segmenters  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_segmentation import build_corpus  # noqa: E402  (the benchmark's own corpora)

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


def speed(engines, size_mb: float) -> tuple[pd.DataFrame, float | None]:
    folder = analysis.config.BUILD_DIR / "bench" / "accuracy"
    build_corpus(size_mb, folder)
    try:
        corpus = analysis.load_corpus(folder)
        texts = corpus["text_simplified"].tolist()
        size = sum(len(t.encode()) for t in corpus["text"]) / 1e6
        posseg = pos_tokenizer()
        runs = {"pipeline (jieba.posseg, with POS)": lambda t: [p.word for p in posseg.cut(t)],
                "jieba.lcut + project dict": engines["jieba.lcut + project dict"]}
        if "rjieba + project dict" in engines:
            runs["rjieba + project dict"] = engines["rjieba + project dict"]
        rows, words = [], {}
        for name, cut in runs.items():
            # CPU seconds as well as wall-clock: the machine may be shared.
            wall, cpu = time.perf_counter(), time.process_time()
            words[name] = [cut(t) for t in texts]
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            rows.append({"segmenter": name, "wall s": wall, "CPU s": cpu,
                         "MB/s (CPU)": size / cpu})
        shared = None
        if "rjieba + project dict" in words:
            ours = [boundaries(w) for w in words["jieba.lcut + project dict"]]
            theirs = [boundaries(w) for w in words["rjieba + project dict"]]
            shared = sum(len(a & b) for a, b in zip(ours, theirs)) / sum(len(a) for a in ours)
        load = os.getloadavg()[0]
        print(f"\nSpeed on the {size_mb:g} MB benchmark corpus ({len(texts)} speeches, "
              f"{size:.2f} MB of cleaned text; load average {load:.1f} at the end):\n")
        return pd.DataFrame(rows), shared
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    size_mb = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    engines = segmenters()
    table = accuracy(engines)
    print("Accuracy against the gold segmentation of the seed (1,667 words strict PKU, "
          "1,545 domain; `analysis/data/gold`):\n")
    print(markdown(table))
    timing, shared = speed(engines, size_mb)
    print(markdown(timing))
    if shared is not None:
        print(f"\nrjieba shares {shared:.4%} of jieba.lcut's word boundaries there "
              "(same dictionary).")
    f1 = table.set_index(["gold", "segmenter"])["f1"]
    if "rjieba + project dict" not in engines:
        print("\nrjieba is not installed (pip install -e '.[bench]'): verdict not measured.")
        return 0
    better = all(f1[(g, "rjieba + project dict")] >= f1[(g, "pipeline")] for g in ("pku", "domain"))
    gaps = ", ".join(f"{g} {f1[(g, 'pipeline')] - f1[(g, 'rjieba + project dict')]:+.4f}"
                     for g in ("pku", "domain"))
    print(f"\nF1 of the pipeline minus rjieba's (same dictionary): {gaps}.")
    print("Verdict: rjieba " + ("is as accurate as the pipeline: it could be offered for speed."
                                if better else "is less accurate than the pipeline: not offered."))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
