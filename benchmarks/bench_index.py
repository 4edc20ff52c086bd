#!/usr/bin/env python3
"""Benchmark the streaming index against ``zstd -dc | tar -t`` on a large archive.

Builds (once, cached in ``benchmarks/work/``) an archive of the running interpreter's
installation tree with ``tar | zstd``, then prints a table measured in the same run.
Run by hand, never from the tests::

    python benchmarks/bench_index.py                 # the ~1 GB archive, every row
    python benchmarks/bench_index.py --long          # also the 128 MiB-window (--long=27) archive
    python benchmarks/bench_index.py --only cold-index --repeat 5

Adding a row is one function: decorate ``def my_row(bench) -> Row | list[Row]`` with
``@row("name")``. ``bench.archive`` is the archive, ``bench.child(code)`` runs Python code in
a fresh process (the code sets ``result`` to a dict, may call ``timer()`` to start the clock)
and returns ``{"seconds", "max_rss_mb", ...}``, ``bench.baseline`` is the ``zstd -dc | tar -t``
time for the archive.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work"
TARGET_BYTES = 1_000_000_000
BASELINE = "zstd -dc --long=31 '{archive}' | tar -tf - > /dev/null"


# -- building the archives -------------------------------------------------------------------
def _tree_roots() -> list[Path]:
    """The running interpreter's installation (base prefix), plus the venv when it is separate."""
    roots = [Path(sys.base_prefix).resolve()]
    prefix = Path(sys.prefix).resolve()
    if prefix != roots[0] and roots[0] not in prefix.parents:
        roots.append(prefix)
    return roots


def _tree_size(roots: list[Path]) -> tuple[int, int]:
    total = count = 0
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            count += 1 + len(filenames)
            for name in filenames:
                try:
                    total += os.lstat(os.path.join(dirpath, name)).st_size
                except OSError:
                    pass
    return total, count


