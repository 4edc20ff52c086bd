"""The shared-library dependency graph: each needed name resolved inside the archive the way the
platform's loader would, or classified (allowed system library, unexpected, missing, virtual).

Graph (plain data, in ``index.results["binaries"]["graph"]``)::

    {"nodes": {path: {format, native, role, needs: [names], needed_by: [paths]}},
     "edges": [{from, name, to (archive path | None), status, via, forwarder? (PE export
                forwarder target, not an import)}],
     "roots": [interpreter paths], "top_level": [other runtime binaries nothing depends on],
     "reverse": {archive path or unresolved name: [paths that need it]}}

``status``: bundled (found in the archive), system (allowed system library), unexpected
(a system library the rules do not allow), missing (the distribution should contain it),
virtual (Windows API set). Only native binaries get edges; others are listed as nodes.
"""

from __future__ import annotations

import posixpath
import re

from distscope.tui.analysis import rules

BUNDLED, SYSTEM, UNEXPECTED, MISSING, VIRTUAL = "bundled", "system", "unexpected", "missing", "virtual"
_INTERPRETER = re.compile(r"^pythonw?(\d+(\.\d+)?[dt]{0,2})?(\.exe)?$", re.I)
_EXTENSION = re.compile(r"(\.pyd|\.cpython-[\w-]+\.so|\.abi3\.so|\.so)$")


# ------------------------------------------------------------------------------- helpers
def _join(directory: str, name: str) -> str | None:
    """An archive path for ``directory/name``; None when it climbs out of the archive."""
    path = posixpath.normpath(posixpath.join(directory, name)) if directory else posixpath.normpath(name)
    if path.startswith("../") or path == ".." or path.startswith("/"):
        return None
    return path


def expand_origin(text: str, origin: str) -> str:
    """Replace ``$ORIGIN`` and ``${ORIGIN}`` with the object's archive folder."""
    return text.replace("${ORIGIN}", origin or ".").replace("$ORIGIN", origin or ".")


def role_of(path: str, record: dict) -> str:
    """interpreter, executable, extension, library or object (relocatable: linked, never loaded)."""
    name = path.rsplit("/", 1)[-1]
    fmt, kind = record.get("format"), record.get("type")
    if (fmt == "elf" and kind == "rel") or (fmt == "macho" and kind == "object"):
        return "object"
    executable = (fmt == "pe" and kind == "exe") or (fmt == "macho" and kind == "execute") or (
        fmt == "elf" and (kind == "exec" or (kind == "dyn" and record.get("interpreter") and ".so" not in name)))
    if executable:
        return "interpreter" if _INTERPRETER.match(name) else "executable"
    lower = path.lower()
    if lower.endswith(".pyd") or "lib-dynload/" in lower or ".cpython-" in lower or lower.endswith(".abi3.so") \
            or (fmt == "macho" and kind == "bundle"):
        return "extension"
    return "library"


class _Lookup:
    """Finds archive files by path (following links), case-insensitively for PE. Each path is
    resolved once: the binaries of an archive search the same few folders for their needs."""

    def __init__(self, index, binaries: dict) -> None:
        self.index = index
        self.binaries = binaries
        self._lower: dict[str, str] | None = None
        self._found: dict[str, str | None] = {}

    def find(self, path: str | None) -> str | None:
        if path is None:
            return None
        if path not in self._found:
            self._found[path] = self._find(path)
        return self._found[path]

    def _find(self, path: str) -> str | None:
        final = self.index.resolve_path(path) if self.index is not None else path
        if final is None:
            return None
        if final in self.binaries:
            return final
        member = self.index.by_path.get(final) if self.index is not None else None
        return final if member is not None and member.type == "file" else None

    def find_nocase(self, path: str | None) -> str | None:
        if path is None:
            return None
        hit = self.find(path)
        if hit:
            return hit
        if self._lower is None:
            members = self.index.by_path if self.index is not None else dict.fromkeys(self.binaries)
            self._lower = {}
            for p in members:
                self._lower.setdefault(p.lower(), p)
        real = self._lower.get(path.lower())
        return self.find(real) if real else None


