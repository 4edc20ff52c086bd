"""The report and check commands: formats, exit codes, several archives in parallel."""

from __future__ import annotations

import json

from tests.archives import entry, write_archive
from tests.conftest import real_archive
from distscope.tui.cli import main
from distscope.tui.synth import make_elf

TRIPLE_NAME = "cpython-3.12.7+20241016-x86_64-unknown-linux-gnu-install_only.tar.zst"


def good(tmp_path, name=TRIPLE_NAME):
    return write_archive(tmp_path / name, [
        entry("python/bin/python3.12", make_elf(etype="exec", needed=["libpython3.12.so.1.0", "libc.so.6"],
                                                rpath="$ORIGIN/../lib", versions={"libc.so.6": ["GLIBC_2.17"]})),
        entry("python/lib/libpython3.12.so.1.0", make_elf(soname="libpython3.12.so.1.0", needed=["libc.so.6"])),
    ])


def bad(tmp_path):
    return write_archive(tmp_path / "bad-x86_64-unknown-linux-gnu.tar.zst", [
        entry("python/bin/python3.12", make_elf(etype="exec", needed=["libpython3.12.so.1.0", "libc.so.6"],
                                                rpath="$ORIGIN/../lib")),
    ])


def test_report_text_headline_first(tmp_path, capsys):
    assert main(["--no-cache", "report", str(good(tmp_path))]) == 0
    out = capsys.readouterr().out
    first = out.splitlines()[0]
    assert first.startswith("OK: x86_64-unknown-linux-gnu; needs glibc 2.17")
    assert out.index("Problems") < out.index("Runtime requirements") < out.index("Binaries")


def test_report_json_contract(tmp_path, capsys):
    assert main(["report", "--format", "json", str(bad(tmp_path))]) == 0
    report = json.loads(capsys.readouterr().out)
    assert list(report)[:3] == ["report_version", "verdict", "findings"]
    assert report["verdict"]["status"] == "errors"
    assert {"archive", "distribution", "binaries", "requirements", "dependencies"} <= set(report)
    req = report["requirements"]
    for key in ("min_glibc", "min_glibc_needed_by", "system_libraries", "missing_libraries", "msvc_runtime",
                "min_windows", "min_macos", "host"):
        assert key in req
    assert req["missing_libraries"] == [{"name": "libpython3.12.so.1.0", "needed_by": ["python/bin/python3.12"]}]
    assert req["system_libraries"][0]["name"] == "libc.so.6" and req["system_libraries"][0]["allowed"]
    row = report["binaries"][0]
    assert {"path", "format", "native", "needs"} <= set(row) and row["native"] is True
    assert report["dependencies"]["roots"] == ["python/bin/python3.12"]
    finding = report["findings"][0]
    assert set(finding) == {"severity", "code", "message", "paths"} and finding["code"] == "missing-library"


def test_report_markdown(tmp_path, capsys):
    assert main(["report", "--format", "markdown", str(bad(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# FAIL: ") and "| error | `missing-library` |" in out


def test_report_markdown_tables_escape_pipes_in_names(tmp_path, capsys):
    """A member name may hold ``|``: in a markdown table cell it is escaped, so the row keeps its
    columns (binaries table and the findings' paths)."""
    path = write_archive(tmp_path / "pipes-x86_64-unknown-linux-gnu.tar.zst", [
        entry("python/bin/a|b", make_elf(etype="exec", needed=["libmissing.so.1", "libc.so.6"]))])
    assert main(["--no-cache", "report", "--format", "markdown", str(path)]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if "`python/bin/a" in line]
    assert rows and all("a\\|b" in line and "a|b" not in line for line in rows)
    binary = next(line for line in rows if line.startswith("| `python/bin/a"))
    assert binary.replace("\\|", "").count("|") == 7  # six columns


def test_markdown_table_shape():
    from distscope.tui.report.layout import markdown_table

    assert markdown_table(["", ""], [("Python", "3.12 | 3.13")]) == ["| | |", "|---|---|", "| Python | 3.12 \\| 3.13 |"]


def test_check_exit_codes(tmp_path, capsys):
    ok, broken = good(tmp_path), bad(tmp_path)
    assert main(["check", str(ok)]) == 0
    assert main(["check", str(broken)]) == 1
    out = capsys.readouterr().out
    assert "missing-library" in out and "Runtime requirements" not in out
    assert main(["check", str(ok), str(broken)]) == 1  # two archives, in parallel processes
    capsys.readouterr()
    assert main(["check", "--format", "json", str(ok), str(broken)]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert [p["verdict"]["status"] for p in payload] == ["ok", "errors"]
    assert all(f["severity"] in ("error", "warning") for p in payload for f in p["findings"])


def test_bad_input(tmp_path, capsys):
    assert main(["check", str(tmp_path / "nope.tar.zst")]) == 2
    assert "no such file" in capsys.readouterr().err
    junk = tmp_path / "junk.tar.zst"
    junk.write_bytes(b"this is not an archive" * 10)
    assert main(["report", str(junk)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("distscope: ") and "Traceback" not in err
    assert main(["check", str(good(tmp_path)), str(junk)]) == 2


def test_truncated_archive(tmp_path, capsys):
    path = good(tmp_path)
    data = path.read_bytes()
    cut = tmp_path / "cut.tar.zst"
    cut.write_bytes(data[: len(data) // 2])
    code = main(["report", "--format", "json", str(cut)])
    captured = capsys.readouterr()
    assert code == 2 and "Traceback" not in captured.err


def test_real_archives_check(capsys):
    paths = [str(real_archive(w)) for w in ("windows", "linux", "macos")]
    assert main(["check", "--format", "json", *paths]) == 1
    payload = json.loads(capsys.readouterr().out)
    by_name = {p["archive"].rsplit("/", 1)[-1]: p for p in payload}
    win = next(v for k, v in by_name.items() if "windows" in k)
    assert {f["message"].split()[0] for f in win["findings"] if f["code"] == "missing-library"} == {
        "python311.dll", "libcrypto-3-x64.dll"}


def test_findings_gathered_from_the_named_sources(tmp_path):
    """The report gathers the findings of the binaries, PYTHON.json and the sections it builds,
    by name: a result it does not know is not searched for anything that looks like findings."""
    from distscope.tui.model.findings import finding
    from distscope.tui.session import build_report, open_index

    index = open_index(good(tmp_path), use_cache=False)
    index.results["pythonjson"].findings.append(finding("warning", "x-odd", "odd", ["a"]))
    index.results["someone"] = {"findings": [{"severity": "error", "code": "x-foreign", "message": "m", "paths": []}]}
    report = build_report(index)
    codes = [f.code for f in report.findings]
    assert "x-odd" in codes and "x-foreign" not in codes
    assert report.verdict.status == "warnings" and report.verdict.warnings >= 1
