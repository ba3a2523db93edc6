"""Time and identifiers, injected into the engine so a test can hold both still.

Every timestamp the engine writes comes from one `Clock` and every id from one `Ids`, both
owned by the service: freezing the clock or seeding the ids then makes whole runs
repeatable, with no module reaching for `datetime.now()` or `uuid.uuid4()` on its own.
"""

from __future__ import annotations

import random
import threading
import uuid
from datetime import date, datetime, timedelta, timezone


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


class Clock:
    """The wall clock, or a frozen instant that only moves when told to."""

    def __init__(self, frozen_at: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._frozen = _as_utc(frozen_at) if frozen_at is not None else None

    @property
    def frozen(self) -> bool:
        return self._frozen is not None

    @property
    def frozen_at(self) -> datetime | None:
        """The frozen instant, or None on the wall clock."""
        return self._frozen

    def now(self) -> datetime:
        frozen = self._frozen
        return frozen if frozen is not None else utc_now()

    def today(self) -> date:
        return self.now().date()

    def freeze(self, at: datetime) -> None:
        with self._lock:
            self._frozen = _as_utc(at)

    def advance(self, seconds: float) -> None:
        """Move a frozen clock forward (or back, with a negative number)."""
        with self._lock:
            if self._frozen is None:
                raise ValueError("only a frozen clock can be moved")
            self._frozen = self._frozen + timedelta(seconds=seconds)

    def unfreeze(self) -> None:
        with self._lock:
            self._frozen = None


def parse_instant(text: str) -> datetime:
    """An instant from RFC 3339 text (`2025-01-01T00:00:00Z`; no zone means UTC, a bare date midnight)."""
    if not isinstance(text, str) or not text.strip():
        raise ValueError("expected a date-time such as 2025-01-01T00:00:00Z")
    value = text.strip()
    if value[-1:] in ("z", "Z"):
        value = value[:-1] + "+00:00"
    try:
        return _as_utc(datetime.fromisoformat(value))
    except ValueError:
        raise ValueError(f"{text!r} is not a date-time such as 2025-01-01T00:00:00Z") from None


def _as_utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)


class Ids:
    """UUID strings: random by default, a repeatable sequence when seeded.

    A seeded sequence counts what it has drawn (`drawn`), so a saved state can resume it
    where it stopped: restarting at the beginning would hand out the stored objects' ids
    again.
    """

    def __init__(self, seed: int | None = None) -> None:
        self._lock = threading.Lock()
        self.seed = seed
        self.drawn = 0
        self._random = random.Random(seed) if seed is not None else None

    def new(self) -> str:
        if self._random is None:
            return str(uuid.uuid4())
        with self._lock:
            self.drawn += 1
            return str(uuid.UUID(int=self._random.getrandbits(128), version=4))

    def reseed(self, seed: int | None, drawn: int = 0) -> None:
        """Seed the sequence (None: random ids), skipping its first `drawn` ids."""
        generator = random.Random(seed) if seed is not None else None
        if generator is not None:
            for _ in range(drawn):
                generator.getrandbits(128)
        with self._lock:
            self.seed = seed
            self.drawn = drawn if generator is not None else 0
            self._random = generator
