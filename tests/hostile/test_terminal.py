"""Issue 13.1: archive text reaches a terminal inert; JSON keeps exact values."""

from __future__ import annotations

import json

import pytest

from distscope.tui.cli import main
from tests.hostile.helpers import C1, CLEAR, OSC52, TITLE, assert_inert, hostile_text_archive


@pytest.fixture
def archive(tmp_path):
    return str(hostile_text_archive(tmp_path / "evil.tar.zst"))


@pytest.mark.parametrize("argv", [
    ["report"], ["report", "--format", "markdown"], ["check"], ["check", "--fail-on", "warning"],
    ["licenses"], ["licenses", "--texts"], ["ls", "--long"], ["ls"], ["summary"],
])
def test_text_output_is_inert(archive, argv, capsys):
    code = main([*argv, "--no-cache", archive])
    out, err = capsys.readouterr()
    assert code in (0, 1, 2)
    assert out, err
    assert_inert(out, err)


def test_report_names_the_hostile_fields_escaped(archive, capsys):
    main(["report", "--no-cache", archive])
    out = capsys.readouterr().out
    assert "\\x1b]52;c;" in out  # the member name, shown, escaped
    assert "x86_64-unknown-linux-gnu\\x1b]52" in out  # PYTHON.json's triple
    assert "lib\\x1b[2J\\x1b[Hevil.so" in out  # an ELF DT_NEEDED


def test_licence_texts_keep_their_lines_and_tabs(archive, capsys):
    main(["licenses", "--texts", "--no-cache", archive])
    out = capsys.readouterr().out
    assert "Apache License\\x1b]0;pwned\\x07\n\tVersion 2.0\n" in out


def test_ls_long_escapes_owner_and_group(archive, capsys):
    main(["ls", "--long", "--no-cache", archive])
    line = next(l for l in capsys.readouterr().out.splitlines() if l.endswith("owned.txt"))
    assert "root\\033]52;c;" in line and "wheel\\033]0;pwned\\a" in line


def test_json_keeps_exact_values(archive, capsys):
    main(["report", "--format", "json", "--no-cache", archive])
    report = json.loads(capsys.readouterr().out)
    strings = set(_strings(report))
    assert f"lib{CLEAR}evil.so" in strings  # the DT_NEEDED name, exactly
    assert f"/abs{OSC52}" in strings  # an unsafe member, exactly
    assert "3.12.7" + CLEAR in strings


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def test_extract_refusals_are_inert(archive, tmp_path, capsys):
    code = main(["extract", archive, "-C", str(tmp_path / "out")])
    out, err = capsys.readouterr()
    assert code == 1
    assert "refused /abs\\x1b]52;c;" in err
    assert_inert(out, err)


def test_error_messages_are_inert(archive, capsys):
    # a member not found: the message suggests close names from the archive
    code = main(["cat", "--no-cache", archive, "python/install/lib/clip"])
    out, err = capsys.readouterr()
    assert code == 2 and err.startswith("distscope: ")
    assert_inert(out, err)
    assert main(["ls", archive, f"nothing{TITLE}{C1}"]) == 2
    assert_inert(*capsys.readouterr())
