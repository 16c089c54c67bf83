"""The Caspian discrete-event model built from a network: ports, berths, lines, fleet and handling from the dataset.

:func:`des_from_network` turns the sea services of a network that state ``vessels`` (and run between two
seaports) into the :class:`~karavan.reliability.params.DesParams` that :func:`~karavan.reliability.des.simulate_caspian`
runs: one line and one vessel class per service, the service's ``capacity_per_departure`` as the ships'
slots (other units through the ratio of their capacities), its ``running_time_h`` as the crossing, its
departure pattern as the loading rule (sail when full at its threshold, or a timetable headway), and at each
port the ``berths`` and ``dwell_h`` of the port-handling operation that moves the service's first unit
between land and sea. Weather comes from the node's ``closed_share`` or the reliability parameters. Ports
take the weather record's id (``kuryk``, ``alat``, ...) where there is one, so Monte Carlo runs find the waits.

:func:`caspian_streams` turns an assignment's loads on those services into the DES's demand streams, with a
loading-rate gate for every terminal capacity and stated line capacity the assignment also applies.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from karavan.capacity.fleet import fleet_capacity, port_operation, primary_unit
from karavan.model.entities import Headway, Service, Weekly, WhenFull
from karavan.model.enums import NodeKind, ServiceKind, Unit
from karavan.model.network import Network
from karavan.model.timetable import WEEK_H, departures_per_week
from karavan.reliability.des import StreamDemand
from karavan.reliability.params import (
    DesLine,
    DesParams,
    DesPort,
    FleetEntry,
    ReliabilityParameters,
    VesselClass,
)

HOURS_PER_YEAR = 8766.0
BERTH_KIND = {ServiceKind.RAIL_FERRY: "rail_ferry", ServiceKind.RORO: "roro", ServiceKind.FEEDER: "container"}
"""The berth type each kind of Caspian service uses."""
DES_UNIT = {ServiceKind.RAIL_FERRY: "wagon", ServiceKind.RORO: "truck", ServiceKind.FEEDER: "TEU"}
"""The unit a service's demand is counted in inside the DES (as the Monte Carlo looks waits up)."""


@dataclass(frozen=True)
class NetworkDes:
    """DES parameters built from a network, and how services map onto DES lines and ports."""

    parameters: ReliabilityParameters
    services: tuple[str, ...]
    port_of: Mapping[str, str]
    """Node id -> DES port id."""
    notes: tuple[str, ...]

    def line_ports(self, net: Network, run_key: str) -> tuple[str, str]:
        """(from, to) DES ports of a service run key (``~r`` = reverse)."""
        svc = net.services[run_key.removesuffix("~r")]
        a, b = self.port_of[svc.stops[0]], self.port_of[svc.stops[-1]]
        return (b, a) if run_key.endswith("~r") else (a, b)


def des_services(net: Network) -> list[Service]:
    """Sea services the DES models: rail ferries, Ro-Ro and feeders with ``vessels`` between two seaports."""
    out = []
    for svc in net.services.values():
        if svc.kind not in BERTH_KIND or svc.vessels is None or len(svc.stops) != 2 or not svc.capacity_per_departure:
            continue
        if all(s in net.nodes and net.nodes[s].kind is NodeKind.SEAPORT for s in svc.stops):
            out.append(svc)
    return out


def des_from_network(net: Network, rp: ReliabilityParameters) -> NetworkDes:
    """Build the DES of the network's Caspian lines (see the module docstring)."""
    notes: list[str] = []
    services = des_services(net)
    port_of: dict[str, str] = {}
    for svc in services:
        for nid in svc.stops:
            pw = rp.port_weather(net.nodes[nid])
            port_of[nid] = pw.id if pw is not None else nid
    berths: dict[str, dict[str, int]] = {}
    handling: dict[str, dict[str, Any]] = {}
    classes: dict[str, VesselClass] = {}
    lines: list[DesLine] = []
    fleet: list[FleetEntry] = []
    for svc in services:
        kind = BERTH_KIND[svc.kind]
        unit = primary_unit(svc)
        assert unit is not None
        for nid in svc.stops:
            op = port_operation(net, nid, unit)
            pid = port_of[nid]
            n = op.berths if op is not None and op.berths else 1
            if op is None or not op.berths:
                notes.append(f"{nid}: no berths stated for {kind} ({op.id if op else 'no port operation'}); 1 assumed")
            berths.setdefault(pid, {})[kind] = max(berths.get(pid, {}).get(kind, 0), n)
            if op is not None:
                handling.setdefault(pid, {})[kind] = op.dwell_h
        first = port_operation(net, svc.stops[0], unit)
        cls = _vessel_class(svc, kind, first.dwell_h if first is not None else 8.0)
        classes[svc.id] = cls
        run = svc.running_time_h if svc.running_time_h is not None else _run_h(net, svc)
        lines.append(DesLine(id=svc.id, ports=(port_of[svc.stops[0]], port_of[svc.stops[-1]]), sailing_h=run))
        fleet.append(FleetEntry(line=svc.id, vessel_class=svc.id, count=svc.vessels or 0))
    ports = tuple(
        DesPort(
            id=pid,
            name=_port_name(net, port_of, pid),
            node=next(n for n, p in port_of.items() if p == pid),
            berths=berths[pid],
            handling_h=handling.get(pid, {}),
        )
        for pid in sorted(berths)
    )
    des = DesParams.model_construct(
        ports=ports,
        lines=tuple(lines),
        vessel_classes=classes,
        fleet=tuple(fleet),
        loading=rp.des.loading.model_copy(update={"wait_at_anchor": True}),
        demand=rp.des.demand,
    )
    weather = rp.weather.model_copy(
        update={"ports": tuple(pw for n in port_of if (pw := rp.port_weather(net.nodes[n])) is not None)}
    )
    params = rp.model_copy(update={"des": des, "weather": weather})
    return NetworkDes(params, tuple(s.id for s in services), port_of, tuple(dict.fromkeys(notes)))


