"""The congestion-aware assignment (conjugate Frank-Wolfe with BPR delays)."""

from __future__ import annotations

import pytest

from karavan.capacity.assignment import AssignOptions, assign
from karavan.capacity.demand import Demand, ODFlow
from karavan.model import Network
from karavan.model.enums import Unit

from .conftest import KZ_TRAIN_T


def demand(tonnes: float) -> Demand:
    return Demand((ODFlow("kz-border", "AZBAK", Unit.TEU, 10.0, tonnes, 0.0, "containers", "test:S1"),))


def test_frank_wolfe_reaches_gap(cap_net: Network) -> None:
    opts = AssignOptions(congestion_vot_usd_per_t_h=20.0, gap=1e-4, max_iter=5000)
    res = assign(cap_net, demand(1.5 * KZ_TRAIN_T), method="equilibrium", options=opts)
    assert res.solver["status"] == "converged"
    assert res.solver["relative_gap"] <= 1e-4
    train = res.element("kz-train").volume_t
    truck = res.element("kz-truck").volume_t
    # congestion pushes part of the flow onto the truck, and all demand is carried
    assert 0 < truck < 1.5 * KZ_TRAIN_T
    assert train + truck == pytest.approx(1.5 * KZ_TRAIN_T, rel=1e-6)
    assert res.unserved_t == pytest.approx(0.0, abs=1e-6)


def test_equilibrium_without_congestion_is_all_or_nothing(cap_net: Network) -> None:
    res = assign(cap_net, demand(100.0), method="equilibrium")
    assert res.element("kz-train").volume_t == pytest.approx(100.0)
    assert res.od[0].transit_time_h is not None
    assert res.od[0].transit_time_h > 0


def test_bad_method(cap_net: Network) -> None:
    from karavan.errors import InputError

    with pytest.raises(InputError, match="method"):
        assign(cap_net, demand(1.0), method="magic")
