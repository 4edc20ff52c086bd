"""Identify licence texts: text -> SPDX identifiers, by short key-phrase fingerprints.

Texts are normalised (lower case, every run of non-alphanumerics made one space) and matched
against a few distinctive phrases per licence; no licence text is stored here.
"""

from __future__ import annotations

import re

_NON_WORD = re.compile(r"[^a-z0-9]+")

_MIT = "permission is hereby granted free of charge to any person obtaining a copy"
_BSD = "redistribution and use in source and binary forms with or without modification are permitted"
_ISCISH = "distribute this software for any purpose with or without fee is hereby granted"
_ZLIB = "the origin of this software must not be misrepresented"

#: (SPDX id, phrases that must all appear, phrases that must not appear), most specific first.
RULES: list[tuple[str, tuple[str, ...], tuple[str, ...]]] = [
    ("Python-2.0", ("python software foundation license", "beopen"), ()),
    ("PSF-2.0", ("python software foundation", "license agreement"), ("beopen",)),
    ("CNRI-Python", ("cnri",), ()),
    ("AGPL-3.0-only", ("gnu affero general public license", "version 3"), ()),
    ("LGPL-3.0-only", ("gnu lesser general public license", "version 3 29 june 2007"), ()),
    ("LGPL-2.1-only", ("gnu lesser general public license", "version 2 1 february 1999"), ()),
    ("LGPL-2.0-only", ("gnu library general public license", "version 2"), ()),
    ("GPL-3.0-only", ("gnu general public license", "version 3 29 june 2007"), ("gnu lesser general public",)),
    ("GPL-2.0-only", ("gnu general public license", "version 2 june 1991"), ("gnu lesser general public",
                                                                            "gnu library general public")),
    ("Apache-2.0", ("apache license", "version 2 0"), ()),
    ("MPL-2.0", ("mozilla public license", "2 0"), ()),
    ("OpenSSL", ("openssl",), ("apache license",)),
    ("Sleepycat", ("sleepycat",), ()),
    ("bzip2-1.0.6", ("bzip2", _ZLIB), ()),
    ("Zlib", ("this software is provided as is without any express or implied warranty", _ZLIB), ("bzip2",)),
    ("TCL", ("hereby grant permission to use copy modify distribute and license this software",), ()),
    ("X11", (_MIT, "x consortium"), ()),
    ("MIT", (_MIT,), ("x consortium",)),
    ("BSD-4-Clause", (_BSD, "all advertising materials mentioning"), ()),
    ("BSD-3-Clause", (_BSD, "endorse or promote products derived"), ("all advertising materials mentioning",)),
    ("BSD-2-Clause", (_BSD,), ("endorse or promote products derived", "all advertising materials mentioning")),
    ("ISC", (_ISCISH, "provided that the above copyright notice and this permission notice appear in all copies"), ()),
    ("0BSD", (_ISCISH,), ("provided that the above copyright notice and this permission notice appear",)),
    ("MIT-open-group", ("permission to use copy modify distribute and sell this software and its documentation for "
                        "any purpose is hereby granted without fee",), ()),
    ("CC0-1.0", ("cc0 1 0",), ()),
    ("BSL-1.0", ("boost software license",), ()),
    ("Unlicense", ("this is free and unencumbered software released into the public domain",), ()),
    ("blessing", ("the author disclaims copyright to this source code",), ()),
]

#: Texts that only say the code is in the public domain.
PUBLIC_DOMAIN = "LicenseRef-Public-Domain"
_PD_PHRASES = ("public domain",)


def normalise(text: str) -> str:
    return _NON_WORD.sub(" ", text.lower()).strip()


def identify(text: str | bytes) -> list[str]:
    """SPDX identifiers of the licences a text contains, most significant first ([] if none)."""
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    norm = normalise(text[:400_000])
    ids = [spdx for spdx, need, avoid in RULES
           if all(p in norm for p in need) and not any(p in norm for p in avoid)]
    if "Python-2.0" in ids:  # the CPython licence stack also quotes the CNRI and PSF agreements
        ids = [i for i in ids if i != "PSF-2.0"]
    if "bzip2-1.0.6" in ids or "OpenSSL" in ids:  # both are BSD-style texts themselves
        ids = [i for i in ids if not i.startswith("BSD-")]
    if not ids and any(p in norm for p in _PD_PHRASES):
        ids.append(PUBLIC_DOMAIN)
    return ids


def is_gpl(spdx: str) -> bool:
    """True for GPL and AGPL ids (not LGPL): the ones that encumber a distribution."""
    s = spdx.upper()
    return s.startswith(("GPL", "AGPL")) or s.startswith("LICENSEREF-GPL")