def _padding_copies(roots: list[Path], target: int) -> list[Path]:
    """Hard-linked (or copied) duplicates of site-packages until the tree reaches ``target``."""
    size, _ = _tree_size(roots)
    if size >= target:
        return []
    site = next((p for p in roots[0].glob("lib/python3*/site-packages")), None) or roots[0]
    site_size, _ = _tree_size([site])
    copies = []
    for i in range(1, 1 + min(20, -(-(target - size) // max(site_size, 1)))):
        dest = WORK / "padding" / f"copy{i}"
        if not dest.exists():
            dest.parent.mkdir(parents=True, exist_ok=True)
            if subprocess.run(["cp", "-al", str(site), str(dest)], stderr=subprocess.DEVNULL).returncode:
                shutil.rmtree(dest, ignore_errors=True)
                shutil.copytree(site, dest, symlinks=True)
        copies.append(dest)
    return copies


def build_archive(name: str, zstd_args: list[str], target: int = TARGET_BYTES, rebuild: bool = False) -> Path:
    """``tar | zstd`` the interpreter tree into ``benchmarks/work/<name>`` (kept between runs)."""
    out = WORK / name
    if out.exists() and not rebuild:
        return out
    WORK.mkdir(exist_ok=True)
    roots = _tree_roots()
    roots += _padding_copies(roots, target)
    print(f"building {out.name} from {', '.join(map(str, roots))} (zstd {' '.join(zstd_args)}) ...",
          file=sys.stderr, flush=True)
    tmp = out.with_suffix(".part")
    tar = subprocess.Popen(["tar", "-cf", "-", "--sort=name", "--hard-dereference", "--ignore-failed-read",
                            "--exclude=*/benchmarks/work", "-C", "/",
                            *[str(r.relative_to("/")) for r in roots]],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    with open(tmp, "wb") as fh:
        zstd = subprocess.run(["zstd", "-q", "-T0", *zstd_args, "-c"], stdin=tar.stdout, stdout=fh)
    tar.stdout.close()
    tar.wait()
    if zstd.returncode:
        sys.exit(f"zstd failed ({zstd.returncode})")
    tmp.rename(out)
    return out


# -- measuring ---------------------------------------------------------------------------------
def thread_cpu(work: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` runs of ``work``, in CPU seconds of the calling thread (the
    micro-benchmarks' clock: a shared machine's load moves it less than wall time)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.thread_time()
        work()
        best = min(best, time.thread_time() - start)
    return best


def compile_project() -> None:
    """Compile the project's modules, so that the children read bytecode as an installed copy
    does (an edited checkout run with PYTHONDONTWRITEBYTECODE would compile every import)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "tui"), str(ROOT / "widgets")],
                   check=True, stdout=subprocess.DEVNULL)


_CHILD = """
import json, resource, sys, time
sys.path.insert(0, {root!r})
_start = [time.perf_counter()]
def timer():
    _start[0] = time.perf_counter()
ARCHIVE = {archive!r}
result = {{}}
from distscope.tui import gcpause
gcpause.enable()  # (process tuning, as the distscope command and the app switch it on)
{code}
seconds = time.perf_counter() - _start[0]
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": seconds, "max_rss_mb": rss, **result}}))
"""


@dataclass
class Row:
    label: str
    seconds: float | None = None
    ratio: str = ""
    rss_mb: float | None = None
    note: str = ""


@dataclass
class Bench:
    archive: Path
    repeat: int = 3
    baseline: float = 0.0
    env: dict = field(default_factory=dict)

    def child(self, code: str, env: dict | None = None) -> dict:
        """Run ``code`` in a fresh interpreter ``repeat`` times; the fastest run, the largest RSS."""
        script = _CHILD.format(root=str(ROOT), archive=str(self.archive), code=textwrap.dedent(code))
        best: dict | None = None
        for _ in range(self.repeat):
            proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                                  env={**os.environ, **self.env, **(env or {})})
            if proc.returncode:
                raise RuntimeError(proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "child failed")
            out = json.loads(proc.stdout.strip().splitlines()[-1])
            if best is None or out["seconds"] < best["seconds"]:
                out["max_rss_mb"] = max(out["max_rss_mb"], best["max_rss_mb"] if best else 0)
                best = out
            else:
                best["max_rss_mb"] = max(best["max_rss_mb"], out["max_rss_mb"])
        return best

    def shell(self, command: str) -> float:
        """The fastest wall time of a shell command over ``repeat`` runs."""
        times = []
        for _ in range(self.repeat):
            start = time.perf_counter()
            subprocess.run(command, shell=True, check=True, stdout=subprocess.DEVNULL)
            times.append(time.perf_counter() - start)
        return min(times)

    def ratio(self, seconds: float) -> str:
        return f"{seconds / self.baseline:.2f}x" if self.baseline else ""


ROWS: list[tuple[str, Callable[[Bench], Row | list[Row]]]] = []


def row(name: str):
    """Register a table row (or rows) computed by ``fn(bench)``."""
    def deco(fn):
        ROWS.append((name, fn))
        return fn
    return deco


@row("baseline")
def baseline_row(bench: Bench) -> Row:
    bench.baseline = bench.shell(BASELINE.format(archive=bench.archive))
    return Row("zstd -dc | tar -t", bench.baseline, "1.00x", None, "baseline")


@row("cold-index")
def cold_index_row(bench: Bench) -> Row:
    # Interleaved with the baseline, run by run, so a change in machine load hits both alike.
    code = """
        from distscope.tui.archive.index import Scan
        timer()
        index = Scan(ARCHIVE).run()
        assert index.complete, index.error
        result = {"members": len(index.members)}
    """
    repeat, bench.repeat = bench.repeat, 1
    try:
        pairs = [(bench.shell(BASELINE.format(archive=bench.archive)), bench.child(code)) for _ in range(repeat)]
    finally:
        bench.repeat = repeat
    base = min(b for b, _ in pairs)
    out = min((o for _, o in pairs), key=lambda o: o["seconds"])
    rss = max(o["max_rss_mb"] for _, o in pairs)
    ratio = out["seconds"] / base
    return Row("cold index (Scan, SHA-256, no analysers)", out["seconds"], bench.ratio(out["seconds"]), rss,
               f"{out['members']:,} members; {ratio:.2f}x of an interleaved baseline ({base:.2f} s), goal <= 1.15x")


@row("cold-open")
def cold_open_row(bench: Bench) -> Row:
    out = bench.child("""
        from distscope.tui.session import open_index
        timer()
        index = open_index(ARCHIVE, use_cache=False)
        result = {"members": len(index.members)}
    """)
    return Row("cold open_index --no-cache (default analysers)", out["seconds"], bench.ratio(out["seconds"]),
               out["max_rss_mb"], "")


@row("cold-report")
def cold_report_row(bench: Bench) -> list[Row]:
    """A cold report (every analyser, binary analysis, the report built and rendered), in-process
    and as the whole ``distscope --no-cache report`` command, each interleaved with the baseline."""
    code = """
        from distscope.tui.session import build_report, to_text
        from distscope.tui.session import open_index
        timer()
        index = open_index(ARCHIVE, use_cache=False, keep_small=False)  # as `distscope report`
        text = to_text(build_report(index))
        result = {"binaries": len(index.results["binaries"].binaries)}
    """
    command = f"'{sys.executable}' -m distscope.tui.cli --no-cache report '{bench.archive}'"
    repeat, bench.repeat = bench.repeat, 1
    try:
        runs = [(bench.shell(BASELINE.format(archive=bench.archive)), bench.child(code), bench.shell(command))
                for _ in range(repeat)]
    finally:
        bench.repeat = repeat
    base = min(b for b, _, _ in runs)
    out = min((o for _, o, _ in runs), key=lambda o: o["seconds"])
    cli = min(c for _, _, c in runs)
    rss = max(o["max_rss_mb"] for _, o, _ in runs)
    return [Row("cold report (open_index --no-cache + build + render)", out["seconds"], bench.ratio(out["seconds"]),
                rss, f"{out['binaries']} binaries analysed; {out['seconds'] / base:.2f}x of an interleaved baseline "
                     f"({base:.2f} s), goal <= 1.15x"),
            Row("`distscope --no-cache report`, whole command", cli, bench.ratio(cli), None,
                f"{cli / base:.2f}x of the interleaved baseline; interpreter start and imports included")]


@row("cpu-budget")
def cpu_budget_rows(bench: Bench) -> list[Row]:
    """Where the cold report's CPU goes, per thread and per analyser (``time.thread_time``), and
    the wall time no scheduling can beat: all of it spread over every CPU. The parsing and the
    analysis threads also share the GIL: their sum is a second bound. One run, not the fastest."""
    code = """
        import os, resource, threading, time
        cpu = {}
        run = threading.Thread.run
        def timed(self):
            try:
                run(self)
            finally:
                cpu[self.name] = cpu.get(self.name, 0.0) + time.thread_time()
        threading.Thread.run = timed
        from distscope.tui import session
        feeds = {}
        make = session.analysers
        def analysers():
            out = make()
            for a in out:
                def feed(member, data, complete, _feed=a.feed, _name=a.name):
                    start = time.thread_time()
                    try:
                        _feed(member, data, complete)
                    finally:
                        feeds[_name] = feeds.get(_name, 0.0) + time.thread_time() - start
                a.feed = feed
            return out
        session.analysers = analysers
        timer()
        start = time.thread_time()
        index = session.open_index(ARCHIVE, use_cache=False, keep_small=False)
        parsing = time.thread_time() - start
        session.to_text(session.build_report(index))
        report = time.thread_time() - start - parsing
        usage = resource.getrusage(resource.RUSAGE_SELF)
        result = {"cpu": cpu, "feeds": feeds, "parsing": parsing, "report": report,
                  "total": usage.ru_utime + usage.ru_stime}
    """
    repeat, bench.repeat = bench.repeat, 1
    try:
        out = bench.child(code)
    finally:
        bench.repeat = repeat
    zstd = subprocess.run(["bash", "-c", f"TIMEFORMAT=%U; time zstd -dc --long=31 '{bench.archive}' > /dev/null"],
                          capture_output=True, text=True, check=True).stderr.strip().splitlines()[-1]
    cpus = os.cpu_count() or 1
    cpu = out["cpu"]
    feeds = ", ".join(f"{k} {v:.2f}" for k, v in sorted(out["feeds"].items(), key=lambda kv: -kv[1]) if v >= 0.005)
    analysis = cpu.get("distscope-analysis", 0.0)
    floor = out["total"] / cpus
    return [Row("CPU: `zstd -dc` alone (user)", float(zstd), bench.ratio(float(zstd)), None, "the decompression floor"),
            Row("CPU: decompression thread", cpu.get("distscope-decompress"), "", None, ""),
            Row("CPU: parsing thread (tar headers, classification, offers, SHA-256 in its waits)", out["parsing"],
                "", None, ""),
            Row("CPU: analysis thread", analysis, "", None, f"feeds: {feeds}"),
            Row("CPU: report built and rendered after the pass", out["report"], "", None, ""),
            Row(f"CPU in all (process) / {cpus} CPUs", floor, bench.ratio(floor), None,
                f"{out['total']:.2f} s of CPU (imports included): no wall time below this; the parsing "
                f"and analysis threads and the report share one GIL: {out['parsing'] + analysis + out['report']:.2f} s")]


@row("reopen")
def reopen_row(bench: Bench) -> list[Row]:
    cold = bench.child("""
        from distscope.tui.archive.cache import IndexCache
        from distscope.tui.session import open_index
        IndexCache().entry_path(ARCHIVE).unlink(missing_ok=True)
        timer()
        open_index(ARCHIVE)
    """)
    warm = bench.child("""
        from distscope.tui import session
        session.Scan = None  # a cache miss would fail here
        timer()
        index = session.open_index(ARCHIVE)
        result = {"members": len(index.members)}
    """)
    share = warm["seconds"] / cold["seconds"]
    return [Row("cold open_index, writing the cache", cold["seconds"], bench.ratio(cold["seconds"]),
                cold["max_rss_mb"], ""),
            Row("reopen from the cache (fresh process)", warm["seconds"], bench.ratio(warm["seconds"]),
                warm["max_rss_mb"], f"{share:.3f}x of cold (goal <= 0.05x), {warm['members']:,} members")]


_LAST_MEMBER = """
from distscope.tui.archive.reader import MemberReader
from distscope.tui.session import open_index
index = open_index(ARCHIVE)
last = max((m for m in index.members if m.type == "file" and m.size), key=lambda m: m.data_offset)
"""


@row("read-last")
def read_last_row(bench: Bench) -> list[Row]:
    first = bench.child(_LAST_MEMBER + """
import shutil, time
from distscope.tui.archive.copies import copies_dir
shutil.rmtree(copies_dir(), ignore_errors=True)
reader = MemberReader(index)
timer()
data = reader.read(last.path)
read_s = time.perf_counter() - _start[0]
assert len(data) == last.size and reader.wait_copy()
result = {"read": read_s, "size": last.size}
""")
    second = bench.child(_LAST_MEMBER + """
reader = MemberReader(index)
timer()
data = reader.read(last.path)
assert len(data) == last.size and dict(reader.stats) == {"copy": 1}, reader.stats
""")
    name = subprocess.run([sys.executable, "-c", _LAST_NAME, str(bench.archive)], capture_output=True, text=True,
                          env={**os.environ, **bench.env}, check=True).stdout.strip()
    cat = bench.shell(f"DISTSCOPE_CACHE_DIR='{bench.env['DISTSCOPE_CACHE_DIR']}' '{sys.executable}' -m distscope.tui.cli "
                      f"cat '{bench.archive}' '{name}'")
    return [Row("read the last member, first time", first["read"], bench.ratio(first["read"]), first["max_rss_mb"],
                f"one pass that also writes the seekable copy (done after {first['seconds']:.2f} s)"),
            Row("read the last member, second time (fresh process)", second["seconds"],
                bench.ratio(second["seconds"]), second["max_rss_mb"], "from the seekable copy"),
            Row("`distscope cat` of the last member, second run", cat, bench.ratio(cat), None,
                "whole command: interpreter start, imports, cache load, read")]


_LAST_NAME = ("import sys; sys.path.insert(0, '{root}'); from distscope.tui.session import open_index; "
              "i = open_index(sys.argv[1]); "
              "print(max((m for m in i.members if m.type == 'file' and m.size), key=lambda m: m.data_offset).path)"
              ).format(root=str(ROOT))


# -- main --------------------------------------------------------------------------------------
def _fmt(row: Row) -> str:
    sec = f"{row.seconds:.2f} s" if row.seconds is not None else ""
    rss = f"{row.rss_mb:.0f} MB" if row.rss_mb is not None else ""
    return f"| {row.label} | {sec} | {row.ratio} | {rss} | {row.note} |"


def run_table(bench: Bench, only: list[str] | None) -> None:
    size = bench.archive.stat().st_size
    print(f"\n{bench.archive.name}: {size / 1e6:,.0f} MB compressed\n")
    print("| measurement | time | vs baseline | peak RSS | notes |")
    print("|---|---|---|---|---|")
    for name, fn in ROWS:
        if only and name not in only and name != "baseline":
            continue
        try:
            rows = fn(bench)
        except Exception as exc:  # one broken row must not hide the others
            rows = Row(name, note=f"failed: {exc}")
        for r in rows if isinstance(rows, list) else [rows]:
            print(_fmt(r), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (fastest wins)")
    parser.add_argument("--only", action="append", help="row names to run (repeatable)")
    parser.add_argument("--long", action="store_true", help="also a 128 MiB-window archive (zstd --long=27)")
    parser.add_argument("--long-level", default="-9",
                        help="zstd level for the --long archive (default -9; -19 as PBS uses takes ~15 min on 2 CPUs)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the archives")
    parser.add_argument("--archive", type=Path, help="benchmark this archive instead of building one")
    args = parser.parse_args()
    if args.archive:
        archives = [args.archive]
    else:
        archives = [build_archive("interp.tar.zst", ["-3"], rebuild=args.rebuild)]
        if args.long:
            archives.append(build_archive(f"interp-long27{args.long_level}.tar.zst",
                                          [args.long_level, "--long=27"], rebuild=args.rebuild))
    compile_project()
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {load} at start")
    for archive in archives:
        cache = WORK / "cache"  # the benchmark's own cache folder, never the user's
        run_table(Bench(archive, repeat=args.repeat, env={"DISTSCOPE_CACHE_DIR": str(cache)}), args.only)


if __name__ == "__main__":
    main()
