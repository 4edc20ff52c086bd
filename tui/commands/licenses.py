"""``distscope licenses ARCHIVE [--texts] [--json]``: the licensed components, and their texts."""

from __future__ import annotations

import argparse
import json
import sys

from typing import TYPE_CHECKING

from distscope.tui.commands.output import inert, write
from distscope.tui.errors import EXIT_BAD_INPUT, EXIT_OK, complain
from distscope.tui.safetext import visible
from distscope.tui.session import open_index

if TYPE_CHECKING:
    from distscope.tui.archive.index import ArchiveIndex
    from distscope.tui.model.licences import Licences


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("licenses", help="list licensed components (SPDX ids, licence files, GPL evidence)",
                       description="List the distribution's licensed components with their SPDX ids and "
                                   "licence files, and say whether anything is GPL-licensed.")
    p.add_argument("archive")
    p.add_argument("--texts", action="store_true",
                   help="also print every licence text (a third-party notice file)")
    p.add_argument("--json", action="store_true", help="print the licences section as JSON")
    p.set_defaults(func=run)


def notice_text(index: ArchiveIndex, data: Licences) -> str:
    """Every licence text, grouped by component, for a notice file (for a terminal: names and
    paths escaped, the texts keep only their line breaks and tabs)."""
    from distscope.tui.meta.licenses import licence_texts

    texts = licence_texts(index)
    out: list[str] = []
    printed: set[str] = set()
    for component in data.components:
        for path in component.files:
            if path in printed:
                continue
            printed.add(path)
            text = texts.get(path)
            ids = ", ".join(component.licenses) or "unknown"
            out += ["=" * 78, visible(f"{component.name} ({ids})"), visible(path), "=" * 78, ""]
            out.append(visible(text.rstrip("\n"), "\n\t") if text is not None else "(text not kept: too large)")
            out.append("")
    return "\n".join(out) + ("\n" if out else "")


def run(args: argparse.Namespace) -> int:
    from distscope.tui.meta.licenses import summarize
    from distscope.tui.model.codec import to_plain
    from distscope.tui.report.metadata import licences_lines

    index = open_index(args.archive, verify=args.verify, use_cache=not args.no_cache, keep_small=False)
    data = summarize(index)
    if args.json:
        payload = to_plain(data)
        if args.texts:
            from distscope.tui.meta.licenses import licence_texts
            texts = licence_texts(index)
            payload["texts"] = {f.path: texts.get(f.path) for f in data.files}
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    else:
        write("\n".join(licences_lines(inert(data))) + "\n")
        if args.texts:  # (the texts keep their line breaks and tabs, the rest is escaped)
            write("\n" + notice_text(index, data), keep="\n\t")
    if index.trailing:
        complain(f"note: {index.trailing}")
    if index.error:
        complain(index.error)
        return EXIT_BAD_INPUT
    return EXIT_OK
