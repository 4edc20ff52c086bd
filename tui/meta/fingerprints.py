"""What each bundled library looks like: the strings that state its version inside a binary,
the names of the files that carry it, its headers, pkg-config names and well-known licence.

Every pattern captures a version the library itself wrote (its version string, or a source
folder name compiled into the binary); nothing here maps one fact to another version.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Library(NamedTuple):
    id: str
    name: str  #: display name
    #: SPDX expression of its usual licence, used when neither PYTHON.json nor the
    #: component's own metadata says (see :func:`well_known_licence`)
    licence: str | None


LIBRARIES: dict[str, Library] = {lib.id: lib for lib in (
    Library("cpython", "CPython", "PSF-2.0"),
    Library("openssl", "OpenSSL", "Apache-2.0"),
    Library("sqlite", "SQLite", "blessing"),
    Library("zlib", "zlib", "Zlib"),
    Library("bzip2", "bzip2", "bzip2-1.0.6"),
    Library("xz", "xz (liblzma)", None),  # public domain before 5.6, 0BSD since: see well_known_licence
    Library("libffi", "libffi", "MIT"),
    Library("expat", "expat", "MIT"),
    Library("mpdecimal", "mpdecimal", "BSD-2-Clause"),
    Library("tcl", "Tcl", "TCL"),
    Library("tk", "Tk", "TCL"),
    Library("tix", "Tix", None),
    Library("ncurses", "ncurses", "X11"),
    Library("readline", "GNU Readline", "GPL-3.0-or-later"),
    Library("libedit", "libedit", "BSD-3-Clause"),
    Library("gdbm", "GNU dbm", "GPL-3.0-or-later"),
    Library("bdb", "Berkeley DB", "Sleepycat"),
    Library("libuuid", "libuuid", "BSD-3-Clause"),
    Library("zstd", "zstd", "BSD-3-Clause"),
    Library("libb2", "libb2 (BLAKE2)", "CC0-1.0"),
    Library("hacl", "HACL*", "MIT"),
)}


def well_known_licence(component: str, version: str | None) -> str | None:
    """The licence a library is published under (None: none known or public domain)."""
    if component == "openssl" and version and version.split(".")[0] in ("0", "1"):
        return "OpenSSL"
    if component == "xz":
        parts = [int(p) for p in re.findall(r"\d+", version or "")[:2]]
        return "0BSD" if len(parts) == 2 and tuple(parts) >= (5, 6) else None
    lib = LIBRARIES.get(component)
    return lib.licence if lib else None


class Pattern(NamedTuple):
    component: str
    anchor: bytes  #: found with bytes.find (C speed); ``regex`` is tried only near a hit
    regex: re.Pattern[bytes]  #: group 1 is the version (or the whole match: presence only)
    method: str  #: string or build-path


def _p(component: str, anchor: bytes, regex: bytes, method: str = "string") -> Pattern:
    return Pattern(component, anchor, re.compile(regex), method)


def _source_dir(component: str, folder: bytes, version: bytes = rb"(\d+\.\d+(?:\.\d+)*[a-z]?)",
                anchor: bytes | None = None) -> Pattern:
    """A source folder name compiled into a binary (a file path in an assert or PDB path)."""
    return _p(component, anchor or folder, rb"[\\/]" + re.escape(folder) + version + rb"[\\/]", "build-path")


#: Version strings inside binaries (read-only data only: ELF .rodata, PE .rdata, Mach-O
#: __cstring/__const).
BINARY_PATTERNS: tuple[Pattern, ...] = (
    _p("openssl", b"OpenSSL ", rb"OpenSSL (\d+\.\d+\.\d+[a-z]?)(?:-[\w.+]+)? {1,2}\d{1,2} [A-Z][a-z]{2} \d{4}"),
    _source_dir("openssl", b"openssl-"),
    _p("sqlite", b"SQLite format 3\x00", rb"SQLite format 3\x00"),  # presence; the version below
    _source_dir("sqlite", b"sqlite-autoconf-", rb"(\d{7})"),
    _p("expat", b"expat_", rb"expat_(\d+\.\d+\.\d+)"),
    _p("zlib", b" deflate ", rb" deflate (\d+\.\d+(?:\.\d+)*) Copyright"),
    _p("zlib", b" inflate ", rb" inflate (\d+\.\d+(?:\.\d+)*) Copyright"),
    _p("bzip2", b"1.0.", rb"(1\.0\.\d+), \d{1,2}-[A-Z][a-z]{2,3}-\d{4}\x00"),
    _source_dir("bzip2", b"bzip2-"),
    _source_dir("xz", b"xz-"),
    _source_dir("libffi", b"libffi-"),
    _source_dir("mpdecimal", b"mpdecimal-"),
    _p("mpdecimal", b"libmpdec", rb"libmpdec"),  # presence ("libmpdec: internal error ...")
    _source_dir("tcl", b"tcl", rb"(\d+\.\d+\.\d+)", b"tcl8."), _source_dir("tcl", b"tcl", rb"(\d+\.\d+\.\d+)", b"tcl9."),
    _source_dir("tk", b"tk", rb"(\d+\.\d+\.\d+)", b"tk8."), _source_dir("tk", b"tk", rb"(\d+\.\d+\.\d+)", b"tk9."),
    _source_dir("tix", b"tix-", rb"(\d+\.\d+\.\d+)"),
    _p("bdb", b"Berkeley DB ", rb"Berkeley DB (\d+\.\d+\.\d+):"),
    _p("ncurses", b"ncurses ", rb"ncurses (\d+\.\d+\.\d{8})"),
    _source_dir("ncurses", b"ncurses-", rb"(\d+\.\d+(?:\.\d+)?)"),
    _source_dir("readline", b"readline-", rb"(\d+\.\d+(?:\.\d+)?)"),
    _source_dir("libedit", b"libedit-", rb"(\d{8}-\d+\.\d+)"),
    _p("gdbm", b"GDBM version ", rb"GDBM version (\d+\.\d+(?:\.\d+)?)"),
    _source_dir("gdbm", b"gdbm-", rb"(\d+\.\d+(?:\.\d+)?)"),
    _source_dir("libuuid", b"util-linux-", rb"(\d+\.\d+(?:\.\d+)?)"),
    _source_dir("zstd", b"zstd-", rb"(\d+\.\d+\.\d+)"),
    _source_dir("libb2", b"libb2-", rb"(\d+\.\d+\.\d+)"),
    _source_dir("cpython", b"Python-", rb"(\d+\.\d+\.\d+(?:(?:a|b|rc)\d+)?)"),
)
#: SQLite's own version string (SQLITE_VERSION, ``sqlite3_version``): a NUL-terminated
#: ``3.NN.N`` (not preceded by a letter, digit or dot) with NN >= 20 (releases since 2017; no Python version looks like it), trusted only
#: in a binary that also holds SQLite's file header string.
SQLITE_VERSION = re.compile(rb"(?<![\w.])(3\.[2-9]\d\.\d{1,2})\x00")


#: A library's own file (by lower-cased base-name prefix) may keep its version as a bare
#: NUL-terminated string, not preceded by a letter, digit or dot (ZSTD_VERSION_STRING, LZMA_VERSION_STRING, TCL_PATCH_LEVEL): trusted only
#: in that file, of that library's version shape, and only when exactly one such string is there.
DEDICATED: tuple[tuple[str, str, re.Pattern[bytes]], ...] = (
    ("libzstd", "zstd", re.compile(rb"(?<![\w.+-])(1\.\d{1,2}\.\d{1,2})\x00")),
    ("liblzma", "xz", re.compile(rb"(?<![\w.+-])(5\.\d{1,2}\.\d{1,2})\x00")),
    ("libtcl9tk", "tk", re.compile(rb"(?<![\w.+-])(9\.\d{1,2}\.\d{1,2})\x00")),
    ("libtcl", "tcl", re.compile(rb"(?<![\w.+-])([89]\.\d{1,2}\.\d{1,2})\x00")),
    ("tcl8", "tcl", re.compile(rb"(?<![\w.+-])(8\.\d{1,2}\.\d{1,2})\x00")),
    ("libtk", "tk", re.compile(rb"(?<![\w.+-])([89]\.\d{1,2}\.\d{1,2})\x00")),
    ("tk8", "tk", re.compile(rb"(?<![\w.+-])(8\.\d{1,2}\.\d{1,2})\x00")),
)


def dedicated(path: str) -> tuple[str, re.Pattern[bytes]] | None:
    """(library, bare version pattern) when ``path`` is that library's own file."""
    base = path.rsplit("/", 1)[-1].lower()
    for prefix, library, pattern in DEDICATED:
        if base.startswith(prefix):
            return library, pattern
    return None


