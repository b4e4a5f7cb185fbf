"""Scale benchmark: the pipeline cold and warm against ``jieba.lcut`` in one process, at
corpus sizes of 1, 10, 30 and 100 MB, with the peak memory of the whole process tree; and
the notebooks' warm time on 72, 1,000 and 5,000 speeches (beyond 1,000 without text reuse: see
:data:`REUSE_MAX_DOCS`).

Corpora are built from the shared government work reports (``bench/corpora.py``: halves of
the reports, metadata included), never from the seed repeated. Every case is a fresh
process, timed from outside as a whole (imports and dictionary loads included, since a
researcher pays them), alternated within one run so the shared machine's load falls on
all of them; each size's ratio is taken pair by pair:

  lcut   ``jieba.lcut(text)`` on every file, one process (jieba's own dictionary, no POS)
  cold   ``load_corpus(folder)`` + ``corpus_tokens(corpus)`` with an empty cache (all cores)
  warm   the same two calls again, the store filled by ``cold``: the first load after a build,
         which takes each kept file's CRC-32 and stamps it (analysis.corpus.assembled)
  later  the same two calls once more: what every later load does (the kept files trusted by
         their stamps). A pause of STAMP_PAUSE seconds before each warm case lets the stamp
         hold (a stamp taken within 2 s of its file's last change is not trusted), as the
         minutes between a researcher's loads would

Memory: the summed PSS of the case process and its workers, sampled every 0.25 s from /proc.
The notebooks: ``python -m analysis.output.runner`` on the corpus (FIGURES_DIR in build/), once to
fill the caches, then ``--rounds`` times warm; the median is reported.

    .venv/bin/python bench/bench_scale.py                        # make bench: sizes 1,10,30,100; notebooks 72,1000,5000
    .venv/bin/python bench/bench_scale.py --sizes 1,10 --docs 72 --rounds 1   # a quick look

Writes ``bench/results/scale.md`` and the chart ``bench/results/scaling.png`` (git-ignored).
A benchmark, not a test: it exits 0 whatever the numbers, and says which targets it misses.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from corpora import BENCH_DIR, MB, build  # noqa: E402

RESULTS = ROOT / "bench" / "results"
PYTHON = sys.executable
TARGET_COLD_RATIO = 5.0      # cold MB/s over jieba.lcut's, same texts, same run
TARGET_WARM_MBPS = 50.0
TARGET_PEAK_MB = 2000.0      # whole process tree, at 100 MB
TARGET_NOTEBOOK_RATIO = 1.6  # warm notebooks on 1,000 speeches over the 72 reports
NOTEBOOK_TIMEOUT = 3600      # seconds per cell
# Above this many speeches the notebook case leaves out notebook 05 (text reuse): a corpus of
# halves of 72 reports holds every passage about docs / 36 times, and the pairs to align grow
# with the square of that (5.1 million candidate pairs at 5,000 speeches, about 3 CPU-hours),
# which measures the corpus, not the notebooks. Reuse at scale on a corpus whose passages are
# copied a realistic number of times is bench_reuse.py's case (10,000 documents). The 72
# reports are then also timed on the same six notebooks, so that the ratio compares like with like.
REUSE_MAX_DOCS = 1000
STAMP_PAUSE = 2.5            # seconds before each warm case (see ``later`` above)
SAMPLE_SECONDS = 0.25        # how often the process tree's memory is read
# The notebooks but text reuse (their numbers), as the runner takes them.
WITHOUT_REUSE = [p.name[:2] for p in sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
                 if not p.name.startswith("05-")]

_LCUT = """
import sys
from pathlib import Path
import jieba
jieba.setLogLevel(60)
for path in sorted(Path(sys.argv[1]).glob("*.txt")):
    jieba.lcut(path.read_text(encoding="utf-8"))
