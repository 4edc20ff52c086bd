"""The ``distscope`` command line."""

from __future__ import annotations

import argparse
import importlib
import sys

from tui import __version__
from tui.errors import EXIT_BAD_INPUT, DistscopeError

#: Sub-command modules under tui.commands; each registers its parsers.
COMMAND_MODULES = ["summary", "ls", "cat", "extract", "licenses", "report", "app"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="distscope",
        description="Browse a standalone Python distribution (.tar.zst, .tar.gz ...) without extracting it.",
    )
    parser.add_argument("--version", action="version", version=f"distscope {__version__}")
    parser.add_argument("--no-cache", action="store_true", help="neither read nor write the index cache")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"tui.commands.{name}").register(sub)
    return parser


def _default_command(argv: list[str], commands: set[str]) -> list[str]:
    """``distscope ARCHIVE`` means ``distscope open ARCHIVE`` (or summary, without the app)."""
    default = "open" if "open" in commands else "summary"
    for i, arg in enumerate(argv):
        if arg.startswith("-"):
            continue
        if arg not in commands:
            return [*argv[:i], default, *argv[i:]]
        return argv
    return [*argv, default] if "open" in commands and not any(a in ("-h", "--help", "--version") for a in argv) else argv


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    commands = set(parser._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    args = parser.parse_args(_default_command(argv, commands))
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        return args.func(args)
    except DistscopeError as exc:
        if args.debug:
            raise
        print(f"distscope: {exc.message}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
