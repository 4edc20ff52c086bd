"""``distscope licenses ARCHIVE [--texts] [--json]``: the licensed components, and their texts."""

from __future__ import annotations

import argparse
import json
import sys

from typing import TYPE_CHECKING

from distscope.tui.errors import EXIT_BAD_INPUT, EXIT_OK
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
    """Every licence text, grouped by component, for a notice file."""
    from distscope.tui.meta.licenses import text_of

    out: list[str] = []
    printed: set[str] = set()
    for component in data.components:
        for path in component.files:
            if path in printed:
                continue
            printed.add(path)
            text = text_of(index, path)
            ids = ", ".join(component.licenses) or "unknown"
            out += ["=" * 78, f"{component.name} ({ids})", path, "=" * 78, ""]
            out.append(text.rstrip("\n") if text is not None else "(text not kept: too large)")
            out.append("")
    return "\n".join(out) + ("\n" if out else "")


def run(args: argparse.Namespace) -> int:
    from distscope.tui.meta.licenses import summarize
    from distscope.tui.model.codec import to_plain
    from distscope.tui.report.metadata import licences_lines

    index = open_index(args.archive, use_cache=not args.no_cache, keep_small=False)
    data = summarize(index)
    if args.json:
        payload = to_plain(data)
        if args.texts:
            from distscope.tui.meta.licenses import text_of
            payload["texts"] = {f.path: text_of(index, f.path) for f in data.files}
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    else:
        sys.stdout.write("\n".join(licences_lines(data)) + "\n")
        if args.texts:
            sys.stdout.write("\n" + notice_text(index, data))
    if index.error:
        print(f"distscope: {index.error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK
