"""Extract an archive (or some members) in one streaming pass, safely by construction.

Like tarfile's ``data`` filter, and stricter in places, a member is refused (and the rest still
extracted) when:

* its name is absolute or has a ``..`` component;
* a parent folder on its way is a symlink (no write ever goes through a link) or not a folder;
* it is a symlink whose target is absolute or leads outside the destination (checked lexically
  when written and again with ``realpath`` once everything is extracted, since a later link can
  change where an earlier one leads: links that then escape are removed and reported);
* it is a hardlink whose target is outside the archive or was not extracted in this run;
* it is a device, a fifo or another special member;
* its path is longer than the file system allows (4096 bytes, 255 per name), or its name or
  link target holds a NUL byte, or it carries data under an empty name;
* its modification time cannot be set (out of the system's range);
* it is a sparse file (GNU or pax sparse: not supported; GNU tar extracts them);
* the destination already exists and ``force`` is not given (with ``force``, files and links in
  the way are replaced, never written through; a folder in the way of a file is refused).

A symlink is resolved at most 40 links deep (the kernel's limit: a longer chain cannot be
followed, so it cannot lead anywhere), and the final check remembers where each link leads, so
long chains and many links to one chain cost time linear in the members. More members than
the member cap (``--max-members``) stop the pass, as they stop the index.

Files get the member's permissions without set-id/sticky bits or group/other write, and stay
owner-readable and writable; ownership is never set; modification times are.
"""

from __future__ import annotations

import os
import posixpath
import stat
import threading
from dataclasses import dataclass, field
from typing import Callable

from distscope.tui.archive.compression import OpenedArchive, limit_message
from distscope.tui.archive.limits import LIMITS, members_message
from distscope.tui.archive.members import DIRECTORY, FILE, HARDLINK, SYMLINK, Member, normalize
from distscope.tui.archive.tarscan import TRAILER_LIMIT, TarFormatError, TarReader
from distscope.tui.errors import CorruptArchive, DistscopeError

_PATH_MAX = 4096
_NAME_MAX = 255
_SPECIAL = {"3": "character device", "4": "block device", "6": "fifo",
            "S": "sparse file (not supported: GNU tar extracts it)"}
#: Symlinks followed in one resolution, as the kernel's limit (ELOOP beyond).
MAX_LINK_HOPS = 40
#: Modification times os.utime takes (nanoseconds fit a signed 64-bit integer).
_TIME_LIMIT = (1 << 63) // 10**9


@dataclass
class ExtractReport:
    """What an extraction did."""

    extracted: int = 0
    bytes: int = 0
    refused: list[tuple[str, str]] = field(default_factory=list)  #: (member name, reason)
    not_found: list[str] = field(default_factory=list)  #: requested paths that matched nothing
    error: str | None = None  #: damage that stopped the pass
    trailing: str | None = None  #: a note on data after the end marker, left unread

    @property
    def ok(self) -> bool:
        return not self.refused and not self.not_found and self.error is None


class _Refused(Exception):
    pass


def _selector(paths: list[str] | None) -> tuple[Callable[[str], bool], list[str]]:
    """A predicate choosing members by path or subtree, and the normalized requests."""
    if not paths:
        return (lambda path: True), []
    wanted = [normalize(p) for p in paths]
    if "" in wanted or "." in wanted:
        return (lambda path: True), []
    prefixes = tuple(w + "/" for w in wanted)
    exact = set(wanted)
    return (lambda path: path in exact or path.startswith(prefixes)), wanted


