"""The calculation trail is built when first read, from the same walk, with the same numbers."""

from __future__ import annotations

from datetime import UTC, datetime

from karavan.accounting import Cargo, evaluate
from karavan.model import Network
from karavan.routing import RouteQuery, plan_routes

DEPART = datetime(2026, 12, 1, tzinfo=UTC)


def test_lazy_trail_equals_the_eager_one(mini_net: Network) -> None:
    query = RouteQuery("Alpha", "Baku", depart=DEPART, cargo=Cargo("FEU", count=2, value_usd=90_000))
    route = plan_routes(mini_net, query)
    it = route.routes[0].itinerary
    assert it._trail is None  # nothing built yet
    lazy = it.trail
    assert it._trail is lazy  # built once, then kept
    assert lazy
    eager = evaluate(mini_net, it._replay.args[1], it.cargo, depart=DEPART, trail=True)  # type: ignore[union-attr]
    assert eager.trail == lazy
    assert eager == it  # same figures and, now that both are built, the same trail
    for quantity, total in (("cost_usd", it.cost_usd), ("co2e_wtw_kg", it.co2e_kg)):
        assert sum(r.result for r in lazy if r.quantity == quantity) == total
