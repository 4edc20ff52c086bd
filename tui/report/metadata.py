"""The archive, the distribution, the licences and the toolchain: text and markdown renderings
of the report's model."""

from __future__ import annotations

import re
import textwrap

from distscope.tui.model.archive import ArchiveSummary
from distscope.tui.model.distribution import Distribution
from distscope.tui.model.licences import Licences
from distscope.tui.model.report import Report
from distscope.tui.model.toolchain import Toolchain
from distscope.tui.report.layout import Lines, markdown_block, markdown_table

#: Text renderings wrap at this width (fine in an 80-column terminal).
WIDTH = 80
_LABEL = 17  # "  " + a 15-column label


def _row(label: str, value: object) -> str:
    return f"  {label:<15}{value}"


def wrap(text: str, indent: str = "  ", hang: str = "    ", width: int = WIDTH) -> Lines:
    """One paragraph wrapped at ``width`` with a hanging indent; words (paths, SPDX ids) are
    never split, so only a single overlong word can exceed the width."""
    return textwrap.wrap(str(text), width, initial_indent=indent, subsequent_indent=hang,
                         break_long_words=False, break_on_hyphens=False) or [indent.rstrip()]


def _wrapped_rows(lines: Lines) -> Lines:
    """``_row`` lines with long values wrapped under the value column."""
    out: Lines = []
    for line in lines:
        out += [line] if len(line) <= WIDTH else wrap(line[_LABEL:], line[:_LABEL], " " * _LABEL)
    return out


def distribution_lines(d: Distribution) -> Lines:
    """The summary as label/value rows (shared by text and markdown)."""
    rows = []
    layout = d.layout
    if d.format_version is not None:
        layout += f" (PYTHON.json format {d.format_version})"
    elif d.layout != "unknown":
        layout += " (no PYTHON.json)"
    rows.append(("layout", layout))
    if d.flavour or d.release_tag:
        rows.append(("release", " ".join(x for x in (d.release_tag, d.flavour) if x)))
    if d.python_version:
        tags = ", ".join(x for x in (d.python_tag, d.python_abi_tag and f"abi {d.python_abi_tag}") if x)
        source = "" if d.python_version_source == "PYTHON.json" else f" from {d.python_version_source}"
        rows.append(("python", d.python_version + (f" ({tags})" if tags else "") + source))
    if d.target_triple:
        extra = ", ".join(x for x in (d.platform, d.python_platform_tag) if x)
        rows.append(("target", d.target_triple + (f" ({extra})" if extra else "")))
    if d.build_options:
        source = "" if (d.build_options_source or "").startswith("PYTHON.json") else f" (from {d.build_options_source})"
        rows.append(("build options", d.build_options + source))
    if d.libpython_link_mode:
        rows.append(("libpython", d.libpython_link_mode + (f" ({d.libpython})" if d.libpython else "")))
    if d.crt_features:
        rows.append(("crt features", ", ".join(d.crt_features)))
    if d.apple_sdk:
        sdk = d.apple_sdk
        rows.append(("apple sdk", ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in (
            ("canonical_name", sdk.canonical_name), ("platform", sdk.platform), ("version", sdk.version),
            ("deployment_target", sdk.deployment_target)) if v)))
    if d.python_exe:
        rows.append(("python exe", d.python_exe))
    if d.msvc_runtime is not None:
        rows.append(("msvc runtime", ", ".join(d.msvc_runtime) + " (bundled)" if d.msvc_runtime
                     else "not bundled: needs the VC++ 2015+ redistributable"))
    counts = d.extension_counts
    if counts.total:
        if d.extensions_source == "PYTHON.json":
            rows.append(("extensions", f"{counts.total}: {counts.in_core} built in, {counts.shared_lib} "
                                       f"shared libraries, {counts.static} static, {counts.required} required"))
        else:
            rows.append(("extensions", f"{counts.shared_lib} shared libraries in {d.extensions_source} "
                                       "(built-in modules unknown without PYTHON.json)"))
    if d.object_file_format:
        rows.append(("object files", d.object_file_format.raw))
    return [_row(k, v) for k, v in rows]


