"""Segmentation benchmark: how fast, and in how much memory, a corpus of scraped speeches
becomes a token table, the naive way and the project's way.

Synthetic corpora are built from the seed speech's own sentences (site header, footer and
inline pinyin left in, as a scraped page has them), at 1, 5 and 20 MB of Traditional text.
Each case runs in a fresh subprocess so that imports, caches and peak memory are its own:

  a  naive: ``jieba.posseg.lcut(text)`` on each Traditional file (time-boxed, sampled)
  b  ``jieba.lcut(text)`` on each Traditional file, no POS
  c  cold pipeline: ``load_corpus(folder)`` + ``corpus_tokens(corpus)`` with an empty cache
  d  warm pipeline: the same two calls in a new process, with the cache (c) filled

Run ``python bench/bench_segmentation.py`` (``make bench``); ``--help`` lists the options.
Prints a Markdown table and writes it to ``bench/results/latest.md``. A benchmark, not a
test: it exits 0 whatever the numbers, and prints the targets it misses.
"""
from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import os
import platform
import pstats
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "000_8ebf5a98b5b66884.txt"
BENCH_DIR = ROOT / "build" / "bench"  # git-ignored (build/)
RESULTS_DIR = ROOT / "bench" / "results"  # git-ignored
MB = 10**6  # input sizes and memory are both in MB of 10^6 bytes

RANDOM_SEED = 20220517  # the seed speech's date: any fixed number gives the same files every run
SIZE_SPREAD = 0.30  # each speech is the seed's size ±30%
CASES = {
    "a": "naive jieba.posseg.lcut, Traditional",
    "b": "jieba.lcut, Traditional, no POS",
    "c": "pipeline cold (load_corpus + corpus_tokens)",
    "d": "pipeline warm (cache filled by c)",
}
TARGET_COLD_MBPS = 0.3
TARGET_WARM_MBPS = 50.0
TARGET_PEAK_MB = 1500.0  # 1.5 GB
TARGET_PEAK_AT_MB = 20.0

_SENTENCE = re.compile(r"[^。！？]*[。！？]+[”」』’）]*|[^。！？]+$")
_HEADING = re.compile(r"^[一二三四五六七八九十]+、(?P<title>[^。]*)$")
_NUMERALS = "一二三四五六七八九十"


# ----------------------------------------------------------------------------- corpus
def seed_parts(seed: Path = SEED) -> dict:
    """The seed page cut into what a synthetic page is built from: header lines, salutation,
    section titles, body sentences, closing paragraph and footer lines (raw, pinyin kept)."""
    lines = seed.read_text(encoding="utf-8").split("\n")
    footer_at = next(i for i, line in enumerate(lines) if re.match(r"^\s*-?\s*上一篇", line))
    header, footer = lines[:3], lines[footer_at:]
    body = [ln for ln in lines[3:footer_at] if ln.strip()]
    salutation = body[0]  # 同志們:
    closing = body[-1]  # 同志們,做好計生協會工作……
    headings = [m["title"] for ln in body[1:-1] if (m := _HEADING.match(ln))]
    sentences = [s for ln in body[1:-1] if not _HEADING.match(ln)
                 for s in _SENTENCE.findall(ln) if s.strip()]
    return dict(header=header, salutation=salutation, headings=headings, sentences=sentences,
                closing=closing, footer=footer, seed_bytes=seed.stat().st_size)


class _SentenceStream:
    """The seed's sentences in shuffled order, reshuffled each time round (same rng, so the
    stream is the same every run)."""

    def __init__(self, sentences: list[str], rng: random.Random):
        self.sentences, self.rng, self.queue = list(sentences), rng, []

    def next(self) -> str:
        if not self.queue:
            self.queue = list(self.sentences)
            self.rng.shuffle(self.queue)
        return self.queue.pop()


