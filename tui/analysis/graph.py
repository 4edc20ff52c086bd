"""The shared-library dependency graph: each needed name resolved inside the archive the way the
platform's loader would, or classified (allowed system library, unexpected, missing, virtual).

The result is a :class:`~distscope.tui.model.graph.Graph`: a node per binary, an edge per needed
name of each native binary (``status``: bundled, system, unexpected, missing, virtual), the
interpreters as roots.
"""

from __future__ import annotations

import posixpath
import re

from typing import Any

from distscope.tui.analysis import rules
from distscope.tui.model.binaries import Binary, Role
from distscope.tui.model.graph import BUNDLED, MISSING, SYSTEM, UNEXPECTED, VIRTUAL, Edge, EdgeStatus, Graph, Node
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


def role_of(path: str, binary: Binary) -> Role:
    """interpreter, executable, extension or library."""
    name = path.rsplit("/", 1)[-1]
    fmt, kind = binary.format, binary.details.type if binary.details is not None else None
    elf = binary.elf
    executable = (fmt == "pe" and kind == "exe") or (fmt == "macho" and kind == "execute") or (
        fmt == "elf" and (kind == "exec" or (kind == "dyn" and bool(elf and elf.interpreter) and ".so" not in name)))
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

    def __init__(self, index: Any, binaries: dict[str, Binary]) -> None:
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
        final: str | None = self.index.resolve_path(path) if self.index is not None else path
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
    def __init__(self, index: Any, binaries: dict[str, Binary], target: Any, python_json: dict[str, Any] | None,
                 roots: list[str]) -> None:
        self.lookup = _Lookup(index, binaries)
        self.binaries = binaries
        self.triple = target.target_triple
        self.known_triple = self.triple in rules.RECOGNIZED_TRIPLES
        self.python_version = (python_json or {}).get("python_version")
        self.system_links = frozenset((python_json or {}).get("system_links") or ())
        self.roots = roots
        self.loaders: dict[str, set[str]] = {}  #: path -> paths found to load it
        self._sonames: dict[str, str] | None = None

    # -- ELF ---------------------------------------------------------------------------
    def elf(self, path: str, record: Binary, name: str, chain: list[str] | None = None) -> Edge:
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
        elf = record.elf
        assert elf is not None
        if not elf.runpath:
            search += [(d, "RPATH", path) for d in elf.rpath]
            # ld.so also searches the RPATH of each object up the loading chain, up to the
            # executable (those without RUNPATH): loaders found so far, then the interpreters.
            if chain is None:
                chain = self._loader_chain(path)
            for loader in [*chain, *self.roots]:
                other = self.binaries[loader].elf
                if loader != path and other is not None and not other.runpath:
                    search += [(d, f"RPATH of {loader}", loader) for d in other.rpath]
        search += [(d, "RUNPATH", path) for d in elf.runpath]
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
            edge.off_path = True
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
                if b.elf is not None and b.native and not b.error:
                    if b.elf.soname:
                        self._sonames.setdefault(b.elf.soname, p)
                    self._sonames.setdefault(p.rsplit("/", 1)[-1], p)
        return self._sonames.get(name)

    def _elf_unresolved(self, path: str, record: Binary, name: str, via: str) -> Edge:
        base = name.rsplit("/", 1)[-1]
        if rules.LIBPYTHON_ELF.match(name) or "ORIGIN" in name:
            return _edge(path, name, None, MISSING, via)
        why = rules.elf_allowed(base, self.triple if self.known_triple else None, path,
                                record.elf.interpreter if record.elf else None, self.system_links)
        edge = _edge(path, name, None, SYSTEM if why else UNEXPECTED, via)
        if why:
            edge.allowed_by = why
        return edge

    # -- PE ----------------------------------------------------------------------------
    def pe(self, path: str, record: Binary, name: str) -> Edge:
        if rules.API_SET.match(name):
            edge = _edge(path, name, None, VIRTUAL, "API set")
            edge.allowed = rules.pe_allowed(name, self.python_version, record.machine)
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
        allowed = rules.pe_allowed(name, self.python_version, record.machine) or \
            bool(rules.MSVC_RUNTIME.match(name)) or not self.known_triple and _windows_system_dll(name)
        return _edge(path, name, None, SYSTEM if allowed else UNEXPECTED, "system folder")

    # -- Mach-O ------------------------------------------------------------------------
    def macho(self, path: str, record: Binary, name: str) -> Edge:
        loader_dir = posixpath.dirname(path)
        exec_dirs = [posixpath.dirname(path)] if record.macho is not None and record.macho.type == "execute" else \
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
                owner_macho = self.binaries[owner].macho
                for rp in owner_macho.rpaths if owner_macho is not None else []:
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
            edge.max_compat = max_compat
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


