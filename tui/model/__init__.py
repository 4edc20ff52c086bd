"""The typed model: what the analysers find, carried to the report, the panes and every later
feature (SBOM, diff). Standard-library dataclasses only; plain data (the cache, the JSON
contract) is made from it and read back in one place, :mod:`distscope.tui.model.codec`."""