def distribution_text(report: Report) -> Lines:
    d = report.distribution
    if d is None or not d.pbs:
        return ["Distribution", "  not a python-build-standalone distribution (no PYTHON.json, unknown layout)"]
    return ["Distribution", *_wrapped_rows(distribution_lines(d))]


def distribution_markdown(report: Report) -> Lines:
    d = report.distribution
    out = ["## Distribution", ""]
    if d is None or not d.pbs:
        return out + ["Not a python-build-standalone distribution (no PYTHON.json, unknown layout)."]
    return out + markdown_table(["", ""], ((line[2:17].strip(), line[17:]) for line in distribution_lines(d)))


def _md(value: str) -> str:
    return str(value).replace("|", "\\|")


# -- licences ---------------------------------------------------------------------------------

def license_rows(data: Licences, limit: int = 1) -> list[tuple[str, str, str]]:
    """(component, licences, files) rows, naming ``limit`` files per component."""
    rows = []
    for c in data.components:
        ids = ", ".join(c.licenses) or ("public domain" if c.public_domain else "unknown")
        if c.gpl:
            ids += "  [GPL]"
        files = ", ".join(re.sub(r"^[^/]+/", "", p, count=1) for p in c.files[:limit]) or "(no licence file)"
        if len(c.files) > limit:
            files += f" (+{len(c.files) - limit})"
        rows.append((c.name, ids, files))
    return rows


def _relative(path: str, root: str) -> str:
    return path[len(root) + 1:] if root and path.startswith(root + "/") else path


def _path_list(title: str, paths: list[str], root: str, limit: int = 3) -> Lines:
    """A title line, then one indented path a line (``limit`` of them, then how many more)."""
    out = wrap(title)
    out += [f"    {_relative(p, root)}" for p in paths[:limit]]
    if len(paths) > limit:
        out.append(f"    ... and {len(paths) - limit} more")
    return out


def licenses_text(report: Report) -> Lines:
    return licences_lines(report.licenses) if report.licenses is not None else []


def licences_lines(data: Licences) -> Lines:
    """The licences at 80 columns: the statement wrapped, then per component a line with its
    name and SPDX ids and an indented line with its first licence file (``(+N)``: N more)."""
    root = data.root or ""
    lines = ["Licences", *wrap(data.statement)]
    components = data.components
    if components:
        w1 = min(30, max(len(c.name) for c in components))
        lines.append(f"  {'component':<{w1}}  licences")
        lines.append(f"    first licence file{f' (under {root}/)' if root else ''}, (+N): N more")
        for c in components:
            ids = ", ".join(c.licenses) or ("public domain" if c.public_domain else "unknown")
            if c.gpl:
                ids += "  [GPL]"
            path = f"    {_relative(c.files[0], root)}" if c.files else "    (no licence file)"
            more = f" (+{len(c.files) - 1})" if len(c.files) > 1 else ""
            if more and len(path + more) > WIDTH:  # keep the path whole: the count goes up a line
                ids, more = f"{ids}  ({len(c.files)} files)", ""
            head = f"  {c.name:<{w1}}  "
            lines += wrap(ids, head, " " * len(head)) if len(head) < WIDTH - 20 else [head.rstrip(), *wrap(
                ids, " " * (w1 + 4), " " * (w1 + 4))]
            lines.append(path + more)
    for g in data.gpl:
        lines += wrap(f"GPL: {g.component}: {g.evidence}")
    findings = data.findings
    unsafe = [f for f in findings if f.code == "license-path-unsafe"]
    if unsafe:
        lines += wrap(f"{len(unsafe)} licence path(s) in PYTHON.json not inside the distribution "
                      "(not looked up):")
        lines += [line for f in unsafe[:3] for line in wrap(f.message.split(" in PYTHON.json")[0], "    ", "      ")]
        if len(unsafe) > 3:
            lines.append(f"    ... and {len(unsafe) - 3} more")
    missing = [p for f in findings if f.code == "license-file-missing" for p in f.paths]
    if missing:
        lines += _path_list(f"{len(missing)} licence file(s) named in PYTHON.json are not in the archive:",
                            missing, root)
    if data.unidentified:
        lines += _path_list(f"{len(data.unidentified)} licence file(s) not identified:",
                            data.unidentified, root)
    return lines


