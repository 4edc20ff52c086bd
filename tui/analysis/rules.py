"""python-build-standalone's validator rules (``src/validation.rs``) and platform facts, as data.

Which system libraries a distribution may reference per target triple, the maximum glibc per
triple, macOS minimums, glibc -> oldest distribution release per family, Windows versions.
"""

from __future__ import annotations

import re

RECOGNIZED_TRIPLES = (
    "aarch64-apple-darwin", "aarch64-pc-windows-msvc", "aarch64-unknown-linux-gnu",
    "aarch64-unknown-linux-musl", "armv7-unknown-linux-gnueabi", "armv7-unknown-linux-gnueabihf",
    "i686-pc-windows-msvc", "i686-unknown-linux-gnu", "mips-unknown-linux-gnu", "mipsel-unknown-linux-gnu",
    "mips64el-unknown-linux-gnuabi64", "ppc64le-unknown-linux-gnu", "riscv64-unknown-linux-gnu",
    "s390x-unknown-linux-gnu", "x86_64-apple-darwin", "x86_64-pc-windows-msvc", "x86_64-unknown-linux-gnu",
    "x86_64_v2-unknown-linux-gnu", "x86_64_v3-unknown-linux-gnu", "x86_64_v4-unknown-linux-gnu",
    "x86_64-unknown-linux-musl", "x86_64_v2-unknown-linux-musl", "x86_64_v3-unknown-linux-musl",
    "x86_64_v4-unknown-linux-musl",
)

# ------------------------------------------------------------------------------------- ELF
ELF_ALLOWED = frozenset({"libc.so.6", "libdl.so.2", "libm.so.6", "libpthread.so.0", "librt.so.1",
                         "libutil.so.1"})
_X86_64 = ("ld-linux-x86-64.so.2", "libgcc_s.so.1")
ELF_ALLOWED_BY_TRIPLE = {
    "armv7-unknown-linux-gnueabi": ("ld-linux.so.3", "libgcc_s.so.1"),
    "armv7-unknown-linux-gnueabihf": ("ld-linux-armhf.so.3", "libgcc_s.so.1"),
    "aarch64-unknown-linux-gnu": ("ld-linux-aarch64.so.1", "libgcc_s.so.1"),
    "i686-unknown-linux-gnu": ("ld-linux-x86-64.so.2",),
    "mips-unknown-linux-gnu": ("ld.so.1", "libatomic.so.1"),
    "mipsel-unknown-linux-gnu": ("ld.so.1", "libatomic.so.1"),
    "mips64el-unknown-linux-gnuabi64": (),
    "ppc64le-unknown-linux-gnu": ("ld64.so.1", "ld64.so.2"),
    "riscv64-unknown-linux-gnu": ("ld-linux-riscv64-lp64d.so.1", "libatomic.so.1"),
    "s390x-unknown-linux-gnu": ("ld64.so.1",),
    "x86_64-unknown-linux-gnu": _X86_64, "x86_64_v2-unknown-linux-gnu": _X86_64,
    "x86_64_v3-unknown-linux-gnu": _X86_64, "x86_64_v4-unknown-linux-gnu": _X86_64,
}
#: Extension modules allowed one extra system library each.
ELF_ALLOWED_PER_MODULE = {"_crypt": ("libcrypt.so.1",), "_tkinter": ("libtcl9.0.so", "libtcl9tk9.0.so")}
#: Undefined symbols the PBS validator bans.
BANNED_SYMBOLS = frozenset({"pthread_yield"})
#: Symbols of bundled dependencies that the PBS validator says must not be exported.
DEPENDENCY_SYMBOLS = frozenset({
    "XClearWindow", "XFlush", "BIO_ADDR_new", "BN_new", "DH_new", "SSL_extension_supported", "SSL_read",
    "CRYPTO_memcmp", "ecp_nistz256_neg", "OPENSSL_instrument_bus", "x25519_fe64_add", "__txn_begin", "rl_prompt",
    "readline", "current_history", "history_expand", "ffi_call", "ffi_type_void", "new_field", "set_field_term",
    "set_menu_init", "winstr", "gdbm_close", "gdbm_import", "sqlite3_initialize", "sqlite3_close",
    "xcb_create_window", "xcb_get_property", "deflateEnd", "gzclose", "inflate", "Tix_DItemCreate",
    "Tix_GrFormat", "lzma_index_init", "lzma_stream_encoder"})
#: Symbols libpython must export.
PYTHON_API_SYMBOLS = frozenset({"Py_Initialize", "PyList_New", "Py_CompileString"})
#: "1" for musl: any GLIBC version reference is an error.
GLIBC_MAX_BY_TRIPLE = {t: "2.17" for t in RECOGNIZED_TRIPLES if "linux-gnu" in t}
GLIBC_MAX_BY_TRIPLE.update({"mips-unknown-linux-gnu": "2.19", "mipsel-unknown-linux-gnu": "2.19",
                            "mips64el-unknown-linux-gnuabi64": "2.19", "riscv64-unknown-linux-gnu": "2.28"})
