"""The typed model: what the analysers find, carried to the report, the panes and every later
feature (SBOM, diff). Standard-library dataclasses only (no other import); plain data (the
cache, the JSON contract) is made from it and read back in one place, :mod:`.codec`.

One module per area, field names and order as the JSON contract's keys:

- :mod:`.findings`: :class:`~.findings.Finding`, made only by :func:`~.findings.finding`; the one
  severity order, :data:`~.findings.SEVERITIES`;
- :mod:`.archive`: what was read (:class:`~.archive.ArchiveSummary`), the content kinds;
- :mod:`.binaries`: :class:`~.binaries.Binary` with its ELF/PE/Mach-O details, the target;
- :mod:`.graph`: the dependency :class:`~.graph.Graph` (nodes, edges and their statuses);
- :mod:`.requirements`: :class:`~.requirements.Requirements` and the :class:`~.requirements.Host` check;
- :mod:`.distribution`: the :class:`~.distribution.Distribution` summary, PYTHON.json's reading;
- :mod:`.licences`: :class:`~.licences.Licences`, its components and GPL evidence;
- :mod:`.toolchain`: :class:`~.toolchain.Toolchain`, the producers found;
- :mod:`.report`: the :class:`~.report.Report` aggregate and the binaries analyser's result.
"""
