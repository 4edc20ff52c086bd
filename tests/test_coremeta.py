"""The METADATA header reader gives what ``email.parser`` gives: on every METADATA file of the
running interpreter's site-packages (read where they are; skipped when there are none), on
malformed headers, and on random headers made of the pieces the parsers treat specially."""

from __future__ import annotations

import glob
import random
import site
import sys
from email.parser import HeaderParser

import pytest

from distscope.tui.meta.coremeta import by_name, header_fields
from distscope.tui.meta.licenses import read_metadata


def email_fields(text: str) -> list[tuple[str, str]]:
    return HeaderParser().parsestr(text).items()


def metadata_files() -> list[str]:
    folders = set(site.getsitepackages()) | {site.getusersitepackages()} | {p for p in sys.path if p.endswith("-packages")}
    return sorted({f for folder in folders for f in glob.glob(f"{folder}/*.dist-info/METADATA")})


def test_same_fields_as_email_parser_on_every_installed_metadata() -> None:
    files = metadata_files()
    if not files:
        pytest.skip("no dist-info METADATA in this interpreter's site-packages")
    for path in files:
        with open(path, "rb") as f:
            data = f.read()
        for text in (data.decode("utf-8", "replace"), data.decode("latin-1")):
            assert header_fields(text) == email_fields(text), path


MALFORMED = [
    "",
    "\n",
    "Name: x\nLicense: MIT\n  more\n\tline\nClassifier: License :: A\nClassifier: License :: B\n\nBody: no\n",
    "Name:x\nName: y\n",  # repeated, no blank after the colon
    "name: lower\nVERSION:  1.0 \n",  # names as written, trailing blanks kept
    " leading continuation\nName: z\n",
    "Name: a\r\nVersion: 2\r\nLicense: b\r\n  c\r\n\r\nbody\r\n",
    "Name: v\rVersion: 5\rLicense: x\r \ty\r",  # old Mac breaks
    "Bad line\nName: q\n",  # text before any field: no header
    "Name: q\nnot a field\nVersion: 1\n",  # a line of text ends the header
    "From nobody Mon Jan 1\nName: r\n",  # an envelope line
    "Name: r\nFrom somebody\n continued\nVersion: 2\n",  # a misplaced envelope line, and its continuation
    "Name: r\nFrom: a person\n",  # a field called From
    ": no name\n continued\nName: s\n",
    "Name a: b\nName: c\n",  # a blank in a name
    "Key : v\nName: s\n",
    "Name: t\n\x0cVersion: 3\n",  # a form feed is not a break
    "Name: u\u2028x\nVersion: 4\u2029\n",  # nor are Unicode line separators
    "Name: w\n   \nVersion: 6\n",  # a blank continuation
    "Name: é\nLicense: \nVersion:\n",  # empty values
    "Name: no final break",
    "Name: x\n\n\nVersion: 1\n",
    "Name: x\r\n\nVersion: 1\n",
    "Name: x\n \n\nVersion: 1\n",
    "Na\u00efve: x\nName: y\n",  # a name outside printable ASCII
    "Name: x\nLicense: one\n\n two\n",
    "Name:\ttabbed\t\nVersion: \t 1\n",
]


@pytest.mark.parametrize("text", MALFORMED)
def test_same_fields_as_email_parser_on_malformed_headers(text: str) -> None:
    assert header_fields(text) == email_fields(text)


def test_same_fields_as_email_parser_on_random_headers() -> None:
    pieces = ["Name", "Classifier", "From", "From ", ":", " ", "\t", "a", "é", "\r", "\n", "\r\n", "\n\n", ": ",
              "License :: OSI", "\x0c", "\u2028", "x y", "-", "::"]
    rng = random.Random(11)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 24)))
        assert header_fields(text) == email_fields(text), repr(text)


def test_by_name_is_get_all_of_any_case() -> None:
    text = "Name: x\nCLASSIFIER: License :: A\nclassifier: License :: B\nVersion: 1\n"
    message = HeaderParser().parsestr(text)
    fields = by_name(header_fields(text))
    assert fields["classifier"] == message.get_all("Classifier") == ["License :: A", "License :: B"]
    assert fields["name"] == message.get_all("name") == ["x"] and "summary" not in fields


def test_read_metadata_reads_the_licence_fields() -> None:
    meta = read_metadata("Metadata-Version: 2.4\nName: pkg\nVersion: 2.0\nLicense-Expression: MIT OR Apache-2.0\n"
                         "License: Some licence\n  on two lines\nClassifier: License :: OSI Approved :: MIT License\n"
                         "Classifier: Programming Language :: Python\n\nLicense: in the description\n")
    assert meta == {"name": "pkg", "version": "2.0", "license_expression": "MIT OR Apache-2.0",
                    "license": "Some licence", "classifiers": ["OSI Approved :: MIT License"]}
