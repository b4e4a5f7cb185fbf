"""Every notebook on a real corpus, warm: ``make figures CORPUS_DIR=…`` on the 72 shared
government work reports and resolutions (or any folder), against the target of 60 s.

The first run fills the caches (cleaning, outlines, tokens) and is reported as *cold*; the
following ``--rounds`` runs are *warm* and their median is the figure checked against the
target. Figures go to a scratch folder (``build/bench/corpus-figures/``), so figures/ is left
alone; each run's per-notebook seconds come from the runner's own table.

    .venv/bin/python bench/bench_corpus_figures.py                     # the shared corpus, 3 warm rounds
    .venv/bin/python bench/bench_corpus_figures.py --corpus ~/speeches --rounds 5
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from analysis.config import GWR_DIR  # noqa: E402

TARGET = 60.0
SCRATCH = ROOT / "build" / "bench" / "corpus-figures"


def run(corpus: Path) -> tuple[float, dict[str, float]]:
    """Wall seconds of one ``make figures`` on ``corpus`` and the runner's seconds per notebook."""
    started = time.perf_counter()
    done = subprocess.run(["make", "--no-print-directory", "figures", f"CORPUS_DIR={corpus}",
                           f"FIGURES_DIR={SCRATCH}"], cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"make figures failed ({done.returncode}):\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")
    per_notebook = {m[1]: float(m[2]) for m in re.finditer(r"^(\d\d-[\w-]+\.ipynb)\s+([\d.]+)", done.stdout, re.M)}
    return seconds, per_notebook


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=GWR_DIR, help="folder of speeches (default: the shared reports)")
    parser.add_argument("--rounds", type=int, default=3, help="warm runs after the cold one (median shown)")
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        print(f"skipped: {args.corpus} is absent (the shared corpus lives in ../shared)")
        return 0
    n_files = len(list(args.corpus.glob("*.txt")))
    cold, _ = run(args.corpus)
    warm = [run(args.corpus) for _ in range(args.rounds)]
    median = statistics.median(s for s, _ in warm)
    notebooks = sorted({name for _, per in warm for name in per})
    lines = [f"# All notebooks on {args.corpus.name} ({n_files} speeches)", "",
             f"cores {os.cpu_count()}, load average {os.getloadavg()[0]:.2f} at the end", "",
             "| run | wall s | " + " | ".join(notebooks) + " |", "|---|--:|" + "--:|" * len(notebooks)]
    lines.append(f"| cold (fills the caches) | {cold:.1f} | " + " | ".join("" for _ in notebooks) + " |")
    for i, (seconds, per) in enumerate(warm, 1):
        lines.append(f"| warm {i} | {seconds:.1f} | " + " | ".join(f"{per.get(n, float('nan')):.1f}" for n in notebooks)
                     + " |")
    verdict = "met" if median <= TARGET else "MISSED"
    lines += ["", f"Warm median {median:.1f} s; target ≤ {TARGET:.0f} s: {verdict}."]
    text = "\n".join(lines)
    print(text)
    out = ROOT / "bench" / "results" / "corpus-figures.md"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
