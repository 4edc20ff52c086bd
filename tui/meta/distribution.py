"""The distribution summary: what python-build-standalone distribution an archive is.

:class:`VersionSources` rides the pass and reads the two small files that tell the Python
version when there is no PYTHON.json (``include/python3.X/patchlevel.h`` and the
``_sysconfigdata_*.py`` build variables). :func:`summarize` builds the summary (a
:class:`~distscope.tui.model.distribution.Distribution`, the ``distribution`` report section
without the target detection) from the index afterwards.
"""

from __future__ import annotations

import ast
import os
import re
from typing import Any

from distscope.tui.archive.index import ArchiveIndex
from distscope.tui.archive.members import Member
from distscope.tui.archive.plugin import Analyser, Interest
from distscope.tui.meta.pythonjson import dict_list, str_list
from distscope.tui.model import distribution as model
from distscope.tui.model.findings import Finding, finding

_PATCHLEVEL = re.compile(r"^(?:[^/]+/)?(?:install/)?include/(?:python\d+\.\d+[a-z]*/)?patchlevel\.h$")
_SYSCONFIG = re.compile(r"^(?:[^/]+/)?(?:install/)?lib/python\d+\.\d+[a-z]*/_sysconfigdata_[^/]*\.py$")
_PY_VERSION = re.compile(rb'#\s*define\s+PY_VERSION\s+"(\d+\.\d+[^"]{0,20})"')
#: Build variables worth keeping from the sysconfig data.
SYSCONFIG_KEYS = ("VERSION", "ABIFLAGS", "HOST_GNU_TYPE", "MULTIARCH", "MACHDEP", "SOABI", "EXT_SUFFIX",
                  "Py_DEBUG", "Py_GIL_DISABLED", "Py_ENABLE_SHARED", "LDLIBRARY", "CC", "CONFIG_ARGS",
                  "MACOSX_DEPLOYMENT_TARGET", "PY_CFLAGS_NODIST")
_MAX_SYSCONFIG = 4 << 20


# -- reading during the pass --------------------------------------------------------------------

def parse_patchlevel(data: bytes) -> str | None:
    """The PY_VERSION string of a patchlevel.h."""
    match = _PY_VERSION.search(data)
    return match.group(1).decode("ascii", "replace") if match else None


def parse_sysconfig(data: bytes) -> dict:
    """The interesting ``build_time_vars`` of a ``_sysconfigdata_*.py`` (never executed)."""
    text = data.decode("utf-8", "replace")
    found: dict = {}
    try:
        tree = ast.parse(text)
        for node in tree.body:
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "build_time_vars" for t in node.targets) \
                    and isinstance(node.value, ast.Dict):
                for key, value in zip(node.value.keys, node.value.values):
                    if isinstance(key, ast.Constant) and key.value in SYSCONFIG_KEYS:
                        try:
                            found[key.value] = ast.literal_eval(value)
                        except (ValueError, TypeError, SyntaxError, RecursionError):
                            pass
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        for key, value in re.findall(r"""^\s*['"](\w+)['"]\s*:\s*(['"].*?['"]|-?\d+)\s*,?\s*$""", text, re.M):
            if key in SYSCONFIG_KEYS:
                found[key] = int(value) if value.lstrip("-").isdigit() else value[1:-1]
    return {k: v for k, v in found.items() if isinstance(v, (str, int))}


class VersionSources(Analyser):
    """Reads patchlevel.h and the sysconfig data as they stream past."""

    name = "distribution"
    version = 1
    interest = Interest(contains=("patchlevel.h", "_sysconfigdata_"))

    def __init__(self) -> None:
        self.patchlevel: dict[str, Any] | None = None
        self.sysconfig: dict[str, Any] | None = None

    def want(self, member: Member, head: bytes) -> int:
        path = member.path
        # Cheap substring tests first: this runs for every file member.
        if self.patchlevel is None and "patchlevel.h" in path and _PATCHLEVEL.search(path):
            version = parse_patchlevel(head)
            if version:
                self.patchlevel = {"path": member.path, "version": version}
                return 0
            return 256 << 10
        if self.sysconfig is None and "_sysconfigdata_" in path and _SYSCONFIG.search(path) and member.size <= _MAX_SYSCONFIG:
            self.sysconfig = {"path": member.path, "vars": {}}
            return _MAX_SYSCONFIG
        return 0

    def feed(self, member: Member, data: bytes, complete: bool) -> None:
        if self.sysconfig is not None and member.path == self.sysconfig["path"]:
            self.sysconfig["vars"] = parse_sysconfig(data)
        elif self.patchlevel is None and _PATCHLEVEL.search(member.path):
            version = parse_patchlevel(data)
            if version:
                self.patchlevel = {"path": member.path, "version": version}

    def result(self) -> model.VersionSources:
        return model.VersionSources(self.patchlevel, self.sysconfig)


