"""``distscope diff``: every category on small archives built here, by role across Python
versions, the CLI's formats and exit codes, the cache, and the real archives."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile

import pytest
import zstandard

from tests.archives import entry, write_archive
from tests.conftest import real_archive
from tests.diff_fixtures import new_entries, old_entries
from distscope.tui.archive.members import Member
from distscope.tui.cli import main
from distscope.tui.diff.compare import compare, diff_components
from distscope.tui.diff.load import analyse
from distscope.tui.diff.members import Layout, diff_members
from distscope.tui.diff.render import to_json, to_markdown, to_text
from distscope.tui.model.components import Component, Evidence
from distscope.tui.diff.roles import RoleMapper, is_windows_layout, python_minor, role_keys
from distscope.tui.synth import make_macho, make_pe


@pytest.fixture
def pair(tmp_path):
    old = write_archive(tmp_path / "cpython-3.12.1-x86_64-unknown-linux-gnu-pgo+lto-full.tar.zst", old_entries())
    new = write_archive(tmp_path / "cpython-3.13.1-x86_64-unknown-linux-gnu-pgo+lto-full.tar.zst", new_entries())
    return str(old), str(new)


@pytest.fixture
def diff(pair):
    return compare(analyse(pair[0], use_cache=False), analyse(pair[1], use_cache=False))


# -- roles ----------------------------------------------------------------------------------------
def test_role_keys_meet_across_versions_and_platforms():
    a = RoleMapper("3.12")
    b = RoleMapper("3.13")
    for old, new in [
        ("python/lib/python3.12/os.py", "python/lib/python3.13/os.py"),
        ("python/lib/libpython3.12.so", "python/lib/libpython3.13.so"),
        ("python/lib/libpython3.12.dylib", "python/lib/libpython3.13.dylib"),
        ("python/install/python312.dll", "python/python313.dll"),  # (and full vs install_only)
        ("python/bin/python3.12-config", "python/bin/python3.13-config"),
        ("python/lib/python3.12/lib-dynload/_ssl.cpython-312-darwin.so",
         "python/lib/python3.13/lib-dynload/_ssl.cpython-313-x86_64-linux-gnu.so"),
        ("python/lib/python3.12/__pycache__/os.cpython-312.opt-1.pyc",
         "python/lib/python3.13/__pycache__/os.cpython-313.opt-1.pyc"),
        ("python/lib/python3.12/config-3.12-darwin/Makefile", "python/lib/python3.13/config-3.13-x86_64-linux-gnu/Makefile"),
        ("python/lib/python3.12/_sysconfigdata__darwin_darwin.py",
         "python/lib/python3.13/_sysconfigdata__linux_x86_64-linux-gnu.py"),
        ("python/lib/tcl8.6/init.tcl", "python/lib/tcl9.0/init.tcl"),
    ]:
        assert a.key(old) == b.key(new), (old, new)
    assert a.key("python/lib/python3.12/x.py") != b.key("python/lib/python3.13/y.py")
    assert a.key("python/share/foo-3.12.1.txt") == "python/share/foo-3.12.1.txt"  # a longer version: kept
    assert a.link_key("python3.12") == b.link_key("python3.13")
    windows = RoleMapper("3.11", windows=True)
    assert windows.key("python/install/Lib/os.py") == a.key("python/lib/python3.12/os.py")
    assert windows.key("python/install/DLLs/_ssl.pyd") == b.key(
        "python/lib/python3.13/lib-dynload/_ssl.cpython-313-x86_64-linux-gnu.so")


def test_python_minor_and_windows_layout():
    assert python_minor(["python/lib/python3.13/os.py", "python/bin/python3.13"]) == "3.13"
    assert python_minor(["python/install/libs/python311.lib"]) == "3.11"
    assert python_minor([], "3.12.11") == "3.12"
    assert python_minor(["python/share/x"]) is None
    assert is_windows_layout(["python/install/Lib/os.py"]) and not is_windows_layout(["python/lib/python3.12/os.py"])
    # two paths of one side that would share a role key keep their own paths
    assert role_keys(["p/x.cpython-312-darwin.so", "p/x.abi3.so"], "3.12") == ["p/x.{ext}", "p/x.abi3.so"]


def _member(path, type="file", size=1, mode=0o644, link=""):
    return Member(path, path, type, size, mode, 0, 0, 0, "", "", link, 0, 0)


def test_members_every_change_and_content_by_hash():
    old = [_member("p/lib/python3.12/a.py", size=10), _member("p/lib/python3.12/b.py", size=5),
           _member("p/lib/python3.12/c", mode=0o644), _member("p/lib/python3.12/l", "symlink", 0, link="a.py"),
           _member("p/lib/python3.12/t", size=3), _member("p/lib/python3.12/h.py", size=7),
           _member("p/lib/python3.12/same.py", size=4), _member("p/gone", size=100)]
    new = [_member("p/lib/python3.13/a.py", size=10), _member("p/lib/python3.13/b.py", size=6),
           _member("p/lib/python3.13/c", mode=0o755), _member("p/lib/python3.13/l", "symlink", 0, link="b.py"),
           _member("p/lib/python3.13/t", "directory", 0), _member("p/lib/python3.13/h.py", size=7),
           _member("p/lib/python3.13/same.py", size=4), _member("p/new/x", size=50)]
    m = diff_members(old, new, Layout("3.12"), Layout("3.13"),
                     old_hashes={"p/lib/python3.12/h.py": "aa", "p/lib/python3.12/same.py": "cc"},
                     new_hashes={"p/lib/python3.13/h.py": "bb", "p/lib/python3.13/same.py": "cc"})
    assert (m.added, m.removed, m.changed, m.unchanged) == (1, 1, 5, 2)
    assert m.matched == 7 and m.matched_by_role == 7 and m.hashed == 2 and m.content == "sha256"
    fields = {c.new_path.rsplit("/", 1)[1]: [x.field for x in c.changes] for c in m.members if c.kind == "changed"}
    assert fields == {"b.py": ["size"], "c": ["mode"], "l": ["link"], "t": ["type", "size"],
                      "h.py": ["content"]}
    assert m.added_bytes == 50 and m.removed_bytes == 100 and m.changed_bytes == 1 - 3
    folders = {f.folder: f for f in m.folders}
    assert folders["p/lib/python3.13"].changed == 5  # shown under the new side's name
    assert folders["p/new"].added == 1 and folders["p"].removed == 1


def test_members_without_hashes_compare_by_metadata():
    m = diff_members([_member("p/x", size=4)], [_member("p/x", size=4)], Layout(None), Layout(None))
    assert m.unchanged == 1 and m.content == "size" and not m


def Comp(name: str, version: str | None, evidence: str | None = None) -> Component:
    """A hand-made inventory entry."""
    found = [Evidence(evidence, "string", f"{name} {version}", version)] if evidence else []
    return Component(name.lower(), name, "library", version, evidence=found)


def test_components_changed_added_removed_and_unknown():
    old = [Comp("OpenSSL", "3.0.15", "python/lib/libcrypto.so.3"), Comp("SQLite", "3.45.1"), Comp("zlib", "1.3"),
           Comp("expat", None)]
    new = [Comp("openssl", "3.0.16", "python/lib/libcrypto.so.3"), Comp("SQLite", "3.45.1"), Comp("xz", "5.6.2"),
           Comp("expat", "2.6.2")]
    changes = {(c.name.lower(), c.kind): c for c in diff_components(old, new)}
    assert set(changes) == {("openssl", "changed"), ("xz", "added"), ("zlib", "removed"), ("expat", "changed")}
    # two versions of one library on a side compare as the set of its versions
    two = diff_components([Comp("OpenSSL", "3.0.15"), Comp("OpenSSL", "1.1.1w")], [Comp("OpenSSL", "3.0.15")])
    assert [(c.old_version, c.new_version) for c in two] == [("1.1.1w, 3.0.15", "3.0.15")]
    ssl = changes["openssl", "changed"]
    assert (ssl.old_version, ssl.new_version, ssl.evidence) == ("3.0.15", "3.0.16", "python/lib/libcrypto.so.3")
    assert changes["expat", "changed"].old_version is None  # not found: never guessed
    assert changes["zlib", "removed"].old_version == "1.3"


# -- the whole diff on built archives ---------------------------------------------------------
def test_python_changes(diff):
    changes = {c.field: (c.old, c.new) for c in diff.python.changes}
    assert changes["python_version"] == ("3.12.1", "3.13.1")
    assert changes["build_options"] == ("pgo+lto", "pgo+lto+debug")
    assert changes["python_abi_tag"] == ("cp312", "cp313")
    assert diff.python.extensions_added == ["_gdbm"] and diff.python.extensions_removed == ["_abc"]
    assert diff.by_role


def test_requirements_changes(diff):
    r = diff.requirements
    assert {c.field: (c.old, c.new) for c in r.changes}["min_glibc"] == ("2.17", "2.28")
    assert r.min_glibc_needed_by == ["python/install/lib/libpython3.13.so.1.0"]
    assert r.min_glibc_symbols == {"python/install/lib/libpython3.13.so.1.0": ["fcntl64"]}
    added = {c.name for c in r.system_libraries if c.kind == "added"}
    assert "libz.so.1" in added
    assert [(c.name, c.kind) for c in r.missing_libraries] == [("$ORIGIN/libnew.so.2", "added"),
                                                               ("$ORIGIN/libold.so.1", "removed")]
    # the same system libraries, met whatever the version: libm is not "removed and added"
    assert "libm.so.6" not in {c.name for c in r.system_libraries}


def test_findings_new_and_resolved(diff):
    new = {(f.code, f.message.split()[0]) for f in diff.findings.new}
    resolved = {(f.code, f.message.split()[0]) for f in diff.findings.resolved}
    assert {("missing-library", "$ORIGIN/libnew.so.2"), ("glibc-too-new", "needs")} <= new
    assert ("missing-library", "$ORIGIN/libold.so.1") in resolved
    # the findings both sides share by role (libpython3.12 / libpython3.13) are neither new nor resolved
    assert not any("libpython" in f.message for f in diff.findings.new + diff.findings.resolved)


def test_findings_differing_only_in_numbers_are_changed():
    from distscope.tui.diff.compare import diff_findings
    from distscope.tui.model.findings import finding

    class Side:
        @staticmethod
        def name_key(text):
            return text

    old = [finding("info", "no-bind-now", "no BIND_NOW (lazy binding): 8 binaries"),
           finding("error", "glibc-too-new", "needs glibc 2.28"), finding("error", "gone", "x")]
    new = [finding("info", "no-bind-now", "no BIND_NOW (lazy binding): 9 binaries"),
           finding("error", "glibc-too-new", "needs glibc 2.28"), finding("warning", "fresh", "y")]
    d = diff_findings(old, new, Side, Side)
    assert [(c.old.message, c.new.message) for c in d.changed] == [
        ("no BIND_NOW (lazy binding): 8 binaries", "no BIND_NOW (lazy binding): 9 binaries")]
    assert [f.code for f in d.new] == ["fresh"] and [f.code for f in d.resolved] == ["gone"]


def test_licences_and_gpl_verdict(diff):
    lic = diff.licences
    assert lic.gpl_free is not None and (lic.gpl_free.old, lic.gpl_free.new) == (True, False)
    assert lic.gpl_added == ["_gdbm"]
    assert {(c.component, c.kind) for c in lic.components} >= {("_gdbm", "added")}


def test_licence_components_changed_removed_and_by_role():
    from distscope.tui.diff.compare import diff_licences
    from distscope.tui.model.licences import Component as Lic, GplEvidence, Licences

    old = Licences("PYTHON.json", components=[Lic("_ssl", "extension", "PYTHON.json", ["OpenSSL"]),
                                              Lic("tk8.6", "extension", "discovered", ["TCL"]),
                                              Lic("readline", "extension", "PYTHON.json", ["GPL-3.0"], gpl=True)],
                   gpl=[GplEvidence("readline", "links readline")], gpl_free=False)
    new = Licences("PYTHON.json", components=[Lic("_ssl", "extension", "PYTHON.json", ["Apache-2.0"]),
                                              Lic("tk9.0", "extension", "discovered", ["TCL"])], gpl_free=True)
    d = diff_licences(old, new)
    assert [(c.component, c.kind, c.old, c.new) for c in d.components] == [
        ("_ssl", "changed", ("OpenSSL",), ("Apache-2.0",)), ("readline", "removed", ("GPL-3.0",), ())]
    assert "tk9.0" not in {c.component for c in d.components}  # tk8.6 meets tk9.0
    assert (d.gpl_free.old, d.gpl_free.new) == (False, True) and d.gpl_removed == ["readline"]


def test_members_by_role(diff):
    m = diff.members
    by_name = {c.path.rsplit("/", 1)[1]: c for c in m.members}
    assert by_name["main.py"].kind in ("added", "removed")
    assert {c.path for c in m.members if c.kind == "added"} >= {"python/install/lib/python3.13/_pyrepl/main.py"}
    assert {c.path for c in m.members if c.kind == "removed"} == {"python/install/lib/python3.12/lib2to3/main.py"}
    changed = {c.new_path: [x.field for x in c.changes] for c in m.members if c.kind == "changed"}
    assert changed["python/install/lib/python3.13/json/__init__.py"] == ["size"]
    assert changed["python/install/lib/python3.13/tool.py"] == ["mode"]
    assert changed["python/install/lib/python3.13/link"] == ["link"]
    assert "python/install/bin/python3" not in changed  # python3 -> python3.12 is python3 -> python3.13
    assert m.matched_by_role >= 7 and m.unchanged >= 3


def test_components_from_the_inventory(diff):
    changes = {(c.name, c.kind): (c.old_version, c.new_version) for c in diff.components}
    assert changes[("CPython", "changed")] == ("3.12.1", "3.13.1")
    assert changes[("GNU dbm", "added")] == (None, None)  # named by PYTHON.json, version not stated
    assert "CPython 3.12.1 -> 3.13.1" in to_text(diff)
    assert diff.differs() == ["python", "components", "requirements", "findings", "licences", "members"]


def test_components_note_without_inventory(pair):
    old, new = analyse(pair[0], use_cache=False), analyse(pair[1], use_cache=False)
    old.components = None
    d = compare(old, new)
    assert d.components is None and "components: no component inventory for the old side" in d.notes
    assert "Components: not compared" in to_text(d)


def test_components_in_the_whole_diff(pair):
    old, new = analyse(pair[0], use_cache=False), analyse(pair[1], use_cache=False)
    old.components, new.components = [Comp("OpenSSL", "3.0.15")], [Comp("OpenSSL", "3.0.16")]
    d = compare(old, new)
    assert [(c.name, c.old_version, c.new_version) for c in d.components] == [("OpenSSL", "3.0.15", "3.0.16")]
    assert "OpenSSL 3.0.15 -> 3.0.16" in to_text(d)
    assert "components" in d.differs()


def test_identical_archives_differ_in_nothing(pair):
    a = analyse(pair[0], use_cache=False)
    d = compare(a, a)
    assert d.differs() == [] and not d.by_role and d.members.unchanged == len(a.members)


def test_min_macos_change(tmp_path):
    def dist(name, minos):
        return str(write_archive(tmp_path / name, [
            entry("python/bin/python3.12", make_macho(minos=minos, dylibs=["/usr/lib/libSystem.B.dylib"]),
                  mode=0o755)]))

    d = compare(analyse(dist("a.tar.zst", "10.9"), use_cache=False),
                analyse(dist("b.tar.zst", "11.0"), use_cache=False))
    assert {c.field: (c.old, c.new) for c in d.requirements.changes}["min_macos"] == ("10.9", "11.0")
    assert "minimum macOS 10.9 -> 11.0" in to_text(d)


def test_min_windows_and_msvc_runtime_change(tmp_path):
    def dist(name, os_version, imports):
        return str(write_archive(tmp_path / name, [
            entry("python/python.exe", make_pe(imports=imports, os_version=os_version, subsystem_version=os_version)),
            entry("python/python311.dll", make_pe(imports=["KERNEL32.dll"], dll=True, os_version=os_version,
                                                  subsystem_version=os_version)),
            entry("python/Lib/os.py", "import abc\n")]))

    d = compare(analyse(dist("a.tar.zst", (6, 0), ["KERNEL32.dll", "python311.dll"]), use_cache=False),
                analyse(dist("b.tar.zst", (10, 0), ["KERNEL32.dll", "python311.dll", "VCRUNTIME140.dll"]),
                        use_cache=False))
    changes = {c.field: (c.old, c.new) for c in d.requirements.changes}
    assert changes["min_windows"] == ("6.0", "10.0")
    assert changes["msvc_runtime"] == (None, ["VCRUNTIME140.dll"])
    assert "minimum Windows 6.0 -> 10.0" in to_text(d)


# -- rendering and the CLI ---------------------------------------------------------------------
def test_text_markdown_json(diff):
    text = to_text(diff)
    assert text.index("Summary") < text.index("Requirements\n")
    assert "minimum glibc 2.17 -> 2.28" in text and "driven by python/install/lib/libpython3.13.so.1.0: fcntl64" in text
    assert "GPL-free: yes -> no" in text and "newly missing: $ORIGIN/libnew.so.2" in text
    assert "--members lists each one" in text
    assert "~ python/install/lib/python3.12/tool.py -> python/install/lib/python3.13/tool.py: mode 0644 -> 0755" \
        in to_text(diff, members=True)
    md = to_markdown(diff)
    assert md.startswith("# Diff of two distributions") and "| folder | added |" in md
    plain = json.loads(to_json(diff))
    assert plain["diff_version"] == 1 and plain["members"]["members"] is None
    assert plain["differs"] == diff.differs()
    assert json.loads(to_json(diff, members=True))["members"]["members"]


def test_content_by_hash_on_request(pair, capsys):
    """Without --content a same-size edit is not seen (no hash per member in the index); with
    it, every file is hashed by one more read, and the hashes agree with tarfile's data."""
    from distscope.tui.diff.content import content_hashes

    assert main(["diff", *pair, "--format", "json", "--members"]) == 0
    plain = json.loads(capsys.readouterr().out)
    const = "python/install/lib/python3.13/const.py"
    assert const not in {m["new_path"] for m in plain["members"]["members"]}
    assert main(["diff", *pair, "--format", "json", "--members", "--content"]) == 0
    plain = json.loads(capsys.readouterr().out)
    changed = {m["new_path"]: m["changes"] for m in plain["members"]["members"] if m["kind"] == "changed"}
    assert [c["field"] for c in changed[const]] == ["content"]
    assert plain["members"]["content"] == "sha256" and plain["members"]["hashed"] >= 8
    hashes = content_hashes(pair[1])
    with open(pair[1], "rb") as fh:
        raw = zstandard.ZstdDecompressor().stream_reader(fh).read()
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        files = {m.name: hashlib.sha256(tar.extractfile(m).read()).hexdigest() for m in tar if m.isfile()}
    assert hashes == files


