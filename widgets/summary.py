"""Pane 1: the distribution, the archive, the runtime verdict and the toolchain."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from distscope.tui.archive.tree import human_size
from distscope.widgets.common import heading, kv_table


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def verdict_text(verdict) -> Text | None:
    """The one-line runtime verdict, whatever shape the report gives it."""
    if verdict is None:
        return None
    if isinstance(verdict, dict):
        line = next((verdict[k] for k in ("headline", "summary", "text", "message") if verdict.get(k)), None)
        status = str(verdict.get("status") or verdict.get("level") or verdict.get("severity") or "")
        line = line or status or str(verdict)
    else:
        line, status = str(verdict), ""
    style = {"error": "bold red", "errors": "bold red", "fail": "bold red", "warning": "bold yellow",
             "warnings": "bold yellow", "ok": "bold green", "pass": "bold green"}.get(status.lower(), "bold")
    return Text(line, style=style)


def distribution_rows(d: dict) -> list:
    counts = d.get("extension_counts") or {}
    ext = ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items() if v) if isinstance(counts, dict) else counts
    apple = d.get("apple_sdk") or {}
    crt = d.get("crt_features")
    off = d.get("object_file_format")
    if isinstance(off, dict):
        off = " ".join(str(off[k]) for k in ("format", "version") if off.get(k)) or off.get("raw")
    return [
        ("Python", d.get("python_version")),
        ("Target triple", d.get("target_triple")),
        ("Layout", d.get("layout")),
        ("Build options", d.get("build_options")),
        ("Release", d.get("release_tag")),
        ("ABI tag", d.get("python_abi_tag")),
        ("Platform tag", d.get("python_platform_tag")),
        ("libpython", d.get("libpython_link_mode")),
        ("CRT features", crt),
        ("macOS SDK", " ".join(f"{k} {v}" for k, v in apple.items() if v) if isinstance(apple, dict) else apple),
        ("Interpreter", d.get("python_exe_member") or d.get("python_exe")),
        ("Object format", off),
        ("Extensions", ext),
        ("PYTHON.json", f"format {d['format_version']}" if d.get("format_version") else
         ("none (derived from the files)" if d.get("layout") else None)),
    ]


def archive_rows(a: dict) -> list:
    packed, unpacked = a.get("compressed_bytes") or 0, a.get("uncompressed_bytes") or 0
    ratio = f"{unpacked / packed:.1f}x" if packed and unpacked else None
    return [
        ("Compression", a.get("compression")),
        ("Members", f"{a.get('members', 0):,}: {a.get('files', 0):,} files, {a.get('directories', 0):,} folders, "
                    f"{a.get('symlinks', 0):,} symlinks, {a.get('hardlinks', 0):,} hardlinks"),
        ("Size", f"{human_size(packed)} compressed, {human_size(unpacked)} of tar"
                 + (f" (ratio {ratio})" if ratio else "")),
        ("File bytes", human_size(a["file_bytes"]) if a.get("file_bytes") is not None else None),
        ("Kinds", ", ".join(f"{n} {k}" for k, n in sorted((a.get("kinds") or {}).items(), key=lambda kv: -kv[1]))),
        ("SHA-256", a.get("sha256")),
        ("State", "complete" if a.get("complete") else Text(f"INCOMPLETE: {a.get('error')}", style="bold red")),
    ]


def toolchain_rows(t: dict) -> list:
    """Compilers with their release names, objects to relink, and the advice."""
    details = t.get("details") or {}

    def named(tools) -> str:
        return ", ".join(f"{x} ({details[x]})" if details.get(x) else str(x) for x in tools or [])

    rows = [("Compilers", named(t.get("compilers")) or "unknown")]
    if t.get("linkers") and t.get("linkers") != t.get("compilers"):
        rows.append(("Linkers", named(t["linkers"])))
    vendored = (t.get("vendored") or {}).get("compilers")
    if vendored:
        rows.append(("Prebuilt", "shipped as-is: " + ", ".join(vendored)))
    fmt = t.get("object_file_format")
    if isinstance(fmt, dict) and fmt.get("raw"):
        rows.append(("Object format", fmt["raw"]))
    objects = (t.get("build") or {}).get("objects") or t.get("relinkable_objects") or {}
    if objects:
        rows.append(("Objects", ", ".join(f"{n} {kind}" for kind, n in objects.items())))
    for advice in t.get("advice") or []:
        rows.append(("Advice", str(advice)))
    return rows


class SummaryPane(VerticalScroll):
    """Live archive counts while indexing, then the report's summary sections."""

    DEFAULT_CSS = "SummaryPane { padding: 0 1; }"

    def compose(self):
        yield Static(Text("Opening the archive…", style="italic"), id="summary-body")

    def focus_main(self) -> None:
        self.focus()

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
        from distscope.tui.model.codec import to_plain
        from distscope.tui.report import archive_summary

        self._show(heading("Archive"), kv_table(archive_rows(to_plain(archive_summary(index)))), Text(""),
                   Text("Analysing… the distribution summary, verdict and toolchain come next.",
                        style="italic dim"))

    def show_error(self, message: str) -> None:
        self._show(Text("Cannot show this archive", style="bold red"), Text(message))

    def set_report(self, report: dict) -> None:
        parts: list = []
        verdict = verdict_text(report.get("verdict"))
        if verdict is not None:
            parts.append(verdict)
            v = report.get("verdict")
            if isinstance(v, dict) and any(isinstance(v.get(k), int) for k in ("errors", "warnings")):
                counts = Text(f"{_count(v.get('errors', 0), 'error')}, "
                              f"{_count(v.get('warnings', 0), 'warning')}, "
                              f"{_count(v.get('infos', 0), 'note')} (4 Requirements has them all)", style="dim")
                parts.append(counts)
                for problem in (v.get("top_problems") or [])[:3]:
                    msg = problem.get("message") if isinstance(problem, dict) else problem
                    bad = str(v.get("status")) in ("errors", "error", "fail")
                    parts.append(Text(f"  • {msg}", style="red" if bad else "yellow"))
            parts.append(Text(""))
        dist = report.get("distribution")
        if isinstance(dist, dict):
            parts += [heading("Distribution"), kv_table(distribution_rows(dist)), Text("")]
        else:
            parts += [Text("Distribution summary: not produced by this build yet.", style="italic dim")]
        if isinstance(report.get("archive"), dict):
            parts += [heading("Archive"), kv_table(archive_rows(report["archive"])), Text("")]
        tool = report.get("toolchain")
        if isinstance(tool, dict):
            parts += [heading("Toolchain"), kv_table(toolchain_rows(tool))]
        self._show(*parts)
