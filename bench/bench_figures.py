"""Warm ``make figures`` against its floor: how much does running the notebooks cost beyond
what their kernels must do anyway?

The floor is N fresh kernels (N = the number of notebooks), each of which imports
``analysis``, calls ``setup_matplotlib()`` and ``load_corpus()`` on a warm cache, then shuts
down: every notebook starts that way, so no runner can do less. It is measured two ways:
one kernel after another (*serial*: the issue's "four fresh kernels", 15.8 s when it was
written) and as many at once as the runner runs notebooks (*side by side*). ``make figures``
is measured as a developer meets it: the whole command, make, Python start-up and imports
included, with the cache warm (one run first fills it).

Rounds alternate the three measurements so that a shared machine's load falls on all of
them; the table shows each one's median. Target: warm ``make figures`` ≤ 1.25 × the serial
floor. Note that ``make figures`` rewrites figures/ (with the same bytes).

    .venv/bin/python bench/bench_figures.py                 # 3 rounds
    .venv/bin/python bench/bench_figures.py --rounds 5 --workers 2,3,4
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SPEECHES_HEADLESS", "1")

from analysis import config  # noqa: E402
from analysis.output.runner import _KERNEL_ARGS, KERNEL_NAME, default_workers, notebook_paths  # noqa: E402

FLOOR_CODE = "import analysis\nanalysis.setup_matplotlib()\nanalysis.load_corpus(None)\n"
TARGET = 1.25


def one_kernel() -> float:
    """Seconds for one fresh kernel to start, run FLOOR_CODE and shut down (as the runner
    shuts its kernels down: at once, the last cell having returned)."""
    from jupyter_client.manager import start_new_kernel

    started = time.perf_counter()
    manager, client = start_new_kernel(kernel_name=KERNEL_NAME, extra_arguments=_KERNEL_ARGS,
                                       cwd=str(config.NOTEBOOKS_DIR))
    try:
        reply = client.execute_interactive(FLOOR_CODE, timeout=300, output_hook=lambda _msg: None)
        if reply["content"]["status"] != "ok":
            raise RuntimeError(f"the floor's cell failed: {reply['content']}")
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return time.perf_counter() - started


def floor(n: int, workers: int) -> float:
    """Wall seconds for ``n`` floor kernels, ``workers`` at a time."""
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda _i: one_kernel(), range(n)))
    return time.perf_counter() - started


def command(args: list[str]) -> float:
    """Wall seconds of a command run from the project folder; fails loudly if it fails."""
    started = time.perf_counter()
    done = subprocess.run(args, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return seconds


def load() -> str:
    return f"{os.getloadavg()[0]:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3, help="measurements of each case (median shown)")
    parser.add_argument("--workers", default="", metavar="N,N",
                        help="also time `python -m analysis.output.runner -j N` for these N")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "figures.md")
    args = parser.parse_args(argv)

    n = len(notebook_paths())
    workers = default_workers(n)
    extra = [int(w) for w in args.workers.split(",") if w.strip()]
    make = ["make", "--no-print-directory", "-s", "figures"]
    print(f"{n} notebooks; the runner's default: {workers} at a time; load average {load()}", flush=True)
    print("warm-up: make figures (fills the cache, installs if needed)", flush=True)
    command(make)

    cases = {"floor, serial": lambda: floor(n, 1),
             f"floor, {workers} side by side": lambda: floor(n, workers),
             "make figures (warm)": lambda: command(make)}
    for w in extra:
        cases[f"python -m analysis.output.runner -j {w}"] = (
            lambda w=w: command([sys.executable, "-m", "analysis.output.runner", "-j", str(w)]))
    times: dict[str, list[float]] = {name: [] for name in cases}
    loads = []
    names = list(cases)
    for r in range(args.rounds):
        order = names[r % len(names):] + names[:r % len(names)]  # a different case first each round
        for name in order:
            before = load()
            seconds = cases[name]()
            times[name].append(seconds)
            loads.append(f"{before}→{load()}")
            print(f"  round {r + 1}: {name}: {seconds:.2f} s (load {loads[-1]})", flush=True)

    median = {name: statistics.median(values) for name, values in times.items()}
    serial, side = median["floor, serial"], median[f"floor, {workers} side by side"]
    lines = ["| case | median s | runs (s) | × serial floor | × side-by-side floor |",
             "|---|--:|---|--:|--:|"]
    for name, values in times.items():
        runs = ", ".join(f"{v:.1f}" for v in values)
        lines.append(f"| {name} | {median[name]:.2f} | {runs} | {median[name] / serial:.2f} | "
                     f"{median[name] / side:.2f} |")
    ratio = median["make figures (warm)"] / serial
    verdict = "PASS" if ratio <= TARGET else "MISS"
    facts = (f"{os.cpu_count()} cores, Python {platform.python_version()}, {n} notebooks, "
             f"{args.rounds} rounds; load average before→after each run: {', '.join(loads)}")
    report = "\n".join([
        "# Warm make figures against its floor", "", *lines, "",
        f"Target: warm make figures ≤ {TARGET} × serial floor: {verdict} ({ratio:.2f}×).", "", facts, "",
    ])
    print()
    print(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
