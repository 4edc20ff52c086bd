"""The distribution summary: PYTHON.json of every format version, install_only trees, file names."""

import functools
import json

import pytest

from tests.archives import entry, python_json, small_distribution, write_archive
from tests.conftest import plain, real_archive
from distscope.tui.session import analysers as default_analysers
from distscope.tui.archive.index import scan
from distscope.tui.meta.distribution import (parse_crt_features, parse_file_name, parse_object_file_format,
                                             parse_sysconfig)
from distscope.tui.meta.distribution import summarize as _summarize
from distscope.tui.session import build_report, to_json, to_markdown, to_text


def summarize(*args):
    """The section as plain data (the JSON contract's keys)."""
    return plain(_summarize(*args))


@functools.lru_cache(maxsize=None)
def real_index(which: str):
    """One analysed scan per real archive for this test module."""
    return scan(real_archive(which), default_analysers())


def full_archive(tmp_path, doc, name="d.tar.zst", raw=None):
    entries = [entry("python/PYTHON.json", raw if raw is not None else json.dumps(doc, indent=4)),
               entry("python/install/bin/python3.12", b"\x7fELF-not-really", mode=0o755),
               entry("python/install/bin/python3", type="symlink", link="python3.12"),
               entry("python/build/Objects/abstract.o", b"BC\xc0\xde"),
               entry("python/licenses/LICENSE.cpython.txt", "PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2 beopen"),
               entry("python/licenses/LICENSE.openssl-3.txt", "Apache License\nVersion 2.0, January 2004\n")]
    return scan(write_archive(tmp_path / name, entries), default_analysers())


@pytest.mark.parametrize("version", [5, 6, 7, 8])
def test_format_versions(tmp_path, version):
    s = summarize(full_archive(tmp_path, python_json(version)))
    assert s["layout"] == "full" and s["format_version"] == version
    assert s["python_version"] == "3.12.7" and s["python_version_source"] == "PYTHON.json"
    assert s["target_triple"] == "x86_64-unknown-linux-gnu"
    assert s["build_options"] == ("pgo+lto" if version >= 8 else "pgo")
    assert s["build_options_source"] == ("PYTHON.json build_options" if version >= 8 else "PYTHON.json optimizations")
    assert s["crt"]["glibc_max"] == "2.17" and s["crt"]["libc"] == "glibc"
    assert s["object_file_format"]["llvm_version"] == "22.1.3"
    assert s["extension_counts"] == {"total": 3, "in_core": 1, "shared_lib": 1, "static": 1, "required": 1}
    ssl = next(e for e in s["extensions"] if e["name"] == "_ssl")
    assert ssl["licenses"] == ["Apache-2.0"] and ssl["links"][0]["name"] == "ssl"
    assert ssl["static_lib"] == "build/lib/_ssl.a"
    assert s["python_exe_member"] == "python/install/bin/python3"
    assert s["python_paths"]["stdlib"] == "install/lib/python3.12"


def test_old_format_uses_os_arch(tmp_path):
    s = summarize(full_archive(tmp_path, python_json(4)))
    assert s["format_version"] == 4
    assert s["target_triple"] == "x86_64-unknown-linux-gnu"
    assert s["libpython_link_mode"] == "static"


def test_malformed_pythonjson_still_summarises(tmp_path):
    index = full_archive(tmp_path, None, raw='{"version": "8", "python_version": ')
    s = summarize(index)
    assert s["layout"] == "full" and s["format_version"] is None
    codes = [f["code"] for f in plain(index.results["pythonjson"])["findings"]] + [f["code"] for f in s["findings"]]
    assert "pythonjson-malformed" in codes and "distribution-no-pythonjson" in codes


def test_hostile_field_types(tmp_path):
    doc = {"version": "8", "target_triple": 5, "build_options": ["x"], "crt_features": "glibc",
           "build_info": {"extensions": {"_x": "nope", "_y": [1, None, {"in_core": "yes", "links": [3, {}]}],
                                         "_z": {"in_core": False, "shared_lib": "a.so"}},
                          "object_file_format": 12, "core": []},
           "apple_sdk_version": {"no": 1}, "python_exe": None}
    s = summarize(full_archive(tmp_path, doc))
    assert s["target_triple"] is None and s["build_options"] is None
    assert {e["name"] for e in s["extensions"]} == {"_x", "_y", "_z"}
    assert s["object_file_format"] is None and s["apple_sdk"] is None
    json.dumps(s)