# ----------------------------------------------------------------------------- resolution
class _Resolver:
    def __init__(self, index, binaries: dict, target: dict, python_json: dict | None, roots: list[str]) -> None:
        self.lookup = _Lookup(index, binaries)
        self.binaries = binaries
        self.triple = target.get("target_triple")
        self.known_triple = self.triple in rules.RECOGNIZED_TRIPLES
        self.python_version = (python_json or {}).get("python_version")
        self.system_links = frozenset((python_json or {}).get("system_links") or ())
        self.roots = roots
        self.loaders: dict[str, set[str]] = {}  #: path -> paths found to load it
        self._sonames: dict[str, str] | None = None

    # -- ELF ---------------------------------------------------------------------------
    def elf(self, path: str, record: dict, name: str, chain: list[str] | None = None) -> dict:
        """Resolve ``name`` needed by ``path``; ``chain``: its loader chain when already known."""
        origin = posixpath.dirname(path)
        if "/" in name:
            expanded = expand_origin(name, origin)
            if expanded.startswith("/"):
                return self._elf_unresolved(path, record, name, "absolute path")
            hit = self.lookup.find(_join("", expanded))
            if hit:
                return _edge(path, name, hit, BUNDLED, "$ORIGIN path" if "ORIGIN" in name else "relative path")
            return _edge(path, name, None, MISSING, "$ORIGIN path" if "ORIGIN" in name
                         else "relative path (resolved against the working directory)")
        search: list[tuple[str, str, str]] = []  # (dir, via, defining object)
        if not record.get("runpath"):
            search += [(d, "RPATH", path) for d in record.get("rpath", [])]
            # ld.so also searches the RPATH of each object up the loading chain, up to the
            # executable (those without RUNPATH): loaders found so far, then the interpreters.
            if chain is None:
                chain = self._loader_chain(path)
            for loader in [*chain, *self.roots]:
                if loader != path and not self.binaries[loader].get("runpath"):
                    search += [(d, f"RPATH of {loader}", loader) for d in self.binaries[loader].get("rpath", [])]
        search += [(d, "RUNPATH", path) for d in record.get("runpath", [])]
        for directory, via, owner in search:
            expanded = expand_origin(directory, posixpath.dirname(owner))
            if expanded.startswith("/"):
                continue  # a folder on the user's machine, not in the archive
            hit = self.lookup.find(_join(expanded, name))
            if hit:
                return _edge(path, name, hit, BUNDLED, via)
        match = self._by_soname(name)
        if match and match != path:
            # In the archive but not on this object's own search path: found when the
            # interpreter's RPATH covers it (unknown when the interpreter is absent).
            edge = _edge(path, name, match, BUNDLED, "SONAME / file name in the archive")
            edge["off_path"] = True
            return edge
        return self._elf_unresolved(path, record, name, "system search path")

    def _loader_chain(self, path: str, limit: int = 16) -> list[str]:
        """Objects that load ``path`` (directly or further up), nearest first."""
        chain: list[str] = []
        queue = sorted(self.loaders.get(path, ()))
        while queue and len(chain) < limit:
            loader = queue.pop(0)
            if loader not in chain and loader != path and loader not in self.roots:
                chain.append(loader)
                queue += sorted(self.loaders.get(loader, ()))
        return chain

    def _by_soname(self, name: str) -> str | None:
        if self._sonames is None:
            self._sonames = {}
            for p, b in sorted(self.binaries.items(), key=lambda item: item[0].count("/")):
                if b.get("format") == "elf" and b.get("native") and not b.get("error"):
                    if b.get("soname"):
                        self._sonames.setdefault(b["soname"], p)
                    self._sonames.setdefault(p.rsplit("/", 1)[-1], p)
        return self._sonames.get(name)

    def _elf_unresolved(self, path: str, record: dict, name: str, via: str) -> dict:
        base = name.rsplit("/", 1)[-1]
        if rules.LIBPYTHON_ELF.match(name) or "ORIGIN" in name:
            return _edge(path, name, None, MISSING, via)
        why = rules.elf_allowed(base, self.triple if self.known_triple else None, path,
                                record.get("interpreter"), self.system_links)
        edge = _edge(path, name, None, SYSTEM if why else UNEXPECTED, via)
        if why:
            edge["allowed_by"] = why
        return edge

    # -- PE ----------------------------------------------------------------------------
    def pe(self, path: str, record: dict, name: str) -> dict:
        if rules.API_SET.match(name):
            edge = _edge(path, name, None, VIRTUAL, "API set")
            edge["allowed"] = rules.pe_allowed(name, self.python_version, record.get("machine"))
            return edge
        folders = [(posixpath.dirname(path), "DLL folder")]
        for root in self.roots:
            root_dir = posixpath.dirname(root)
            folders += [(root_dir, "application folder"), (_join(root_dir, "DLLs") or "DLLs", "DLLs folder")]
        seen = set()
        for folder, via in folders:
            if folder in seen:
                continue
            seen.add(folder)
            hit = self.lookup.find_nocase(_join(folder, name))
            if hit:
                return _edge(path, name, hit, BUNDLED, via)
        if rules.PE_BUNDLED.match(name):
            return _edge(path, name, None, MISSING, "application and DLL folders")
        allowed = rules.pe_allowed(name, self.python_version, record.get("machine")) or \
            bool(rules.MSVC_RUNTIME.match(name)) or not self.known_triple and _windows_system_dll(name)
        return _edge(path, name, None, SYSTEM if allowed else UNEXPECTED, "system folder")

    # -- Mach-O ------------------------------------------------------------------------
    def macho(self, path: str, record: dict, name: str) -> dict:
        loader_dir = posixpath.dirname(path)
        exec_dirs = [posixpath.dirname(path)] if record.get("type") == "execute" else \
            [posixpath.dirname(r) for r in self.roots] or [loader_dir]
        candidates: list[tuple[str | None, str]] = []
        if name.startswith("@executable_path/"):
            candidates = [(_join(d, name[len("@executable_path/"):]), "@executable_path") for d in exec_dirs]
        elif name.startswith("@loader_path/"):
            candidates = [(_join(loader_dir, name[len("@loader_path/"):]), "@loader_path")]
        elif name.startswith("@rpath/"):
            rest = name[len("@rpath/"):]
            owners = [path] + [r for r in self.roots if r != path]
            for owner in owners:
                for rp in self.binaries[owner].get("rpaths") or []:
                    folder = self._macho_expand(rp, posixpath.dirname(owner), exec_dirs)
                    if folder is not None:
                        candidates.append((_join(folder, rest), f"LC_RPATH {rp}"))
        for candidate, via in candidates:
            hit = self.lookup.find(candidate)
            if hit:
                return _edge(path, name, hit, BUNDLED, via)
        if name.startswith("@"):
            return _edge(path, name, None, MISSING, name.split("/", 1)[0])
        max_compat = rules.macho_allowed(name)
        allowed = max_compat is not None or (not self.known_triple and name.startswith(("/usr/lib/", "/System/")))
        edge = _edge(path, name, None, SYSTEM if allowed else UNEXPECTED, "system")
        if max_compat:
            edge["max_compat"] = max_compat
        return edge

    @staticmethod
    def _macho_expand(rpath: str, loader_dir: str, exec_dirs: list[str]) -> str | None:
        if rpath.startswith("@loader_path"):
            return _join(loader_dir, rpath[len("@loader_path"):].lstrip("/") or ".")
        if rpath.startswith("@executable_path"):
            return _join(exec_dirs[0], rpath[len("@executable_path"):].lstrip("/") or ".") if exec_dirs else None
        return None  # an absolute folder on the user's machine