def licenses_markdown(report: Report) -> Lines:
    data = report.licenses
    if data is None:
        return []
    out = ["## Licences", "", data.statement, ""]
    rows = license_rows(data, limit=3)
    if rows:
        out += markdown_table(["component", "licences", "files"], rows)
    if data.gpl:
        out += ["", "GPL evidence:", ""] + [f"- **{_md(g.component)}**: {_md(g.evidence)}" for g in data.gpl]
    return out


# -- toolchain --------------------------------------------------------------------------------

def toolchain_lines(data: Toolchain) -> list[tuple[str, str]]:
    rows = []
    details = data.details

    def named(labels: list[str]) -> str:
        return ", ".join(f"{x} ({details[x]})" if details.get(x) else x for x in labels)

    if data.compilers:
        rows.append(("compilers", named(data.compilers)))
    if data.linkers:
        rows.append(("linkers", named(data.linkers)))
    if data.vendored.compilers:
        rows.append(("prebuilt", "shipped as-is (package launchers, MSVC runtime): "
                     + ", ".join(data.vendored.compilers)))
    if data.object_file_format:
        rows.append(("object format", data.object_file_format.raw + " (PYTHON.json)"))
    objects = data.build.objects or data.relinkable_objects
    if objects:
        rows.append(("objects", ", ".join(f"{n} {k}" for k, n in sorted(objects.items(), key=lambda x: -x[1]))))
    if data.build.msvc_ltcg_toolsets:
        rows.append(("/GL toolset", ", ".join(data.build.msvc_ltcg_toolsets)))
    return rows


def toolchain_text(report: Report) -> Lines:
    data = report.toolchain
    if data is None:
        return []
    lines = ["Toolchain", *_wrapped_rows([_row(k, v) for k, v in toolchain_lines(data)])]
    if len(lines) == 1:
        lines.append("  no compiler or linker identification found")
    for advice in data.advice:
        lines += wrap(f"advice: {advice}", "  ", " " * len("  advice: "))
    return lines


def toolchain_markdown(report: Report) -> Lines:
    data = report.toolchain
    if data is None:
        return []
    out = ["## Toolchain", ""]
    rows = toolchain_lines(data)
    if rows:
        out += markdown_table(["", ""], rows)
    else:
        out.append("No compiler or linker identification found.")
    if data.advice:
        out += [""] + [f"- {_md(a)}" for a in data.advice]
    return out


# -- archive ----------------------------------------------------------------------------------

def archive_lines(data: ArchiveSummary) -> Lines:
    lines = [
        "Archive",
        f"  {data.path}",
        f"  {data.compression}, {data.compressed_bytes:,} bytes compressed, "
        f"{data.uncompressed_bytes:,} bytes of tar",
        f"  {data.members:,} members: {data.files:,} files, {data.directories:,} directories, "
        f"{data.symlinks:,} symlinks, {data.hardlinks:,} hardlinks",
    ]
    if data.sha256:
        cached = " (from the index cache; --verify hashes the file again)" \
            if data.sha256_source == "cache" else ""
        lines.append(f"  sha256 {data.sha256}{cached}")
    if not data.complete:
        lines.append(f"  INCOMPLETE: {data.error}")
    return lines


def archive_text(report: Report) -> Lines:
    return archive_lines(report.archive)


def archive_markdown(report: Report) -> Lines:
    return markdown_block("Archive", archive_lines(report.archive)[1:])