def test_install_only_without_pythonjson(tmp_path):
    index = scan(write_archive(tmp_path / "cpython-3.12.7+20241016-x86_64-unknown-linux-gnu-install_only.tar.gz",
                               small_distribution(), "gzip"), default_analysers())
    s = summarize(index)
    assert s["layout"] == "install_only" and s["format_version"] is None
    assert s["python_version"] == "3.12.7" and s["python_version_source"].endswith("patchlevel.h")
    assert s["release_tag"] == "20241016" and s["target_triple"] == "x86_64-unknown-linux-gnu"
    assert s["python_exe"] == "bin/python3"


def test_stripped_name_and_sysconfig(tmp_path):
    sysconfig = ('# generated\nbuild_time_vars = {\n    "ABIFLAGS": "t",\n    "VERSION": "3.13",\n'
                 '    "Py_GIL_DISABLED": 1,\n    "Py_ENABLE_SHARED": 0,\n    "HOST_GNU_TYPE": "aarch64-unknown-linux-gnu",\n'
                 '    "CONFIG_ARGS": "\'--enable-optimizations\' \'--with-lto\'",\n    "OTHER": [1, 2],\n}\n')
    entries = [entry("python/bin/python3.13t", b"x"), entry("python/lib/python3.13t/os.py", "x"),
               entry("python/lib/python3.13t/_sysconfigdata_t_linux_aarch64-linux-gnu.py", sysconfig)]
    name = "cpython-3.13.1+20250101-aarch64-unknown-linux-gnu-freethreaded-install_only_stripped.tar.gz"
    s = summarize(scan(write_archive(tmp_path / name, entries, "gzip"), default_analysers()))
    assert s["layout"] == "install_only_stripped"
    assert s["flavour"] == "freethreaded"
    assert s["python_version"] == "3.13" and s["python_abi_tag"] == "cp313t"
    assert s["freethreaded"] and s["libpython_link_mode"] == "static"
    assert s["build_options"] == "freethreaded"  # from the file name, which wins over sysconfig


def test_not_a_distribution(tmp_path):
    index = scan(write_archive(tmp_path / "stuff.tar", [entry("a/b.txt", "x"), entry("c.txt", "y")], "none"),
                 default_analysers())
    s = summarize(index)
    assert s["layout"] == "unknown" and not s["pbs"] and s["python_version"] is None
    report = build_report(index)
    assert "not a python-build-standalone distribution" in to_text(report)


@pytest.mark.parametrize("name,expected", [
    ("cpython-3.12.7+20241016-x86_64-unknown-linux-gnu-pgo+lto-full.tar.zst",
     {"python_version": "3.12.7", "release_tag": "20241016", "flavour": "pgo+lto", "layout": "full"}),
    ("cpython-3.13.0+20241016-x86_64-pc-windows-msvc-freethreaded+pgo-full.tar.zst",
     {"target_triple": "x86_64-pc-windows-msvc", "flavour": "freethreaded+pgo"}),
    ("cpython-3.10.4+20220502-x86_64_v3-unknown-linux-musl-lto+static-full.tar.zst",
     {"target_triple": "x86_64_v3-unknown-linux-musl", "flavour": "lto+static"}),
    ("cpython-3.8.5-x86_64-pc-windows-msvc-shared-pgo-20200823T0036.tar.zst",
     {"link": "shared", "flavour": "pgo", "build_date": "20200823T0036", "release_tag": "20200823"}),
    ("cpython-3.11.9+20240415-aarch64-apple-darwin-install_only.tar.gz",
     {"layout": "install_only", "flavour": None}),
])
def test_file_names(name, expected):
    parsed = parse_file_name(name)
    assert {k: parsed[k] for k in expected} == expected


def test_file_name_not_pbs():
    assert parse_file_name("python-3.12.tar.gz") is None
    assert parse_file_name("cpython-3.12.1-weird.tar.zst") is None


