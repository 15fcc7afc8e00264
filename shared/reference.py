"""Reference data (init-db) and the demo company (seed-demo): the steps each area wired in its
init_app (`registry.reference_loaders`, `registry.demo_steps`), run in wiring order, which is
the dependency order shared -> erp -> crm."""
from __future__ import annotations

from collections.abc import Callable

from shared.db import transactional
from shared.registry import current_registry


def demo_steps() -> list[Callable[[], None]]:
    return list(current_registry().demo_steps)


@transactional
def load_reference_data() -> None:
    """Every area's idempotent loader: each changes nothing when its data is there."""
    for loader in current_registry().reference_loaders:
        loader()
