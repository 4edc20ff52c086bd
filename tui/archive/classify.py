"""The content classifier: a file member's kind from its first bytes (and, for a few formats, its
name). The pass classifies every file member with it (``member.kind``) before any analyser sees it."""

from __future__ import annotations

ELF, PE, MACHO, STATIC_LIB, BITCODE, BYTECODE, COFF, TEXT, EMPTY, OTHER = (
    "elf", "pe", "macho", "static-lib", "llvm-bitcode", "python-bytecode", "coff", "text", "empty", "other")

NATIVE = (ELF, PE, MACHO)

_MACHO_MAGICS = {
    b"\xfe\xed\xfa\xce", b"\xce\xfa\xed\xfe", b"\xfe\xed\xfa\xcf", b"\xcf\xfa\xed\xfe",
}
_FAT_MAGICS = {b"\xca\xfe\xba\xbe", b"\xca\xfe\xba\xbf"}
#: COFF object machine types (IMAGE_FILE_MACHINE_*), little-endian, at offset 0 of a .obj.
_COFF_MACHINES = {0x14C, 0x8664, 0xAA64, 0x1C4, 0x0000}
#: Bytes that make a sample look binary: controls other than common whitespace and escapes.
_BINARY_BYTES = bytes(b for b in range(32) if b not in b"\t\n\r\f\b\x1b") + b"\x7f"


#: Every first byte of the magics tested in :func:`classify` (ELF, Mach-O, fat, PE, ar, bitcode,
#: COFF import objects).
_MAGIC_FIRST_BYTES = frozenset(b"\x7f" + bytes(m[0] for m in _MACHO_MAGICS | _FAT_MAGICS) + b"M!B\xde\x00")


def _is_fat_macho(head: bytes) -> bool:
    # Java class files share 0xCAFEBABE; a fat header has a small architecture count.
    return head[:4] in _FAT_MAGICS and 0 < int.from_bytes(head[4:8], "big") < 32


def _is_pe(head: bytes) -> bool:
    if not head.startswith(b"MZ") or len(head) < 0x40:
        return False
    pe_offset = int.from_bytes(head[0x3C:0x40], "little")
    return pe_offset + 4 > len(head) or head[pe_offset:pe_offset + 4] == b"PE\x00\x00"


def _is_coff_object(head: bytes, path: str) -> bool:
    if len(head) < 20:
        return False
    if head[:4] == b"\x00\x00\xff\xff":  # import object / anon object (LTCG /GL objects)
        return True
    machine = int.from_bytes(head[:2], "little")
    return path.lower().endswith(".obj") and machine in _COFF_MACHINES


def _is_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    if not head.isascii():  # (ASCII is valid UTF-8: no need to decode it)
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # a multibyte character cut at the end is fine
                return False
    sample = head[:1024]
    # bytes.translate with a delete set runs in C: what is left are the binary-looking bytes.
    binary = len(sample) - len(sample.translate(None, _BINARY_BYTES))
    return binary <= 0.05 * len(sample)


def classify(head: bytes, path: str = "") -> str:
    """The content class of a member from its first bytes (and, for a few formats, its name)."""
    if not head:
        return EMPTY
    if head[0] not in _MAGIC_FIRST_BYTES:  # fast path: no magic below can match (most members)
        if path.endswith(".pyc") and len(head) >= 16 and head[2:4] == b"\r\n":
            return BYTECODE
        if path[-4:].lower() != ".obj":  # (a .obj's COFF machine type may start with any byte)
            return TEXT if _is_text(head) else OTHER
    if head.startswith(b"\x7fELF"):
        return ELF
    if head[:4] in _MACHO_MAGICS or _is_fat_macho(head):
        return MACHO
    if _is_pe(head):
        return PE
    if head.startswith(b"!<arch>\n") or head.startswith(b"!<thin>\n"):
        return STATIC_LIB
    if head.startswith(b"BC\xc0\xde") or head.startswith(b"\xde\xc0\x17\x0b"):
        return BITCODE
    if path.endswith(".pyc") and len(head) >= 16 and head[2:4] == b"\r\n":
        return BYTECODE
    if _is_coff_object(head, path):
        return COFF
    if _is_text(head):
        return TEXT
    return OTHER