def sqlite_autoconf(number: str) -> str:
    """``3450100`` (a sqlite-autoconf folder) -> ``3.45.1`` (SQLite's documented numbering)."""
    major, minor, patch = int(number[0]), int(number[1:3]), int(number[3:5])
    sub = int(number[5:7])
    return f"{major}.{minor}.{patch}" + (f".{sub}" if sub else "")


#: File-name prefixes (lower-cased base names) of binaries that may carry a library, and which
#: libraries to look for in them. libpython and the interpreter link everything in a static
#: build, so they are searched for all; so are vendored libraries (``*.libs/``, ``.dylibs/``).
CARRIERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("_ssl", ("openssl",)), ("_hashlib", ("openssl",)), ("libcrypto", ("openssl",)), ("libssl", ("openssl",)),
    ("_sqlite3", ("sqlite",)), ("sqlite3", ("sqlite",)), ("libsqlite3", ("sqlite",)),
    ("pyexpat", ("expat",)), ("libexpat", ("expat",)), ("_elementtree", ("expat",)),
    ("zlib", ("zlib",)), ("libz.", ("zlib",)), ("libz-", ("zlib",)), ("binascii", ("zlib",)),
    ("_bz2", ("bzip2",)), ("libbz2", ("bzip2",)),
    ("_lzma", ("xz",)), ("liblzma", ("xz",)),
    ("_ctypes", ("libffi",)), ("libffi", ("libffi",)),
    ("_decimal", ("mpdecimal",)), ("libmpdec", ("mpdecimal",)),
    ("_tkinter", ("tcl", "tk", "tix")), ("libtcl", ("tcl", "tk", "zlib")), ("libtk", ("tk",)),
    ("tcl8", ("tcl", "zlib")), ("tcl9", ("tcl", "tk", "zlib")), ("tk8", ("tk",)), ("tk9", ("tk",)),
    ("libtix", ("tix",)), ("tix8", ("tix",)),
    ("_curses", ("ncurses",)), ("libncurses", ("ncurses",)), ("libpanel", ("ncurses",)),
    ("libtinfo", ("ncurses",)),
    ("readline", ("readline", "libedit", "ncurses")), ("libreadline", ("readline",)), ("libedit", ("libedit",)),
    ("_gdbm", ("gdbm",)), ("libgdbm", ("gdbm",)), ("_dbm", ("bdb", "gdbm")), ("libdb", ("bdb",)),
    ("_uuid", ("libuuid",)), ("libuuid", ("libuuid",)),
    ("_zstd", ("zstd",)), ("libzstd", ("zstd",)),
    ("_blake2", ("libb2",)), ("libb2", ("libb2",)),
)
ALL = tuple(LIBRARIES)
#: Carriers searched for every library.
EVERYTHING = ("libpython", "python")
_PREFIXES = tuple(prefix for prefix, _ in CARRIERS)