GLIBC_MAX_BY_TRIPLE.update({t: "1" for t in RECOGNIZED_TRIPLES if t.endswith("-musl")})
LIBPYTHON_ELF = re.compile(r"^(?:\$ORIGIN/\.\./lib/|\$\{ORIGIN\}/\.\./lib/)?libpython3\.\d+[dt]{0,2}\.so(?:\.1\.0)?$")

# -------------------------------------------------------------------------------------- PE
PE_ALLOWED = frozenset(n.lower() for n in (
    "ADVAPI32.dll", "api-ms-win-core-path-l1-1-0.dll", "api-ms-win-crt-conio-l1-1-0.dll",
    "api-ms-win-crt-convert-l1-1-0.dll", "api-ms-win-crt-heap-l1-1-0.dll",
    "api-ms-win-crt-environment-l1-1-0.dll", "api-ms-win-crt-filesystem-l1-1-0.dll",
    "api-ms-win-crt-locale-l1-1-0.dll", "api-ms-win-crt-math-l1-1-0.dll", "api-ms-win-crt-process-l1-1-0.dll",
    "api-ms-win-crt-runtime-l1-1-0.dll", "api-ms-win-crt-stdio-l1-1-0.dll", "api-ms-win-crt-string-l1-1-0.dll",
    "api-ms-win-crt-time-l1-1-0.dll", "api-ms-win-crt-utility-l1-1-0.dll", "bcrypt.dll", "Cabinet.dll",
    "COMCTL32.dll", "COMDLG32.dll", "CRYPT32.dll", "GDI32.dll", "IMM32.dll", "IPHLPAPI.DLL", "KERNEL32.dll",
    "msi.dll", "NETAPI32.dll", "ole32.dll", "OLEAUT32.dll", "PROPSYS.dll", "RPCRT4.dll", "SHELL32.dll",
    "SHLWAPI.dll", "USER32.dll", "USERENV.dll", "VERSION.dll", "VCRUNTIME140.dll", "VCRUNTIME140_1.dll",
    "WINMM.dll", "WS2_32.dll",
))
PE_ALLOWED_314 = frozenset(n.lower() for n in (
    "zlib1.dll", "api-ms-win-crt-private-l1-1-0.dll", "msvcrt.dll", "libtommath.dll", "tcl90.dll",
    "tcl9tk90.dll", "WINSPOOL.DRV"))
PE_ALLOWED_315 = PE_ALLOWED_314 | {"ntdll.dll"}
PE_ALLOWED_ARM64 = frozenset({"msvcrt.dll", "zlib1.dll"})
#: DLLs the distribution itself ships (allowed as imports, but must be found in the archive).
PE_BUNDLED = re.compile(r"^(?:python3\d*t?|libcrypto-[\w-]+|libssl-[\w-]+|libffi-\d+|sqlite3|tcl\d+t?|tk\d+t?"
                        r"|tcl9tk\d+|zlib1|libtommath)\.dll$", re.I)
MSVC_RUNTIME = re.compile(r"^(?:vcruntime\d+(?:_\d+)?|msvcp\d+(?:_\w+)?|concrt\d+|vcomp\d+)\.dll$", re.I)
UCRT = re.compile(r"^(?:api-ms-win-crt-[\w-]+|ucrtbase)\.dll$", re.I)
API_SET = re.compile(r"^(?:api|ext)-ms-win-[\w.-]+\.dll$", re.I)
#: API sets that imply a minimum Windows version (major.minor).
API_SET_MIN_WINDOWS = {"api-ms-win-core-path-l1-1-0.dll": "6.2"}
WINDOWS_VERSIONS = {"5.0": "Windows 2000", "5.1": "Windows XP", "5.2": "Windows XP x64 / Server 2003",
                    "6.0": "Windows Vista / Server 2008", "6.1": "Windows 7 / Server 2008 R2",
                    "6.2": "Windows 8 / Server 2012", "6.3": "Windows 8.1 / Server 2012 R2",
                    "10.0": "Windows 10 / 11 / Server 2016+"}

# ---------------------------------------------------------------------------------- Mach-O
_FW = "/System/Library/Frameworks/{0}.framework/Versions/{1}/{0}"
MACHO_ALLOWED = {
    **{f"@rpath/libpython3.{minor}{flags}.dylib": f"3.{minor}.0"
       for minor in range(10, 16) for flags in ("", "d", "t", "td")},
    _FW.format("AppKit", "C"): "45.0.0", _FW.format("ApplicationServices", "A"): "1.0.0",
    _FW.format("Carbon", "A"): "2.0.0", _FW.format("Cocoa", "A"): "1.0.0",
    _FW.format("CoreFoundation", "A"): "150.0.0", _FW.format("CoreGraphics", "A"): "64.0.0",
    _FW.format("CoreServices", "A"): "1.0.0", _FW.format("CoreText", "A"): "1.0.0",
    _FW.format("Foundation", "C"): "300.0.0", _FW.format("IOKit", "A"): "1.0.0",
    _FW.format("QuartzCore", "A"): "1.2.0", _FW.format("SystemConfiguration", "A"): "1.0.0",
    _FW.format("UniformTypeIdentifiers", "A"): "1.0.0", _FW.format("Security", "A"): "1.0.0",
    "/usr/lib/libedit.3.dylib": "2.0.0", "/usr/lib/libncurses.5.4.dylib": "5.4.0",
    "/usr/lib/libobjc.A.dylib": "1.0.0", "/usr/lib/libpanel.5.4.dylib": "5.4.0",
    "/usr/lib/libSystem.B.dylib": "1.0.0", "/usr/lib/libz.1.dylib": "1.0.0",
    "@rpath/libtcl9.0.dylib": "9.0.0", "@rpath/libtcl9tk9.0.dylib": "9.0.0",
}
#: Minimum macOS per architecture (x86_64: 10.15 for releases after 2024-12-20, 10.9 before).