# -- file names -------------------------------------------------------------------------------

_NAME = re.compile(r"^cpython-(?P<version>\d+\.\d+(?:\.\d+)?(?:(?:a|b|rc)\d+)?)(?:\+(?P<tag>\d{8}))?-(?P<rest>.+)$")
_TRIPLE = re.compile(r"^(?P<triple>[a-z0-9_]+-(?:unknown|pc|apple)-(?:linux-[a-z0-9_]+|darwin|windows-msvc))(?:-|$)")
_SUFFIXES = (".tar.zst", ".tar.gz", ".tgz", ".tar.xz", ".tar.bz2", ".tar", ".zst")


def parse_file_name(name: str) -> dict | None:
    """What a python-build-standalone file name says, or None when it does not follow the naming."""
    base = os.path.basename(name)
    for suffix in _SUFFIXES:
        if base.endswith(suffix):
            base = base[: -len(suffix)]
            break
    match = _NAME.match(base)
    if not match:
        return None
    rest = match.group("rest")
    triple_match = _TRIPLE.match(rest)
    if not triple_match:
        return None
    tokens = [t for t in rest[triple_match.end():].split("-") if t]
    out: dict[str, Any] = {"python_version": match.group("version"), "release_tag": match.group("tag"),
                           "target_triple": triple_match.group("triple"), "layout": None,
                           "flavour": None, "link": None, "build_date": None}
    if tokens and re.fullmatch(r"\d{8}T\d{4}", tokens[-1]):
        out["build_date"] = tokens.pop()
        out["release_tag"] = out["release_tag"] or out["build_date"][:8]
    if tokens and tokens[-1] in ("full", "install_only", "install_only_stripped"):
        out["layout"] = tokens.pop()
    if tokens and tokens[0] in ("shared", "static"):
        out["link"] = tokens.pop(0)
    if tokens:
        out["flavour"] = "-".join(tokens)
    return out


# -- the summary ------------------------------------------------------------------------------

def parse_object_file_format(value: Any) -> dict | None:
    """``elf``, ``mach-o``, ``coff`` or ``llvm-bitcode:V`` (tolerating ``%22.1.3`` and ``+date``)."""
    if not isinstance(value, str) or not value.strip():
        return None
    kind, _, version = value.strip().partition(":")
    version = version.strip().lstrip("%")
    llvm = re.match(r"\d+(?:\.\d+)*", version)
    return {"raw": value, "format": kind.strip(), "version": version or None,
            "llvm_version": llvm.group(0) if kind.strip() == "llvm-bitcode" and llvm else None}


def parse_crt_features(features: Any) -> dict:
    """crt_features as {libc, glibc_max, musl_version, vcruntime, static, libsystem}."""
    out: dict[str, Any] = {"libc": None, "glibc_max": None, "musl_version": None, "vcruntime": None,
                           "static": False}
    for feature in features if isinstance(features, list) else []:
        if not isinstance(feature, str):
            continue
        key, _, value = feature.partition(":")
        if key == "glibc-dynamic":
            out["libc"] = "glibc"
        elif key == "glibc-max-symbol-version":
            out["libc"], out["glibc_max"] = "glibc", value
        elif key == "musl-dynamic":
            out["libc"] = "musl"
        elif key == "musl-version":
            out["libc"], out["musl_version"] = "musl", value
        elif key == "static":
            out["static"] = True
            out["libc"] = out["libc"] or "static"
        elif key == "libSystem":
            out["libc"] = "libSystem"
        elif key == "vcruntime":
            out["libc"], out["vcruntime"] = "vcruntime", value
    return out


_OLD_OS = {"linux": "unknown-linux-gnu", "macos": "apple-darwin", "darwin": "apple-darwin",
           "windows": "pc-windows-msvc"}
_OLD_ARCH = {"x86": "i686", "i386": "i686", "amd64": "x86_64", "arm64": "aarch64"}