def test_object_file_format_lenient():
    assert parse_object_file_format("llvm-bitcode:%22.1.3")["llvm_version"] == "22.1.3"
    assert parse_object_file_format("llvm-bitcode:22.1.3+20260410")["llvm_version"] == "22.1.3"
    assert parse_object_file_format("elf") == {"raw": "elf", "format": "elf", "version": None, "llvm_version": None}
    assert parse_object_file_format(None) is None and parse_object_file_format("") is None


def test_crt_features():
    assert parse_crt_features(["musl-dynamic", "musl-version:1.2.2"])["musl_version"] == "1.2.2"
    assert parse_crt_features(["vcruntime:140"])["vcruntime"] == "140"
    assert parse_crt_features(["static"])["static"]
    assert parse_crt_features("junk")["libc"] is None


def test_sysconfig_never_executes():
    assert parse_sysconfig(b'build_time_vars = {"VERSION": __import__("os").getcwd()}') == {}
    assert parse_sysconfig(b'build_time_vars = {\n "VERSION": "3.9",\n') == {"VERSION": "3.9"}  # cut short


def test_report_section(tmp_path):
    index = full_archive(tmp_path, python_json(8))
    report = build_report(index)
    d = plain(report.distribution)
    for key in ("layout", "target_triple", "platform", "python_version", "build_options", "extension_counts"):
        assert key in d
    assert d["platform"] == "linux"
    assert "pgo+lto" in to_text(report) and "| layout | full" in to_markdown(report)
    json.loads(to_json(report))


def test_real_windows():
    s = plain(build_report(real_index("windows")).distribution)
    assert (s["layout"], s["format_version"], s["python_version"]) == ("full", 7, "3.11.9")
    assert s["target_triple"] == "x86_64-pc-windows-msvc" and s["platform"] == "windows"
    assert s["build_options"] == "pgo" and s["crt"]["vcruntime"] == "140"
    assert s["msvc_runtime"] == ["vcruntime140.dll", "vcruntime140_1.dll"]
    assert s["extension_counts"]["total"] > 50 and s["extension_counts"]["shared_lib"] > 10


def test_real_linux_and_macos():
    linux = summarize(real_index("linux"))
    assert (linux["layout"], linux["python_version"]) == ("install_only", "3.13.12")
    assert linux["target_triple"] == "x86_64-unknown-linux-gnu" and linux["libpython_link_mode"] == "shared"
    mac = summarize(real_index("macos"))
    assert mac["python_version"] == "3.12.11" and mac["apple_sdk"]["deployment_target"] == "10.15"


def test_windows_install_only(tmp_path):
    entries = [entry("python/python.exe", b"MZ"), entry("python/vcruntime140.dll", b"MZ"),
               entry("python/DLLs/_ssl.pyd", b"MZ"), entry("python/DLLs/_ctypes.pyd", b"MZ"),
               entry("python/Lib/os.py", "x"), entry("python/include/patchlevel.h", '#define PY_VERSION "3.12.4"\n')]
    index = scan(write_archive(tmp_path / "w.tar.gz", entries, "gzip"), default_analysers())
    d = plain(build_report(index).distribution)
    assert d["layout"] == "install_only" and d["python_version"] == "3.12.4"
    assert d["python_exe"] == "python.exe" and d["msvc_runtime"] == ["vcruntime140.dll"]
    assert d["platform"] == "windows"
    assert [e["name"] for e in d["extensions"]] == ["_ctypes", "_ssl"]
    assert "vcruntime140.dll (bundled)" in to_text(build_report(index))


def test_only_cpython_patchlevel_counts(tmp_path):
    entries = [entry("python/bin/python3", b"x"),
               entry("python/lib/python3.12/site-packages/foo/include/patchlevel.h", '#define PY_VERSION "9.9.9"\n'),
               entry("python/include/python3.12/patchlevel.h", '#define PY_VERSION "3.12.8"\n')]
    s = summarize(scan(write_archive(tmp_path / "p.tar.gz", entries, "gzip"), default_analysers()))
    assert s["python_version"] == "3.12.8"


