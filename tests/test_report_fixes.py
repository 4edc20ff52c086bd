"""Regression tests for QA's report defects: the stable-ABI stub and libpython's exports, the
host check on broken archives, 80-column text, unsafe members, the file name named twice."""

from __future__ import annotations

import json

from tests.archives import entry, write_archive
from tests.conftest import host_check, plain, real_archive
from distscope.tui.analysis.findings import is_real_libpython
from distscope.tui.cli import main
from distscope.tui.session import build_report, to_text
from distscope.tui.session import open_index
from distscope.tui.synth import make_elf

TRIPLE_NAME = "cpython-3.12.7+20241016-x86_64-unknown-linux-gnu-install_only.tar.zst"
HOST = {"platform": "linux", "arch": "x86_64", "glibc": "2.36", "os_version": None}
REQ = {"platform": "linux", "machines": ["x86_64"], "libc": "glibc", "min_glibc": "2.17", "missing_libraries": []}


def interpreter(needed=("libpython3.12.so.1.0", "libc.so.6")):
    return make_elf(etype="exec", needed=list(needed), rpath="$ORIGIN/../lib",
                    versions={"libc.so.6": ["GLIBC_2.17"]})


def libpython(exports=("Py_Initialize", "PyList_New", "Py_CompileString")):
    return make_elf(soname="libpython3.12.so.1.0", needed=["libc.so.6"], exported_symbols=list(exports))


def report_of(tmp_path, entries, name=TRIPLE_NAME) -> dict:
    return build_report(open_index(write_archive(tmp_path / name, entries), use_cache=False))


def codes(report: dict) -> dict:
    return {f["code"]: f for f in plain(report.findings)}


# ------------------------------------------------------------- 1: libpython3.so is a stub
def test_real_libpython_names():
    for name in ("libpython3.13.so.1.0", "libpython3.13t.so.1.0", "libpython3.13d.so.1.0",
                 "libpython3.12.dylib", "python312.dll", "python313t.dll"):
        assert is_real_libpython(name), name
    for name in ("libpython3.so", "python3.dll", "libpython3.13.a", "python3.13"):
        assert not is_real_libpython(name), name


def test_stable_abi_stub_needs_no_exports(tmp_path):
    stub = make_elf(soname="libpython3.so", needed=["libpython3.12.so.1.0", "libc.so.6"],
                    exported_symbols=["my_func"])
    report = report_of(tmp_path, [
        entry("python/bin/python3.12", interpreter()),
        entry("python/lib/libpython3.12.so.1.0", libpython()),
        entry("python/lib/libpython3.so", stub),
    ])
    assert "libpython-missing-exports" not in codes(report)


def test_real_libpython_without_exports_still_flagged(tmp_path):
    report = report_of(tmp_path, [
        entry("python/bin/python3.12", interpreter()),
        entry("python/lib/libpython3.12.so.1.0", libpython(exports=["Py_Initialize"])),
    ])
    found = codes(report)["libpython-missing-exports"]
    assert found["paths"] == ["python/lib/libpython3.12.so.1.0"] and "PyList_New" in found["message"]


def test_real_linux_archive_stub_not_flagged():
    index = open_index(real_archive("linux"), use_cache=False)
    assert "libpython-missing-exports" not in {f["code"] for f in plain(index.results["binaries"])["findings"]}


# ------------------------------------------------------------- 2: host check on broken archives
def test_host_check_blocking_findings():
    assert host_check(REQ, HOST)["runs"] is True
    assert host_check(REQ, HOST, findings=[], interpreters=["python/bin/python3"], native_binaries=2)["runs"] is True
    missing = host_check(REQ, HOST, findings=[{"severity": "error", "code": "missing-interpreter",
                                               "message": "m", "paths": ["python/bin/python3"]}])
    assert missing["runs"] is False and "interpreter is missing" in missing["reasons"][0]
    wrong = host_check(REQ, HOST, findings=[{"severity": "error", "code": "wrong-machine", "message": "m",
                                             "paths": ["a.so", "b.so"]}])
    assert wrong["runs"] is False and "another machine" in wrong["reasons"][0]
    # a warning of a blocking code does not stop it (e.g. a vendored wheel's binary)
    soft = host_check(REQ, HOST, findings=[{"severity": "warning", "code": "unreadable-binary", "message": "m",
                                            "paths": ["x/site-packages/a.so"]}])
    assert soft["runs"] is True
    none = host_check(REQ, HOST, findings=[], interpreters=[], native_binaries=3)
    assert none["runs"] is False and "no Python interpreter" in none["reasons"][0]
    empty = host_check(REQ, HOST, findings=[], interpreters=[], native_binaries=0)
    assert empty["runs"] is None and "nothing to run" in empty["reasons"][0]


def test_report_no_interpreter_does_not_run(tmp_path):
    report = report_of(tmp_path, [
        entry("python/bin/python3", type="symlink", link="python3.12"),  # dangling
        entry("python/lib/libpython3.12.so.1.0", libpython()),
    ])
    host = plain(report.requirements)["host"]
    assert host["runs"] is False and plain(report.verdict)["runs_here"] is False
    assert any("interpreter is missing" in r for r in host["reasons"])
    assert "Runs on this machine" in to_text(report) and ": yes" not in to_text(report)


def test_report_no_binaries_unknown(tmp_path):
    report = report_of(tmp_path, [entry("python/README.txt", "hello\n")])
    host = plain(report.requirements)["host"]  # the target comes from the file name
    assert host["runs"] is None and any("nothing to run" in r for r in host["reasons"])
    assert plain(report.verdict)["runs_here"] is None


def test_report_good_archive_runs(tmp_path):
    report = report_of(tmp_path, [
        entry("python/bin/python3.12", interpreter()),
        entry("python/lib/libpython3.12.so.1.0", libpython()),
    ])
    assert plain(report.requirements)["host"]["runs"] in (True, None)  # None: this host's glibc unknown


# ------------------------------------------------------------- 4: unsafe members
def test_unsafe_members_flagged(tmp_path):
    setuid = entry("python/bin/helper", b"x", mode=0o4755)
    absolute, _ = entry("/etc/evil", b"x")
    report = report_of(tmp_path, [
        entry("python/bin/python3.12", interpreter()),
        entry("python/lib/libpython3.12.so.1.0", libpython()),
        entry("python/lib/abs", type="symlink", link="/etc/passwd"),
        entry("python/lib/up", type="symlink", link="../../../outside"),
        entry("python/lib/ok", type="symlink", link="libpython3.12.so.1.0"),
        entry("python/lib/hard", type="hardlink", link="../outside"),
        entry("python/pipe", type="fifo"),
        setuid,
        (absolute, b"x"),
    ])
    unsafe = [f for f in plain(report.findings) if f["code"] == "unsafe-member"]
    assert unsafe and all(f["severity"] == "warning" for f in unsafe)
    text = " | ".join(f["message"] for f in unsafe)
    for expected in ("python/lib/abs -> /etc/passwd", "python/lib/up -> ../../../outside",
                     "python/lib/hard -> ../outside", "python/pipe", "python/bin/helper", "/etc/evil",
                     "distscope extract refuses them"):
        assert expected in text, expected
    assert "python/lib/ok" not in text
    paths = {p for f in unsafe for p in f["paths"]}
    assert {"python/lib/abs", "python/lib/up", "python/lib/hard", "python/pipe", "python/bin/helper"} <= paths


def test_unsafe_member_list_capped(tmp_path):
    links = [entry(f"python/l{i}", type="symlink", link=f"/abs/{i}") for i in range(30)]
    report = report_of(tmp_path, [entry("python/bin/python3.12", interpreter()), *links])
    found = codes(report)["unsafe-member"]
    assert found["message"].startswith("30 unsafe members") and "(+25 more)" in found["message"]
    assert len(found["paths"]) == 30


def test_clean_archive_has_no_unsafe_member(tmp_path):
    report = report_of(tmp_path, [
        entry("python/bin/python3.12", interpreter()),
        entry("python/bin/python3", type="symlink", link="python3.12"),
        entry("python/lib/libpython3.12.so.1.0", libpython()),
    ])
    assert "unsafe-member" not in codes(report)


def test_check_reports_unsafe_member(tmp_path, capsys):
    path = write_archive(tmp_path / TRIPLE_NAME, [
        entry("python/bin/python3.12", interpreter()),
        entry("python/lib/libpython3.12.so.1.0", libpython()),
        entry("python/lib/escape", type="symlink", link="/etc/shadow"),
    ])
    assert main(["--no-cache", "check", "--fail-on", "warning", str(path)]) == 1
    assert "unsafe-member" in capsys.readouterr().out


# ------------------------------------------------------------- 5: the file name once
def test_error_names_the_file_once(tmp_path, capsys, monkeypatch):
    import zipfile

    monkeypatch.chdir(tmp_path)
    with zipfile.ZipFile("x.zip", "w") as z:
        z.writestr("a", "b")
    (tmp_path / "empty.tar").write_bytes(b"")
    for command, name in (("report", "x.zip"), ("check", "x.zip"), ("report", "empty.tar"),
                          ("check", str(tmp_path / "empty.tar"))):
        assert main(["--no-cache", command, name]) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith(f"distscope: {name}: ") and err.count("x.zip") + err.count("empty.tar") == 1, err


# ------------------------------------------------------------- 3: 80 columns
LONG = "python/lib/python3.12/lib-dynload/_a_rather_long_extension_name.cpython-312-x86_64-linux-gnu.so"


def _too_wide(text: str) -> list[str]:
    """Lines over 80 columns that could have been wrapped (a single word longer is allowed)."""
    return [line for line in text.splitlines() if len(line) > 80 and " " in line.strip()]