"""
_PIPELINE = """
import json, sys, time
from analysis import corpus_tokens, load_corpus   # imports outside the timed calls
import analysis
start = time.perf_counter()
corpus = load_corpus(sys.argv[1])
tokens = corpus_tokens(corpus)
print(json.dumps({"calls": time.perf_counter() - start, "tokens": len(tokens)}))
"""


# ---------------------------------------------------------------- measuring a process
def _children(pid: int) -> list[int]:
    """``pid``'s child processes, from ``/proc/<pid>/task/*/children`` (none once it ended)."""
    out = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", "rb") as handle:
                out.extend(int(c) for c in handle.read().split())
    except OSError:
        pass
    return out


def _descendants(root: int) -> list[int]:
    """The process tree under ``root``: from its children's files where the kernel offers
    them (a few reads), else from a scan of every process's parent."""
    if not _HAS_CHILDREN_FILES:
        return _descendants_by_scan(root)
    tree, frontier = [root], [root]
    while frontier:
        frontier = [c for pid in frontier for c in _children(pid)]
        tree.extend(frontier)
    return tree


_HAS_CHILDREN_FILES = Path(f"/proc/self/task/{os.getpid()}/children").exists()


def _descendants_by_scan(root: int) -> list[int]:
    parent_of = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat", "rb") as handle:
                    stat = handle.read()
            except OSError:
                continue
            parent_of[int(entry)] = int(stat[stat.rfind(b")") + 2:].split()[1])
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, ppid in parent_of.items() if ppid in frontier]
        tree.extend(frontier)
    return tree


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as handle:
            for line in handle:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def run(code_or_args: list[str], env: dict | None = None) -> dict:
    """Run a command; its wall seconds, the peak PSS of its process tree (MB) and its stdout."""
    stop = threading.Event()
    peak = [0]
    start = time.perf_counter()
    proc = subprocess.Popen(code_or_args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "SPEECHES_HEADLESS": "1", **(env or {})}, cwd=ROOT)

    def sample() -> None:
        # Every 0.25 s: PSS (smaps_rollup) walks each process's page tables, which is not free
        # for a process of a gigabyte, and the pipeline measured runs on both cores.
        while not stop.wait(SAMPLE_SECONDS):
            peak[0] = max(peak[0], sum(_pss(pid) for pid in _descendants(proc.pid)))

    watcher = threading.Thread(target=sample, daemon=True)
    if Path("/proc/self/smaps_rollup").exists():
        watcher.start()
    out, err = proc.communicate()
    wall = time.perf_counter() - start
    stop.set()
    if proc.returncode:
        raise RuntimeError(f"{code_or_args[:3]} failed ({proc.returncode}): {err[-2000:]}")
    return {"wall": wall, "peak_mb": peak[0] / MB or None, "stdout": out}


def size_of(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.glob("*.txt")) / MB


# ---------------------------------------------------------------- cases
def pipeline_cases(size_mb: float, rounds: int) -> dict:
    folder = build(size_mb)
    mb = size_of(folder)
    rows = {"size_mb": mb, "lcut": [], "cold": [], "warm": [], "warm_calls": [], "later_calls": [], "cold_peak": [],
            "warm_peak": [], "ratio": []}
    for _ in range(rounds):
        cache = Path(tempfile.mkdtemp(prefix="bench-scale-cache-"))
        try:
            lcut = run([PYTHON, "-c", _LCUT, str(folder)])
            cold = run([PYTHON, "-c", _PIPELINE, str(folder)], {"SPEECHES_CACHE_DIR": str(cache)})
            time.sleep(STAMP_PAUSE)
            warm = run([PYTHON, "-c", _PIPELINE, str(folder)], {"SPEECHES_CACHE_DIR": str(cache)})
            time.sleep(STAMP_PAUSE)
            later = run([PYTHON, "-c", _PIPELINE, str(folder)], {"SPEECHES_CACHE_DIR": str(cache)})
        finally:
            shutil.rmtree(cache, ignore_errors=True)
        rows["lcut"].append(lcut["wall"])
        rows["cold"].append(cold["wall"])
        rows["warm"].append(warm["wall"])
        rows["warm_calls"].append(json.loads(warm["stdout"].strip().splitlines()[-1])["calls"])
        rows["later_calls"].append(json.loads(later["stdout"].strip().splitlines()[-1])["calls"])
        rows["cold_peak"].append(cold["peak_mb"])
        rows["warm_peak"].append(warm["peak_mb"])
        rows["ratio"].append(lcut["wall"] / cold["wall"])
        print(f"  {mb:.1f} MB: lcut {lcut['wall']:.1f} s, cold {cold['wall']:.1f} s "
              f"({lcut['wall'] / cold['wall']:.2f}x lcut), warm {warm['wall']:.2f} s (calls "
              f"{rows['warm_calls'][-1]:.2f} s, later {rows['later_calls'][-1]:.2f} s), "
              f"peak {cold['peak_mb'] or 0:.0f} MB", flush=True)
    return rows