# ------------------------------------------------------------------------- glibc -> distros
DISTRO_FAMILIES = ("RHEL/CentOS", "Debian", "Ubuntu LTS", "Fedora", "openSUSE Leap", "Amazon Linux")
#: glibc minor -> oldest release per family (None: no release of that family has it yet).
_GLIBC_ROWS = """
17 7 8 14.04 20 13.2 1
18 8 8 14.04 20 13.2 2
19 8 8 14.04 21 13.2 2
20 8 9 16.04 21 42.2 2
21 8 9 16.04 22 42.2 2
22 8 9 16.04 23 42.2 2
23 8 9 16.04 24 15.0 2
24 8 9 18.04 25 15.0 2
25 8 10 18.04 26 15.0 2
26 8 10 18.04 27 15.0 2
27 8 10 18.04 28 15.3 2023
28 8 10 20.04 29 15.3 2023
29 9 11 20.04 30 15.3 2023
30 9 11 20.04 31 15.3 2023
31 9 11 20.04 32 15.3 2023
32 9 12 22.04 33 15.6 2023
33 9 12 22.04 34 15.6 2023
34 9 12 22.04 35 15.6 2023
35 10 12 22.04 36 15.6 -
36 10 12 24.04 37 15.6 -
37 10 13 24.04 38 15.6 -
38 10 13 24.04 39 15.6 -
39 10 13 24.04 40 16.0 -
40 - 13 26.04 41 16.0 -
41 - 13 26.04 42 - -
42 - - 26.04 43 - -
43 - - 26.04 44 - -
"""
GLIBC_DISTROS = {int(row.split()[0]): [None if c == "-" else c for c in row.split()[1:]]
                 for row in _GLIBC_ROWS.strip().splitlines()}


def oldest_distros(glibc: str | None) -> list[dict]:
    """The oldest release per distribution family whose glibc is >= ``glibc`` ("2.17")."""
    if not glibc:
        return []
    try:
        major, minor = (int(p) for p in glibc.split(".")[:2])
    except ValueError:
        return []
    if major != 2:
        return []
    row = GLIBC_DISTROS.get(max(minor, 17)) if minor <= max(GLIBC_DISTROS) else None
    if row is None:
        return [{"family": f, "release": None} for f in DISTRO_FAMILIES]
    return [{"family": f, "release": r} for f, r in zip(DISTRO_FAMILIES, row)]


# ------------------------------------------------------------------------------- helpers
def python_minor(python_version: str | None) -> int | None:
    """13 for "3.13.1"."""
    if not python_version:
        return None
    match = re.match(r"3\.(\d+)", str(python_version))
    return int(match.group(1)) if match else None


def elf_allowed(name: str, triple: str | None, binary_path: str = "", interpreter: str | None = None,
                system_links: frozenset[str] = frozenset()) -> str | None:
    """Why ``name`` (a DT_NEEDED) is an allowed system library, or None when it is not."""
    if name in ELF_ALLOWED:
        return "base system library"
    if triple in ELF_ALLOWED_BY_TRIPLE and name in ELF_ALLOWED_BY_TRIPLE[triple]:
        return f"allowed for {triple}"
    if triple is None and (name == "libgcc_s.so.1" or (interpreter and name == interpreter.rsplit("/", 1)[-1])):
        return "loader / compiler runtime"
    if triple and triple.endswith("-musl") and name == "libc.so":
        return "musl libc"
    module = binary_path.rsplit("/", 1)[-1].split(".", 1)[0]
    if name in ELF_ALLOWED_PER_MODULE.get(module, ()):
        return f"allowed for the {module} module"
    base = re.match(r"^lib(.+?)\.so", name)
    if base and base.group(1) in system_links:
        return "annotated as a system library in PYTHON.json"
    return None


def pe_allowed(name: str, python_version: str | None = None, machine: str | None = None) -> bool:
    lower = name.lower()
    if lower in PE_ALLOWED or PE_BUNDLED.match(name):
        return True
    minor = python_minor(python_version)
    if minor is not None and minor >= 15 and lower in PE_ALLOWED_315:
        return True
    if minor is not None and minor >= 14 and lower in PE_ALLOWED_314:
        return True
    return machine == "aarch64" and lower in PE_ALLOWED_ARM64


def macho_allowed(name: str) -> str | None:
    """The maximum compatibility version when ``name`` is an allowed dylib, else None."""
    return MACHO_ALLOWED.get(name)
