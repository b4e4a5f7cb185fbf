"""A warm load from a store at a URL against one from a store folder: ``load_corpus`` +
``corpus_tokens`` of the same corpus, each in a fresh Python process, the two kinds of store
taking turns round by round.

The URL is an S3 bucket served on this machine by moto's S3 server, over HTTP on a local
port (the test extra installs moto and s3fs). So what is measured is the store's own cost at
a URL: every partition fetched through s3fs and checked, and no assembled token file (a store
at a URL keeps none: :mod:`analysis.corpus.assembled`), against a folder's memory-mapped
partitions and its assembled file. It is not a cloud bucket's: no network between the
machine and the bucket, no request latency but moto's own (a Python server), no throttling.
Read the ratio as a floor of what a URL costs, not as a forecast for S3.

Both stores are filled cold first (not timed). A timed process fails if it processes a
speech (the pipeline's ``process`` raises there), so every timed load is warm; its time is
the two calls, imports excluded (as ``bench_scale.py`` times them). The corpus is built from the shared reports by
``bench/corpora.py`` (halves of reports, with metadata).

    .venv/bin/python bench/bench_remote.py              # 10 MB, 3 rounds
    .venv/bin/python bench/bench_remote.py --size 30 --rounds 5
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from analysis.config import GWR_DIR  # noqa: E402

PYTHON = sys.executable
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1"}

# A load of the corpus at argv[1] from the store at argv[2]; argv[3] == "warm" makes any
# processing an error. Prints the seconds of the two calls and the token count.
_LOAD = """
import sys, time
from analysis import corpus_tokens, load_corpus   # imports outside the timed calls
from analysis.corpus import pipeline
if sys.argv[3] == "warm":
    def process(*args, **kwargs):
        raise RuntimeError("a warm load processed a speech: the store was not whole")
    pipeline.process = process
t = time.perf_counter()
corpus = load_corpus(sys.argv[1], store=sys.argv[2], progress=False)
tokens = corpus_tokens(corpus)
print(f"{time.perf_counter() - t:.4f} {len(tokens)}")
"""


def load(folder: Path, store: str, mode: str, env: dict) -> tuple[float, int]:
    done = subprocess.run([PYTHON, "-c", _LOAD, str(folder), store, mode], capture_output=True, text=True,
                          env={**os.environ, "SPEECHES_MEMO": "0", **env}, cwd=ROOT)
    if done.returncode:
        raise SystemExit(f"the {mode} load from {store} failed:\n{done.stderr[-3000:]}")
    seconds, rows = done.stdout.split()[-2:]
    return float(seconds), int(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=float, default=10, help="corpus size in MB (default 10)")
    parser.add_argument("--rounds", type=int, default=3, help="warm loads of each store (default 3)")
    args = parser.parse_args(argv)
    if not GWR_DIR.exists():
        print(f"skipped: the shared corpus {GWR_DIR} is absent (bench/corpora.py builds from it)")
        return 0
    try:
        import s3fs
        from moto.server import ThreadedMotoServer
    except ImportError as exc:
        print(f"skipped: {exc.name} is not installed (the test extra installs moto and s3fs)")
        return 0
    from bench.corpora import build

    folder = build(args.size)
    megabytes = sum(p.stat().st_size for p in folder.glob("*.txt")) / 1e6
    os.environ.update(CREDENTIALS)
    import logging

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no line per request
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    scratch = Path(tempfile.mkdtemp(prefix="bench-remote-"))
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        bucket = f"speeches-{uuid.uuid4().hex[:12]}"
        s3fs.S3FileSystem(endpoint_url=endpoint).mkdir(bucket)
        env = {"FSSPEC_S3_ENDPOINT_URL": endpoint, "SPEECHES_CACHE_DIR": str(scratch / "cache")}
        stores = {"folder": str(scratch / "store"), "url": f"s3://{bucket}/store"}
        print(f"{os.cpu_count()} cores; {megabytes:.1f} MB in {len(list(folder.glob('*.txt')))} files; "
              f"load average {os.getloadavg()[0]:.2f}; moto at {endpoint}")
        rows = {}
        for kind, store in stores.items():
            t = time.perf_counter()
            _, rows[kind] = load(folder, store, "cold", env)
            print(f"filled the {kind} store cold in {time.perf_counter() - t:.1f} s (process), {rows[kind]:,} tokens")
        if rows["folder"] != rows["url"]:
            raise SystemExit(f"the two stores give different token tables: {rows}")
        times: dict[str, list[float]] = {kind: [] for kind in stores}
        for r in range(args.rounds):
            for kind, store in (stores.items() if r % 2 == 0 else reversed(stores.items())):
                seconds, _ = load(folder, store, "warm", env)
                times[kind].append(seconds)
                print(f"round {r + 1}: {kind} warm {seconds:.2f} s ({megabytes / seconds:.1f} MB/s)")
        median = {kind: statistics.median(v) for kind, v in times.items()}
        ratio = [u / f for u, f in zip(times["url"], times["folder"])]
        print(f"median warm: folder {median['folder']:.2f} s ({megabytes / median['folder']:.1f} MB/s), "
              f"url {median['url']:.2f} s ({megabytes / median['url']:.1f} MB/s); url / folder, round by round: "
              + ", ".join(f"{x:.2f}" for x in ratio) + f"; load average {os.getloadavg()[0]:.2f}")
    finally:
        server.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
