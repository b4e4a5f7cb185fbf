"""Text reuse at scale: how long ``analysis.reuse.links`` takes on all pairs of the 72 shared reports
(warm), on 1,000 synthetic speeches and on 10,000 synthetic documents, and in how much memory.

Targets: the 72 reports ≤ 30 s warm; 1,000 speeches ≤ 5 min. The 10,000 documents have no
target: they show that one machine holds the index and finishes. ``--dask`` adds the 1,000
speeches on a ``dask.distributed`` LocalCluster of two worker processes.

The synthetic documents are made from the shared reports (read from ../shared, never written
into the project): document *i* is one half of a report drawn at random (its first or second
half of paragraphs), the paragraphs shuffled; each paragraph is kept word for word with
probability ``--keep`` (0.2) and otherwise rewritten through a substitution cipher of the
document's own (a random permutation of the Han characters), so that it keeps the length and
the character statistics of official prose but shares nothing with any other document. Beyond
1,000 documents the probability is scaled down (``keep × 1000 / n``), so that a source
paragraph is copied into the same number of documents (about 1.4) at every size: what grows
is the collection, not the number of copies of 72 texts (10,000 documents that were all
halves of 72 reports would be 14 copies of every paragraph, a corpus of near-duplicates). A
third of the documents is then converted to Traditional characters (OpenCC s2t) and a third
localised (全国 → 全省, 我国 → 我省). Every document thus carries reuse of the real kind
(whole paragraphs, across scripts and with local substitutions) in known amounts, and the
candidate pairs grow with the corpus as they would in a real collection rather than all
documents being copies of 144 halves. The same seed gives the same corpus.

Each case runs in a fresh Python process, so that its peak memory (``ru_maxrss``) is its own;
the load average is printed before and after each, since the machine is shared. What is timed
is ``reuse`` itself with its memo off (``cache=False``): the corpus's outline, which the
passage ids read, is built first in a process of its own, as ``load_corpus`` would have built
it, so that neither the time nor the peak memory of a case depends on what the cache held.

    .venv/bin/python bench/bench_reuse.py                 # the 72 reports, 1,000 and 10,000
    .venv/bin/python bench/bench_reuse.py --cases gwr,1000 --dask
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from analysis.config import GWR_DIR  # noqa: E402

SCRATCH = ROOT / "build" / "bench" / "reuse"
TARGETS = {"gwr": 30.0, "1000": 300.0}


def synthetic(n: int, keep: float, seed: int = 2026):
    """``n`` synthetic documents made from the shared reports (see the module's docstring),
    as a corpus frame: speech_id, year, text, text_simplified."""
    import numpy as np
    import pandas as pd
    from opencc import OpenCC

    from analysis import load_corpus
    from analysis.text.chars import HAN_RE
    from analysis.text.script import to_simplified

    reports = load_corpus(GWR_DIR, progress=False)
    paragraphs = [[p for p in text.split("\n") if len(p) >= 10] for text in reports["text_simplified"]]
    years = reports["year"].astype(int).tolist()
    pool = sorted({ch for text in reports["text_simplified"] for ch in HAN_RE.findall(text)})
    rng = np.random.default_rng(seed)
    s2t = OpenCC("s2t")
    rows = []
    for i in range(n):
        r = int(rng.integers(len(paragraphs)))
        paras = paragraphs[r]
        half = paras[: len(paras) // 2] if rng.integers(2) == 0 else paras[len(paras) // 2:]
        cipher = dict(zip(map(ord, pool), rng.permutation(pool).tolist()))
        out = [half[j] if rng.random() < keep else half[j].translate(cipher) for j in rng.permutation(len(half))]
        text = "\n".join(out) or paras[0]
        if i % 3 == 1:
            text = s2t.convert(text)
            simplified = to_simplified(text)
        else:
            if i % 3 == 2:
                text = text.replace("全国", "全省").replace("我国", "我省")
            simplified = text
        rows.append((f"syn_{i:05d}", years[r], text, simplified))
    return pd.DataFrame(rows, columns=["speech_id", "year", "text", "text_simplified"])


def corpus_file(case: str, keep: float) -> Path:
    """The case's corpus as Parquet (made once, then reused)."""
    path = SCRATCH / f"corpus-{case}-keep{keep}.parquet"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        synthetic(int(case), scaled_keep(int(case), keep)).to_parquet(path)
    return path


def scaled_keep(n: int, keep: float) -> float:
    """The probability of keeping a paragraph word for word in a corpus of ``n`` documents."""
    return keep if n <= 1000 else keep * 1000 / n


def run_case(case: str, keep: float, rounds: int, dask: bool, prepare: bool = False) -> dict:
    """Run one case in this process (called in a child): seconds, rows, pairs, peak MB; with
    ``prepare``, only fill the store with what the case reads."""
    import pandas as pd

    from analysis import corpus_outline, load_corpus, reuse

    corpus = load_corpus(GWR_DIR, progress=False) if case == "gwr" else pd.read_parquet(corpus_file(case, keep))
    if prepare:
        # The outline the passage ids need, which load_corpus leaves in the store for a folder
        # of speeches but a frame read from Parquet has yet to get (a cold pipeline run over its
        # texts): built in a process of its own before the timed one, whose time and memory are
        # then the reuse's alone. Timed with it, a case measured the cache's state.
        corpus_outline(corpus, progress=False)
        return {"case": case, "prepared": len(corpus)}
    client = cluster = None
    if dask:
        from distributed import Client, LocalCluster

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0")
        client = Client(cluster)
    times, links = [], None
    try:
        for _ in range(rounds):
            started = time.perf_counter()
            links = reuse(corpus, client=client, cache=False)   # computed each round, not served by the memo
            times.append(time.perf_counter() - started)
    finally:
        if client is not None:
            client.close()
            cluster.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return {"case": case, "workers_mb": workers, "documents": len(corpus), "chars": int(corpus["text"].str.len().sum()),
            "times": times, "rows": len(links), "pairs": links.attrs["pairs"], "peak_mb": peak,
            "within": int((links["speech_a"] == links["speech_b"]).sum())}


def child(case: str, keep: float, rounds: int, dask: bool) -> dict:
    if case != "gwr":
        corpus_file(case, keep)  # made outside the timed process
    env = {**os.environ, "SPEECHES_HEADLESS": "1"}
    command = [sys.executable, __file__, "--child", case, "--keep", str(keep), "--rounds", str(rounds)]
    ready = subprocess.run(command + ["--prepare"], capture_output=True, text=True, env=env, cwd=ROOT)
    if ready.returncode != 0:
        raise SystemExit(f"case {case} could not be prepared:\n{ready.stderr[-3000:]}")
    load_before = os.getloadavg()[0]
    done = subprocess.run(command + (["--dask"] if dask else []), capture_output=True, text=True, env=env, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"case {case} failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result.update(load_before=load_before, load_after=os.getloadavg()[0], dask=dask)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", default="gwr,1000,10000", help="gwr and/or numbers of synthetic documents")
    parser.add_argument("--keep", type=float, default=0.2, help="share of paragraphs kept word for word")
    parser.add_argument("--rounds", type=int, default=3, help="timed runs of the gwr case (median shown)")
    parser.add_argument("--dask", action="store_true", help="also run the 1,000 on a 2-process LocalCluster")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(run_case(args.child, args.keep, args.rounds, args.dask, args.prepare)))
        return 0
    if not (GWR_DIR / "metadata.csv").is_file():
        print(f"skipped: {GWR_DIR} is absent (the shared corpus lives in ../shared)")
        return 0
    results = []
    for case in args.cases.split(","):
        rounds = args.rounds if case == "gwr" else 1
        results.append(child(case, args.keep, rounds, False))
        if args.dask and case == "1000":
            results.append(child(case, args.keep, 1, True))
    lines = ["# analysis.reuse.links at scale", "",
             f"cores {os.cpu_count()}, Python {sys.version.split()[0]}; synthetic paragraphs kept word for word: "
             f"{args.keep:.0%} up to 1,000 documents, {args.keep:.0%} × 1000 / n beyond", "",
             "| case | documents | MB of text | candidate pairs | passages (inside one) | seconds | target | "
             "peak RSS MB (largest worker) | load before / after |",
             "|---|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for r in results:
        seconds = statistics.median(r["times"])
        rounds = f" (median of {len(r['times'])})" if len(r["times"]) > 1 else ""
        target = TARGETS.get(r["case"])
        verdict = "" if target is None else f"≤ {target:.0f} s: {'met' if seconds <= target else 'MISSED'}"
        name = "72 reports, all pairs, warm" if r["case"] == "gwr" else f"{int(r['case']):,} synthetic"
        name += " on a 2-process LocalCluster" if r["dask"] else ""
        lines.append(f"| {name} | {r['documents']:,} | {r['chars'] * 3 / 1e6:.0f} | {r['pairs']:,} | "
                     f"{r['rows']:,} ({r['within']:,}) | {seconds:.1f}{rounds} | {verdict} | {r['peak_mb']:.0f} "
                     f"({r['workers_mb']:.0f}) | "
                     f"{r['load_before']:.2f} / {r['load_after']:.2f} |")
    lines += ["", "MB of text: UTF-8 bytes of the cleaned texts (3 bytes a Chinese character). Peak RSS is the "
              "case process's; in brackets the largest of its forked workers (or of the cluster's processes), "
              "which share the parent's pages until they write to them."]
    text = "\n".join(lines)
    print(text)
    out = ROOT / "bench" / "results" / "reuse.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