def carried(path: str) -> tuple[str, ...]:
    """The libraries worth looking for in the binary at ``path`` (empty: do not search it)."""
    base = path.rsplit("/", 1)[-1].lower()
    if "/" in path and (".libs/" in path or ".dylibs/" in path):
        return ALL
    if base.startswith(EVERYTHING):
        return () if base.startswith("libpython") and base.endswith((".a", ".lib")) else ALL
    if not base.startswith(_PREFIXES) or base.startswith(("_ctypes_test", "_test")):
        return ()
    for prefix, libraries in CARRIERS:
        if base.startswith(prefix):
            return libraries
    return ()


_STDLIB_EXTENSION = re.compile(r"(?:^|/)lib/python\d+\.\d+[a-z]*/lib-dynload/[^/]+$|(?:^|/)DLLs/[^/]+\.pyd$")
_CORE = re.compile(r"^(?:libpython\d+(?:\.\d+)?[a-z]*(?:\.so[.\d]*|\.dylib)|python\d*[a-z]*\.dll|"
                   r"python(?:w)?(?:\d+(?:\.\d+)?[a-z]*)?(?:\.exe)?)$", re.I)


def cpython_part(path: str) -> str | None:
    """Why the binary at ``path`` is part of CPython itself (None: it is not): the interpreter,
    libpython, or an extension module of the standard library (``lib-dynload/``, ``DLLs/``)."""
    base = path.rsplit("/", 1)[-1]
    if _CORE.match(base) and ".libs/" not in path and "site-packages/" not in path:
        return "the interpreter or libpython"
    if _STDLIB_EXTENSION.search(path):
        return "a standard-library extension module"
    return None