def _edge(src: str, name: str, to: str | None, status: EdgeStatus, via: str) -> Edge:
    return Edge(src, name, to, status, via)


# --------------------------------------------------------------------------------- graph
def find_roots(binaries: dict[str, Binary]) -> list[str]:
    """The interpreter executables: native ``python*``/``pythonw*`` executables outside the
    standard library and site-packages, shallowest first."""
    found = [p for p, b in binaries.items() if b.native and not b.error
             and role_of(p, b) == "interpreter" and "/lib/" not in f"/{p.lower()}"
             and "site-packages/" not in p.lower()]
    return sorted(found, key=lambda p: (p.count("/"), p))


def build_graph(index: Any, binaries: dict[str, Binary], target: Any,
                python_json: dict[str, Any] | None = None) -> Graph:
    """Resolve every native binary's needs."""
    roots = find_roots(binaries)
    resolver = _Resolver(index, binaries, target, python_json, roots)
    nodes: dict[str, Node] = {}
    edges: list[Edge] = []
    for path in sorted(binaries):
        record = binaries[path]
        nodes[path] = Node(record.format, bool(record.native), bool(record.runtime), role_of(path, record),
                           list(record.needs), [], record.error)
        if not record.native or record.error:
            continue
        resolve = getattr(resolver, record.format)
        for name in record.needs:
            edges.append(resolve(path, record, name))
    # RPATHs inherited through intermediate libraries: resolve again what the loaders found so
    # far might reach, until nothing changes. An edge resolved with the same loader chain (or
    # whose object has a RUNPATH, which ignores the chain) would resolve the same again.
    used_chain: dict[int, list[str]] = {}  #: edge index -> the loader chain it was resolved with
    for _ in range(4):
        resolver.loaders = {}
        for e in edges:
            if e.to and e.status == BUNDLED:
                resolver.loaders.setdefault(e.to, set()).add(e.from_)
        chains: dict[str, list[str]] = {}  #: path -> its loader chain, this round
        changed = False
        for i, e in enumerate(edges):
            record = binaries[e.from_]
            if record.elf is None or (e.status == BUNDLED and not e.off_path) or record.elf.runpath:
                continue
            if e.from_ not in chains:
                chains[e.from_] = resolver._loader_chain(e.from_)
            chain = chains[e.from_]
            if chain == used_chain.get(i, []):
                continue
            used_chain[i] = chain
            again = resolver.elf(e.from_, record, e.name, chain)
            if again != e:
                edges[i], changed = again, True
        if not changed:
            break
    reverse: dict[str, list[str]] = {}
    for edge in edges:
        key = edge.to or edge.name
        reverse.setdefault(key, []).append(edge.from_)
        if edge.to in nodes:
            nodes[edge.to].needed_by.append(edge.from_)
    top_level = [p for p, n in nodes.items() if n.runtime and not n.needed_by and p not in roots
                 and not n.error]
    return Graph(nodes, edges, roots, top_level, reverse)


def walk(graph: Graph, root: str, max_depth: int = 32) -> list[tuple[int, Edge]]:
    """Depth-first (depth, edge) pairs below ``root``, each library expanded once (like
    libtree): an edge to an already-shown library is listed but not expanded again."""
    by_source = graph.edges_from()
    out: list[tuple[int, Edge]] = []
    seen = {root}

    def visit(path: str, depth: int) -> None:
        for edge in by_source.get(path, []):
            out.append((depth, edge))
            target = edge.to
            if target and target not in seen and depth < max_depth:
                seen.add(target)
                visit(target, depth + 1)

    visit(root, 0)
    return out
