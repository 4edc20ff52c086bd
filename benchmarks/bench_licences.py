#!/usr/bin/env python3
"""CPU time of the licence and METADATA work of the analysis thread, on one archive.

One pass over the archive (not timed) records what :class:`LicenseFiles` and the METADATA
half of :class:`ComponentsAnalyser` are fed; then each is fed the recorded members again,
``--repeat`` times in fresh analysers, and the fastest run's thread CPU time is printed
(``time.thread_time``: the machine may be shared, wall time would measure the neighbours).
Run by hand, never from the tests::

    python benchmarks/bench_licences.py                       # the benchmark archive
    python benchmarks/bench_licences.py some.tar.zst --repeat 5
    python benchmarks/bench_licences.py --profile             # and the top of a cProfile

The first row feeds the analyser in a fresh process, as the pass does: its first call loads the
SPDX references (from their store in the cache folder) and imports what is imported on first
use; the other rows are warm. To compare with another checkout, put a folder holding
``distscope/tui`` (a link to that checkout's ``tui``) on ``PYTHONPATH``.

The benchmark archive is ``benchmarks/work/interp.tar.zst`` (made by ``bench_index.py``);
an uncompressed copy in ``/dev/shm/interp.tar`` is read instead when present (faster pass).
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pickle
import pstats
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ARCHIVES = (Path("/dev/shm/interp.tar"), HERE / "work" / "interp.tar.zst")


def record(archive: str) -> tuple[list[tuple[Any, bytes, bool]], list[tuple[Any, bytes, bool]]]:
    """What the licence analyser and the components analyser's METADATA reading are fed, in
    archive order: (member, data, complete)."""
    from distscope.tui.archive.index import scan
    from distscope.tui.archive.segments import as_segments
    from distscope.tui.meta.components import ComponentsAnalyser
    from distscope.tui.meta.licenses import LicenseFiles

    licences: list[tuple[Any, bytes, bool]] = []
    metadata: list[tuple[Any, bytes, bool]] = []

    class Licences(LicenseFiles):
        def feed(self, member: Any, data: bytes, complete: bool) -> None:
            licences.append((member, bytes(data), complete))

    class Components(ComponentsAnalyser):
        def want(self, member: Any, head: bytes) -> int:
            return super().want(member, head) if member.path.endswith(".dist-info/METADATA") else 0

        def feed(self, member: Any, data: Any, complete: bool) -> None:
            metadata.append((member, as_segments(data).tobytes(), complete))

    scan(archive, [Licences(), Components()], hash_bytes=False)
    return licences, metadata


#: Run in a fresh process: the licence analyser fed the recorded members, its first call paying
#: what a pass's first call pays (loading the references, modules imported on first use).
COLD = """
import json, pickle, sys, time
from distscope.tui.meta.licenses import LicenseFiles
with open(sys.argv[1], "rb") as f:
    inputs = pickle.load(f)
analyser = LicenseFiles()
start = time.thread_time()
for member, data, complete in inputs:
    analyser.feed(member, data, complete)
print(json.dumps(time.thread_time() - start))
"""


def cold(licences: list[tuple[Any, bytes, bool]], repeat: int) -> float:
    """The fastest of ``repeat`` cold runs of the licence analyser's feeds, each in a fresh process
    with its own cache folder, as ``bench_index.py`` runs them (a first run, not counted, makes the
    references' store there)."""
    with tempfile.NamedTemporaryFile(suffix=".pickle") as f, tempfile.TemporaryDirectory() as cache:
        pickle.dump(licences, f)
        f.flush()
        env = {**os.environ, "DISTSCOPE_CACHE_DIR": cache}
        runs = [json.loads(subprocess.run([sys.executable, "-c", COLD, f.name], check=True, capture_output=True,
                                          text=True, env=env).stdout) for _ in range(repeat + 1)]
    return float(min(runs[1:]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("archive", nargs="?", help="archive (default: the benchmark archive)")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile of the licence feeds")
    args = parser.parse_args()
    archive = args.archive or next((str(p) for p in ARCHIVES if p.exists()), None)
    if archive is None:
        print("no archive: run benchmarks/bench_index.py once, or name one", file=sys.stderr)
        return 2

    sys.path.insert(0, str(HERE))
    from bench_index import thread_cpu as cpu

    from distscope.tui.meta import spdx
    from distscope.tui.meta.components import ComponentsAnalyser
    from distscope.tui.meta.licenses import LicenseFiles, read_metadata
    from distscope.tui.meta.references import load

    licences, metadata = record(archive)
    load_cpu = cpu(load, 1)  # (cached after the first call: the cold cost is this one)
    texts = list({data: None for m, data, _ in licences if not m.path.endswith("/METADATA")
                  and not data.startswith(b"\x7fELF")})
    heads = [data.decode("utf-8", "replace") for m, data, _ in licences if m.path.endswith("/METADATA")]

    def licence_feeds() -> None:
        analyser = LicenseFiles()
        for member, data, complete in licences:
            analyser.feed(member, data, complete)

    def component_feeds() -> None:
        analyser = ComponentsAnalyser()
        for member, data, complete in metadata:
            analyser.feed(member, data, complete)

    rows = [
        (f"LicenseFiles.feed, cold ({len(licences)} members)", cold(licences, args.repeat)),
        (f"LicenseFiles.feed, warm ({len(licences)} members)", cpu(licence_feeds, args.repeat)),
        (f"  spdx.analyse ({len(texts)} distinct texts)", cpu(lambda: [spdx.analyse(t) for t in texts], args.repeat)),
        (f"  read_metadata ({len(heads)} METADATA)", cpu(lambda: [read_metadata(h) for h in heads], args.repeat)),
        (f"ComponentsAnalyser.feed, METADATA ({len(metadata)})", cpu(component_feeds, args.repeat)),
        ("references.load (first call)", load_cpu),
    ]
    print(f"{archive}: thread CPU, fastest of {args.repeat}")
    for label, seconds in rows:
        print(f"  {label:<48} {seconds * 1000:8.1f} ms")
    if args.profile:
        profile = cProfile.Profile(time.thread_time)
        profile.runcall(licence_feeds)
        pstats.Stats(profile).sort_stats("tottime").print_stats(15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
