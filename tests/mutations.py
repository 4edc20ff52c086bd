"""Seeded random byte flips, for the binary readers' hostile-input tests."""

from __future__ import annotations

import random
from typing import Iterator


def mutations(data: bytes, seed: int, count: int, flips: int) -> Iterator[bytes]:
    """``count`` copies of ``data``, each with ``flips`` random bytes set to random values."""
    rng = random.Random(seed)
    for _ in range(count):
        mutated = bytearray(data)
        for _ in range(flips):
            mutated[rng.randrange(len(mutated))] = rng.randrange(256)
        yield bytes(mutated)