def wide_report(tmp_path) -> dict:
    return report_of(tmp_path, [
        entry("python/bin/python3.12", interpreter()),
        entry("python/lib/libpython3.12.so.1.0", libpython()),
        entry(LONG, make_elf(needed=["libc.so.6", "libmissing_with_a_long_name.so.1"],
                             versions={"libc.so.6": ["GLIBC_2.17"]})),
        entry("python/lib/escape", type="symlink", link="/etc/a/very/long/absolute/target/for/the/message"),
    ])


def test_report_text_fits_80_columns(tmp_path, capsys):
    report = wide_report(tmp_path)
    text = to_text(report)
    ours = text.split("\nArchive\n")[0] + "\n".join(  # the sections of this module
        part for part in text.split("\n\n") if part.startswith(("Runtime requirements", "Dependencies", "Binaries")))
    assert not _too_wide(ours), _too_wide(ours)
    lines = text.splitlines()
    # the headline without the distributions; they follow on their own line(s)
    assert lines[0] == "FAIL: x86_64-unknown-linux-gnu; needs glibc 2.17 or newer"
    assert lines[1].startswith("  distributions: RHEL/CentOS 7+, Debian 8+")
    assert "Amazon Linux 1+" in " ".join(lines[1:4])
    # a wrapped finding keeps a hanging indent under the message
    missing = next(i for i, line in enumerate(lines) if "unexpected-system-library:" in line)
    assert lines[missing].startswith("  ERROR   unexpected-system-library: libmissing_with_a_long_name.so.1")
    assert lines[missing + 1].startswith(" " * 10) and lines[missing + 1].strip()
    # the binaries table: a long path alone on its line, its details under in the columns
    table = lines[lines.index("Binaries (3)"):]
    header = table[1]
    assert header.split() == ["path", "format", "machine", "role", "needs"]
    row = table.index(f"  {LONG}")
    details = table[row + 1]
    assert details.index("elf") == header.index("format") and details.split() == ["elf", "x86_64", "extension",
                                                                                 "2", "needs"]
    short = next(line for line in table if line.startswith("  python/bin/python3.12 "))
    assert short.index("elf") == header.index("format") and "interpreter" in short


def test_markdown_and_json_not_wrapped(tmp_path, capsys):
    path = write_archive(tmp_path / TRIPLE_NAME, [
        entry("python/bin/python3.12", interpreter()),
        entry("python/lib/libpython3.12.so.1.0", libpython()),
        entry(LONG, make_elf(needed=["libc.so.6"], versions={"libc.so.6": ["GLIBC_2.17"]})),
    ])
    assert main(["--no-cache", "report", "--format", "markdown", str(path)]) == 0
    md = capsys.readouterr().out
    assert md.splitlines()[0].startswith("# OK: x86_64-unknown-linux-gnu; needs glibc 2.17 or newer (RHEL/CentOS 7+")
    assert f"| `{LONG}` | elf | x86_64 |" in md
    assert main(["--no-cache", "report", "--format", "json", str(path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert "Amazon Linux 1+" in report["verdict"]["headline"]


def test_check_text_fits_80_columns(tmp_path, capsys):
    path = write_archive(tmp_path / TRIPLE_NAME, [
        entry("python/bin/python3.12", interpreter()),
        entry(LONG, make_elf(needed=["libc.so.6", "libmissing_with_a_long_name.so.1"])),
    ])
    assert main(["--no-cache", "check", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.startswith(f"{path}:") and "unexpected-system-library" in out
    assert not _too_wide(out), _too_wide(out)


def test_real_linux_report_sections_fit():
    report = build_report(open_index(real_archive("linux"), use_cache=False))
    text = to_text(report)
    ours = [part for part in text.split("\n\n")
            if part.startswith(("FAIL", "WARN", "OK", "Problems", "Notes", "Runtime requirements", "Dependencies",
                                "Binaries"))]
    assert len(ours) >= 6 and not _too_wide("\n".join(ours)), _too_wide("\n".join(ours))


def test_unsafe_names_found_in_every_block():
    """Names are searched a block at a time with cheap whole-block tests first: every odd name
    is found wherever it sits, whatever the smallest name of its block."""
    from distscope.tui.analysis import findings
    from distscope.tui.archive.members import Member

    def member(name: str) -> Member:
        return Member(name, name.strip("/"), "file", 0, 0o644, 0, 0, 0, "", "", "", 0, 0)

    odd = ["/abs", "C:evil", "a/../../up", "a\\..\\b", "..", "./../x"]
    plain = ["python/x", "-dash", " space", "", ".hidden", "./rel", "a..b", "x/..y"]
    for extra in odd:
        for where in (0, findings._BLOCK - 1, findings._BLOCK + 5):
            members = [member(f"python/f{i}") for i in range(findings._BLOCK + 10)]
            members[3:3 + len(plain)] = [member(p) for p in plain]
            members[where] = member(extra)
            found = findings.member_findings(type("Index", (), {"members": members})())
            assert len(found) == 1 and found[0].paths == (extra,), (extra, where, found)
    assert findings.member_findings(type("Index", (), {"members": [member(p) for p in plain]})()) == []
