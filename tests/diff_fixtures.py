"""Two small distributions, 3.12 and 3.13, that differ in every way the diff compares (shared by
the diff's command, app and tmux tests)."""

from __future__ import annotations

import json

from tests.archives import entry, python_json
from distscope.tui.synth import make_elf


# -- archives built here ------------------------------------------------------------------------
def _doc(minor: str, *, gdbm: bool = False, drop: str | None = None, **extra) -> str:
    xy = minor.replace(".", "")
    doc = python_json(8, python_version=f"{minor}.1", python_tag=f"cp{xy}", python_abi_tag=f"cp{xy}", **extra)
    ext = doc["build_info"]["extensions"]
    ext["_crypt"][0]["shared_lib"] = f"install/lib/python{minor}/lib-dynload/_crypt.so"
    doc["build_info"]["core"]["shared_lib"] = f"install/lib/libpython{minor}.so.1.0"  # (as shipped)
    if drop:
        del ext[drop]
    if gdbm:
        ext["_gdbm"] = [{"in_core": False, "licenses": ["GPL-3.0-or-later"], "license_paths": [],
                         "links": [{"name": "gdbm", "path_static": "build/lib/libgdbm.a"}], "objs": [],
                         "required": False, "variant": "default"}]
    return json.dumps(doc, indent=2)


def old_entries() -> list:
    return [
        entry("python/PYTHON.json", _doc("3.12")),
        entry("python/install/bin/python3.12", make_elf(etype="exec", needed=["libc.so.6"],
                                                        versions={"libc.so.6": ["GLIBC_2.2.5"]}), mode=0o755),
        entry("python/install/bin/python3", type="symlink", link="python3.12"),
        entry("python/install/lib/libpython3.12.so.1.0", make_elf(needed=["libc.so.6", "libm.so.6"],
                                                                  versions={"libc.so.6": ["GLIBC_2.17"]})),
        entry("python/install/lib/python3.12/os.py", "import abc\n" * 10),
        entry("python/install/lib/python3.12/json/__init__.py", '"""json"""\n'),
        entry("python/install/lib/python3.12/lib2to3/main.py", "gone in 3.13\n"),
        entry("python/install/lib/python3.12/tool.py", "x = 1\n", mode=0o644),
        entry("python/install/lib/python3.12/const.py", "X = 1\n"),
        entry("python/install/lib/python3.12/link", type="symlink", link="os.py"),
        entry("python/install/lib/python3.12/lib-dynload/_crypt.cpython-312-x86_64-linux-gnu.so",
              make_elf(needed=["libcrypt.so.1", "libc.so.6", "$ORIGIN/libpython3.12.so.1.0", "$ORIGIN/libold.so.1"],
                       versions={"libc.so.6": ["GLIBC_2.2.5"]})),
        entry("python/licenses/LICENSE.cpython.txt", "PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2 beopen"),
        entry("python/licenses/LICENSE.openssl-3.txt", "Apache License\nVersion 2.0, January 2004\n"),
    ]


def new_entries() -> list:
    return [
        entry("python/PYTHON.json", _doc("3.13", gdbm=True, drop="_abc", build_options="pgo+lto+debug")),
        entry("python/install/bin/python3.13", make_elf(etype="exec", needed=["libc.so.6"],
                                                        versions={"libc.so.6": ["GLIBC_2.2.5"]}), mode=0o755),
        entry("python/install/bin/python3", type="symlink", link="python3.13"),  # the same link, by role
        entry("python/install/lib/libpython3.13.so.1.0", make_elf(
            needed=["libc.so.6", "libm.so.6", "libz.so.1"],
            versions={"libc.so.6": ["GLIBC_2.28"]}, undefined_symbols={"fcntl64": "GLIBC_2.28"})),
        entry("python/install/lib/python3.13/os.py", "import abc\n" * 10),  # unchanged, by role
        entry("python/install/lib/python3.13/json/__init__.py", '"""json, longer"""\n'),  # size
        entry("python/install/lib/python3.13/tool.py", "x = 1\n", mode=0o755),  # mode
        entry("python/install/lib/python3.13/const.py", "X = 2\n"),  # content: same size
        entry("python/install/lib/python3.13/link", type="symlink", link="json"),  # link target
        entry("python/install/lib/python3.13/_pyrepl/main.py", "new in 3.13\n"),  # added
        entry("python/install/lib/python3.13/lib-dynload/_crypt.cpython-313-x86_64-linux-gnu.so",
              make_elf(needed=["libcrypt.so.1", "libc.so.6", "$ORIGIN/libpython3.13.so.1.0", "$ORIGIN/libnew.so.2"],
                       versions={"libc.so.6": ["GLIBC_2.2.5"]})),
        entry("python/licenses/LICENSE.cpython.txt", "PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2 beopen"),
        entry("python/licenses/LICENSE.openssl-3.txt", "Apache License\nVersion 2.0, January 2004\n"),
    ]
