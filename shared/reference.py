"""Reference data that init-db loads: each module registers its loader here."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from shared.db import transactional

REFERENCE_DATA_LOADERS: list[Callable[[], None]] = []
DEMO_SEEDERS: list[Callable[[], None]] = []


def reference_data(fn: Callable[[], None]) -> Callable[[], None]:
    """Register an idempotent loader: it must change nothing when its data is there."""
    REFERENCE_DATA_LOADERS.append(fn)
    return fn


LAYERS = ("shared", "erp", "crm")
F = TypeVar("F", bound=Callable)


def demo_seeder(fn: Callable[[], None]) -> Callable[[], None]:
    """Register a seed-demo step; see `demo_steps` for the order they run in."""
    DEMO_SEEDERS.append(fn)
    return fn


def by_layer(fns: list[F]) -> list[F]:
    """Steps in dependency order: shared's, then erp's, then crm's (each keeping the order it
    was registered in), whatever order the modules happened to be imported in."""
    return sorted(fns, key=lambda fn: LAYERS.index(fn.__module__.split(".")[0]))


def demo_steps() -> list[Callable[[], None]]:
    return by_layer(DEMO_SEEDERS)


@transactional
def load_reference_data() -> None:
    for loader in by_layer(REFERENCE_DATA_LOADERS):
        loader()