def triple_from_os_arch(os_name: Any, arch: Any) -> str | None:
    """The target triple of a format < 5 PYTHON.json (which has only ``os`` and ``arch``)."""
    if not isinstance(os_name, str) or not isinstance(arch, str) or not os_name or not arch:
        return None
    return f"{_OLD_ARCH.get(arch.lower(), arch)}-{_OLD_OS.get(os_name.lower(), os_name)}"


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _links(candidate: dict) -> list[dict]:
    out = []
    for link in dict_list(candidate.get("links")):
        if isinstance(link.get("name"), str):
            out.append({"name": link["name"], "system": bool(link.get("system")),
                        "framework": bool(link.get("framework")),
                        "path": _str(link.get("path_dynamic")) or _str(link.get("path_static"))})
    return out


def extension_modules(data: dict) -> list[dict]:
    """Every extension module of a PYTHON.json build_info, one row per module (its first,
    default candidate), with the number of candidates and variants."""
    build_info = data.get("build_info") if isinstance(data.get("build_info"), dict) else {}
    extensions = build_info.get("extensions") if isinstance(build_info.get("extensions"), dict) else {}
    rows = []
    for name, candidates in sorted(extensions.items()):
        candidates = dict_list(candidates)
        if not candidates:
            rows.append({"name": name, "in_core": None, "shared_lib": None, "static_lib": None,
                         "required": None, "links": [], "licenses": None, "license_paths": [],
                         "license_public_domain": None, "variant": None, "variants": [], "objs": 0})
            continue
        first = next((c for c in candidates if c.get("variant") in (None, "default")), candidates[0])
        paths = first.get("license_paths", first.get("license_path"))
        rows.append({
            "name": name,
            "in_core": bool(first.get("in_core")),
            "shared_lib": _str(first.get("shared_lib")),
            "static_lib": _str(first.get("static_lib")),
            "required": bool(first.get("required")),
            "links": _links(first),
            "licenses": str_list(first.get("licenses")),  # None: unknown; a lone string is one id
            "license_paths": str_list(paths) or [],
            "license_public_domain": first.get("license_public_domain") if isinstance(
                first.get("license_public_domain"), bool) else None,
            "variant": _str(first.get("variant")),
            "variants": sorted({str(c.get("variant")) for c in candidates if c.get("variant")}),
            "objs": len(first.get("objs") or []) if isinstance(first.get("objs"), list) else 0,
        })
    return rows


def extension_counts(rows: list[dict]) -> dict:
    return {"total": len(rows),
            "in_core": sum(1 for r in rows if r.get("in_core")),
            "shared_lib": sum(1 for r in rows if r.get("shared_lib")),
            "static": sum(1 for r in rows if r.get("static_lib") and not r.get("shared_lib")),
            "required": sum(1 for r in rows if r.get("required"))}


def _root(index) -> str:
    """The common top folder of the members ("python" for PBS), or ""."""
    tops = {m.path.split("/", 1)[0] for m in index.members[:200] if m.path}
    return tops.pop() if len(tops) == 1 and any("/" in m.path for m in index.members[:200]) else ""


def _top_entries(index, root: str) -> set[str]:
    """Names directly under the root folder (files and folders)."""
    prefix = f"{root}/" if root else ""
    start = len(prefix)
    # One set insertion per path: linear (a tuple of known prefixes grown per name was not).
    return {path[start:].partition("/")[0] for path in index.by_path if path.startswith(prefix)}


def _layout(root: str, top: set[str], has_python_json: bool, name_layout: str | None) -> str:
    """full, install_only, install_only_stripped or unknown, from the root folder and the
    names directly under it (:func:`_top_entries`)."""
    if (has_python_json and ("install" in top or "build" in top)) or {"install", "build"} <= top:
        return "full"
    installed = root == "python" and (("bin" in top and "lib" in top) or "python.exe" in top
                                      or ("Lib" in top and "DLLs" in top))
    if installed and not has_python_json:
        return "install_only_stripped" if name_layout == "install_only_stripped" else "install_only"
    if has_python_json:
        return "full"
    return "unknown"


#: How paths the patterns below match end (``$`` also matches before a final newline).
_OS_PY_TAILS = ("/os.py", "/os.py\n")
_EXTENSION_TAILS = (".so", ".pyd", ".so\n", ".pyd\n")


def _version_from_tree(index, prefix: str, top: set[str]) -> str | None:
    """The X.Y of ``{prefix}lib/pythonX.Y/os.py`` (``top``: the names directly under ``prefix``)."""
    if "lib" not in top:  # (no path can match: skips a walk over every path)
        return None
    match_os_py = re.compile(rf"{re.escape(prefix)}lib/python(\d+\.\d+)[a-z]*/os\.py$").match  # compiled once
    for path in index.by_path:
        if path.endswith(_OS_PY_TAILS):  # (cheap test first)
            match = match_os_py(path)
            if match:
                return match.group(1)
    return None


