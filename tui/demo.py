"""The built-in demo distribution: a small, deterministic python-build-standalone-like archive
(full layout, Linux x86_64) with PYTHON.json, ELF and PE binaries whose dependencies include a
missing library and an unexpected system library, licence files and a few Python files."""

from __future__ import annotations

import io
import json
import os
import tarfile
from pathlib import Path

#: Bump when the demo's content changes (the file name carries it, so old copies are not reused).
DEMO_VERSION = 2
DEMO_NAME = f"cpython-3.12.7+demo{DEMO_VERSION}-x86_64-unknown-linux-gnu-pgo+lto-full.tar.zst"
MTIME = 1704067200  # 2024-01-01, as python-build-standalone sets it

LICENSES = {
    "LICENSE.cpython.txt": "A. HISTORY OF THE SOFTWARE\n==========================\n\nPython was created in the early "
                           "1990s by Guido van Rossum at Stichting\nMathematisch Centrum (CWI) in the Netherlands.\n\n"
                           "B. TERMS AND CONDITIONS FOR ACCESSING OR OTHERWISE USING PYTHON\n"
                           "PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2\n--------------------------------------------\n"
                           "1. This LICENSE AGREEMENT is between the Python Software Foundation (\"PSF\"), and\n"
                           "the Individual or Organization (\"Licensee\") accessing and otherwise using this\n"
                           "software (\"Python\") in source or binary form and its associated documentation.\n",
    "LICENSE.openssl-3.txt": "                                 Apache License\n                           Version 2.0, "
                             "January 2004\n                        https://www.apache.org/licenses/\n\n"
                             "   TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION\n",
    "LICENSE.libffi.txt": "Permission is hereby granted, free of charge, to any person obtaining\na copy of this "
                          "software and associated documentation files (the\n``Software''), to deal in the Software "
                          "without restriction (MIT).\n",
    "LICENSE.tcl-tk.txt": "This software is copyrighted by the Regents of the University of\nCalifornia, Sun "
                          "Microsystems, Inc., Scriptics Corporation, ActiveState\nCorporation and other parties "
                          "(TCL license).\n",
    "LICENSE.readline.txt": "                    GNU GENERAL PUBLIC LICENSE\n                       Version 3, 29 June "
                            "2007\n\n Copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/>\n",
}

OS_PY = '''"""OS routines for NT or Posix depending on what system we're on (demo excerpt)."""

import abc
import sys
import stat as st

from _collections_abc import _check_methods

GenericAlias = type(list[int])

_names = sys.builtin_module_names


def _exists(name):
    return name in globals()


def makedirs(name, mode=0o777, exist_ok=False):
    """makedirs(name [, mode=0o777][, exist_ok=False])

    Super-mkdir; create a leaf directory and all intermediate ones.
    """
    head, tail = path.split(name)
    if not tail:
        head, tail = path.split(head)
    if head and tail and not path.exists(head):
        makedirs(head, exist_ok=exist_ok)
    mkdir(name, mode)
'''

PIP_INIT = '''from typing import List, Optional

__version__ = "24.2"


def main(args: Optional[List[str]] = None) -> int:
    """This is an internal API only meant for use by pip's own console scripts."""
    from pip._internal.utils.entrypoints import _wrapper

    return _wrapper(args)
'''


def _extension(name: str, licenses, license_files, links=(), shared=True, variant="default") -> list[dict]:
    return [{
        "in_core": not shared, "init_fn": f"PyInit_{name}", "licenses": licenses,
        "license_paths": [f"licenses/{f}" for f in license_files], "license_public_domain": False,
        "links": [{"name": link, "system": True} if isinstance(link, str) else link for link in links],
        "objs": [f"build/Modules/{name.lstrip('_')}.o"], "required": False, "variant": variant,
        **({"shared_lib": f"install/lib/python3.12/lib-dynload/{name}.cpython-312-x86_64-linux-gnu.so"}
           if shared else {}),
    }]


