"""Benchmark corpora built from the shared government work reports, as a researcher with a
folder of thousands of documents would have them.

Each document is a window of a report's paragraphs: its first half, then its second half,
then windows of 40 to 60% of its paragraphs starting anywhere, each window of a report used
once, so documents are real official prose of every period, 1954-2025, with the reports'
own vocabulary, names and numbers; a corpus larger than the reports (3.3 MB) holds many
overlapping windows of each, but no document is a copy of another, so a segmenter that
memoises repeated text gains only what real corpora of one genre give it. (Until 7
December the windows after the second pass repeated the first two passes' halves: the 10 MB
corpus held 150 exact copies, and the larger ones more; `load_corpus` now names such
copies.) ``metadata.csv`` carries each document's year and genre
(from the reports' own table) and a ``source`` naming the report it was cut from.

Nothing is copied into the project: the corpora are written under ``build/bench/``
(git-ignored) from ``../shared`` at run time, and are the same bytes on every run
(``random.Random`` with a fixed seed).
"""
from __future__ import annotations

import csv
import hashlib
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.config import GWR_DIR  # noqa: E402

BENCH_DIR = ROOT / "build" / "bench"
MB = 10**6
RANDOM_SEED = 20120517


def reports(folder: Path = GWR_DIR) -> list[tuple[str, dict, list[str]]]:
    """(speech_id, metadata row, paragraphs) of every report, in file order."""
    with open(folder / "metadata.csv", encoding="utf-8") as handle:
        rows = {r["speech_id"]: r for r in csv.DictReader(handle)}
    out = []
    for path in sorted(folder.glob("*.txt")):
        paragraphs = [p for p in path.read_text(encoding="utf-8").split("\n") if p.strip()]
        out.append((path.stem, rows.get(path.stem, {}), paragraphs))
    return out


def build(size_mb: float, folder: Path | None = None, *, n_docs: int | None = None,
          source: Path = GWR_DIR) -> Path:
    """Write a corpus of about ``size_mb`` MB (or of ``n_docs`` documents) into ``folder``
    (default ``build/bench/gwr-<size>``) and return the folder. Reuses a folder already
    holding the same corpus (its ``.digest`` file)."""
    target = int(size_mb * MB) if n_docs is None else None
    name = f"gwr-{size_mb:g}MB" if n_docs is None else f"gwr-{n_docs}docs"
    folder = Path(folder) if folder is not None else BENCH_DIR / name
    docs = list(_documents(reports(source), target, n_docs))
    digest = hashlib.sha256("".join(sid + text for sid, _, text in docs).encode()).hexdigest()[:16]
    stamp = folder / ".digest"
    if stamp.exists() and stamp.read_text() == digest:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.txt"):
        old.unlink()
    with open(folder / "metadata.csv", "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["speech_id", "year", "genre", "source"])
        for sid, meta, text in docs:
            (folder / f"{sid}.txt").write_text(text, encoding="utf-8")
            writer.writerow([sid, meta.get("year", ""), meta.get("genre", ""), meta["source_id"]])
    stamp.write_text(digest)
    return folder


def _documents(items, target: int | None, n_docs: int | None):
    rng = random.Random(RANDOM_SEED)
    used: list[set[tuple[int, int]]] = [set() for _ in items]
    texts: set[str] = set()
    written, i, turn, idle = 0, 0, 0, 0
    while (target is not None and written < target) or (n_docs is not None and i < n_docs):
        j = turn % len(items)
        sid, meta, paragraphs = items[j]
        window = _window(len(paragraphs), turn // len(items), used[j], rng)
        turn += 1
        if window is None:  # every window of this report used: the next report
            idle += 1
            if idle > len(items):
                raise RuntimeError(f"no new window of any report left after {i} documents")
            continue
        start, length = window
        text = "\n".join(paragraphs[start:start + length]) + "\n"
        if text in texts or not re.search("[\u4e00-\u9fff]", text):
            # another report's window of the same words (a licence footer), or a window of
            # its English licence lines alone (no Chinese: a file load_corpus refuses)
            idle += 1
            if idle > 50 * len(items):
                raise RuntimeError(f"no new text in any report left after {i} documents")
            continue
        texts.add(text)
        idle = 0
        doc_id = f"doc{i:06d}_{sid}"
        yield doc_id, {**meta, "source_id": sid}, text
        written += len(text.encode("utf-8"))
        i += 1


def _window(n: int, lap: int, used: set[tuple[int, int]], rng: random.Random) -> tuple[int, int] | None:
    """(start, length) of a window of a report of ``n`` paragraphs not ``used`` before (and
    then marked used): its first half on the first lap, its second on the second, then 40 to
    60% of its paragraphs from a start drawn at random; None when none is left."""
    half = max(1, n // 2)
    if lap < 2:
        choice = (0 if lap == 0 else min(half, n - 1), half if lap == 0 else n - min(half, n - 1))
        if choice not in used:
            used.add(choice)
            return choice
    low, high = max(1, int(0.4 * n)), max(1, -(-6 * n // 10))
    for _ in range(50):
        length = rng.randint(low, high)
        choice = (rng.randrange(0, n - length + 1), length)
        if choice not in used:
            used.add(choice)
            return choice
    left = [(s, length) for length in range(low, high + 1) for s in range(n - length + 1) if (s, length) not in used]
    if not left:
        return None
    choice = rng.choice(left)
    used.add(choice)
    return choice


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("size_mb", type=float)
    parser.add_argument("--docs", type=int, default=None, help="a number of documents instead of a size")
    args = parser.parse_args()
    print(build(args.size_mb, n_docs=args.docs))
