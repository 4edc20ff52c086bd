"""``distscope report ARCHIVE...`` (the full analysis) and ``distscope check ARCHIVE...`` (only the
problems, exit 1 on any error finding: for CI). Several archives are analysed in parallel processes."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import TYPE_CHECKING, Any

from distscope.tui.archive.limits import LIMITS, configured
from distscope.tui.commands.output import inert, write
from distscope.tui.errors import EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, DistscopeError, complain

if TYPE_CHECKING:
    from distscope.tui.model.findings import Finding
    from distscope.tui.model.report import Report


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("report", help="full analysis: verdict, problems, requirements, dependencies, binaries",
                       description="Analyse each archive and print the full report: the verdict first, then "
                                   "the problems, then the details. Exit 0 unless an input is bad (2).")
    p.add_argument("archives", nargs="+", metavar="ARCHIVE")
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text",
                   help="output format (json: one object, or a list of objects for several archives)")
    p.add_argument("-j", "--jobs", type=int, default=None, help="parallel processes (default: CPU count)")
    p.set_defaults(func=run_report)

    c = sub.add_parser("check", help="only the problems; exit 1 when any error finding exists (for CI)",
                       description="Analyse each archive and print only its problems (errors and warnings). "
                                   "Exit 1 when any archive has an error finding, 2 on bad input, else 0.")
    c.add_argument("archives", nargs="+", metavar="ARCHIVE")
    c.add_argument("--format", choices=("text", "json"), default="text")
    c.add_argument("--fail-on", choices=("error", "warning"), default="error",
                   help="lowest severity that makes the exit code 1 (default: error)")
    c.add_argument("-j", "--jobs", type=int, default=None, help="parallel processes (default: CPU count)")
    c.set_defaults(func=run_check)


def analyse(path: str, use_cache: bool = True, verify: bool = False) -> dict[str, Any]:
    """One archive's report, or ``{"bad_input": message}``. Never raises (runs in a worker)."""
    from distscope.tui.session import build_report, open_index

    try:
        if not os.path.exists(path):
            return {"bad_input": f"{path}: no such file"}
        if os.path.isdir(path):
            return {"bad_input": f"{path}: is a directory, not an archive"}
        index = open_index(path, use_cache=use_cache, keep_small=False, verify=verify)  # reads no content
        report = build_report(index)
        damaged = index.error if index.error and index.error != "cancelled" else None
        return {"report": report, "damaged": damaged, "note": index.trailing}
    except DistscopeError as exc:
        # Most errors already name the file ("x.zip: a zip archive ..."): do not name it twice.
        message, base = exc.message, os.path.basename(path)
        if message.startswith(f"{base}: ") and not message.startswith(f"{path}:"):
            message = message[len(base) + 2:]
        if not message.startswith(f"{path}:"):
            message = f"{path}: {message}"
        return {"bad_input": message}
    except Exception as exc:  # a bug must not become a traceback for the user
        return {"bad_input": f"{path}: internal error: {type(exc).__name__}: {exc}"}


def analyse_all(paths: list[str], use_cache: bool = True, jobs: int | None = None,
                verify: bool = False) -> list[dict[str, Any]]:
    """Reports for ``paths`` in order; several archives in parallel processes."""
    if len(paths) == 1:
        return [analyse(paths[0], use_cache, verify)]
    workers = max(1, min(jobs or os.cpu_count() or 1, len(paths)))
    if workers == 1:
        return [analyse(p, use_cache, verify) for p in paths]
    from concurrent.futures import ProcessPoolExecutor  # (only here: 8 ms of imports)

    limits = LIMITS.as_dict()
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(_analyse_with, path, use_cache, verify, limits) for path in paths]
        outcomes: list[dict | None] = [_outcome(future) for future in futures]
    # A dead worker (killed for memory, say) breaks the pool and every archive still in it:
    # analyse those again one process each, so that only the one that kills its worker fails.
    for i, outcome in enumerate(outcomes):
        if outcome is None:
            with ProcessPoolExecutor(max_workers=1) as pool:
                outcomes[i] = _outcome(pool.submit(_analyse_with, paths[i], use_cache, verify, limits)) or {
                    "bad_input": f"{paths[i]}: analysis failed: its process died (out of memory?)"}
    return [outcome or {} for outcome in outcomes]


def _analyse_with(path: str, use_cache: bool, verify: bool, limits: dict) -> dict:
    """:func:`analyse` in a worker process, under the parent's limits."""
    with configured(**limits):
        return analyse(path, use_cache, verify)


def _outcome(future) -> dict | None:
    """A worker's outcome; None when its process died."""
    from concurrent.futures.process import BrokenProcessPool

    try:
        return future.result()
    except BrokenProcessPool:
        return None


def _complain(outcomes: list[dict[str, Any]]) -> int:
    code = EXIT_OK
    for outcome in outcomes:
        if outcome.get("note"):
            complain(f"{outcome['report'].archive.path}: note: {outcome['note']}")
        message = outcome.get("bad_input") or outcome.get("damaged")
        if message:
            if outcome.get("damaged"):
                message = f"{outcome['report'].archive.path}: {message}"
            complain(message)
            code = EXIT_BAD_INPUT
    return code


def run_report(args: argparse.Namespace) -> int:
    from distscope.tui.session import to_json, to_markdown, to_text

    outcomes = analyse_all(args.archives, not args.no_cache, args.jobs, args.verify)
    reports: list[Report] = [o["report"] for o in outcomes if "report" in o]
    if args.format == "json":
        payload = reports[0] if len(args.archives) == 1 and reports else reports
        if reports or len(args.archives) > 1:
            sys.stdout.write(to_json(payload))
    else:
        render = to_markdown if args.format == "markdown" else to_text
        blocks = []
        for report in map(inert, reports):
            text = render(report)
            if len(args.archives) > 1:
                rule = "#" if args.format == "markdown" else "="
                if rule == "#":
                    title = f"# {report.archive.path}"
                else:  # the rule on its own line: 80 columns
                    title = f"{rule * 78}\n{report.archive.path}"
                text = f"{title}\n\n{text}"
            blocks.append(text)
        write("\n".join(blocks))
    sys.stdout.flush()
    return _complain(outcomes)


def _problems(report: Report, fail_on: str) -> tuple[list[Finding], bool]:
    wanted = ("error",) if fail_on == "error" else ("error", "warning")
    shown = ("error", "warning")
    return [f for f in report.findings if f.severity in shown], any(f.severity in wanted for f in report.findings)


def run_check(args: argparse.Namespace) -> int:
    from distscope.tui.model.codec import to_plain
    from distscope.tui.report.binaries import findings_lines
    from distscope.tui.report.layout import wrap

    outcomes = analyse_all(args.archives, not args.no_cache, args.jobs, args.verify)
    failed = False
    out: list[Any] = []
    for outcome in outcomes:
        report: Report | None = outcome.get("report")
        if report is None:
            continue
        if args.format != "json":
            report = inert(report)
        problems, fails = _problems(report, args.fail_on)
        failed |= fails
        if args.format == "json":
            out.append({"archive": report.archive.path, "verdict": to_plain(report.verdict),
                        "findings": to_plain(problems)})
        else:
            lines = wrap(f"{report.archive.path}: {report.verdict.headline}", "", "    ")
            if problems:
                lines += findings_lines(problems)[1:]
            out.append("\n".join(lines))
    if args.format == "json":
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
    elif out:
        write("\n\n".join(out) + "\n")
    sys.stdout.flush()
    code = _complain(outcomes)
    if code != EXIT_OK:
        return code
    return EXIT_FINDINGS if failed else EXIT_OK
