"""Results of an energy solve as plain numbers: flows, utilisation, prices, capacity values, unserved demand,
CO2 and the USD value of cross-border trade.

Conventions: gas volumes in bcm (1 bcm = ``gas_mwh_per_bcm`` MWh at GCV), power in TWh; prices in USD per MWh
of the bus's carrier; the value of capacity is what one more bcm/yr of pipe (or MW of line) would save in a
year, summed from the duals of the capacity constraints over the typical days.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from karavan.energy.model import Carrier, EnergyDataset, Status, TradePrice
from karavan.energy.network import HOURS_PER_YEAR, REVERSE, UNSERVED, availability_pu, time_axis

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@dataclass(frozen=True)
class FlowResult:
    """Yearly flow on one pipeline or power link (both directions of a two-way one)."""

    id: str
    name: str
    kind: str
    carrier: str
    from_bus: str
    to_bus: str
    from_country: str
    to_country: str
    capacity: float
    capacity_unit: str
    forward: float
    backward: float
    unit: str
    utilisation: float
    peak_utilisation: float
    capacity_value_usd: float
    """USD per year that one more unit of capacity (bcm/yr or MW) would save."""
    monthly: tuple[float, ...]
    """Net flow per calendar month, in ``unit``."""

    @property
    def net(self) -> float:
        """Forward minus backward flow, in ``unit``."""
        return self.forward - self.backward

    @property
    def cross_border(self) -> bool:
        """Whether the ends are in different countries."""
        return self.from_country != self.to_country

    def to_dict(self) -> dict[str, Any]:
        """JSON view with units in the keys."""
        u = "bcm" if self.unit == "bcm" else "twh"
        cap = "capacity_bcm_per_year" if self.capacity_unit == "bcm/yr" else "capacity_mw"
        value = (
            "capacity_value_usd_per_bcm_year" if self.capacity_unit == "bcm/yr" else "capacity_value_usd_per_mw_year"
        )
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "carrier": self.carrier,
            "from": self.from_bus,
            "to": self.to_bus,
            "from_country": self.from_country,
            "to_country": self.to_country,
            cap: round(self.capacity, 6),
            f"forward_{u}": round(self.forward, 6),
            f"backward_{u}": round(self.backward, 6),
            f"net_{u}": round(self.net, 6),
            "utilisation": round(self.utilisation, 6),
            "peak_utilisation": round(self.peak_utilisation, 6),
            value: round(self.capacity_value_usd, 2),
            f"monthly_net_{u}": {m: round(v, 6) for m, v in zip(MONTHS, self.monthly, strict=True)},
        }


@dataclass(frozen=True)
class BusResult:
    """Prices and demand at one bus."""

    id: str
    name_en: str
    carrier: str
    country: str
    price_mean_usd_per_mwh: float
    price_min_usd_per_mwh: float
    price_max_usd_per_mwh: float
    demand: float
    unserved: float
    peak_unserved_mw: float
    unit: str

    def to_dict(self) -> dict[str, Any]:
        """JSON view with units in the keys."""
        u = "bcm" if self.unit == "bcm" else "twh"
        return {
            "id": self.id,
            "name_en": self.name_en,
            "carrier": self.carrier,
            "country": self.country,
            "price_mean_usd_per_mwh": round(self.price_mean_usd_per_mwh, 4),
            "price_min_usd_per_mwh": round(self.price_min_usd_per_mwh, 4),
            "price_max_usd_per_mwh": round(self.price_max_usd_per_mwh, 4),
            f"demand_{u}": round(self.demand, 6),
            f"unserved_{u}": round(self.unserved, 6),
            "peak_unserved_mw": round(self.peak_unserved_mw, 3),
        }


@dataclass(frozen=True)
class TradeFlow:
    """USD value of one cross-border flow (one direction of one pipeline or link)."""

    exporter: str
    importer: str
    carrier: str
    flow_id: str
    volume: float
    unit: str
    price: float
    price_unit: str
    value_usd: float
    price_basis: str
    """``trade_prices.yaml <id>``, or ``nodal price at <bus>`` (the exporting bus: what the energy cost where it
    was produced, never a scarcity price of the importer) when no trade price is given."""
    price_sourced: bool
    """True if the price cites a source; False if it is an estimate or a model price."""

    def to_dict(self) -> dict[str, Any]:
        """JSON view."""
        u = "bcm" if self.unit == "bcm" else "twh"
        return {
            "exporter": self.exporter,
            "importer": self.importer,
            "carrier": self.carrier,
            "flow_id": self.flow_id,
            f"volume_{u}": round(self.volume, 6),
            "price": round(self.price, 4),
            "price_unit": self.price_unit,
            "value_usd": round(self.value_usd, 0),
            "price_basis": self.price_basis,
            "price_sourced": self.price_sourced,
        }


@dataclass(frozen=True)
class EnergyResult:
    """One solved year of an energy dataset (see the module docstring for units)."""

    dataset: str
    scenario: str
    content_hash: str
    objective_usd: float
    solve_s: float
    buses: int
    snapshots: int
    flows: tuple[FlowResult, ...]
    bus_results: tuple[BusResult, ...]
    production: dict[str, float]
    """Yearly output per supply: bcm for gas fields, TWh for plants and market buyers (negative: purchases)."""
    co2_t: float
    """CO2 of the power plants in the model (combustion; imports and final gas use not counted)."""
    co2_t_by_country: dict[str, float]
    trade: tuple[TradeFlow, ...]
    notes: tuple[str, ...] = ()
    network: Any = field(default=None, compare=False, repr=False)
    """The solved PyPSA network (for export)."""

    def flow(self, flow_id: str) -> FlowResult:
        """The flow result of pipeline or link ``flow_id``."""
        for f in self.flows:
            if f.id == flow_id:
                return f
        raise KeyError(flow_id)

    def bus(self, bus_id: str) -> BusResult:
        """The result at bus ``bus_id``."""
        for b in self.bus_results:
            if b.id == bus_id:
                return b
        raise KeyError(bus_id)

    @property
    def unserved_twh(self) -> float:
        """Unserved power demand, TWh/yr."""
        return sum(b.unserved for b in self.bus_results if b.unit == "TWh")

    @property
    def unserved_bcm(self) -> float:
        """Unserved gas demand, bcm/yr."""
        return sum(b.unserved for b in self.bus_results if b.unit == "bcm")

    @property
    def trade_value_usd(self) -> float:
        """Sum of the USD values of all cross-border flows."""
        return sum(t.value_usd for t in self.trade)

    def summary(self) -> dict[str, Any]:
        """Headline figures."""
        return {
            "dataset": self.dataset,
            "scenario": self.scenario,
            "objective_usd": round(self.objective_usd, 0),
            "solve_s": round(self.solve_s, 3),
            "buses": self.buses,
            "snapshots": self.snapshots,
            "co2_t": round(self.co2_t, 0),
            "unserved_twh": round(self.unserved_twh, 6),
            "unserved_bcm": round(self.unserved_bcm, 6),
            "trade_value_usd": round(self.trade_value_usd, 0),
        }

    def to_dict(self) -> dict[str, Any]:
        """Full JSON view."""
        return {
            **self.summary(),
            "flows": [f.to_dict() for f in self.flows],
            "buses_detail": [b.to_dict() for b in self.bus_results],
            "production": {k: round(v, 6) for k, v in self.production.items()},
            "co2_t_by_country": {k: round(v, 0) for k, v in self.co2_t_by_country.items()},
            "trade": [t.to_dict() for t in self.trade],
            "notes": list(self.notes),
        }


# --------------------------------------------------------------------------- extraction


@dataclass
class _Sol:
    ds: EnergyDataset
    n: Any
    w: NDArray[np.float64]
    month: NDArray[np.int64]

    def col(self, table: Any, name: str) -> NDArray[np.float64]:
        if name in table.columns:
            return np.asarray(table[name], dtype=float)
        return np.zeros(len(self.w))

    def mwh(self, series: NDArray[np.float64]) -> float:
        return float((series * self.w).sum())

    def to_unit(self, mwh: float, carrier: Carrier) -> float:
        return mwh / self.ds.mwh_per_bcm if carrier is Carrier.GAS else mwh / 1e6

    def monthly(self, series: NDArray[np.float64], carrier: Carrier) -> tuple[float, ...]:
        return tuple(self.to_unit(float((series * self.w)[self.month == m].sum()), carrier) for m in range(1, 13))


def extract_result(ds: EnergyDataset, n: Any, *, solve_s: float) -> EnergyResult:
    """Turn a solved PyPSA network of ``ds`` into an :class:`EnergyResult`."""
    axis = time_axis(ds)
    sol = _Sol(ds, n, axis.weight_h, axis.month)
    flows = tuple(_pipeline_flows(sol) + _power_flows(sol))
    buses = tuple(_bus_results(sol))
    production, co2, co2_by = _production(sol)
    trade = tuple(_trade(sol, flows))
    return EnergyResult(
        dataset=ds.info.name,
        scenario=ds.scenario,
        content_hash=ds.content_hash,
        objective_usd=float(n.objective),
        solve_s=solve_s,
        buses=len(n.buses),
        snapshots=len(n.snapshots),
        flows=flows,
        bus_results=buses,
        production=production,
        co2_t=co2,
        co2_t_by_country=co2_by,
        trade=trade,
        notes=ds.notes,
        network=n,
    )


def _link_dir(sol: _Sol, name: str) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], float]:
    """(p0, p1 delivered, |mu| weighted by availability, p_nom) of one PyPSA link."""
    p0 = sol.col(sol.n.links_t.p0, name)
    p1 = -sol.col(sol.n.links_t.p1, name)
    mu = np.abs(sol.col(sol.n.links_t.mu_upper, name)) if "mu_upper" in sol.n.links_t else np.zeros(len(sol.w))
    pu = sol.col(sol.n.links_t.p_max_pu, name) if name in sol.n.links_t.p_max_pu.columns else np.ones(len(sol.w))
    p_nom = float(sol.n.links.at[name, "p_nom"])
    return p0, p1, mu * pu, p_nom


def _dir_flows(
    sol: _Sol, name: str, two_way: bool
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64], float]:
    p0, _, value, p_nom = _link_dir(sol, name)
    back = np.zeros_like(p0)
    if two_way:
        b0, _, bvalue, _ = _link_dir(sol, name + REVERSE)
        back, value = b0, value + bvalue
    return p0, back, value, p_nom


def _util(
    sol: _Sol, fwd: NDArray[np.float64], back: NDArray[np.float64], cap_t: NDArray[np.float64]
) -> tuple[float, float]:
    avail = float((cap_t * sol.w).sum())
    moved = fwd + back
    util = sol.mwh(moved) / avail if avail > 0 else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        peak = np.where(cap_t > 0, moved / cap_t, 0.0)
    return util, float(peak.max()) if len(peak) else 0.0


def _pipeline_flows(sol: _Sol) -> list[FlowResult]:
    out: list[FlowResult] = []
    per_bcm = sol.ds.mwh_per_bcm / HOURS_PER_YEAR
    for p in sol.ds.pipelines.values():
        if p.status is not Status.OPERATING:
            continue
        fwd, back, value, p_nom = _dir_flows(sol, p.id, bool(p.bidirectional))
        util, peak = _util(sol, fwd, back, np.full(len(sol.w), p_nom))
        a, b = sol.ds.buses[p.from_id], sol.ds.buses[p.to_id]
        out.append(
            FlowResult(
                id=p.id,
                name=p.name,
                kind="pipeline",
                carrier="gas",
                from_bus=p.from_id,
                to_bus=p.to_id,
                from_country=a.country,
                to_country=b.country,
                capacity=p.capacity_bcm_per_year,
                capacity_unit="bcm/yr",
                forward=sol.to_unit(sol.mwh(fwd), Carrier.GAS),
                backward=sol.to_unit(sol.mwh(back), Carrier.GAS),
                unit="bcm",
                utilisation=util,
                peak_utilisation=peak,
                capacity_value_usd=float(value.sum()) * per_bcm,
                monthly=sol.monthly(fwd - back, Carrier.GAS),
            )
        )
    return out


def _power_flows(sol: _Sol) -> list[FlowResult]:
    out: list[FlowResult] = []
    axis = time_axis(sol.ds)
    for lk in sol.ds.power_links.values():
        if lk.status is not Status.OPERATING:
            continue
        pu = availability_pu(sol.ds, lk.availability, axis)
        if lk.kind.dispatchable:
            fwd, back, value, _ = _dir_flows(sol, lk.id, bool(lk.bidirectional))
        else:
            p = sol.col(sol.n.lines_t.p0, lk.id)
            fwd, back = np.clip(p, 0, None), np.clip(-p, 0, None)
            mu = sum(
                np.abs(sol.col(getattr(sol.n.lines_t, k), lk.id))
                for k in ("mu_upper", "mu_lower")
                if k in sol.n.lines_t
            )
            value = np.asarray(mu, dtype=float) * pu
        util, peak = _util(sol, fwd, back, lk.capacity_mw * pu)
        a, b = sol.ds.buses[lk.from_id], sol.ds.buses[lk.to_id]
        out.append(
            FlowResult(
                id=lk.id,
                name=lk.name,
                kind=lk.kind.value,
                carrier="electricity",
                from_bus=lk.from_id,
                to_bus=lk.to_id,
                from_country=a.country,
                to_country=b.country,
                capacity=lk.capacity_mw,
                capacity_unit="MW",
                forward=sol.to_unit(sol.mwh(fwd), Carrier.ELECTRICITY),
                backward=sol.to_unit(sol.mwh(back), Carrier.ELECTRICITY),
                unit="TWh",
                utilisation=util,
                peak_utilisation=peak,
                capacity_value_usd=float(np.sum(value)),
                monthly=sol.monthly(fwd - back, Carrier.ELECTRICITY),
            )
        )
    return out


def _bus_results(sol: _Sol) -> list[BusResult]:
    out: list[BusResult] = []
    prices = sol.n.buses_t.marginal_price
    loads = sol.n.loads_t.p_set if len(sol.n.loads) else None
    gens = sol.n.generators_t.p
    for bus in sol.ds.buses.values():
        lam = sol.col(prices, bus.id)
        demand_mwh = unserved_mwh = peak_unserved = 0.0
        for d in sol.ds.demands.values():
            if d.bus != bus.id or loads is None or d.id not in loads.columns:
                continue
            demand_mwh += sol.mwh(np.asarray(loads[d.id], dtype=float))
            shed = sol.col(gens, d.id + UNSERVED)
            unserved_mwh += sol.mwh(shed)
            peak_unserved = max(peak_unserved, float(shed.max()) if len(shed) else 0.0)
        hours = float(sol.w.sum())
        out.append(
            BusResult(
                id=bus.id,
                name_en=bus.name_en,
                carrier=bus.carrier.value,
                country=bus.country,
                price_mean_usd_per_mwh=float((lam * sol.w).sum() / hours) if hours else 0.0,
                price_min_usd_per_mwh=float(lam.min()) if len(lam) else 0.0,
                price_max_usd_per_mwh=float(lam.max()) if len(lam) else 0.0,
                demand=sol.to_unit(demand_mwh, bus.carrier),
                unserved=sol.to_unit(unserved_mwh, bus.carrier),
                peak_unserved_mw=peak_unserved,
                unit=bus.carrier.unit,
            )
        )
    return out


def _production(sol: _Sol) -> tuple[dict[str, float], float, dict[str, float]]:
    ds, n = sol.ds, sol.n
    production: dict[str, float] = {}
    co2 = 0.0
    by_country: dict[str, float] = {}
    for s in ds.supplies.values():
        if s.status is not Status.OPERATING:
            continue
        country = ds.buses[s.bus].country
        if s.fuel_bus is not None:
            fuel_mwh = sol.mwh(sol.col(n.links_t.p0, s.id))
            out_mwh = sol.mwh(-sol.col(n.links_t.p1, s.id))
            emitted = fuel_mwh * ds.carriers[s.carrier].co2_t_per_mwh
        else:
            out_mwh = sol.mwh(sol.col(n.generators_t.p, s.id))
            gas_field = s.capacity_bcm_per_year is not None
            emitted = 0.0 if gas_field else out_mwh / (s.efficiency or 1.0) * ds.carriers[s.carrier].co2_t_per_mwh
        carrier = Carrier.GAS if s.capacity_bcm_per_year is not None else Carrier.ELECTRICITY
        production[s.id] = sol.to_unit(out_mwh, carrier)
        co2 += emitted
        if emitted:
            by_country[country] = by_country.get(country, 0.0) + emitted
    for d in ds.demands.values():
        if d.id in n.generators.index and d.kind.value == "market":
            production[d.id] = sol.to_unit(sol.mwh(sol.col(n.generators_t.p, d.id)), ds.buses[d.bus].carrier)
    return production, co2, dict(sorted(by_country.items()))


def _price_for(ds: EnergyDataset, carrier: str, exporter: str, importer: str) -> TradePrice | None:
    for tp in ds.trade_prices.values():
        if tp.carrier.value == carrier and tp.exporter == exporter and tp.importer == importer:
            return tp
    return None


def _trade(sol: _Sol, flows: tuple[FlowResult, ...]) -> list[TradeFlow]:
    out: list[TradeFlow] = []
    for f in flows:
        if not f.cross_border:
            continue
        for exporter, importer, volume, to_bus, name in (
            (f.from_country, f.to_country, f.forward, f.to_bus, f.id),
            (f.to_country, f.from_country, f.backward, f.from_bus, f.id + REVERSE),
        ):
            if volume <= 1e-9:
                continue
            out.append(_trade_row(sol, f, exporter, importer, volume, to_bus, name))
    return out


def _trade_row(
    sol: _Sol, f: FlowResult, exporter: str, importer: str, volume: float, to_bus: str, name: str
) -> TradeFlow:
    tp = _price_for(sol.ds, f.carrier, exporter, importer)
    if tp is not None:
        if tp.price_usd_per_1000m3 is not None:
            price, unit, value = tp.price_usd_per_1000m3, "USD/1000 m3", tp.price_usd_per_1000m3 * volume * 1e6
        else:
            price = float(tp.price_usd_per_mwh or 0.0)
            mwh = volume * (sol.ds.mwh_per_bcm if f.unit == "bcm" else 1e6)
            unit, value = "USD/MWh", price * mwh
        sourced = bool(tp.source) and not tp.estimate
        return TradeFlow(
            exporter,
            importer,
            f.carrier,
            f.id,
            volume,
            f.unit,
            price,
            unit,
            value,
            f"trade_prices.yaml {tp.id}",
            sourced,
        )
    from_bus = f.from_bus if to_bus == f.to_bus else f.to_bus
    lam = sol.col(sol.n.buses_t.marginal_price, from_bus)
    link = name if name in sol.n.links.index else None
    if link is not None:
        sent = sol.col(sol.n.links_t.p0, link)
    else:
        p = sol.col(sol.n.lines_t.p0, f.id)
        sent = np.clip(p if to_bus == f.to_bus else -p, 0, None)
    value = float((lam * sent * sol.w).sum())
    mwh = sol.mwh(sent)
    price = value / mwh if mwh > 0 else 0.0
    return TradeFlow(
        exporter,
        importer,
        f.carrier,
        f.id,
        volume,
        f.unit,
        price,
        "USD/MWh",
        value,
        f"nodal price at {from_bus}",
        False,
    )


def result_dict(result: EnergyResult) -> dict[str, Any]:
    """The JSON view of ``result`` (alias of :meth:`EnergyResult.to_dict`)."""
    return result.to_dict()


__all__ = ["BusResult", "EnergyResult", "FlowResult", "TradeFlow", "asdict", "extract_result", "result_dict"]
