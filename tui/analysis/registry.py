"""The analysers that ride every pass, in the order they see each member."""

from __future__ import annotations

from tui.analysis.base import Analyser


def default_analysers() -> list[Analyser]:
    """Fresh instances of every analyser distscope runs on an archive."""
    from tui.analysis.classify import Classifier

    analysers: list[Analyser] = [Classifier()]
    return analysers