def python_json() -> dict:
    return {
        "version": "8",
        "target_triple": "x86_64-unknown-linux-gnu",
        "build_options": "pgo+lto",
        "optimizations": "pgo+lto",
        "python_version": "3.12.7",
        "python_major_minor_version": "3.12",
        "python_tag": "cp312",
        "python_abi_tag": "cp312",
        "python_platform_tag": "linux-x86_64",
        "python_implementation_name": "cpython",
        "python_exe": "install/bin/python3.12",
        "python_paths": {"stdlib": "install/lib/python3.12", "include": "install/include/python3.12",
                         "purelib": "install/lib/python3.12/site-packages"},
        "python_extension_module_loading": ["builtin", "shared-library"],
        "python_symbol_visibility": "global-default",
        "libpython_link_mode": "shared",
        "crt_features": ["glibc-dynamic", "glibc-max-symbol-version:2.17"],
        "licenses": ["Python-2.0", "CNRI-Python"],
        "license_path": "licenses/LICENSE.cpython.txt",
        "build_info": {
            "core": {"objs": ["build/Python/ceval.o"], "links": [{"name": "dl", "system": True},
                                                                   {"name": "m", "system": True},
                                                                   {"name": "pthread", "system": True}],
                     "shared_lib": "install/lib/libpython3.12.so.1.0"},
            "extensions": {
                "_ctypes": _extension("_ctypes", ["MIT"], ["LICENSE.libffi.txt"], [{"name": "ffi", "path_static":
                                                                                     "build/lib/libffi.a"}], False),
                "_ssl": _extension("_ssl", ["Apache-2.0"], ["LICENSE.openssl-3.txt"],
                                   [{"name": "ssl", "path_static": "build/lib/libssl.a"}], False),
                "_tkinter": _extension("_tkinter", ["TCL"], ["LICENSE.tcl-tk.txt"],
                                       [{"name": "tcl8.6", "path_dynamic": "install/lib/libtcl8.6.so"},
                                        {"name": "tk8.6", "path_dynamic": "install/lib/libtk8.6.so"}]),
                "_curses": _extension("_curses", ["MIT"], [], []),
                "readline": _extension("readline", ["GPL-3.0-only"], ["LICENSE.readline.txt"], ["readline"],
                                       variant="readline"),
                "_json": _extension("_json", None, [], (), False),
            },
            "inittab_object": "build/Modules/config.o",
            "object_file_format": "llvm-bitcode:%19.1.0",
        },
    }