#: Headers (by base name) and the pattern whose group(s) give the version.
HEADERS: dict[str, tuple[str, re.Pattern[bytes]]] = {
    "opensslv.h": ("openssl", re.compile(
        rb'define\s+OPENSSL_VERSION_TEXT\s+"OpenSSL (\d+\.\d+\.\d+[a-z]?)')),
    "sqlite3.h": ("sqlite", re.compile(rb'#\s*define\s+SQLITE_VERSION\s+"([^"]+)"')),
    "zlib.h": ("zlib", re.compile(rb'#\s*define\s+ZLIB_VERSION\s+"([^"]+)"')),
    "expat.h": ("expat", re.compile(rb"#\s*define\s+XML_MAJOR_VERSION\s+(\d+)\s+#\s*define\s+XML_MINOR_VERSION"
                                    rb"\s+(\d+)\s+#\s*define\s+XML_MICRO_VERSION\s+(\d+)")),
    "ffi.h": ("libffi", re.compile(rb"libffi (\d+\.\d+\.\d+)")),
    "version.h": ("xz", re.compile(rb"#\s*define\s+LZMA_VERSION_MAJOR\s+(\d+)\s+#\s*define\s+LZMA_VERSION_MINOR"
                                   rb"\s+(\d+)\s+#\s*define\s+LZMA_VERSION_PATCH\s+(\d+)")),
    "tcl.h": ("tcl", re.compile(rb'#\s*define\s+TCL_PATCH_LEVEL\s+"([^"]+)"')),
    "tk.h": ("tk", re.compile(rb'#\s*define\s+TK_PATCH_LEVEL\s+"([^"]+)"')),
    "mpdecimal.h": ("mpdecimal", re.compile(rb'#\s*define\s+MPD_VERSION\s+"([^"]+)"')),
    "zstd.h": ("zstd", re.compile(rb"#\s*define\s+ZSTD_VERSION_MAJOR\s+(\d+)\s+#\s*define\s+ZSTD_VERSION_MINOR"
                                  rb"\s+(\d+)\s+#\s*define\s+ZSTD_VERSION_RELEASE\s+(\d+)")),
    "curses.h": ("ncurses", re.compile(rb'#\s*define\s+NCURSES_VERSION\s+"([^"]+)"')),
    "readline.h": ("readline", re.compile(rb"#\s*define\s+RL_VERSION_MAJOR\s+(\d+)\s+#\s*define\s+RL_VERSION_MINOR"
                                          rb"\s+(\d+)")),
    "gdbm.h": ("gdbm", re.compile(rb"#\s*define\s+GDBM_VERSION_MAJOR\s+(\d+)\s+#\s*define\s+GDBM_VERSION_MINOR"
                                  rb"\s+(\d+)\s+#\s*define\s+GDBM_VERSION_PATCH\s+(\d+)")),
    "db.h": ("bdb", re.compile(rb'#\s*define\s+DB_VERSION_STRING\s+"Berkeley DB (\d+\.\d+\.\d+)')),
    "bzlib.h": ("bzip2", re.compile(rb"(?!)")),  # no version macro: presence only
    "patchlevel.h": ("cpython", re.compile(rb'#\s*define\s+PY_VERSION\s+"(\d+\.\d+[^"]{0,20})"')),
}