def _derived_exe(index, root: str) -> str | None:
    """The interpreter's path relative to the root, found in the tree."""
    prefix = f"{root}/" if root else ""
    for candidate in ("install/python.exe", "python.exe", "install/bin/python3", "bin/python3", "bin/python"):
        if f"{prefix}{candidate}" in index.by_path:
            return candidate
    return None


_MSVC_DLL = re.compile(r"(vcruntime|msvcp)\d+(_\d+)?\.dll$", re.I).match


def _msvc_runtime(index, root: str, exe: str | None) -> list[str] | None:
    """The vcruntime DLLs next to a Windows python.exe (None when not a Windows tree)."""
    if not exe or not exe.lower().endswith(".exe"):
        return None
    folder = f"{root}/{exe}".rsplit("/", 1)[0] + "/" if root else (exe.rsplit("/", 1)[0] + "/" if "/" in exe else "")
    return sorted(p[len(folder):] for p in index.by_path
                  if p.startswith(folder) and "/" not in p[len(folder):]
                  and _MSVC_DLL(p[len(folder):]))


def _lib_dynload(index, root: str, top: set[str]) -> list[dict]:
    """Extension modules found in ``lib-dynload``/``DLLs`` (``top``: the names directly under
    ``root``)."""
    if top.isdisjoint(("install", "lib", "DLLs")):  # (no path can match: skips a walk over every path)
        return []
    rows = {}
    pattern = re.compile(rf"^{re.escape(root + '/' if root else '')}(?:install/)?(?:lib/python[^/]+/lib-dynload|DLLs)/"
                         r"([A-Za-z0-9_]+)(?:\.[^/]*)?\.(?:so|pyd)$")
    for path in index.by_path:
        match = path.endswith(_EXTENSION_TAILS) and pattern.match(path)  # (cheap test first)
        if match:
            rows.setdefault(match.group(1), {"name": match.group(1), "in_core": False, "shared_lib": path,
                                             "static_lib": None, "required": False, "links": [],
                                             "licenses": None, "license_paths": [],
                                             "license_public_domain": None, "variant": None,
                                             "variants": [], "objs": 0})
    return [rows[k] for k in sorted(rows)]


def _flags_from_sysconfig(vars_: dict) -> str | None:
    """A build_options-like string guessed from the build variables."""
    parts = []
    if vars_.get("Py_DEBUG"):
        parts.append("debug")
    args = str(vars_.get("CONFIG_ARGS", ""))
    if "--enable-optimizations" in args:
        parts.append("pgo")
    if "--with-lto" in args or "-flto" in str(vars_.get("PY_CFLAGS_NODIST", "")):
        parts.append("lto")
    if vars_.get("Py_GIL_DISABLED"):
        parts.insert(0, "freethreaded")
    return "+".join(parts) or None


