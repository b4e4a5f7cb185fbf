"""Cleaning the shared government work reports: Han characters kept against the raw file, and
every removed span that holds Han characters, to be read through by eye.

    .venv/bin/python bench/gwr_cleaning_audit.py            # summary table and the Han-bearing removals
    .venv/bin/python bench/gwr_cleaning_audit.py --joins    # also every line break joined, with context

Prints, per file: Han characters in the raw file and in the cleaned text, the difference, and
the deletions by kind; then every deletion that removed a Han character (kind, position,
text). A sentence of a report lost by cleaning shows there. Ends with the cleaning time.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.config import GWR_DIR  # noqa: E402
from analysis.text.chars import HAN_RE, count_han  # noqa: E402
from analysis.text.cleaning import clean_text  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dir", type=Path, default=GWR_DIR, help="folder of .txt files (default: %(default)s)")
    parser.add_argument("--joins", action="store_true", help="list every join with 12 characters of context")
    args = parser.parse_args()
    files = sorted(args.dir.glob("*.txt"))
    if not files:
        print(f"no .txt files in {args.dir}", file=sys.stderr)
        return 1
    raws = {p.stem: p.read_text(encoding="utf-8") for p in files}
    started = time.perf_counter()
    results = {stem: clean_text(raw) for stem, raw in raws.items()}
    seconds = time.perf_counter() - started

    total_raw = total_kept = 0
    kinds: Counter = Counter()
    print(f"{'file':<22}{'Han raw':>9}{'Han kept':>10}{'lost':>7}  deletions by kind")
    for stem, r in results.items():
        raw = raws[stem]
        assert r.rebuild(raw) == r.text, stem
        n_raw, n_kept = count_han(raw), count_han(r.text)
        total_raw, total_kept = total_raw + n_raw, total_kept + n_kept
        counts = {k: v for k, v in r.counts().items() if v}
        kinds.update(counts)
        shown = ", ".join(f"{k} {v}" for k, v in counts.items())
        print(f"{stem:<22}{n_raw:>9}{n_kept:>10}{n_raw - n_kept:>7}  {shown}")
    print(f"{'all':<22}{total_raw:>9}{total_kept:>10}{total_raw - total_kept:>7}  "
          + ", ".join(f"{k} {v}" for k, v in kinds.most_common()))

    print("\nEvery deletion that holds Han characters:")
    for stem, r in results.items():
        for x in r.removed:
            if HAN_RE.search(x.text):
                print(f"  {stem} {x.kind:<9} {x.start:>6}  {x.text[:90]!r}{' …' if len(x.text) > 90 else ''}")
    if args.joins:
        print("\nEvery join (12 characters either side, in the raw file):")
        for stem, r in results.items():
            raw = raws[stem]
            for x in r.removed:
                if x.kind == "join":
                    print(f"  {stem} {raw[max(0, x.start - 12):x.start]!r} | {raw[x.end:x.end + 12]!r}")
    n_chars = sum(len(raw) for raw in raws.values())
    print(f"\ncleaned {len(raws)} files, {n_chars:,} characters, in {seconds:.2f} s "
          f"({n_chars / seconds / 1e6:.2f} M characters/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
