"""The ``distscope`` command line."""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import threading

from distscope.tui import __version__, gcpause
from distscope.tui.archive.limits import DEFAULT_MAX_MEMBERS, DEFAULT_MAX_WINDOW, configured, parse_size
from distscope.tui.commands import app, cat, extract, licenses, ls, report, sbom, summary
from distscope.tui.errors import EXIT_BAD_INPUT, DistscopeError, complain

#: The sub-command modules, in --help order; each registers its parsers.
COMMANDS = (summary, ls, cat, extract, licenses, report, sbom, app)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="distscope",
        description="Browse a standalone Python distribution (.tar.zst, .tar.gz ...) without extracting it.",
    )
    parser.add_argument("--version", action="version", version=f"distscope {__version__}")
    add_global_flags(parser, defaults=True)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.register(sub)
    for parser_ in sub.choices.values():  # global flags are accepted after the command too
        add_global_flags(parser_, defaults=False)
    return parser


def _size(text: str) -> int:
    try:
        return parse_size(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (say 256M or 1G)") from None


def _count(text: str) -> int:
    try:
        value = int(text.replace("_", "").replace(",", ""))
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"not a positive number: {text!r}")
    return value


def add_global_flags(parser: argparse.ArgumentParser, defaults: bool) -> None:
    """The flags every command takes, before or after its name. On a sub-command their default
    is SUPPRESS, so that a flag given before the command is not reset by the sub-parser."""

    def default(value):
        return value if defaults else argparse.SUPPRESS

    parser.add_argument("--no-cache", action="store_true", default=default(False),
                        help="neither read nor write the index cache")
    parser.add_argument("--verify", action="store_true", default=default(False),
                        help="re-hash the archive even when its index comes from the cache")
    parser.add_argument("--debug", action="store_true", default=default(False), help="show tracebacks for errors")
    parser.add_argument("--max-window", type=_size, default=default(None), metavar="SIZE",
                        help=f"largest zstd window / xz dictionary to decode (default "
                             f"{DEFAULT_MAX_WINDOW >> 20}M, as the zstd tool)")
    parser.add_argument("--max-members", type=_count, default=default(None), metavar="N",
                        help=f"most members to read from one archive (default {DEFAULT_MAX_MEMBERS:,})")


#: Options (of any command) that take a value: the value is not a command or an archive.
_VALUED = frozenset({"--max-window", "--max-members", "--format", "-j", "--jobs", "-C", "--directory",
                     "--fail-on", "--host", "--port", "-o", "--output"})


def _default_command(argv: list[str], commands: set[str]) -> list[str]:
    """``distscope [ARCHIVE]`` means ``distscope open [ARCHIVE]``: the app on a terminal, the
    text report when standard output is not a terminal (scripts, pipes)."""
    if any(a in ("-h", "--help", "--version") for a in argv):
        return argv
    interactive = sys.stdin.isatty() and sys.stdout.isatty()
    default = "open" if interactive else "report"
    positional = [i for i, a in enumerate(argv) if not a.startswith("-") and not (i and argv[i - 1] in _VALUED)]
    if not positional:
        return [*argv, default] if interactive else argv
    i = positional[0]
    if argv[i] in commands:
        return argv
    if not os.path.exists(argv[i]) and "." not in argv[i] and "/" not in argv[i]:
        close = difflib.get_close_matches(argv[i], sorted(commands), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise DistscopeError(f"unknown command {argv[i]!r}{hint}; see 'distscope --help'")
    return [*argv[:i], default, *argv[i:]]


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    commands = set(parser._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    try:
        argv = _default_command(argv, commands)
    except DistscopeError as exc:
        complain(exc.message)
        return exc.exit_code
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        with configured(max_window=args.max_window, max_members=args.max_members):
            return args.func(args)
    except DistscopeError as exc:
        if args.debug:
            raise
        complain(exc.message)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader went away (``| head``): exit as tools killed by SIGPIPE do, so that a
        # pipeline under ``set -o pipefail`` never mistakes a cut-off ``check`` for success.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 128 + 13


def run() -> None:
    """The console entry point: :func:`main` with process tuning on (the collector paused and a
    short switch interval during a pass, :mod:`distscope.tui.gcpause`), then a quick exit when
    nothing is left to finish (output flushed, no other non-daemon thread). A normal exit frees
    every object one by one: about 50 ms after a report on 64,000 members, for nothing (mypy skips
    it the same way). A library caller of :func:`main` gets neither."""
    gcpause.enable()
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:  # (say, a reader gone at the last flush: the normal exit deals with it)
        sys.exit(code)
    if all(t.daemon or t is threading.main_thread() for t in threading.enumerate()):
        if "logging" in sys.modules:  # (imported by concurrent.futures; nothing configures it)
            sys.modules["logging"].shutdown()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    run()