def test_cli_exit_codes(pair, capsys):
    assert main(["diff", *pair]) == 0
    assert main(["diff", *pair, "--fail-on", "requirements"]) == 1
    assert "differ in requirements" in capsys.readouterr().err
    assert main(["diff", pair[0], pair[0], "--fail-on", "any"]) == 0
    assert main(["diff", *pair, "--fail-on", "components"]) == 1
    assert main(["diff", *pair, "--fail-on", "findings,gpl"]) == 1
    capsys.readouterr()
    assert main(["diff", *pair, "--fail-on", "nonsense"]) == 2
    assert "--fail-on: unknown 'nonsense'" in capsys.readouterr().err
    assert main(["diff", pair[0], "/nonexistent.tar.zst"]) == 2
    assert "no such file" in capsys.readouterr().err


def test_cli_bad_archive(tmp_path, pair, capsys):
    junk = tmp_path / "junk.tar.zst"
    junk.write_bytes(b"not an archive at all" * 10)
    assert main(["diff", pair[0], str(junk)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("distscope: ") and "Traceback" not in err


def test_cli_damaged_archive_is_bad_input(tmp_path, pair, capsys):
    """A diff against half an archive would mislead: an archive damaged mid-stream is exit 2."""
    raw = open(pair[1], "rb").read()
    cut = tmp_path / "cut.tar.zst"
    cut.write_bytes(raw[: len(raw) * 2 // 3])
    assert main(["diff", pair[0], str(cut)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"distscope: {cut}:") and "Traceback" not in err


def test_hostile_names_are_escaped(tmp_path, capsys):
    a = write_archive(tmp_path / "a.tar.zst", [entry("python/x.py", "x")])
    b = write_archive(tmp_path / "b.tar.zst", [entry("python/x.py", "x"), entry("python/\x1b]0;pwned\x07.py", "y")])
    assert main(["diff", str(a), str(b), "--members"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\\x1b]0;pwned\\x07.py" in out
    assert main(["diff", str(a), str(b), "--format", "json", "--members"]) == 0
    plain = json.loads(capsys.readouterr().out)
    assert plain["members"]["members"][0]["new_path"] == "python/\x1b]0;pwned\x07.py"  # JSON keeps exact values


def test_markdown_escapes_markup_in_names(tmp_path, capsys):
    a = write_archive(tmp_path / "a.tar.zst", [entry("python/x.py", "x")])
    b = write_archive(tmp_path / "b.tar.zst", [entry("python/x.py", "x"), entry("python/a|b_*c*_.py", "y")])
    assert main(["diff", str(a), str(b), "--members", "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert "- \\+ python/a\\|b\\_\\*c\\*\\_.py (file, 1 B)" in md


def test_second_diff_reads_no_archive(pair, monkeypatch, capsys):
    """Both indexes come from the cache: the second diff never starts a pass."""
    assert main(["diff", *pair, "--format", "json"]) == 0
    first = capsys.readouterr().out
    import distscope.tui.session as session

    def no_pass(*args, **kwargs):
        raise AssertionError("the archive was read again")

    monkeypatch.setattr(session, "Scan", no_pass)
    assert main(["diff", *pair, "--format", "json"]) == 0
    assert capsys.readouterr().out == first


# -- the real archives ------------------------------------------------------------------------
def _tar_names(path) -> list[tuple[str, int]]:
    """Member names and sizes by Python's tarfile (an independent reader)."""
    with open(path, "rb") as fh:
        raw = zstandard.ZstdDecompressor().stream_reader(fh).read()
    with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
        return [(m.name.rstrip("/"), m.size) for m in tar.getmembers()]


def test_real_macos_312_against_linux_313():
    old_path, new_path = real_archive("macos"), real_archive("linux")
    d = compare(analyse(str(old_path)), analyse(str(new_path)))
    assert d.by_role and any(n.startswith("platforms differ (macos -> linux)") for n in d.notes)
    m = d.members
    assert m.old_members == 1953 and m.new_members == 4953
    # by role, most of the stdlib meets its counterpart: not 1,953 removed plus 4,953 added
    assert m.matched > 1700 and m.matched_by_role > 1700 and m.removed < 200
    assert m.added + m.matched == m.new_members and m.removed + m.matched == m.old_members
    changes = {c.field: (c.old, c.new) for c in d.python.changes}
    assert changes["python_version"] == ("3.12.11", "3.13.12")
    assert changes["platform"] == ("macos", "linux")
    req = {c.field: (c.old, c.new) for c in d.requirements.changes}
    assert req["min_glibc"] == (None, "2.17") and req["min_macos"] == ("10.15", None)
    # readelf --dyn-syms: clock_gettime@GLIBC_2.17 is the newest glibc symbol _dbm needs
    assert d.requirements.min_glibc_symbols == {
        "python/lib/python3.13/lib-dynload/_dbm.cpython-313-x86_64-linux-gnu.so": ["clock_gettime"]}
    # versions checked by hand: patchlevel.h, the pip-*.dist-info folders (tar -t), init.tcl's
    # "package require -exact Tcl 8.6.14" / "tcl 9.0.3", strings of libtcl9.0.so ("deflate 1.3.1")
    components = {(c.name, c.kind): (c.old_version, c.new_version) for c in d.components}
    assert components[("CPython", "changed")] == ("3.12.11", "3.13.12")
    assert components[("pip", "changed")] == ("24.3.1", "26.0.1")
    assert components[("Tcl", "changed")] == ("8.6.14", "9.0.3")
    assert components[("zlib", "added")] == (None, "1.3.1")
    # checked against tarfile: the members and the sizes the diff counts
    old_tar, new_tar = _tar_names(old_path), _tar_names(new_path)
    assert len(old_tar) == m.old_members and len(new_tar) == m.new_members
    added = {c.new_path for c in m.members if c.kind == "added"}
    sizes = dict(new_tar)
    assert m.added_bytes == sum(sizes[p] for p in added)
    assert "python/lib/python3.13/_pyrepl/main.py" in added
    removed = {c.old_path for c in m.members if c.kind == "removed"}
    assert "python/lib/python3.12/lib2to3/main.py" in removed  # gone in 3.13
    keys_old = set(role_keys([n for n, _ in old_tar], "3.12"))
    keys_new = set(role_keys([n for n, _ in new_tar], "3.13"))
    assert len(keys_old & keys_new) == m.matched


def test_real_windows_full_against_linux_install_only():
    """Cross-platform and cross-layout: install/Lib/ meets lib/python3.13/, DLLs/*.pyd meets
    lib-dynload, and extension modules compare as the ones built as their own file."""
    d = compare(analyse(str(real_archive("windows"))), analyse(str(real_archive("linux"))))
    assert d.by_role and d.members.matched_by_role > 1500
    assert "python/install/Lib/os.py" not in {c.old_path for c in d.members.members if c.kind == "removed"}
    assert {c.field: (c.old, c.new) for c in d.python.changes}["extensions_source"] == ("PYTHON.json", "lib-dynload")
    assert "_ssl" in d.python.extensions_removed and "_abc" not in d.python.extensions_removed  # (built in)
    req = {c.field: (c.old, c.new) for c in d.requirements.changes}
    assert req["min_windows"] == ("6.3", None) and req["min_glibc"] == (None, "2.17")
    assert ("python311.dll", "removed") in {(c.name, c.kind) for c in d.requirements.missing_libraries}


def test_real_windows_full_against_itself_is_empty(capsys):
    path = str(real_archive("windows"))
    assert main(["diff", path, path, "--fail-on", "any"]) == 0
    assert "Members: 0 added" in capsys.readouterr().out
