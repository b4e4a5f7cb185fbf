"""Does jieba-rs (rjieba) segment like jieba.posseg? The issue's bar for offering it as an
engine: at least 99.5% of token boundaries agree over the benchmark corpus.

    .venv/bin/python bench/rjieba_agreement.py [MB]   # default 1: the 1 MB benchmark corpus

Both engines get the project's user dictionary and the same cleaned, Simplified text.
Reported: boundary recall (share of jieba's boundaries rjieba also has), precision, the
F1 of the two, and speed. Needs the rjieba package (``pip install -e '.[bench]'``).
"""
from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

os.environ.setdefault("SPEECHES_HEADLESS", "1")  # no progress bars in a report

import analysis  # noqa: E402
from analysis.segment import _tokenizers, user_dictionary

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_segmentation import build_corpus  # noqa: E402  (the benchmark's own corpora)

THRESHOLD = 0.995


def boundaries(words) -> set[int]:
    out, pos = set(), 0
    for word in words:
        pos += len(word)
        out.add(pos)
    return out


def main() -> int:
    try:
        import rjieba
    except ImportError:
        print("rjieba is not installed: pip install -e '.[bench]'")
        return 0
    size_mb = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    folder = analysis.config.BUILD_DIR / "bench" / "agreement"
    build_corpus(size_mb, folder)
    corpus = analysis.load_corpus(folder)
    texts = corpus["text_simplified"].tolist()
    size = sum(len(t.encode()) for t in corpus["text"])
    _, jieba_pos = _tokenizers()
    rust = rjieba.Jieba()
    for word, freq, pos in user_dictionary().itertuples(index=False):
        rust.add_word(word, freq, pos)
    t0 = time.perf_counter()
    ours = [boundaries(p.word for p in jieba_pos.cut(t)) for t in texts]
    t1 = time.perf_counter()
    theirs = [boundaries(w for w, _ in rust.tag(t, True)) for t in texts]
    t2 = time.perf_counter()
    both = sum(len(a & b) for a, b in zip(ours, theirs))
    recall = both / sum(len(a) for a in ours)
    precision = both / sum(len(b) for b in theirs)
    f1 = 2 * recall * precision / (recall + precision)
    print(f"{len(texts)} speeches, {size / 1e6:.2f} MB of cleaned text (benchmark corpus, {size_mb:g} MB of files)")
    print(f"jieba.posseg {size / 1e6 / (t1 - t0):.3f} MB/s, rjieba.tag {size / 1e6 / (t2 - t1):.3f} MB/s")
    print(f"boundary recall {recall:.4f}, precision {precision:.4f}, F1 {f1:.4f}")
    verdict = "meets" if min(recall, precision) >= THRESHOLD else "misses"
    print(f"{verdict} the {THRESHOLD:.1%} agreement bar: rjieba "
          f"{'could be offered' if verdict == 'meets' else 'is not offered as an engine'}")
    shutil.rmtree(folder)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
