"""``distscope licenses ARCHIVE [--texts] [--json]``: the licensed components, and their texts."""

from __future__ import annotations

import argparse
import json
import sys

from distscope.tui.commands.output import inert, write
from distscope.tui.safetext import visible
from distscope.tui.errors import EXIT_BAD_INPUT, EXIT_OK, complain
from distscope.tui.session import open_index


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("licenses", help="list licensed components (SPDX ids, licence files, GPL evidence)",
                       description="List the distribution's licensed components with their SPDX ids and "
                                   "licence files, and say whether anything is GPL-licensed.")
    p.add_argument("archive")
    p.add_argument("--texts", action="store_true",
                   help="also print every licence text (a third-party notice file)")
    p.add_argument("--json", action="store_true", help="print the licences section as JSON")
    p.set_defaults(func=run)


def notice_text(index, data: dict) -> str:
    """Every licence text, grouped by component, for a notice file (for a terminal: names and
    paths escaped, the texts keep only their line breaks and tabs)."""
    from distscope.tui.meta.licenses import text_of

    out: list[str] = []
    printed: set[str] = set()
    for component in data["components"]:
        for path in component["files"]:
            if path in printed:
                continue
            printed.add(path)
            text = text_of(index, path)
            ids = ", ".join(component["licenses"]) or "unknown"
            out += ["=" * 78, visible(f"{component['name']} ({ids})"), visible(path), "=" * 78, ""]
            out.append(visible(text.rstrip("\n"), "\n\t") if text is not None else "(text not kept: too large)")
            out.append("")
    return "\n".join(out) + ("\n" if out else "")


def run(args: argparse.Namespace) -> int:
    from distscope.tui.meta import sections
    from distscope.tui.meta.licenses import summarize

    index = open_index(args.archive, verify=args.verify, use_cache=not args.no_cache, keep_small=False)
    data = summarize(index)
    if args.json:
        payload = dict(data)
        if args.texts:
            from distscope.tui.meta.licenses import text_of
            payload["texts"] = {f["path"]: text_of(index, f["path"]) for f in data["files"]}
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    else:
        write("\n".join(sections.licenses_text(inert(data), {})) + "\n")
        if args.texts:  # (the texts keep their line breaks and tabs, the rest is escaped)
            write("\n" + notice_text(index, data), keep="\n\t")
    if index.trailing:
        complain(f"note: {index.trailing}")
    if index.error:
        complain(index.error)
        return EXIT_BAD_INPUT
    return EXIT_OK
