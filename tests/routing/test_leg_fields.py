"""Every leg says how it moves: mode, service, carrier unit, activity, ISO 14083 category and intensity."""

from __future__ import annotations

import pytest

from karavan.model import Network
from karavan.routing import RouteQuery, plan_routes


def test_legs_carry_mode_service_unit_activity_and_categories(mini_net: Network) -> None:
    r = plan_routes(mini_net, RouteQuery("Alpha", "Aktau")).routes[0]
    d = r.to_dict(trail=False)
    for leg, res in zip(d["legs"], r.itinerary.legs, strict=True):
        svc = mini_net.services[leg["service"]]
        assert leg["mode"] == svc.mode.value
        assert leg["service_name"] == svc.name
        assert leg["toc"] == svc.toc
        assert leg["carrier_unit"] == "FEU"
        assert leg["tonnes"] == pytest.approx(r.itinerary.tonnes)
        assert leg["tkm"] == pytest.approx(leg["tonnes"] * leg["distance_km"])
        assert leg["co2e_intensity_g_per_tkm"] == pytest.approx(1000 * leg["co2e_kg"] / leg["tkm"])
        assert res.tkm == pytest.approx(leg["tkm"])
    for hub in d["hubs"]:
        assert hub["hoc"] == mini_net.hub_operations[hub["op"]].hoc
        assert hub["co2e_intensity_kg_per_t"] == pytest.approx(hub["co2e_kg"] / hub["tonnes"])
