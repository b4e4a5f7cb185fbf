"""How long analysis.extract.targets and analysis.extract.directives take on about 1,000 speeches.

The corpus is the 72 shared government work reports (``analysis.config.GWR_DIR``) repeated
under new speech ids until it holds ``--speeches`` speeches (the seed speech where the shared
corpus is absent), with their outline computed once and repeated alike: what is timed is the
two readers, not loading, cleaning or outlining (the pipeline's own benchmarks time those).

    .venv/bin/python bench/bench_targets.py                  # 1,000 speeches
    .venv/bin/python bench/bench_targets.py --speeches 5000

Target: each reader under 30 s for 1,000 speeches on this machine (printed PASS/MISS; the
exit status is always 0). The machine is shared: the load average is printed beside the times.
"""
from __future__ import annotations

import argparse
import os
import time
import warnings

import pandas as pd

TARGET_SECONDS = 30.0


def corpus_of(n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    from analysis import corpus_outline, load_corpus
    from analysis.config import GWR_DIR

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="not loaded", category=UserWarning)
        base = load_corpus(GWR_DIR if (GWR_DIR / "metadata.csv").is_file() else None)
    parts = corpus_outline(base)
    copies = -(-n // len(base))
    corpora, outlines = [], []
    for k in range(copies):
        corpora.append(base.assign(speech_id=base["speech_id"] + f"~{k}"))
        outlines.append(parts.assign(speech_id=parts["speech_id"] + f"~{k}"))
    corpus = pd.concat(corpora, ignore_index=True).head(n)
    kept = set(corpus["speech_id"])
    outline = pd.concat(outlines, ignore_index=True)
    return corpus, outline[outline["speech_id"].isin(kept)].reset_index(drop=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speeches", type=int, default=1000)
    args = parser.parse_args()
    from analysis import directives, targets

    corpus, parts = corpus_of(args.speeches)
    chars = int(corpus["text"].str.len().sum())
    print(f"{len(corpus):,} speeches, {chars / 1e6:.1f} M characters; load average {os.getloadavg()[0]:.2f}")
    print("reader       seconds    rows   verdict")
    for name, reader in (("targets", targets), ("directives", directives)):
        start = time.perf_counter()
        found = reader(corpus, parts)
        seconds = time.perf_counter() - start
        verdict = "PASS" if seconds <= TARGET_SECONDS * len(corpus) / 1000 else "MISS"
        print(f"{name:<12} {seconds:7.1f} {len(found):7,}   {verdict}")
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
