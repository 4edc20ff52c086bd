"""``distscope diff OLD NEW``: what changed between two distributions, for a reviewer and for CI."""

from __future__ import annotations

import argparse
import sys

from distscope.tui.errors import EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, DistscopeError

#: ``--fail-on`` values: a category of the diff (see distscope.tui.model.diff.CATEGORIES), or
#: ``any``; ``findings`` means new error or warning findings, ``gpl`` a change of the GPL verdict
#: or of the components carrying GPL code.
FAIL_ON = ("any", "python", "components", "requirements", "findings", "licences", "gpl", "members")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "diff", help="what changed between two distributions (components, requirements, findings, ...)",
        description="Compare two distributions: Python, components, runtime requirements, findings, licences "
                    "and members, the summary first. Archives of different Python versions or layouts are "
                    "compared by role (lib/python3.12/x meets lib/python3.13/x). Exit 0 when nothing "
                    "--fail-on names differs (default: nothing), 1 when something does, 2 on bad input.")
    p.add_argument("old", metavar="OLD")
    p.add_argument("new", metavar="NEW")
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    p.add_argument("--members", action="store_true",
                   help="list every member added, removed or changed (default: a summary by folder)")
    p.add_argument("--content", action="store_true",
                   help="also compare every file's content by SHA-256 (reads both archives once more; "
                        "default: type, size, mode and link target, and the hashes the inventory has)")
    p.add_argument("--fail-on", default="", metavar="WHAT",
                   help="comma-separated categories whose difference makes the exit code 1: "
                        + ", ".join(FAIL_ON) + " (default: none)")
    p.set_defaults(func=run_diff)


def _fail_on(text: str) -> list[str]:
    wanted = [w.strip() for w in text.split(",") if w.strip()]
    bad = [w for w in wanted if w not in FAIL_ON]
    if bad:
        raise DistscopeError(f"--fail-on: unknown {', '.join(map(repr, bad))}; choose from {', '.join(FAIL_ON)}")
    return wanted


def failing(diff, wanted: list[str]) -> list[str]:
    """The ``--fail-on`` names that ``diff`` trips."""
    differs = set(diff.differs())
    out = []
    for w in wanted:
        if w == "any":
            hit = bool(differs)
        elif w == "findings":
            hit = any(f.severity in ("error", "warning") for f in diff.findings.new)
        elif w == "gpl":
            lic = diff.licences
            hit = bool(lic.gpl_free is not None or lic.gpl_added or lic.gpl_removed)
        else:
            hit = w in differs
        if hit:
            out.append(w)
    return out


def run_diff(args: argparse.Namespace) -> int:
    wanted = _fail_on(args.fail_on)
    from distscope.tui.diff.compare import compare
    from distscope.tui.diff.load import analyse
    from distscope.tui.diff.render import to_json, to_markdown, to_text

    verify = getattr(args, "verify", False)
    old = analyse(args.old, use_cache=not args.no_cache, content=args.content, verify=verify)
    new = analyse(args.new, use_cache=not args.no_cache, content=args.content, verify=verify)
    diff = compare(old, new)
    render = {"json": to_json, "markdown": to_markdown, "text": to_text}[args.format]
    sys.stdout.write(render(diff, members=args.members))
    sys.stdout.flush()
    tripped = failing(diff, wanted)
    if tripped:
        print(f"distscope: the distributions differ in {', '.join(tripped)} (--fail-on)", file=sys.stderr)
        return EXIT_FINDINGS
    return EXIT_OK


__all__ = ["register", "run_diff", "failing", "FAIL_ON", "EXIT_BAD_INPUT"]