#: pkg-config file base names (without .pc) -> library.
PKG_CONFIG: dict[str, str] = {
    "openssl": "openssl", "libcrypto": "openssl", "libssl": "openssl", "sqlite3": "sqlite", "zlib": "zlib",
    "bzip2": "bzip2", "liblzma": "xz", "libffi": "libffi", "expat": "expat", "libmpdec": "mpdecimal",
    "tcl": "tcl", "tk": "tk", "ncurses": "ncurses", "ncursesw": "ncurses", "panel": "ncurses",
    "panelw": "ncurses", "tinfo": "ncurses", "readline": "readline", "libedit": "libedit", "gdbm": "gdbm",
    "uuid": "libuuid", "libzstd": "zstd", "libb2": "libb2",
}
_PYTHON_PC = re.compile(r"^python-?\d*(?:\.\d+)?[a-z]*(?:-embed)?$")


def pkg_config_library(base: str) -> str | None:
    """The library a ``.pc`` file's base name (no suffix) describes."""
    if _PYTHON_PC.match(base) or base in ("python3", "python3-embed"):
        return "cpython"
    return PKG_CONFIG.get(base)


#: PYTHON.json link names (``build_info...links[].name``) -> library; Windows names carry a
#: version or architecture suffix, matched by prefix.
LINK_PREFIXES: tuple[tuple[str, str], ...] = (
    ("libcrypto", "openssl"), ("libssl", "openssl"), ("crypto", "openssl"), ("ssl", "openssl"),
    ("sqlite3", "sqlite"), ("zlib", "zlib"), ("z", "zlib"), ("bz2", "bzip2"), ("libbz2", "bzip2"),
    ("lzma", "xz"), ("liblzma", "xz"), ("libffi", "libffi"), ("ffi", "libffi"), ("expat", "expat"),
    ("mpdec", "mpdecimal"), ("tcl9tk", "tk"), ("tcl", "tcl"), ("tk", "tk"), ("tix", "tix"), ("ncurses", "ncurses"),
    ("panel", "ncurses"), ("tinfo", "ncurses"), ("readline", "readline"), ("edit", "libedit"),
    ("gdbm", "gdbm"), ("db", "bdb"), ("uuid", "libuuid"), ("zstd", "zstd"), ("b2", "libb2"),
)
#: Link names that are exact (short names that prefix other names).
_EXACT_LINKS = {"z", "ssl", "crypto", "ffi", "edit", "db", "b2", "tk", "tcl", "uuid", "lzma", "expat", "zstd",
                "tix", "mpdec", "gdbm"}


def link_library(name: str) -> str | None:
    """The library a PYTHON.json link ``name`` is (None: a system or unknown library)."""
    lower = name.lower()
    for prefix, library in LINK_PREFIXES:
        if prefix in _EXACT_LINKS:
            if lower == prefix or re.fullmatch(re.escape(prefix) + r"[\d._-]*[a-z]?(?:-x64|-arm64|-x86)?", lower) \
                    or (prefix in ("tcl", "tk") and re.fullmatch(prefix + r"\d+t?", lower)):
                return library
        elif lower.startswith(prefix):
            return library
    return None


#: ``licenses/LICENSE.<name>.txt`` names (PYTHON.json ``license_paths``) -> library.
LICENCE_FILES: dict[str, str] = {
    "cpython": "cpython", "openssl": "openssl", "openssl-1.1": "openssl", "openssl-3": "openssl",
    "sqlite": "sqlite", "zlib": "zlib", "bzip2": "bzip2", "liblzma": "xz", "xz": "xz", "libffi": "libffi",
    "expat": "expat", "mpdecimal": "mpdecimal", "tcl": "tcl", "tk": "tk", "tix": "tix", "ncurses": "ncurses",
    "readline": "readline", "libedit": "libedit", "gdbm": "gdbm", "bdb": "bdb", "libuuid": "libuuid",
    "zstd": "zstd", "libb2": "libb2", "hacl": "hacl",
}