def summarize(index: ArchiveIndex) -> model.Distribution:
    """The distribution summary of an analysed index."""
    pj = index.results.get("pythonjson") or model.PythonJson()
    data = pj.data if isinstance(pj.data, dict) else None
    sources = index.results.get("distribution") or model.VersionSources()
    sysvars = (sources.sysconfig or {}).get("vars") or {}
    patch = sources.patchlevel or {}
    name = parse_file_name(index.path)
    root = _root(index)
    top = _top_entries(index, root)
    findings: list[Finding] = []
    d = data or {}
    version_number = pj.format_version

    # version, with where it came from (the tree is searched only when nothing else tells)
    version, version_source = None, None
    for value, source in ((_str(d.get("python_version")), "PYTHON.json"),
                          (patch.get("version"), patch.get("path")),
                          (_str(sysvars.get("VERSION")), (sources.sysconfig or {}).get("path")),
                          ((name or {}).get("python_version"), "file name")):
        if value:
            version, version_source = value, source
            break
    else:
        value = _version_from_tree(index, f"{root}/" if root else "", top)
        if value:
            version, version_source = value, "stdlib folder"

    triple, triple_source = _str(d.get("target_triple")), "PYTHON.json"
    if triple is None and version_number is not None and version_number < 5:
        triple = triple_from_os_arch(d.get("os"), d.get("arch"))
    if triple is None and _str(sysvars.get("HOST_GNU_TYPE")):
        triple, triple_source = sysvars["HOST_GNU_TYPE"], "sysconfig"
    if triple is None and (name or {}).get("target_triple"):
        triple, triple_source = name["target_triple"], "file name"

    build_options, options_source = _str(d.get("build_options")), "PYTHON.json build_options"
    if not build_options and _str(d.get("optimizations")):
        build_options, options_source = d["optimizations"], "PYTHON.json optimizations"
    if not build_options and name and name.get("flavour"):
        build_options, options_source = name["flavour"], "file name"
    if not build_options and sysvars:
        build_options, options_source = _flags_from_sysconfig(sysvars), "sysconfig"
    if not build_options:
        options_source = None
    option_set = set((build_options or "").split("+"))

    abi_tag = _str(d.get("python_abi_tag"))
    if abi_tag is None and version and "ABIFLAGS" in sysvars:
        mm = version.split(".")
        abi_tag = f"cp{mm[0]}{mm[1]}{sysvars['ABIFLAGS']}" if len(mm) >= 2 else None

    link_mode = _str(d.get("libpython_link_mode")) or _str(d.get("link_mode"))
    if link_mode is None and "Py_ENABLE_SHARED" in sysvars:
        link_mode = "shared" if sysvars["Py_ENABLE_SHARED"] else "static"

    crt = str_list(d.get("crt_features")) or []
    extensions = extension_modules(data) if data else _lib_dynload(index, root, top)
    layout = _layout(root, top, pj.path is not None, (name or {}).get("layout"))
    if data is None and layout == "full":
        findings.append(finding("warning", "distribution-no-pythonjson",
                                "full distribution without a readable PYTHON.json", []))
    apple = {k: _str(d.get(f"apple_sdk_{k}")) for k in ("canonical_name", "platform", "version", "deployment_target")}
    if not any(apple.values()) and sysvars.get("MACOSX_DEPLOYMENT_TARGET"):
        apple["deployment_target"] = str(sysvars["MACOSX_DEPLOYMENT_TARGET"])
    build_info = d.get("build_info") if isinstance(d.get("build_info"), dict) else {}
    core = build_info.get("core") if isinstance(build_info.get("core"), dict) else {}
    exe = _str(d.get("python_exe")) or _derived_exe(index, root)

    off = parse_object_file_format(build_info.get("object_file_format"))
    python_paths = d.get("python_paths")
    return model.Distribution(
        layout=layout,
        pbs=data is not None or name is not None or layout != "unknown",
        root=root,
        file_name=os.path.basename(index.path),
        release_tag=(name or {}).get("release_tag"),
        flavour=(name or {}).get("flavour"),
        name=name,
        python_json=pj.path,
        format_version=version_number,
        python_version=version,
        python_version_source=version_source,
        python_tag=_str(d.get("python_tag")),
        target_triple=triple,
        target_source=triple_source if triple else None,
        build_options=build_options,
        build_options_source=options_source,
        debug="debug" in option_set or bool(sysvars.get("Py_DEBUG")),
        freethreaded="freethreaded" in option_set or bool(sysvars.get("Py_GIL_DISABLED")),
        python_abi_tag=abi_tag,
        python_platform_tag=_str(d.get("python_platform_tag")),
        libpython_link_mode=link_mode,
        crt_features=[c for c in crt if isinstance(c, str)],
        crt=model.Crt(**parse_crt_features(crt)),
        apple_sdk=model.AppleSdk(**apple) if any(apple.values()) else None,
        python_exe=exe,
        python_paths={k: v for k, v in python_paths.items() if isinstance(v, str)}
        if isinstance(python_paths, dict) else None,
        python_exe_member=f"{root}/{exe}" if exe and root else exe,
        python_extension_module_loading=str_list(d.get("python_extension_module_loading")) or None,
        python_symbol_visibility=_str(d.get("python_symbol_visibility")),
        object_file_format=model.ObjectFileFormat(**off) if off else None,
        libpython=_str(core.get("shared_lib")) or _str(core.get("static_lib")),
        core_links=[link["name"] for link in _links(core)],
        msvc_runtime=_msvc_runtime(index, root, exe),
        extensions_source="PYTHON.json" if data else ("lib-dynload" if extensions else None),
        extensions=[_extension(e) for e in extensions],
        extension_counts=model.ExtensionCounts(**extension_counts(extensions)),
        sysconfig={k: v for k, v in sysvars.items() if k not in ("CONFIG_ARGS", "PY_CFLAGS_NODIST")} or None,
        findings=findings,
    )


def _extension(row: dict[str, Any]) -> model.Extension:
    return model.Extension(**{**row, "links": [model.Link(**link) for link in row["links"]]})