def huge_case(size_mb: float, rounds: int) -> dict:
    """One speech file of ``size_mb`` MB (a newspaper year in one file: the shared reports one
    after another) against the same bytes as a folder of the reports' halves: seconds per MB
    and the tree's peak memory, cold."""
    folder = build(size_mb)
    one = BENCH_DIR / f"one-file-{size_mb:g}MB"
    one.mkdir(parents=True, exist_ok=True)
    target = one / "one_year.txt"
    if not target.exists():
        with open(target, "w", encoding="utf-8") as handle:
            for path in sorted(folder.glob("*.txt")):
                handle.write(path.read_text(encoding="utf-8"))
    out = {"size_mb": size_of(one), "one": [], "folder": [], "one_peak": [], "folder_peak": []}
    for _ in range(rounds):
        for name, where in (("one", one), ("folder", folder)):
            cache = Path(tempfile.mkdtemp(prefix="bench-huge-cache-"))
            try:
                r = run([PYTHON, "-c", _PIPELINE, str(where)], {"SPEECHES_CACHE_DIR": str(cache)})
            finally:
                shutil.rmtree(cache, ignore_errors=True)
            out[name].append(r["wall"] / size_of(where))
            out[f"{name}_peak"].append(r["peak_mb"])
        print(f"  one {size_mb:g} MB file: {out['one'][-1]:.2f} s/MB, peak {out['one_peak'][-1] or 0:.0f} MB; "
              f"as a folder: {out['folder'][-1]:.2f} s/MB, peak {out['folder_peak'][-1] or 0:.0f} MB", flush=True)
    return out


def notebook_case(docs: int, rounds: int, notebooks: list[str] | None = None) -> dict:
    """Warm ``make figures`` on a corpus of ``docs`` speeches (72: the shared reports):
    every notebook, or only ``notebooks`` (their numbers)."""
    from analysis.config import GWR_DIR

    folder = GWR_DIR if docs == 72 else build(0, n_docs=docs)
    tag = f"{docs}" if notebooks is None else f"{docs}-{'-'.join(notebooks)}"
    figures = BENCH_DIR / f"figures-{tag}"
    args = [PYTHON, "-m", "analysis.output.runner", "--param", f"CORPUS_DIR={folder}",
            "--param", f"FIGURES_DIR={figures}",
            "--output-dir", str(BENCH_DIR / f"executed-{tag}"), "--timeout", str(NOTEBOOK_TIMEOUT),
            *(notebooks or [])]
    try:
        cold = run(args)["wall"]  # fills the caches
        walls = [run(args)["wall"] for _ in range(rounds)]
    except RuntimeError as exc:  # reported, and the other cases kept
        print(f"  notebooks on {docs} speeches: FAILED: {str(exc)[-300:]}", flush=True)
        return {"docs": docs, "size_mb": size_of(Path(folder)), "warm": [], "failed": str(exc)[-300:],
                "notebooks": notebooks}
    print(f"  notebooks {'all' if notebooks is None else ' '.join(notebooks)} on {docs} speeches "
          f"({size_of(Path(folder)):.1f} MB): warm {statistics.median(walls):.1f} s", flush=True)
    return {"docs": docs, "size_mb": size_of(Path(folder)), "warm": walls, "cold": cold, "notebooks": notebooks}


