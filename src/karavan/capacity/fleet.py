"""Yearly capacity of a shipping line from its fleet: the arithmetic both capacity models share.

A sea service that states ``vessels`` (ships deployed on the line) carries, per direction and year::

    sailings = vessels × 8766 h × open_share / cycle_h
    cycle_h  = running time there + handling there + running time back + handling back
    capacity = sailings × capacity_per_departure (its first unit) × fill × gross t of that unit

``handling`` is the mean dwell of the port-handling operation that moves the service's first unit
between land and sea at each end (the same operation whose ``berths`` the discrete-event model uses),
``open_share`` one minus the mean yearly weather-closure share of the two ends (reliability parameters,
or the node's own ``closed_share``), ``fill`` the service's sail-when-full threshold (1 for timetabled
services). The assignment (:mod:`karavan.capacity.flownet`) takes the tighter of this and a stated
``capacity_t_per_year``; the discrete-event model (:mod:`karavan.reliability.des`) sails exactly these
vessels and applies a stated yearly capacity below the fleet's as a loading-rate limit, so both see the
same capacity.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from karavan.model.entities import HubOperation, Service, WhenFull
from karavan.model.enums import HubOpKind, Mode, Unit
from karavan.model.network import Network

if TYPE_CHECKING:
    from karavan.reliability.params import ReliabilityParameters

HOURS_PER_YEAR = 8766.0
DEFAULT_HANDLING_H = 8.0
"""Handling per call where a port has no port-handling operation for the unit (noted in the basis)."""


@dataclass(frozen=True)
class FleetCapacity:
    """Yearly capacity of one sea service per direction, from its fleet (see the module docstring)."""

    service_id: str
    vessels: int
    unit: Unit
    per_departure_units: float
    fill: float
    cycle_h: float
    open_share: float
    sailings_per_year: float
    capacity_units: float
    capacity_t: float
    basis: str

    def to_dict(self) -> dict[str, Any]:
        """JSON view."""
        return {
            "service": self.service_id,
            "vessels": self.vessels,
            "unit": self.unit.value,
            "per_departure_units": self.per_departure_units,
            "fill": self.fill,
            "cycle_h": self.cycle_h,
            "open_share": self.open_share,
            "sailings_per_year_per_direction": self.sailings_per_year,
            "capacity_units_per_year": self.capacity_units,
            "capacity_t_per_year": self.capacity_t,
            "basis": self.basis,
        }


def primary_unit(svc: Service) -> Unit | None:
    """The unit a service's capacity is stated in (first key of ``capacity_per_departure``)."""
    return next(iter(svc.capacity_per_departure), None)


def port_operation(net: Network, node_id: str, unit: Unit, *, to_sea: bool = True) -> HubOperation | None:
    """The port-handling operation at ``node_id`` moving ``unit`` from land to sea (or sea to land)."""
    best: HubOperation | None = None
    for op in net.hub_operations.values():
        if op.node != node_id or op.kind is not HubOpKind.PORT_HANDLING or not op.handles(unit):
            continue
        sea_side = op.to_modes if to_sea else op.from_modes
        land_side = op.from_modes if to_sea else op.to_modes
        crosses = Mode.SEA in sea_side and any(m is not Mode.SEA for m in land_side)
        # prefer an operation listing the unit explicitly over a catch-all one
        if crosses and (best is None or (unit in op.units and unit not in best.units)):
            best = op
    return best


def handling_h(net: Network, node_id: str, unit: Unit) -> tuple[float, str]:
    """Mean handling time of one call at a port, and where it comes from."""
    op = port_operation(net, node_id, unit)
    if op is None:
        return DEFAULT_HANDLING_H, f"{node_id}: no port handling for {unit.value}, {DEFAULT_HANDLING_H:g} h assumed"
    return float(op.dwell_h.mean()), f"{node_id}: {op.id} {float(op.dwell_h.mean()):.1f} h"


def open_share(net: Network, node_id: str, rp: ReliabilityParameters | None = None) -> float:
    """One minus the mean yearly weather-closure share of a port (1 for a port without weather data)."""
    from karavan.reliability.params import load_reliability_parameters

    params = rp or load_reliability_parameters()
    node = net.nodes[node_id]
    pw = params.port_weather(node)
    if pw is None:
        return 1.0
    return 1.0 - sum(pw.closed_share) / len(pw.closed_share)


def fleet_capacity(net: Network, svc: Service, rp: ReliabilityParameters | None = None) -> FleetCapacity | None:
    """The yearly capacity per direction of a sea service that states ``vessels``; ``None`` otherwise."""
    unit = primary_unit(svc)
    if svc.vessels is None or unit is None or svc.mode is not Mode.SEA or len(svc.stops) < 2:
        return None
    a, b = svc.stops[0], svc.stops[-1]
    run_h = _running_h(net, svc)
    ha, why_a = handling_h(net, a, unit)
    hb, why_b = handling_h(net, b, unit)
    cycle = 2.0 * run_h + ha + hb
    share = (open_share(net, a, rp) + open_share(net, b, rp)) / 2.0
    fill = svc.departures.fill_threshold if isinstance(svc.departures, WhenFull) else 1.0
    per = float(svc.capacity_per_departure[unit])
    sailings = svc.vessels * HOURS_PER_YEAR * share / cycle
    units = sailings * per * fill
    gross = net.unit_types[unit].gross_t if unit in net.unit_types else 1.0
    basis = (
        f"{svc.vessels} vessels × {per:g} {unit.value} × fill {fill:g}; cycle {cycle:.0f} h "
        f"(2 × {run_h:.1f} h at sea; {why_a}; {why_b}); open {share:.0%} of the year"
    )
    return FleetCapacity(svc.id, svc.vessels, unit, per, fill, cycle, share, sailings, units, units * gross, basis)


def _running_h(net: Network, svc: Service) -> float:
    if svc.running_time_h is not None:
        return float(svc.running_time_h.mean())
    km = sum(link.length_km for link in net.service_segments(svc) if link is not None)
    return km / float(svc.speed_kmh or 1.0)


__all__ = ["FleetCapacity", "fleet_capacity", "handling_h", "open_share", "port_operation", "primary_unit"]
