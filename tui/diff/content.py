"""``distscope diff --content``: the SHA-256 of every file member of an archive, by one more
streaming read of it (the index keeps no hash per member; see :mod:`distscope.tui.diff.members`)."""

from __future__ import annotations

import hashlib
import os

from distscope.tui.archive.compression import OpenedArchive
from distscope.tui.archive.members import FILE
from distscope.tui.archive.tarscan import TarFormatError, TarReader
from distscope.tui.errors import CorruptArchive


def content_hashes(path: str | os.PathLike) -> dict[str, str]:
    """{member path: SHA-256} of every regular file member, in one pass that reads nothing twice
    and keeps no content. Raises a DistscopeError for bad or damaged input."""
    hashes: dict[str, str] = {}
    last: str | None = None
    with OpenedArchive(path, hash_bytes=False) as opened:
        reader = TarReader(opened.stream, heads=False)
        try:
            for member in reader:
                if member.type == FILE:
                    sha = hashlib.sha256()
                    for piece in reader.data_chunks():
                        sha.update(piece)
                    hashes[member.path] = sha.hexdigest()
                last = member.name
        except TarFormatError as exc:
            raise CorruptArchive(f"{os.fspath(path)}: {exc}", exc.offset, last) from None
        except (OSError, ValueError, EOFError) as exc:  # decompression errors and the like
            raise CorruptArchive(f"{os.fspath(path)}: decompression failed ({type(exc).__name__}: {exc})",
                                 reader.offset, last) from None
    return hashes