def synthetic_speech(number: int, parts: dict, rng: random.Random, stream: _SentenceStream) -> str:
    """One scraped page: header (title with ``number`` appended, 時間, 導語), salutation,
    three to five numbered sections of paragraphs of seed sentences, closing, footer."""
    title, *meta = parts["header"]
    head = "\n".join([f"{title}（{number}）", *meta])
    foot = "\n".join(parts["footer"])
    target = parts["seed_bytes"] * rng.uniform(1 - SIZE_SPREAD, 1 + SIZE_SPREAD)
    budget = target - len(head.encode()) - len(foot.encode()) - len(parts["closing"].encode())
    n_sections = rng.randint(3, 5)
    per_section = budget / n_sections
    paragraphs = [parts["salutation"]]
    for s in range(n_sections):
        heading = f"{_NUMERALS[s]}、{rng.choice(parts['headings'])}"
        paragraphs.append(heading)
        used, n_paragraphs = len(heading.encode()), 0
        while True:
            paragraph = "".join(stream.next() for _ in range(rng.randint(2, 6)))
            size = len(paragraph.encode()) + 1
            # Stop at the paragraph that would overshoot by more than half its size, so
            # speeches average the target instead of exceeding it.
            if n_paragraphs and used + size / 2 > per_section:
                break
            paragraphs.append(paragraph)
            used, n_paragraphs = used + size, n_paragraphs + 1
    paragraphs.append(parts["closing"])
    return "\n".join([head, *paragraphs, foot])


def build_corpus(size_mb: float, folder: Path) -> dict:
    """Write speeches into ``folder`` (emptied first) until they hold ``size_mb`` MB; the
    same files every run. Returns files, bytes and a digest of the corpus."""
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    parts = seed_parts()
    rng = random.Random(RANDOM_SEED)
    stream = _SentenceStream(parts["sentences"], random.Random(RANDOM_SEED + 1))
    digest, total, number = hashlib.sha256(), 0, 0
    while total < size_mb * MB:
        number += 1
        data = synthetic_speech(number, parts, rng, stream).encode("utf-8")
        (folder / f"{number:05d}_bench.txt").write_bytes(data)
        digest.update(data)
        total += len(data)
    return dict(folder=str(folder), files=number, bytes=total, sha256=digest.hexdigest()[:12])


# ----------------------------------------------------------------------------- children
def _files(folder: Path) -> list[Path]:
    return sorted(folder.glob("*.txt"))


def _peaks() -> dict:
    to_mb = 1024 / MB  # ru_maxrss is in KiB on Linux
    return dict(rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * to_mb,
                children_rss_mb=resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * to_mb)


def run_jieba(folder: Path, pos: bool, budget: float | None) -> dict:
    """Cases a and b: read each file and cut its Traditional text with default jieba,
    in file order, until the files or the time ``budget`` run out."""
    import logging

    import jieba
    import jieba.posseg

    jieba.setLogLevel(logging.WARNING)
    cut = jieba.posseg.lcut if pos else jieba.lcut
    files = _files(folder)
    done_bytes = done_files = n_tokens = 0
    start = time.perf_counter()  # includes jieba's lazy dictionary load, as a researcher pays it
    for path in files:
        if budget is not None and time.perf_counter() - start >= budget:
            break
        data = path.read_bytes()
        n_tokens += len(cut(data.decode("utf-8")))
        done_bytes += len(data)
        done_files += 1
    seconds = time.perf_counter() - start
    return dict(seconds=seconds, bytes=done_bytes, files=done_files, total_files=len(files),
                tokens=n_tokens, sampled=done_files < len(files))


def run_pipeline(folder: Path) -> dict:
    """Cases c and d: ``load_corpus`` then ``corpus_tokens``, with whatever cache
    ``SPEECHES_CACHE_DIR`` points at."""
    t0 = time.perf_counter()
    import analysis

    analysis.preload()  # the package loads its modules on first use: that is import time too
    t1 = time.perf_counter()
    corpus = analysis.load_corpus(folder)
    t2 = time.perf_counter()
    tokens = analysis.corpus_tokens(corpus)
    t3 = time.perf_counter()
    files = _files(folder)
    return dict(seconds=t3 - t1, import_seconds=t1 - t0, load_seconds=t2 - t1,
                tokens_seconds=t3 - t2, bytes=sum(p.stat().st_size for p in files),
                files=len(files), total_files=len(files),
                speeches=len(corpus), tokens=len(tokens), sampled=False,
                cache_dir=str(analysis.CACHE_DIR))