def _windows_system_dll(name: str) -> bool:
    return not rules.PE_BUNDLED.match(name)


def _edge(src: str, name: str, to: str | None, status: str, via: str) -> dict:
    return {"from": src, "name": name, "to": to, "status": status, "via": via}


# --------------------------------------------------------------------------------- graph
def find_roots(binaries: dict) -> list[str]:
    """The interpreter executables: native ``python*``/``pythonw*`` executables outside the
    standard library and site-packages, shallowest first."""
    found = [p for p, b in binaries.items() if b.get("native") and not b.get("error")
             and role_of(p, b) == "interpreter" and "/lib/" not in f"/{p.lower()}"
             and "site-packages/" not in p.lower()]
    return sorted(found, key=lambda p: (p.count("/"), p))


def build_graph(index, binaries: dict, target: dict, python_json: dict | None = None) -> dict:
    """Resolve every native binary's needs; see the module docstring for the shape."""
    roots = find_roots(binaries)
    resolver = _Resolver(index, binaries, target, python_json, roots)
    nodes: dict[str, dict] = {}
    edges: list[dict] = []
    for path in sorted(binaries):
        record = binaries[path]
        nodes[path] = {"format": record.get("format"), "native": bool(record.get("native")),
                       "runtime": bool(record.get("runtime", record.get("native"))),
                       "role": role_of(path, record), "needs": list(record.get("needs") or []),
                       "needed_by": [], "error": record.get("error"),
                       "build_artefact": bool(record.get("build_artefact"))}
        if not record.get("native") or record.get("error"):
            continue
        resolve = getattr(resolver, record["format"])
        forwards = set(record.get("forwards") or ()) - set(record.get("imports") or ()) - \
            set(record.get("delay_imports") or ())
        for name in record.get("needs") or []:
            edges.append(resolve(path, record, name))
            if name in forwards:  # (python3.dll -> python3XY.dll: loaded to bind its forwarded exports)
                edges[-1]["forwarder"] = True
    # RPATHs inherited through intermediate libraries: resolve again what the loaders found so
    # far might reach, until nothing changes. An edge resolved with the same loader chain (or
    # whose object has a RUNPATH, which ignores the chain) would resolve the same again.
    used_chain: dict[int, list[str]] = {}  #: edge index -> the loader chain it was resolved with
    for _ in range(4):
        resolver.loaders = {}
        for e in edges:
            if e["to"] and e["status"] == BUNDLED:
                resolver.loaders.setdefault(e["to"], set()).add(e["from"])
        chains: dict[str, list[str]] = {}  #: path -> its loader chain, this round
        changed = False
        for i, e in enumerate(edges):
            record = binaries[e["from"]]
            if record.get("format") != "elf" or (e["status"] == BUNDLED and not e.get("off_path")) \
                    or record.get("runpath"):
                continue
            if e["from"] not in chains:
                chains[e["from"]] = resolver._loader_chain(e["from"])
            chain = chains[e["from"]]
            if chain == used_chain.get(i, []):
                continue
            used_chain[i] = chain
            again = resolver.elf(e["from"], record, e["name"], chain)
            if again != e:
                edges[i], changed = again, True
        if not changed:
            break
    reverse: dict[str, list[str]] = {}
    for edge in edges:
        key = edge["to"] or edge["name"]
        reverse.setdefault(key, []).append(edge["from"])
        if edge["to"] in nodes:
            nodes[edge["to"]]["needed_by"].append(edge["from"])
    top_level = [p for p, n in nodes.items() if n["runtime"] and not n["needed_by"] and p not in roots
                 and not n["error"]]
    return {"nodes": nodes, "edges": edges, "roots": roots, "top_level": top_level, "reverse": reverse}


def children(graph: dict, path: str) -> list[dict]:
    """The edges out of ``path`` (what it needs, resolved or not), in needed order."""
    return [e for e in graph.get("edges", []) if e["from"] == path]


def walk(graph: dict, root: str, max_depth: int = 32) -> list[tuple[int, dict]]:
    """Depth-first (depth, edge) pairs below ``root``, each library expanded once (like
    libtree): an edge to an already-shown library is listed but not expanded again."""
    by_source: dict[str, list[dict]] = {}
    for edge in graph.get("edges", []):
        by_source.setdefault(edge["from"], []).append(edge)
    out: list[tuple[int, dict]] = []
    seen = {root}

    def visit(path: str, depth: int) -> None:
        for edge in by_source.get(path, []):
            out.append((depth, edge))
            target = edge["to"]
            if target and target not in seen and depth < max_depth:
                seen.add(target)
                visit(target, depth + 1)

    visit(root, 0)
    return out