def notebook_cases(docs: list[int], rounds: int) -> list[dict]:
    """:func:`notebook_case` for each corpus size: every notebook up to :data:`REUSE_MAX_DOCS`
    speeches, the six without text reuse beyond it, and then the 72 reports on the same six."""
    out = [notebook_case(d, rounds, None if d <= REUSE_MAX_DOCS else WITHOUT_REUSE) for d in docs]
    if any(d > REUSE_MAX_DOCS for d in docs) and 72 in docs:
        out.append(notebook_case(72, rounds, WITHOUT_REUSE))
    return out


# ---------------------------------------------------------------- report
def machine() -> str:
    def v(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "-"

    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (f"{cores} cores, Python {platform.python_version()}, jieba {v('jieba')}, rjieba {v('rjieba')}, "
            f"pyarrow {v('pyarrow')}, pandas {v('pandas')}; load average at start "
            f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}")


def med(values) -> float:
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else float("nan")


def report(sizes: list[dict], notebooks: list[dict], load_end: str, huge: dict | None = None) -> str:
    lines = ["## Pipeline against jieba.lcut (medians; whole processes)", "",
             "| corpus | jieba.lcut s | cold s | cold ÷ lcut (speed) | cold MB/s | warm s | warm calls s | "
             "warm MB/s (calls) | later calls s | later MB/s (calls) | peak MB cold | peak MB warm |",
             "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|"]
    for r in sizes:
        mb = r["size_mb"]
        lines.append(f"| {mb:.1f} MB | {med(r['lcut']):.1f} | {med(r['cold']):.1f} | {med(r['ratio']):.2f}x | "
                     f"{mb / med(r['cold']):.2f} | {med(r['warm']):.2f} | {med(r['warm_calls']):.2f} | "
                     f"{mb / med(r['warm_calls']):.1f} | {med(r.get('later_calls', [])):.2f} | "
                     f"{mb / med(r.get('later_calls', [])):.1f} | {med(r['cold_peak']):.0f} | "
                     f"{med(r['warm_peak']):.0f} |")
    lines += cost_lines(sizes)
    if notebooks:
        lines += ["", "## Notebooks, warm (python -m analysis.output.runner)", "",
                  f"Beyond {REUSE_MAX_DOCS:,} speeches notebook 05 (text reuse) is left out, and the ratio is "
                  "taken against the 72 reports on the same notebooks (see REUSE_MAX_DOCS).", "",
                  "| speeches | MB | notebooks | first run s | warm s (median) | runs | x the 72 reports |",
                  "|--:|--:|---|--:|--:|---|--:|"]
        for n in notebooks:
            which = "all" if not n.get("notebooks") else " ".join(n["notebooks"])
            if n.get("failed"):
                lines.append(f"| {n['docs']:,} | {n['size_mb']:.1f} | {which} | failed: {n['failed'][-120:]} "
                             "| | | |")
                continue
            base = next((med(b["warm"]) for b in notebooks
                         if b["docs"] == 72 and b["warm"] and b.get("notebooks") == n.get("notebooks")), None)
            times = ", ".join(f"{t:.1f}" for t in n["warm"])
            ratio = f"{med(n['warm']) / base:.2f}" if base else "-"
            lines.append(f"| {n['docs']:,} | {n['size_mb']:.1f} | {which} | {n.get('cold', float('nan')):.0f} | "
                         f"{med(n['warm']):.1f} | {times} | {ratio} |")
    if huge:
        lines += ["", f"## One file of {huge['size_mb']:.0f} MB against the same bytes as a folder (cold)", "",
                  "| input | s per MB | peak MB (tree) |", "|---|--:|--:|",
                  f"| one file | {med(huge['one']):.2f} | {med(huge['one_peak']):.0f} |",
                  f"| a folder of files | {med(huge['folder']):.2f} | {med(huge['folder_peak']):.0f} |"]
    lines += ["", "Targets: " + "; ".join(verdicts(sizes, notebooks, huge)), "",
              f"Load average at the end: {load_end}."]
    return "\n".join(lines)


def line_fit(xs: list[float], ys: list[float]) -> tuple[float, float, float]:
    """``y = fixed + per_mb * x`` by least squares on relative residuals (numpy's ``polyfit``
    weighted by 1/y, so each point's squared residual weighs 1/y² and a 1 MB run counts as
    much as a 100 MB one): ``(fixed, per_mb, worst)``, ``worst`` the largest residual
    relative to its ``y`` (how far the line is from a point)."""
    import numpy as np

    per_mb, fixed = (float(v) for v in np.polyfit(xs, ys, 1, w=[1 / y for y in ys]))
    return fixed, per_mb, max(abs(fixed + per_mb * x - y) / y for x, y in zip(xs, ys))


def crossing(lcut: tuple[float, float], cold: tuple[float, float], target: float) -> float | None:
    """The corpus size (MB) from which ``lcut`` ÷ ``cold`` reaches ``target``, each a
    ``(fixed s, s per MB)`` line: 0 when the lines are there from the start, None when
    the ratio of their costs per MB, which the ratio tends to as the corpus grows, falls
    short of ``target``."""
    (a_l, b_l), (a_c, b_c) = lcut, cold
    if b_l <= target * b_c:
        return None
    return max(0.0, (target * a_c - a_l) / (b_l - target * b_c))


def cost_lines(sizes: list[dict]) -> list[str]:
    """The fixed cost and the cost per MB of ``lcut`` and ``cold``: straight lines through
    the sizes' medians. What the ratio at each size mixes: a fixed cost (start, imports,
    dictionaries, workers) that a small corpus cannot spread, and a cost per MB that sets
    the ratio of a large one."""
    mbs = [r["size_mb"] for r in sizes]
    if len(set(mbs)) < 2:
        return []
    fits = {key: line_fit(mbs, [med(r[key]) for r in sizes]) for key in ("lcut", "cold")}
    (a_l, b_l, w_l), (a_c, b_c, w_c) = fits["lcut"], fits["cold"]
    if b_l <= 0 or b_c <= 0:  # sizes too close for the machine's noise: no cost per MB to speak of
        return ["", f"No line through the sizes: a cost per MB came out at or below zero ({b_l:.3f} and "
                f"{b_c:.3f} s per MB); measure sizes further apart."]
    at = crossing((a_l, b_l), (a_c, b_c), TARGET_COLD_RATIO)
    where = (f"at no size (per MB it is under {TARGET_COLD_RATIO:g}x)" if at is None
             else f"from about {at:,.0f} MB")
    return ["", "## Fixed cost and cost per MB (a straight line through the medians above)", "",
            "| case | fixed s | s per MB | MB/s beyond the fixed cost | worst point off the line |",
            "|---|--:|--:|--:|--:|",
            f"| jieba.lcut | {a_l:.2f} | {b_l:.3f} | {1 / b_l:.2f} | {w_l:.0%} |",
            f"| pipeline, cold | {a_c:.2f} | {b_c:.3f} | {1 / b_c:.2f} | {w_c:.0%} |",
            "", f"Per MB the cold pipeline is {b_l / b_c:.2f}x jieba.lcut; with the fixed costs, the line "
            f"reaches {TARGET_COLD_RATIO:g}x {where}. A model of the measured sizes, not a measurement "
            "between or beyond them."]


def verdicts(sizes: list[dict], notebooks: list[dict], huge: dict | None = None) -> list[str]:
    out = []
    if huge:
        peak = med(huge["one_peak"])
        out.append(f"one {huge['size_mb']:.0f} MB file under {TARGET_PEAK_MB:g} MB: "
                   f"{'met' if peak < TARGET_PEAK_MB else 'missed'} ({peak:.0f}); its s/MB no worse than a folder's: "
                   f"{'met' if med(huge['one']) <= med(huge['folder']) else 'missed'} "
                   f"({med(huge['one']):.2f} against {med(huge['folder']):.2f})")
    for r in sizes:
        mb = r["size_mb"]
        out.append(f"cold ≥ {TARGET_COLD_RATIO:g}x lcut at {mb:.0f} MB: "
                   f"{'met' if med(r['ratio']) >= TARGET_COLD_RATIO else 'missed'} ({med(r['ratio']):.2f}x)")
        for key, which in (("warm_calls", "the first load after a build"), ("later_calls", "later loads")):
            warm = mb / med(r.get(key, []))
            verdict = "met" if warm >= TARGET_WARM_MBPS else "missed"
            out.append(f"warm ≥ {TARGET_WARM_MBPS:g} MB/s at {mb:.0f} MB, {which}: {verdict} ({warm:.1f})")
        if mb >= 90:
            peak = max(med(r["cold_peak"]), med(r["warm_peak"]))
            out.append(f"peak < {TARGET_PEAK_MB:g} MB at {mb:.0f} MB: {'met' if peak < TARGET_PEAK_MB else 'missed'} "
                       f"({peak:.0f})")
    times = {n["docs"]: med(n["warm"]) for n in notebooks if n["warm"] and not n.get("notebooks")}
    if 72 in times and 1000 in times:
        ratio = times[1000] / times[72]
        out.append(f"notebooks 1,000 ÷ 72 ≤ {TARGET_NOTEBOOK_RATIO}: "
                   f"{'met' if ratio <= TARGET_NOTEBOOK_RATIO else 'missed'} ({ratio:.2f})")
    return out


def chart(sizes: list[dict], notebooks: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4), layout="constrained")
    mbs = [r["size_mb"] for r in sizes]
    cases = (("lcut", "jieba.lcut, one process"), ("cold", "pipeline, cold"), ("warm_calls", "pipeline, warm"),
             ("later_calls", "pipeline, later warm"))
    if sizes:
        for key, label in cases:
            left.plot(mbs, [r["size_mb"] / med(r[key]) for r in sizes], marker="o", label=label)
        left.set(xscale="log", yscale="log", xlabel="corpus (MB of text)", ylabel="MB per second",
                 title="Throughput by corpus size")
        left.legend()
    else:  # a run of the notebook case alone
        left.set_axis_off()
    if notebooks:
        for which, label in ((None, "all notebooks"), (WITHOUT_REUSE, "all but text reuse (05)")):
            done = [n for n in notebooks if n["warm"] and n.get("notebooks") == which]
            if done:
                right.plot([n["docs"] for n in done], [med(n["warm"]) for n in done], marker="o", label=label)
        right.set(xscale="log", xlabel="speeches", ylabel="seconds", title="Notebooks, warm")
        right.legend()
        right.set_ylim(bottom=0)
    else:
        right.set_axis_off()
    fig.savefig(path, dpi=120, metadata={"Software": None})
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1,10,30,100", help="corpus sizes in MB (default 1,10,30,100)")
    parser.add_argument("--docs", default="72,1000,5000", help="speeches for the notebook case ('' for none)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each case (default 2)")
    parser.add_argument("--huge", type=float, default=50, help="MB of the one-file case (0: none; default 50)")
    args = parser.parse_args(argv)
    from analysis.config import GWR_DIR

    if not (GWR_DIR / "metadata.csv").is_file():
        print(f"skipped: the shared corpus {GWR_DIR} is absent (bench/corpora.py builds from it)")
        return 0
    RESULTS.mkdir(parents=True, exist_ok=True)
    head = machine()
    print(head, flush=True)
    sizes = [pipeline_cases(float(s), args.rounds) for s in args.sizes.split(",") if s]
    huge = huge_case(args.huge, args.rounds) if args.huge else None
    notebooks = notebook_cases([int(d) for d in args.docs.split(",") if d], args.rounds)
    text = f"# Scale benchmark\n\n{head}\n\n" + report(sizes, notebooks,
                                                          ", ".join(f"{x:.2f}" for x in os.getloadavg()), huge)
    (RESULTS / "scale.md").write_text(text + "\n", encoding="utf-8")
    (RESULTS / "scale.json").write_text(json.dumps({"sizes": sizes, "notebooks": notebooks, "huge": huge}, indent=1))
    chart(sizes, notebooks, RESULTS / "scaling.png")
    print("\n" + text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