def run_profile(folder: Path, out: Path) -> dict:
    """A cold pipeline run under cProfile, serial (workers=1) so every call is seen; returns
    the seconds per stage and writes the top functions to ``out``."""
    import analysis

    analysis.preload()
    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    profiler.enable()
    corpus = analysis.load_corpus(folder)
    tokens = analysis.corpus_tokens(corpus, workers=1)
    profiler.disable()
    wall = time.perf_counter() - t0
    stats = pstats.Stats(profiler)
    with out.open("w", encoding="utf-8") as handle:
        stats.stream = handle
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)
    stages = _stages(stats)
    return dict(wall=wall, profiled_total=stages.pop("total"), stages=stages, tokens=len(tokens),
                bytes=sum(p.stat().st_size for p in _files(folder)))


def _stages(stats: pstats.Stats) -> dict:
    """Cumulative seconds of the pipeline's stages, from a profile of load + corpus_tokens."""
    table = stats.stats  # {(file, line, name): (cc, nc, tottime, cumtime, callers)}

    def cum(name: str, file_part: str, caller: str | None = None) -> float:
        total = 0.0
        for (file, _, func), (_, _, _, ct, callers) in table.items():
            if func != name or file_part not in file:
                continue
            if caller is None:
                total += ct
            else:
                total += sum(c[3] for (f, _, fn), c in callers.items() if fn == caller)
        return total

    load = cum("load_corpus", "analysis/corpus.py")
    tokens = cum("corpus_tokens", "analysis/pipeline.py")
    posseg = cum("cut", "jieba/posseg", caller="tokenize")
    tokenize = cum("tokenize", "analysis/segment.py")
    speech = cum("speech_tokens", "analysis/pipeline.py")
    init = cum("_tokenizers_for", "analysis/segment.py")
    read = cum("read_speech", "analysis/corpus.py")
    clean = cum("clean_text", "analysis/cleaning.py", caller="speech_record")
    convert = cum("to_simplified", "analysis/script.py", caller="speech_record")
    put_clean = cum("put", "analysis/cache.py", caller="_clean_all")
    put_tokens = cum("put", "analysis/cache.py", caller="corpus_tokens")
    # pa.Table.from_pandas is Cython, invisible to cProfile: its Python half is seen instead.
    arrow_tokens = cum("dataframe_to_arrays", "pyarrow/pandas_compat", caller="corpus_tokens")
    records = cum("_records_table", "analysis/corpus.py")
    keys = cum("token_key", "analysis/pipeline.py") + cum("_clean_key", "analysis/corpus.py")
    stages = {
        "read + decode files": read,
        "cleaning (clean_text)": clean,
        "conversion (to_simplified)": convert,
        "cleaned rows -> Arrow tables": records,
        "cache writes, cleaned rows": put_clean,
        "jieba dictionary load": init,
        "posseg (jieba.posseg cut)": posseg,
        "token rows -> DataFrame (tokenize minus posseg)": max(0.0, tokenize - posseg - init),
        "outline + assign_parts + astype": max(0.0, speech - tokenize),
        "cache writes, tokens (incl. Arrow conversion)": put_tokens + arrow_tokens,
        "cache keys (hashing)": keys,
    }
    stages["other (concat, astype, glue)"] = max(0.0, load + tokens - sum(stages.values()))
    stages["total"] = load + tokens
    return stages


def child_main(args: argparse.Namespace) -> None:
    folder = Path(args.folder)
    if args.case == "a":
        result = run_jieba(folder, pos=True, budget=args.naive_budget)
    elif args.case == "b":
        result = run_jieba(folder, pos=False, budget=None)
    elif args.case in ("c", "d"):
        result = run_pipeline(folder)
    elif args.case == "profile":
        result = run_profile(folder, Path(args.profile_out))
    else:
        raise SystemExit(f"unknown case {args.case!r}")
    result.update(_peaks(), case=args.case, loadavg_end=os.getloadavg()[0])
    print(json.dumps(result), flush=True)


