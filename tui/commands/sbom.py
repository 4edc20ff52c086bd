"""``distscope sbom ARCHIVE --format cyclonedx|spdx [-o FILE]``: the component inventory as an SBOM."""

from __future__ import annotations

import argparse
import sys

from distscope.tui.errors import EXIT_BAD_INPUT, EXIT_OK, DistscopeError


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sbom", help="software bill of materials: CycloneDX 1.6 or SPDX 2.3 JSON",
                       description="Write the distribution's components (CPython, the libraries it bundles, "
                                   "site-packages) as an SBOM, with package URLs, licences, the SHA-256 of the "
                                   "files that carry them and which binary loads which. Deterministic: two "
                                   "runs give the same bytes. Needs the 'sbom' extra.")
    p.add_argument("archive")
    p.add_argument("--format", choices=("cyclonedx", "spdx"), default="cyclonedx")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    p.add_argument("--now", action="store_true",
                   help="stamp the document with the current time (default: SOURCE_DATE_EPOCH, else the "
                        "newest member time, so that the output is reproducible)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from distscope.tui.meta import sbom
    from distscope.tui.meta.inventory import build_inventory
    from distscope.tui.session import open_index

    try:
        sbom._require()
    except sbom.MissingLibraries as exc:
        raise DistscopeError(str(exc)) from None
    index = open_index(args.archive, use_cache=not args.no_cache, keep_small=False)
    inventory = build_inventory(index)
    created = sbom.created_time(index, now=args.now)
    try:
        if args.format == "cyclonedx":
            text = sbom.cyclonedx_json(inventory, created if args.now else None)
        else:
            text = sbom.spdx_json(inventory, created)
    except ValueError as exc:  # (the library refused the document: a bug here, said in one line)
        raise DistscopeError(f"internal error: {' '.join(str(exc).split())[:300]}") from None
    if args.output:
        with open(args.output, "w", encoding="utf-8") as handle:
            handle.write(text)
    else:
        sys.stdout.write(text)
    if index.error:
        print(f"distscope: {index.error} (the SBOM covers what was read)", file=sys.stderr)
        return EXIT_BAD_INPUT
    return EXIT_OK