def _vessel_class(svc: Service, kind: str, handling_h: Any) -> VesselClass:
    unit = primary_unit(svc)
    assert unit is not None
    fields: dict[str, Any] = {
        "berth": kind,
        "capacity": float(svc.capacity_per_departure[unit]),
        "slots": {DES_UNIT[svc.kind]: 1.0},
        "handling_h": handling_h,
    }
    dep = svc.departures
    if isinstance(dep, WhenFull):
        fields.update(rule="when_full", fill_threshold=dep.fill_threshold)
    else:
        dpw = departures_per_week(dep) or 7.0
        fields.update(rule="timetable", headway_h=WEEK_H / dpw, phase_h=_phase_h(dep))
    return VesselClass.model_construct(**fields)


def _phase_h(dep: Weekly | Headway) -> float:
    if isinstance(dep, Weekly):
        return dep.time_h
    return dep.first_h


def _run_h(net: Network, svc: Service) -> float:
    km = sum(link.length_km for link in net.service_segments(svc) if link is not None)
    return km / float(svc.speed_kmh or 1.0)


def _port_name(net: Network, port_of: Mapping[str, str], pid: str) -> str:
    return next(net.nodes[n].name_en for n, p in port_of.items() if p == pid)


# ----------------------------------------------------------------- demand from an assignment


def _units_per_primary(net: Network, svc: Service, unit: Unit) -> float:
    """Slots (primary units) one unit of ``unit`` takes on ``svc``."""
    prim = primary_unit(svc)
    assert prim is not None
    cap = svc.capacity_per_departure
    if unit in cap:
        return float(cap[prim]) / float(cap[unit])
    teu = {u: t.teu for u, t in net.unit_types.items()}
    if teu.get(unit) and teu.get(prim):
        return float(teu[unit]) / float(teu[prim])
    return 1.0


def caspian_streams(
    net: Network,
    nd: NetworkDes,
    run_loads: Sequence[tuple[str, Unit, float, float]],
    rp: ReliabilityParameters,
) -> tuple[list[StreamDemand], dict[str, float]]:
    """DES demand streams and gate rates from an assignment's loads ``(run key, unit, t per unit, tonnes)``.

    Gates: the yearly capacity of the port-handling operation at the departure port (tonnes, TEU or units
    a day, as the assignment counts it), and a service's stated ``capacity_t_per_year`` where it is below
    what its fleet carries.
    """
    by_run: dict[str, list[tuple[Unit, float, float]]] = {}
    for key, unit, t_pu, tonnes in run_loads:
        if key.removesuffix("~r") in nd.services and tonnes > 0:
            by_run.setdefault(key, []).append((unit, t_pu, tonnes))
    streams: list[StreamDemand] = []
    gates: dict[str, float] = {}
    for key, loads in sorted(by_run.items()):
        svc = net.services[key.removesuffix("~r")]
        prim = primary_unit(svc)
        assert prim is not None
        units = sum(t / t_pu * _units_per_primary(net, svc, u) for u, t_pu, t in loads)
        tonnes = sum(t for _, _, t in loads)
        if units <= 0:
            continue
        t_per_unit = tonnes / units
        origin_node = svc.stops[-1] if key.endswith("~r") else svc.stops[0]
        origin, dest = nd.line_ports(net, key)
        des_unit = DES_UNIT[svc.kind]
        du = rp.des.demand.units.get(des_unit)
        batch = du.batch if du is not None else 1
        stream_gates: list[tuple[str, float]] = []
        op = port_operation(net, origin_node, prim)
        if op is not None:
            stream_gates += _op_gates(net, op, prim, t_per_unit, gates)
        fc = fleet_capacity(net, svc, rp)
        if svc.capacity_t_per_year is not None and fc is not None and svc.capacity_t_per_year < fc.capacity_t:
            gid = f"{key}#stated"
            gates[gid] = float(svc.capacity_t_per_year) / HOURS_PER_YEAR
            stream_gates.append((gid, t_per_unit))
        streams.append(StreamDemand(key, origin, dest, des_unit, units, t_per_unit, batch, gates=tuple(stream_gates)))
    return streams, gates


def _op_gates(net: Network, op: Any, unit: Unit, t_per_unit: float, gates: dict[str, float]) -> list[tuple[str, float]]:
    """Gates of a port operation's yearly capacities, in the measures the assignment uses."""
    out: list[tuple[str, float]] = []
    if op.capacity_t_per_year is not None:
        gates[f"{op.id}#t"] = float(op.capacity_t_per_year) / HOURS_PER_YEAR
        out.append((f"{op.id}#t", t_per_unit))
    if op.capacity_teu_per_year is not None:
        teu = net.unit_types[unit].teu if unit in net.unit_types else 1.0
        gates[f"{op.id}#teu"] = float(op.capacity_teu_per_year) / HOURS_PER_YEAR
        out.append((f"{op.id}#teu", teu))
    if op.capacity_units_per_day is not None:
        gates[f"{op.id}#units"] = float(op.capacity_units_per_day) / 24.0
        out.append((f"{op.id}#units", 1.0))
    return out


__all__ = ["NetworkDes", "caspian_streams", "des_from_network", "des_services"]
