"""Pane 1: the distribution, the archive, the runtime verdict and the toolchain."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from typing import Callable

from distscope.tui.archive.tree import human_size
from distscope.tui.model.archive import ArchiveSummary
from distscope.tui.model.distribution import Distribution
from distscope.tui.model.report import Report, Verdict
from distscope.tui.model.toolchain import Toolchain
from distscope.tui.safetext import visible
from distscope.widgets.common import focus_now, heading, kv_table


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def verdict_text(verdict: Verdict) -> Text:
    style = {"errors": "bold red", "warnings": "bold yellow", "ok": "bold green"}.get(verdict.status, "bold")
    return Text(visible(verdict.headline), style=style)


def _interpreter(d: Distribution, resolve: Callable[[str], str | None]) -> Text | None:
    """The interpreter path, and whether it leads to a file (a dangling link says so)."""
    path = d.python_exe_member
    if not path:
        return Text(visible(d.python_exe), style="") if d.python_exe else None
    out = Text(visible(path))
    final = resolve(path)
    if final is None:
        out.append("  (dangling link: no file at its end)", style="bold reverse")
    elif final != path:
        out.append(f"  (link to {visible(final)})", style="dim")
    return out


def distribution_rows(d: Distribution, resolve: Callable[[str], str | None]) -> list:
    c = d.extension_counts
    ext = ", ".join(f"{n} {label}" for n, label in ((c.total, "total"), (c.in_core, "in core"),
                                                      (c.shared_lib, "shared"), (c.static, "static"),
                                                      (c.required, "required")) if n)
    apple = d.apple_sdk
    off = d.object_file_format
    return [
        ("Python", d.python_version),
        ("Target triple", d.target_triple),
        ("Layout", d.layout),
        ("Build options", d.build_options),
        ("Release", d.release_tag),
        ("ABI tag", d.python_abi_tag),
        ("Platform tag", d.python_platform_tag),
        ("libpython", d.libpython_link_mode),
        ("CRT features", d.crt_features),
        ("macOS SDK", " ".join(str(v) for v in (apple.canonical_name, apple.deployment_target) if v)
         if apple is not None else None),
        ("Interpreter", _interpreter(d, resolve)),
        ("Object format", " ".join(x for x in (off.format, off.version) if x) or off.raw if off else None),
        ("Extensions", ext),
        ("PYTHON.json", f"format {d.format_version}" if d.format_version else
         ("none (derived from the files)" if d.layout else None)),
    ]


def archive_rows(a: ArchiveSummary) -> list:
    packed, unpacked = a.compressed_bytes, a.uncompressed_bytes
    ratio = f"{unpacked / packed:.1f}x" if packed and unpacked else None
    return [
        ("Compression", a.compression),
        ("Members", f"{a.members:,} tar members: {a.files:,} files, {a.directories:,} folders, "
                    f"{a.symlinks:,} symlinks, {a.hardlinks:,} hardlinks"),
        ("Size", f"{human_size(packed)} compressed, {human_size(unpacked)} of tar"
                 + (f" (ratio {ratio})" if ratio else "")),
        ("File bytes", human_size(a.file_bytes)),
        ("Kinds", ", ".join(f"{n} {k}" for k, n in sorted(a.kinds.items(), key=lambda kv: -kv[1]))),
        # the whole hash, folded rather than cut, to compare with a release's SHA256SUMS
        ("SHA-256", Text(a.sha256, overflow="fold") if a.sha256 else None),
        ("State", "complete" if a.complete else Text(f"INCOMPLETE: {visible(str(a.error))}", style="bold red")),
    ]


def toolchain_rows(t: Toolchain) -> list:
    """Compilers with their release names, objects to relink, and the advice."""
    def named(tools: list[str]) -> str:
        return visible(", ".join(f"{x} ({t.details[x]})" if t.details.get(x) else x for x in tools))

    rows: list = [("Compilers", named(t.compilers) or "unknown")]
    if t.linkers and t.linkers != t.compilers:
        rows.append(("Linkers", named(t.linkers)))
    if t.vendored.compilers:
        rows.append(("Prebuilt", "shipped as-is: " + visible(", ".join(t.vendored.compilers))))
    if t.object_file_format is not None:
        rows.append(("Object format", t.object_file_format.raw))
    objects = t.build.objects or t.relinkable_objects
    if objects:
        rows.append(("Objects", ", ".join(f"{n} {kind}" for kind, n in objects.items())))
    for advice in t.advice:
        rows.append(("Advice", advice))
    return rows


class SummaryPane(VerticalScroll):
    """Live archive counts while indexing, then the report's summary sections."""

    DEFAULT_CSS = "SummaryPane { padding: 0 1; }"

    def __init__(self, resolve: Callable[[str], str | None], **kwargs) -> None:
        super().__init__(**kwargs)
        self.resolve = resolve  #: where a member path ends in the archive (links followed), or None

    def compose(self):
        yield Static(Text("Opening the archive…", style="italic"), id="summary-body")

    def focus_main(self) -> None:
        focus_now(self)

    def _show(self, *parts) -> None:
        self.query_one("#summary-body", Static).update(Group(*parts))

    def show_progress(self, progress, tree) -> None:
        pct = 100 * progress.compressed_read / progress.compressed_total if progress.compressed_total else 0
        self._show(
            heading("Archive"),
            kv_table([("Members so far", f"{progress.total_members:,}"),
                      ("Read", f"{human_size(progress.compressed_read)} of "
                               f"{human_size(progress.compressed_total)} ({pct:.0f}%)"),
                      ("File bytes so far", human_size(tree.root.size))]),
            Text(""),
            Text("Still coming: the distribution summary, the runtime verdict and the toolchain "
                 "(after the pass).", style="italic dim"))

    def index_done(self, index) -> None:
        from distscope.tui.report import archive_summary

        self._show(heading("Archive"), kv_table(archive_rows(archive_summary(index))), Text(""),
                   Text("Analysing: the distribution summary, verdict and toolchain come next.",
                        style="italic dim"))

    def show_error(self, message: str) -> None:
        self._show(Text("Cannot show this archive", style="bold red"), Text(message))

    def set_report(self, report: Report) -> None:
        v = report.verdict
        parts: list = [verdict_text(v),
                       Text(f"{_count(v.errors, 'error')}, {_count(v.warnings, 'warning')}, "
                            f"{_count(v.infos, 'note')} (4 Requirements has them all)", style="dim")]
        for problem in v.top_problems[:3]:
            # the mark says the severity without colour (NO_COLOR)
            parts.append(Text(f"  {'✗' if v.status == 'errors' else '!'} {visible(problem)}",
                              style="red" if v.status == "errors" else "yellow"))
        parts.append(Text(""))
        if report.distribution is not None:
            parts += [heading("Distribution"), kv_table(distribution_rows(report.distribution, self.resolve)),
                      Text("")]
        else:
            parts += [Text("No distribution summary: an analyser failed on this archive.", style="italic")]
        parts += [heading("Archive"), kv_table(archive_rows(report.archive)), Text("")]
        if report.toolchain is not None:
            parts += [heading("Toolchain"), kv_table(toolchain_rows(report.toolchain))]
        self._show(*parts)