def _members() -> list[tuple[str, bytes | str, str]]:
    """(path, data or link target, type) in archive order; PYTHON.json first, as PBS does."""
    from distscope.tui.synth import make_elf, make_pe

    glibc = {"libc.so.6": ["GLIBC_2.2.5", "GLIBC_2.17"], "libm.so.6": ["GLIBC_2.2.5"]}
    dyn = "install/lib/python3.12/lib-dynload"
    files: list[tuple[str, bytes | str, str]] = [
        ("PYTHON.json", json.dumps(python_json(), indent=4, sort_keys=True) + "\n", "file"),
        ("install/bin/python3.12", make_elf(needed=["$ORIGIN/../lib/libpython3.12.so.1.0", "libc.so.6", "libm.so.6"],
                                            rpath="$ORIGIN/../lib", versions=glibc, etype="exec",
                                            comment="GCC: (GNU) 11.2.0"), "file"),
        ("install/bin/python3", "python3.12", "symlink"),
        ("install/bin/python", "python3.12", "symlink"),
        ("install/include/python3.12/patchlevel.h", '#define PY_MAJOR_VERSION 3\n#define PY_MINOR_VERSION 12\n'
                                                     '#define PY_VERSION "3.12.7"\n', "file"),
        ("install/lib/libpython3.12.so.1.0", make_elf(
            needed=["libc.so.6", "libm.so.6", "libpthread.so.0", "libdl.so.2", "libutil.so.1"],
            soname="libpython3.12.so.1.0", versions={**glibc, "libpthread.so.0": ["GLIBC_2.3.2"]},
            comment="clang version 19.1.0"), "file"),
        ("install/lib/libpython3.12.so", "libpython3.12.so.1.0", "symlink"),
        ("install/lib/libpython3.so", make_elf(needed=["$ORIGIN/../lib/libpython3.12.so.1.0", "libc.so.6"],
                                               soname="libpython3.so"), "file"),
        ("install/lib/libtk8.6.so", make_elf(needed=["libc.so.6", "libm.so.6"], soname="libtk8.6.so"), "file"),
        (f"{dyn}/_tkinter.cpython-312-x86_64-linux-gnu.so",
         make_elf(needed=["$ORIGIN/../../libtcl8.6.so", "libtk8.6.so", "libc.so.6"], runpath="$ORIGIN/../..",
                  versions={"libc.so.6": ["GLIBC_2.2.5"]}), "file"),
        (f"{dyn}/_curses.cpython-312-x86_64-linux-gnu.so",
         make_elf(needed=["libncursesw.so.6", "libc.so.6"], versions={"libc.so.6": ["GLIBC_2.2.5"]}), "file"),
        (f"{dyn}/readline.cpython-312-x86_64-linux-gnu.so",
         make_elf(needed=["libreadline.so.8", "libc.so.6"]), "file"),
        ("install/lib/python3.12/os.py", OS_PY, "file"),
        ("install/lib/python3.12/json/__init__.py", '"""JSON (JavaScript Object Notation) encoder and decoder."""\n'
                                                    "__version__ = '2.0.9'\n", "file"),
        ("install/lib/python3.12/site-packages/pip/__init__.py", PIP_INIT, "file"),
        ("install/lib/python3.12/site-packages/pip/_vendor/distlib/t64.exe",
         make_pe(imports=["KERNEL32.dll", "VCRUNTIME140.dll", "api-ms-win-crt-runtime-l1-1-0.dll"]), "file"),
        ("install/lib/python3.12/site-packages/pip/_vendor/distlib/w64.exe",
         make_pe(imports=["KERNEL32.dll", "USER32.dll"], subsystem="gui"), "file"),
        ("install/share/man/man1/python3.12.1", ".TH PYTHON \"1\"\n.SH NAME\npython \\- an interpreted, "
                                                "interactive, object-oriented programming language\n", "file"),
    ]
    files += [(f"licenses/{name}", text, "file") for name, text in LICENSES.items()]
    return [(f"python/{path}", data, kind) for path, data, kind in files]


def build_demo(path: str | os.PathLike) -> Path:
    """Write the demo archive to ``path`` (deterministic bytes) and return the path."""
    import zstandard

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as tar:
        for name, data, kind in _members():
            info = tarfile.TarInfo(name)
            info.mtime = MTIME
            info.uid = info.gid = 0
            info.uname = info.gname = "root"
            if kind == "symlink":
                info.type, info.linkname, info.mode = tarfile.SYMTYPE, str(data), 0o777
                tar.addfile(info)
                continue
            raw = data.encode() if isinstance(data, str) else data
            info.size = len(raw)
            info.mode = 0o755 if ("/bin/" in name or name.endswith((".so", ".exe")) or ".so." in name) else 0o644
            tar.addfile(info, io.BytesIO(raw))
    from distscope.tui.archive.cache import atomic_write

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # (a temporary file made with O_EXCL, then renamed: never written through a planted link)
    atomic_write(path, zstandard.ZstdCompressor(level=19).compress(buf.getvalue()))
    return path


def demo_archive() -> Path:
    """The demo archive in the cache folder, built on first use."""
    from distscope.tui.archive.cache import cache_dir

    path = cache_dir() / "demo" / DEMO_NAME
    if not path.is_file():
        build_demo(path)
    return path