def test_target_from_binaries_when_nothing_else(tmp_path, monkeypatch):
    from distscope.tui import report as report_module
    from distscope.tui.model.binaries import Target

    monkeypatch.setattr(report_module, "detect_target", lambda *args, **kwargs: Target(
        "aarch64-apple-darwin", "macos", "aarch64", "binaries"))
    index = scan(write_archive(tmp_path / "x.tar.gz", [entry("python/bin/python3", b"x"),
                                                       entry("python/lib/python3.12/os.py", "x")], "gzip"),
                 default_analysers())
    d = plain(build_report(index).distribution)
    assert (d["target_triple"], d["target_source"], d["platform"], d["arch"]) == \
        ("aarch64-apple-darwin", "binaries", "macos", "aarch64")
    assert d["python_version"] == "3.12" and d["python_version_source"] == "stdlib folder"


def test_string_fields_are_one_item_not_letters(tmp_path):
    """A string where PYTHON.json has a list is one item (QA: "GPL-3.0" read as G, P, L, ...)."""
    doc = python_json(8, crt_features="glibc-max-symbol-version:2.28",
                      python_extension_module_loading="builtin")
    doc["build_info"]["extensions"]["_ssl"][0].update(licenses="GPL-3.0-only", license_paths="licenses/x.txt",
                                                      links={"name": "readline"})
    s = summarize(full_archive(tmp_path, doc))
    ssl = next(e for e in s["extensions"] if e["name"] == "_ssl")
    assert ssl["licenses"] == ["GPL-3.0-only"] and ssl["license_paths"] == ["licenses/x.txt"]
    assert [link["name"] for link in ssl["links"]] == ["readline"]
    assert s["crt"]["glibc_max"] == "2.28" and s["crt_features"] == ["glibc-max-symbol-version:2.28"]
    assert s["python_extension_module_loading"] == ["builtin"]
    doc["build_info"]["extensions"]["_ssl"][0].update(licenses=[3, "MIT", None], links=[{"name": 5}, "x"])
    ssl = next(e for e in summarize(full_archive(tmp_path, doc, "e.tar.zst"))["extensions"] if e["name"] == "_ssl")
    assert ssl["licenses"] == ["MIT"] and ssl["links"] == []


def test_report_text_wraps_at_80_columns(tmp_path):
    doc = python_json(8, crt_features=[f"feature-number-{i}" for i in range(12)],
                      python_platform_tag="linux-x86_64-with-a-rather-long-platform-tag-for-testing")
    report = build_report(full_archive(tmp_path, doc))
    text = to_text(report)
    section = text[text.index("Distribution\n"):].split("\n\n")[0].splitlines()
    assert all(len(line) <= 80 for line in section), [line for line in section if len(line) > 80]
    crt = next(i for i, line in enumerate(section) if line.startswith("  crt features"))
    assert section[crt + 1].startswith(" " * 17 + "feature-number-")  # hanging indent under the value
    markdown = to_markdown(report)  # unchanged: one table row, not wrapped
    assert "| crt features | " + ", ".join(doc["crt_features"]) + " |" in markdown


def test_tree_searches_only_under_the_root(tmp_path):
    """The stdlib version and lib-dynload extensions are read from under the root folder only
    (the walks over every path are skipped when no name under the root can lead to them)."""
    outside = [entry("python/bin/python3", b"x"), entry("python/other/lib/python3.11/os.py", "x"),
               entry("python/other/lib/python3.11/lib-dynload/_ssl.so", b"x"), entry("python/DLLsX/_x.pyd", b"x")]
    s = summarize(scan(write_archive(tmp_path / "o.tar.gz", outside, "gzip"), default_analysers()))
    assert s["python_version"] is None and s["extensions"] == []
    inside = outside + [entry("python/install/lib/python3.11/lib-dynload/_ctypes.so", b"x"),
                        entry("python/DLLs/_ssl.pyd", b"x"), entry("python/lib/python3.13t/os.py", "x")]
    s = summarize(scan(write_archive(tmp_path / "i.tar.gz", inside, "gzip"), default_analysers()))
    assert s["python_version"] == "3.13" and s["python_version_source"] == "stdlib folder"
    assert [(e["name"], e["shared_lib"]) for e in s["extensions"]] == [
        ("_ctypes", "python/install/lib/python3.11/lib-dynload/_ctypes.so"), ("_ssl", "python/DLLs/_ssl.pyd")]