class Extractor:
    """One extraction into ``dest``; see :func:`extract`."""

    def __init__(self, dest: str | os.PathLike[str], force: bool = False) -> None:
        self.dest = os.path.realpath(dest)
        self.force = force
        self.report = ExtractReport()
        self._written: dict[str, str] = {}  # member path -> file on disk (regular files)
        self._made: set[str] = set()  # every path created in this run
        self._links: list[tuple[str, str]] = []  # (member name, path on disk) of symlinks
        self._dirs: list[tuple[str, Member]] = []
        self._real_dirs: set[str] = set()  # folders (not links) verified or made in this run
        self._resolver = _Resolver()

    # -- paths ----------------------------------------------------------------------------
    def _target(self, member: Member) -> str:
        name = member.name
        if name.startswith("/") or (len(name) > 1 and name[1] == ":" and name[0].isalpha()):
            raise _Refused("absolute path")
        if ".." in name.replace("\\", "/").split("/"):
            raise _Refused("'..' in the path")
        target = self.dest + os.sep + member.path.replace("/", os.sep)
        if len(os.fsencode(target)) >= _PATH_MAX or any(len(os.fsencode(p)) > _NAME_MAX for p in member.path.split("/")):
            raise _Refused("path too long for the file system")
        return target

    def _parents(self, member: Member) -> None:
        """Create the member's parent folders; refuse if one is a link or not a folder."""
        parts = member.path.split("/")[:-1]
        current = self.dest
        for i, part in enumerate(parts):
            current = f"{current}{os.sep}{part}"
            if current in self._real_dirs:
                continue  # checked before; folders are never replaced during a run
            try:
                st = os.lstat(current)
            except FileNotFoundError:
                os.mkdir(current)
                self._made.add(current)
                self._real_dirs.add(current)
                continue
            if stat.S_ISLNK(st.st_mode):
                raise _Refused(f"would write through the symlink {'/'.join(parts[:i + 1])}")
            if not stat.S_ISDIR(st.st_mode):
                raise _Refused(f"{'/'.join(parts[:i + 1])} is not a directory")
            self._real_dirs.add(current)

    def _clear(self, target: str, for_dir: bool = False) -> bool:
        """Make room at ``target``; True when a folder is already there (for folders)."""
        try:
            st = os.lstat(target)
        except FileNotFoundError:
            return False
        if stat.S_ISDIR(st.st_mode):
            if for_dir:
                return True
            raise _Refused("a directory is in the way")
        if target not in self._made and not self.force:
            raise _Refused("already exists (use --force to overwrite)")
        self._resolver.memo.clear()  # (a link or file goes away: remembered ends may change)
        os.unlink(target)  # replace the file or link itself, never write through it
        return False

    # -- members --------------------------------------------------------------------------
    def member(self, member: Member, reader: TarReader) -> None:
        if (not member.path or member.path == ".") and member.type == DIRECTORY:
            return  # the destination itself
        try:
            self._member(member, reader)
        except _Refused as exc:
            self.report.refused.append((member.name, str(exc)))
        except OSError as exc:
            if exc.errno is None:  # a decompression error (gzip's are OSErrors): not a refusal
                raise
            self.report.refused.append((member.name, f"cannot write: {exc.strerror or exc}"))
        except (ValueError, OverflowError) as exc:  # whatever a name or a field still holds
            self.report.refused.append((member.name, f"cannot write: {exc}"))

    def _member(self, member: Member, reader: TarReader) -> None:
        if member.type not in (FILE, DIRECTORY, SYMLINK, HARDLINK):
            if member.typeflag in "0\x007":  # a regular type turned OTHER by pax sparse records
                raise _Refused(_SPECIAL["S"])
            raise _Refused(_SPECIAL.get(member.typeflag, f"unsupported member type {member.typeflag!r}"))
        if not member.path or member.path == ".":
            raise _Refused("empty name")
        if "\0" in member.name or "\0" in member.linkname:
            raise _Refused("NUL byte in the name or link target")
        if member.type in (FILE, DIRECTORY) and not -_TIME_LIMIT < member.mtime < _TIME_LIMIT:
            raise _Refused(f"modification time out of range ({member.mtime})")
        target = self._target(member)
        if member.type == SYMLINK:
            self._check_symlink(member)
        elif member.type == HARDLINK:
            source = self._hardlink_source(member)
        self._parents(member)
        if member.type == DIRECTORY:
            if not self._clear(target, for_dir=True):
                os.mkdir(target)
                self._made.add(target)
            self._real_dirs.add(target)
            self._dirs.append((target, member))
            self.report.extracted += 1
            return
        self._clear(target)
        if member.type == FILE:
            self._write_file(member, reader, target)
        elif member.type == SYMLINK:
            os.symlink(member.linkname, target)
            self._links.append((member.name, target))
        else:
            os.link(source, target, follow_symlinks=False)
            self._written[member.path] = target
        self._made.add(target)
        self.report.extracted += 1

    def _check_symlink(self, member: Member) -> None:
        link = member.linkname
        if not link:
            raise _Refused("symlink with an empty target")
        if link.startswith("/") or (len(link) > 1 and link[1] == ":"):
            raise _Refused(f"symlink to an absolute path ({link})")
        where = posixpath.normpath(posixpath.join(posixpath.dirname(member.path), link))
        if where == ".." or where.startswith("../"):
            raise _Refused(f"symlink points outside the destination ({link})")
        real = self._resolver.realpath(self.dest, where)
        if real is not None and not _inside(real, self.dest):  # (None: a loop, leads nowhere)
            raise _Refused(f"symlink points outside the destination ({link})")

    def _hardlink_source(self, member: Member) -> str:
        link = member.linkname
        if link.startswith("/") or ".." in link.split("/"):
            raise _Refused(f"hardlink to a path outside the archive ({link})")
        source = self._written.get(normalize(link))
        if source is None:
            raise _Refused(f"hardlink target {link} was not extracted")
        if normalize(link) == member.path:
            raise _Refused("hardlink to itself")
        st = os.lstat(source)
        if not stat.S_ISREG(st.st_mode):
            raise _Refused(f"hardlink target {link} is no longer a regular file")
        return source

    def _write_file(self, member: Member, reader: TarReader, target: str) -> None:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in reader.data_chunks():
                    out.write(chunk)
        except BaseException:
            _unlink(target)
            raise
        mode = member.mode & 0o755
        if not mode & 0o100:
            mode &= ~0o111
        os.chmod(target, mode | 0o600)
        os.utime(target, (member.mtime, member.mtime))
        self._written[member.path] = target
        self.report.bytes += member.size

    # -- after the pass -------------------------------------------------------------------
    def finish(self) -> None:
        resolver = _Resolver()  # (the final state: a fresh memo)
        start = len(self.dest) + 1
        for name, path in self._links:
            # A later link may have changed where this one leads: remove any that now escapes.
            real = resolver.realpath(self.dest, path[start:].replace(os.sep, "/"))
            if real is not None and not _inside(real, self.dest):
                _unlink(path)
                self.report.refused.append((name, "symlink points outside the destination (through other links)"))
                self.report.extracted -= 1
        for target, member in reversed(self._dirs):
            try:
                os.utime(target, (member.mtime, member.mtime), follow_symlinks=False)
            except OSError:
                pass


