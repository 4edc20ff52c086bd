"""``distscope open [ARCHIVE]`` (the app; no archive: the demo distribution) and
``distscope serve [ARCHIVE]`` (the app in a browser, with the optional textual-serve extra)."""

from __future__ import annotations

import argparse
import os
import shlex
import sys

from distscope.tui.errors import EXIT_BAD_INPUT, EXIT_OK, DistscopeError, complain


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("open", help="browse an archive in the terminal app (no archive: a demo distribution)")
    p.add_argument("archive", nargs="?", help="a .tar.zst / .tar.gz / ... distribution; omit for the demo")
    p.add_argument("new", nargs="?", metavar="NEW",
                   help="a second archive: open NEW and show what changed from ARCHIVE (the Diff screen)")
    p.set_defaults(func=run_open)
    s = sub.add_parser("serve", help="serve the app in a web browser (needs distscope[serve])")
    s.add_argument("archive", nargs="?", help="archive to open; omit for the demo")
    s.add_argument("--host", default="localhost")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--idle-timeout", type=float, default=1800.0, metavar="SECONDS",
                   help="end a session after this long without a key or a click (default 1800)")
    s.set_defaults(func=run_serve)


def _target(archive: str | None) -> tuple[str, str | None]:
    if archive:
        return archive, None
    from distscope.tui.demo import demo_archive

    path = demo_archive()
    return str(path), "demo distribution"


def run_open(args: argparse.Namespace) -> int:
    archive, title = _target(args.archive)
    from distscope.tui.app import DistscopeApp

    if getattr(args, "new", None):  # ``distscope OLD NEW``: open NEW, show the diff from OLD
        app = DistscopeApp(args.new, use_cache=not args.no_cache, compare_with=archive)
    else:
        app = DistscopeApp(archive, use_cache=not args.no_cache, title=title)
    app.run()
    if app.error:
        complain(app.error)
        return EXIT_BAD_INPUT
    return app.return_code or EXIT_OK


def run_serve(args: argparse.Namespace) -> int:
    try:
        from textual_serve.server import Server
    except ImportError:
        raise DistscopeError("serving needs the optional extra: pip install 'distscope[serve]'") from None
    archive, _ = _target(args.archive)
    command = [sys.executable, "-m", "distscope.tui"]
    if args.no_cache:
        command.append("--no-cache")
    command += ["open", os.path.abspath(archive)]
    # Each session's app watches this process and its own input: it ends when serve is gone
    # (SIGTERM, Ctrl+C, a crash) or after --idle-timeout seconds without a key or a click;
    # a closed websocket ends it at once (textual-serve tells the app to quit).
    os.environ["DISTSCOPE_SERVE_PID"] = str(os.getpid())
    os.environ["DISTSCOPE_IDLE_TIMEOUT"] = str(args.idle_timeout)
    print(f"Serving distscope on http://{args.host}:{args.port} (Ctrl+C stops)", file=sys.stderr)
    Server(shlex.join(command), host=args.host, port=args.port, title="distscope").serve()
    return EXIT_OK
