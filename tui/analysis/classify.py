"""The content classifier's analyser: counts the file members of each content kind."""

from __future__ import annotations

from collections import Counter

from distscope.tui.archive.index import ArchiveIndex
from distscope.tui.archive.members import Member
from distscope.tui.archive.plugin import Analyser, Interest
from distscope.tui.model.archive import ContentKinds


class Classifier(Analyser):
    """Counts the kinds of the file members. The scanner itself classifies every file member
    (``member.kind``) when analysers ride the pass, so this needs no call per member."""

    name = "classify"
    version = 1
    interest = Interest()

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self._observed = 0

    def observe(self, members: list[Member]) -> None:
        # (A list comprehension, counted at once in C: cheaper than a generator Counter resumes.)
        self.counts.update([m.kind for m in members if m.type == "file"])
        self._observed += len(members)

    def finish(self, index: ArchiveIndex) -> None:
        if self._observed != len(index.members):  # (not observed by a pass: count them now)
            self.counts, self._observed = Counter(), 0
            self.observe(index.members)

    def result(self) -> ContentKinds:
        return ContentKinds(dict(self.counts))
