"""Reference data that init-db loads: each module registers its loader here."""
from __future__ import annotations

from collections.abc import Callable

from shared.db import transactional

REFERENCE_DATA_LOADERS: list[Callable[[], None]] = []
DEMO_SEEDERS: list[Callable[[], None]] = []


def reference_data(fn: Callable[[], None]) -> Callable[[], None]:
    """Register an idempotent loader: it must change nothing when its data is there."""
    REFERENCE_DATA_LOADERS.append(fn)
    return fn


def demo_seeder(fn: Callable[[], None]) -> Callable[[], None]:
    """Register a seed-demo step; steps run in registration order (shared, erp, crm)."""
    DEMO_SEEDERS.append(fn)
    return fn


@transactional
def load_reference_data() -> None:
    for loader in REFERENCE_DATA_LOADERS:
        loader()