class _Resolver:
    """``os.path.realpath`` (non-strict) without recursion and with the kernel's limit of
    :data:`MAX_LINK_HOPS` links per resolution: None when it is exceeded (the path cannot be
    opened, so it leads nowhere). ``memo`` remembers where each link resolved leads, so many
    links through one chain cost one walk. It keeps only ends reached through existing paths
    (a later member can create a missing component, never change an existing one), and its
    owner clears it whenever something on disk is removed."""

    def __init__(self, memo: dict[str, str] | None = None) -> None:
        self.memo = {} if memo is None else memo

    def realpath(self, base: str, relative: str) -> str | None:
        """Resolve ``relative`` (``/``-separated) under ``base``, a real path (no links in it)."""
        memo = self.memo
        # components to resolve, the next one last; (link,) marks the end of a link's target
        rest: list[str | tuple[str]] = list(reversed(relative.split("/")))
        resolved = base
        hops = 0
        missing = False  # met a component that does not exist: ends found now may change later
        while rest:
            part = rest.pop()
            if type(part) is tuple:  # the end of a link's target: remember where the link leads
                if not missing:
                    memo[part[0]] = resolved
                continue
            if part in ("", "."):
                continue
            if part == "..":
                resolved = resolved.rsplit(os.sep, 1)[0]
                continue
            current = f"{resolved}{os.sep}{part}"
            known = memo.get(current)
            if known is not None:
                resolved = known
                continue
            if missing:  # below a missing component nothing exists: lexical from here
                resolved = current
                continue
            try:
                st = os.lstat(current)
            except OSError:
                missing = True
                resolved = current
                continue
            if not stat.S_ISLNK(st.st_mode):
                resolved = current
                continue
            hops += 1
            if hops > MAX_LINK_HOPS:
                return None
            target = os.readlink(current)
            if target.startswith("/"):
                resolved = ""
            rest.append((current,))
            rest.extend(reversed(target.split("/")))
        return resolved or os.sep


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def _unlink(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def extract(archive: str | os.PathLike[str], dest: str | os.PathLike[str], members: list[str] | None = None, *,
            force: bool = False, on_progress: Callable[[int, int, int], None] | None = None,
            cancel: threading.Event | None = None) -> ExtractReport:
    """Extract ``members`` (paths or folders; all when empty) of ``archive`` into ``dest``.

    One streaming pass, no index needed. ``on_progress(compressed_read, compressed_total,
    members_seen)`` is called every few hundred members. Raises NotAnArchive for bad input;
    damage found mid-stream stops the pass and is recorded in ``report.error``.
    """
    chosen, wanted = _selector(members)
    matched: set[str] = set()
    with OpenedArchive(archive, hash_bytes=False) as opened:
        if os.path.exists(dest) and not os.path.isdir(dest):
            raise DistscopeError(f"{os.fspath(dest)}: not a directory")
        try:
            os.makedirs(dest, exist_ok=True)
        except OSError as exc:
            raise DistscopeError(f"{os.fspath(dest)}: cannot create the destination: {exc.strerror or exc}") from None
        extractor = Extractor(dest, force)
        reader = TarReader(opened.stream)
        seen = 0
        max_members = LIMITS.max_members
        last_name = None
        try:
            for member in reader:
                seen += 1
                if seen > max_members:
                    raise TarFormatError(members_message(), member.header_offset)
                if chosen(member.path):
                    if wanted:
                        matched.update(w for w in wanted if member.path == w or member.path.startswith(w + "/"))
                    extractor.member(member, reader)
                last_name = member.name
                if on_progress is not None and seen % 256 == 0:
                    on_progress(opened.raw.bytes_read, opened.size, seen)
                if cancel is not None and cancel.is_set():
                    extractor.report.error = "cancelled"
                    break
            else:
                # gzip, xz, bzip2 and single-frame zstd check their checksum at the very end,
                # after the tar's end-of-archive marker: read up to there (the padding; data
                # beyond a bound is left unread), or damage goes unseen.
                extractor.report.trailing = reader.trailer(TRAILER_LIMIT)
                damage = opened.container_damage()
                if damage:
                    raise TarFormatError(damage, reader.offset)
        except TarFormatError as exc:
            extractor.report.error = CorruptArchive(str(exc), exc.offset, last_name).message
        except Exception as exc:  # decompression errors and the like: keep what was extracted
            message = limit_message(exc) or f"decompression failed ({type(exc).__name__}: {exc})"
            extractor.report.error = CorruptArchive(message, reader.offset, last_name).message
        if on_progress is not None:
            on_progress(opened.raw.bytes_read, opened.size, seen)
    extractor.finish()
    extractor.report.not_found = [w for w in wanted if w not in matched]
    return extractor.report