# ----------------------------------------------------------------------------- memory
def _descendants(root: int) -> list[int]:
    """``root`` and every process below it, from /proc (Linux)."""
    parent_of = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                stat = handle.read()
        except OSError:
            continue
        # The command name (field 2) may hold spaces and parentheses: split after the last ")".
        fields = stat[stat.rfind(b")") + 2:].split()
        parent_of[int(entry)] = int(fields[1])
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, ppid in parent_of.items() if ppid in frontier]
        tree.extend(frontier)
    return tree


def _pss_bytes(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


class TreeMemory(threading.Thread):
    """Samples the summed PSS of a process and its children (workers included, pages they
    share counted once) every ``interval`` seconds; ``peak_mb`` is the highest sample."""

    def __init__(self, pid: int, interval: float = 0.25):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak_mb = pid, interval, None
        self.stopped = threading.Event()

    def run(self) -> None:
        if not Path("/proc/self/smaps_rollup").exists():
            return
        while not self.stopped.wait(self.interval):
            total = sum(_pss_bytes(pid) for pid in _descendants(self.pid))
            self.peak_mb = max(self.peak_mb or 0.0, total / MB)


# ----------------------------------------------------------------------------- parent
def run_case(case: str, folder: Path, cache: Path | None, args: argparse.Namespace,
             extra: list[str] | None = None) -> dict:
    """Run one case in a fresh Python process; returns its JSON result plus the sampled
    peak memory of its process tree."""
    env = dict(os.environ, SPEECHES_HEADLESS="1", PYTHONHASHSEED="0")
    if cache is not None:
        env["SPEECHES_CACHE_DIR"] = str(cache)
    command = [sys.executable, str(Path(__file__).resolve()), "--case", case,
               "--folder", str(folder), "--naive-budget", str(args.naive_budget), *(extra or [])]
    load_start = os.getloadavg()[0]
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    sampler = TreeMemory(child.pid)
    sampler.start()
    out, _ = child.communicate()
    sampler.stopped.set()
    sampler.join()
    lines = [ln for ln in out.splitlines() if ln.startswith("{")]
    if child.returncode != 0 or not lines:
        return dict(case=case, error=f"exit {child.returncode}",
                    process_seconds=time.perf_counter() - started)
    result = json.loads(lines[-1])
    result.update(tree_peak_mb=sampler.peak_mb, loadavg_start=load_start,
                  process_seconds=time.perf_counter() - started)
    return result


def _fmt(x: float | None, digits: int = 1) -> str:
    if x is None:
        return "–"
    if x >= 100:
        return f"{x:,.0f}"
    if x >= 1 or digits == 0:
        return f"{x:.{digits}f}"
    return f"{x:.3g}"


def row(size_label: str, r: dict) -> dict:
    """One table row from a case result."""
    case = r["case"]
    if "error" in r:
        return dict(size=size_label, case=f"({case}) {CASES[case]}", seconds="–", mbps="–",
                    rss="–", notes=f"FAILED ({r['error']}); see stderr above")
    mbps = r["bytes"] / MB / r["seconds"] if r["seconds"] > 0 else float("inf")
    notes = []
    if r.get("sampled"):
        notes.append(f"sampled {r['bytes'] / MB:.3g} MB ({r['files']} of {r['total_files']} files) "
                     f"in the time budget")
    if case in ("c", "d"):
        notes.append(f"load {r['load_seconds']:.1f} s + tokens {r['tokens_seconds']:.1f} s "
                     f"(import {r['import_seconds']:.1f} s not counted)")
    if r.get("children_rss_mb", 0) > 1:
        notes.append(f"workers ≤ {r['children_rss_mb']:.0f} MB RSS each")
    if r.get("tree_peak_mb"):
        notes.append(f"tree peak {r['tree_peak_mb']:.0f} MB (PSS, sampled)")
    notes.append(f"load avg {r['loadavg_start']:.2f}→{r['loadavg_end']:.2f}")
    return dict(size=size_label, case=f"({case}) {CASES[case]}", seconds=_fmt(r["seconds"]),
                mbps=_fmt(mbps, 2 if mbps < 10 else 1), rss=_fmt(r["rss_mb"], 0),
                notes="; ".join(notes),
                _mbps=mbps, _peak=max(r["rss_mb"], r.get("tree_peak_mb") or 0.0))


def markdown(rows: list[dict]) -> str:
    head = "| corpus | case | seconds | MB/s | peak RSS MB | notes |\n|---|---|--:|--:|--:|---|\n"
    cells = ("size", "case", "seconds", "mbps", "rss", "notes")
    return head + "".join("| " + " | ".join(r[c] for c in cells) + " |\n" for r in rows)


def targets(results: list[tuple[float, dict]]) -> list[str]:
    """PASS/MISS lines for the targets, from (size_mb, row) pairs."""
    lines = []
    for size, r in results:
        if "_mbps" not in r:
            continue
        if r["case"].startswith("(c)"):
            ok = r["_mbps"] >= TARGET_COLD_MBPS
            lines.append(f"{'PASS' if ok else 'MISS'}  cold pipeline (c) at {size:g} MB: "
                         f"{r['_mbps']:.2f} MB/s "
                         f"(target >= {TARGET_COLD_MBPS} MB/s, POS, all cores)")
        if r["case"].startswith("(d)"):
            ok = r["_mbps"] >= TARGET_WARM_MBPS
            lines.append(f"{'PASS' if ok else 'MISS'}  warm pipeline (d) at {size:g} MB: "
                         f"{r['_mbps']:.1f} MB/s (target >= {TARGET_WARM_MBPS:g} MB/s)")
    sizes = [size for size, _ in results]
    if sizes:
        at = TARGET_PEAK_AT_MB if TARGET_PEAK_AT_MB in sizes else max(sizes)
        caveat = ("" if at == TARGET_PEAK_AT_MB
                  else f" (the target is for {TARGET_PEAK_AT_MB:g} MB, not run)")
        for size, r in results:
            if size == at and "_peak" in r and r["case"][:3] in ("(c)", "(d)"):
                ok = r["_peak"] < TARGET_PEAK_MB
                lines.append(f"{'PASS' if ok else 'MISS'}  peak memory {r['case'][:3]} "
                             f"at {size:g} MB: {r['_peak']:.0f} MB "
                             f"(target < {TARGET_PEAK_MB:g} MB){caveat}")
    return lines


def machine_facts() -> str:
    def version(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "not installed"

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{cores} cores available ({os.cpu_count()} on the machine), "
            f"Python {platform.python_version()}, jieba {version('jieba')}, "
            f"OpenCC {version('opencc')}, pandas {version('pandas')}, "
            f"pyarrow {version('pyarrow')}; load average at start {load}; {platform.platform()}")


def parse_sizes(text: str) -> list[float]:
    try:
        sizes = [float(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"--sizes wants numbers separated by commas, not {text!r}") from None
    if not sizes or any(s <= 0 for s in sizes):
        raise argparse.ArgumentTypeError("--sizes wants positive numbers of MB")
    return sizes


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=parse_sizes, default=[1.0, 5.0, 20.0],
                        help="corpus sizes in MB (10^6 bytes of .txt files), comma-separated "
                             "(default 1,5,20)")
    parser.add_argument("--quick", action="store_true", help="sizes 0.2,1 (overrides --sizes)")
    parser.add_argument("--cases", default="abcd",
                        help="which cases to run, e.g. 'cd' (default abcd; d needs c)")
    parser.add_argument("--naive-budget", type=float, default=60.0,
                        help="seconds case (a) may spend per corpus before it stops and "
                             "reports a sample (default 60)")
    parser.add_argument("--profile", type=float, metavar="MB", default=None,
                        help="also profile one cold pipeline run (serial, cProfile) on a corpus "
                             "of MB megabytes")
    parser.add_argument("--keep", action="store_true",
                        help="keep the corpora and caches under build/bench/")
    parser.add_argument("--out", type=Path, default=RESULTS_DIR / "latest.md",
                        help="where to write the report (default bench/results/latest.md)")
    # Child mode: one case in this process, one JSON line on stdout.
    parser.add_argument("--case", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    parser.add_argument("--profile-out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.quick:
        args.sizes = [0.2, 1.0]
    bad = set(args.cases) - set(CASES)
    if bad:
        parser.error(f"--cases: unknown case(s) {''.join(sorted(bad))}; "
                     f"choose from {''.join(CASES)}")
    if "d" in args.cases and "c" not in args.cases:
        parser.error("--cases: d (warm) needs c (cold) to fill its cache")
    return args


def _size_label(size: float) -> str:
    return f"{size:g} MB"


def profile_section(size: float, args: argparse.Namespace, made: list[Path]) -> str:
    """Profile one cold pipeline run on a ``size`` MB corpus; returns the Markdown section
    (seconds and share per stage) and writes the top functions to bench/results/."""
    folder = BENCH_DIR / f"corpus-{size:g}MB"
    build_corpus(size, folder)
    cache = Path(tempfile.mkdtemp(prefix="cache-profile-", dir=BENCH_DIR))
    made.extend([folder, cache])
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    out = RESULTS_DIR / f"profile-{size:g}MB.txt"
    print(f"profiling a cold pipeline run on {size:g} MB (serial, cProfile) …", flush=True)
    result = run_case("profile", folder, cache, args, ["--profile-out", str(out)])
    if "error" in result:
        return f"\nProfile FAILED ({result['error']}).\n"
    total, wall = result["profiled_total"], result["wall"]
    lines = [f"\n## Where a cold run's time goes ({size:g} MB, workers=1, under cProfile)\n",
             f"Wall {wall:.1f} s under the profiler ({result['bytes'] / MB / wall:.2f} MB/s; "
             f"profiling inflates pure-Python code); top functions in {out.relative_to(ROOT)}.\n",
             "| stage | seconds | share |", "|---|--:|--:|"]
    for stage, seconds in sorted(result["stages"].items(), key=lambda kv: -kv[1]):
        lines.append(f"| {stage} | {seconds:.1f} | {seconds / total:.0%} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.case:
        child_main(args)
        return 0

    facts = machine_facts()
    print(f"# Segmentation benchmark\n\n{facts}\n", flush=True)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    rows, scored, made = [], [], []
    for size in args.sizes:
        corpus = build_corpus(size, BENCH_DIR / f"corpus-{size:g}MB")
        made.append(Path(corpus["folder"]))
        print(f"corpus {size:g} MB: {corpus['files']} files, {corpus['bytes']:,} bytes, "
              f"sha256 {corpus['sha256']} ({corpus['folder']})", flush=True)
        cache = Path(tempfile.mkdtemp(prefix=f"cache-{size:g}MB-", dir=BENCH_DIR))
        made.append(cache)
        for case in args.cases:
            print(f"  running ({case}) {CASES[case]} …", end=" ", flush=True)
            result = run_case(case, Path(corpus["folder"]), cache if case in "cd" else None, args)
            r = row(_size_label(size), result)
            print(f"{r['seconds']} s, {r['mbps']} MB/s, peak RSS {r['rss']} MB", flush=True)
            rows.append(r)
            scored.append((size, r))

    profile_text = profile_section(args.profile, args, made) if args.profile else ""

    table = markdown(rows)
    verdicts = targets(scored)
    report = (f"# Segmentation benchmark\n\n{facts}\n\n{table}\n"
              + "".join(f"- {line}\n" for line in verdicts) + profile_text)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    print("\n" + table)
    for line in verdicts:
        print(line)
    misses = [line for line in verdicts if line.startswith("MISS")]
    print(f"\n{len(misses)} target(s) missed." if misses else "\nAll targets met.")
    if profile_text:
        print(profile_text)
    print(f"Table written to {args.out}")
    if not args.keep:
        for path in made:
            shutil.rmtree(path, ignore_errors=True)
    return 0  # a benchmark, not a test: misses are printed, never an exit status


if __name__ == "__main__":
    sys.exit(main())
