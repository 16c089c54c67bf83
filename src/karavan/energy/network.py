"""Build a PyPSA network from an :class:`~karavan.energy.model.EnergyDataset`.

The mapping, one place for each modelling choice:

* a gas bus carries MWh of gas (GCV); a pipeline is a PyPSA ``Link`` with compressor fuel as its efficiency
  (a transport model: capacities and losses, no pressure physics);
* a power zone is an ``AC`` bus; an ``ac_line`` is a PyPSA ``Line`` (Kirchhoff's voltage law with a reactance
  from voltage and length); ``hvdc`` and ``controllable`` links are ``Link``s the optimiser dispatches;
* a gas field or a plant without a fuel bus is a ``Generator``; a plant with a fuel bus is a ``Link`` from
  the gas bus to the power zone, so its fuel is priced by the gas network;
* a fixed demand is a ``Load`` with an ``unserved`` generator at the value of lost load beside it; a market
  buyer is a generator with negative output that pays its price;
* two-way pipelines and links are two one-way links, so losses never turn into gains on reverse flow.

PyPSA, pandas and linopy are imported only here and in :mod:`karavan.energy.solver` (the ``energy`` extra).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from karavan.energy.model import (
    BLOCK_H,
    BLOCKS_PER_DAY,
    Carrier,
    DemandKind,
    EnergyDataset,
    LinkKind,
    Status,
)
from karavan.errors import MissingExtraError

HOURS_PER_YEAR = 8760.0
REVERSE = "~rev"
"""Suffix of the reverse half of a two-way pipeline or link."""
UNSERVED = "~unserved"
"""Suffix of the value-of-lost-load generator beside a fixed demand."""
X_SCALE = 1000.0
"""AC reactances are ``X_SCALE * x_ohm / V_kV**2`` on unit-voltage buses: only their ratios matter for KVL."""
PIPE_HURDLE_USD_PER_MWH_PER_1000KM = 0.05
"""A tiny transport cost that breaks ties between equal-cost paths (keeps solutions unique); not a tariff."""
LINK_HURDLE_USD_PER_MWH = 0.01
R_OVER_X = 0.1
"""Resistance of AC lines relative to reactance (unused by the linear flow, which is lossless; kept non-zero)."""


def require_pypsa() -> ModuleType:
    """Import PyPSA (the ``energy`` extra) or raise :class:`~karavan.errors.MissingExtraError`."""
    try:
        import pypsa
    except ImportError:
        raise MissingExtraError("pypsa", "energy", "the energy model") from None
    pypsa.options.api.legacy_string_dtype = False
    return pypsa


@dataclass(frozen=True)
class TimeAxis:
    """Snapshots of the typical days: names, weights in hours, calendar month and day of each."""

    names: tuple[str, ...]
    weight_h: NDArray[np.float64]
    month: NDArray[np.int64]
    day: tuple[str, ...]
    block: NDArray[np.int64]
    peak: NDArray[np.bool_]

    def __len__(self) -> int:
        return len(self.names)

    @property
    def hours(self) -> float:
        """Hours the snapshots stand for (8,760 for a full year)."""
        return float(self.weight_h.sum())


def time_axis(ds: EnergyDataset) -> TimeAxis:
    """The snapshots of ``ds``: each typical day times eight 3-hour blocks."""
    names, weight, month, day, block, peak = [], [], [], [], [], []
    for d in sorted(ds.days.values(), key=lambda d: (d.month_number, bool(d.peak), d.id)):
        for b in range(BLOCKS_PER_DAY):
            names.append(f"{d.id}-{int(b * BLOCK_H):02d}h")
            weight.append(d.weight_days * BLOCK_H)
            month.append(d.month_number)
            day.append(d.id)
            block.append(b)
            peak.append(bool(d.peak))
    return TimeAxis(
        tuple(names),
        np.asarray(weight, dtype=float),
        np.asarray(month, dtype=np.int64),
        tuple(day),
        np.asarray(block, dtype=np.int64),
        np.asarray(peak, dtype=bool),
    )


def shape_mw(ds: EnergyDataset, profile_id: str, yearly_mwh: float, axis: TimeAxis) -> NDArray[np.float64]:
    """Power per snapshot (MW) that follows ``profile_id`` and adds up to ``yearly_mwh`` over the year."""
    prof = ds.profiles[profile_id]
    raw = np.asarray(prof.monthly, dtype=float)[axis.month - 1] * np.asarray(prof.daily, dtype=float)[axis.block]
    raw = raw * np.where(axis.peak, prof.peak_factor or 1.0, 1.0)
    energy = float((raw * axis.weight_h).sum())
    if energy <= 0:
        return np.zeros(len(axis))
    out: NDArray[np.float64] = raw * (yearly_mwh / energy)
    return out


def availability_pu(ds: EnergyDataset, profile_id: str | None, axis: TimeAxis) -> NDArray[np.float64]:
    """Per-unit availability per snapshot (1.0 everywhere without a profile)."""
    if profile_id is None:
        return np.ones(len(axis))
    prof = ds.profiles[profile_id]
    pu = np.asarray(prof.monthly, dtype=float)[axis.month - 1] * np.asarray(prof.daily, dtype=float)[axis.block]
    out: NDArray[np.float64] = np.clip(pu, 0.0, 1.0)
    return out


def month_name(month: int) -> str:
    """Three-letter English month name."""
    return calendar.month_abbr[month]


def build_network(ds: EnergyDataset) -> Any:
    """A PyPSA network of the operating assets of ``ds`` over its typical days (not yet solved)."""
    pypsa = require_pypsa()
    import pandas as pd

    axis = time_axis(ds)
    n = pypsa.Network()
    n.name = f"{ds.info.name} ({ds.scenario})"
    n.set_snapshots(pd.Index(list(axis.names), name="snapshot"))
    for col in n.snapshot_weightings.columns:
        n.snapshot_weightings[col] = axis.weight_h
    n.add("Carrier", sorted({*ds.carriers, "AC"}))
    ctx = _Ctx(ds, n, axis, pd)
    _add_buses(ctx)
    _add_pipelines(ctx)
    _add_power_links(ctx)
    _add_supplies(ctx)
    _add_demands(ctx)
    ctx.flush()
    return n


@dataclass
class _Ctx:
    """Collects components per PyPSA class and adds each class in one call (much faster than one by one)."""

    ds: EnergyDataset
    n: Any
    axis: TimeAxis
    pd: Any
    rows: dict[str, list[tuple[str, dict[str, Any]]]] = field(default_factory=dict)

    def add(self, component: str, name: str, **attrs: Any) -> None:
        self.rows.setdefault(component, []).append((name, attrs))

    def flush(self) -> None:
        for component, rows in self.rows.items():
            groups: dict[tuple[tuple[str, bool], ...], list[tuple[str, dict[str, Any]]]] = {}
            for name, attrs in rows:
                sig = tuple(sorted((k, isinstance(v, np.ndarray)) for k, v in attrs.items()))
                groups.setdefault(sig, []).append((name, attrs))
            for sig, group in groups.items():
                names = [g[0] for g in group]
                static: dict[str, Any] = {}
                for key, is_series in sig:
                    values = [attrs[key] for _, attrs in group]
                    if is_series:
                        static[key] = self.pd.DataFrame(dict(zip(names, values, strict=True)), index=self.n.snapshots)
                    else:
                        static[key] = values
                self.n.add(component, names, **static)
        self.rows.clear()

    @property
    def mw_per_bcm_year(self) -> float:
        return self.ds.mwh_per_bcm / HOURS_PER_YEAR


def _add_buses(ctx: _Ctx) -> None:
    for bus in ctx.ds.buses.values():
        carrier = "gas" if bus.carrier is Carrier.GAS else "AC"
        ctx.add("Bus", bus.id, carrier=carrier, x=bus.lon, y=bus.lat, v_nom=1.0, country=bus.country)


def _one_way(ctx: _Ctx, name: str, bus0: str, bus1: str, **attrs: Any) -> None:
    ctx.add("Link", name, bus0=bus0, bus1=bus1, p_min_pu=0.0, **attrs)


def _add_pipelines(ctx: _Ctx) -> None:
    fuel = ctx.ds.param("pipeline_fuel_percent_per_1000km") / 100.0
    for p in ctx.ds.pipelines.values():
        if p.status is not Status.OPERATING:
            continue
        attrs = {
            "p_nom": p.capacity_bcm_per_year * ctx.mw_per_bcm_year,
            "efficiency": max(0.0, 1.0 - fuel * p.length_km / 1000.0),
            "marginal_cost": PIPE_HURDLE_USD_PER_MWH_PER_1000KM * p.length_km / 1000.0,
            "carrier": "gas",
            "length": p.length_km,
        }
        if p.contract:
            ctx.add("Link", p.id, bus0=p.from_id, bus1=p.to_id, p_min_pu=1.0, **attrs)
        else:
            _one_way(ctx, p.id, p.from_id, p.to_id, **attrs)
        if p.bidirectional:
            _one_way(ctx, p.id + REVERSE, p.to_id, p.from_id, **attrs)


def _link_efficiency(ctx: _Ctx, kind: LinkKind, length_km: float) -> float:
    if kind is LinkKind.HVDC:
        return 1.0 - ctx.ds.param("hvdc_loss_percent_per_1000km") / 100.0 * length_km / 1000.0
    return 1.0 - ctx.ds.param("controllable_loss_percent") / 100.0


def _reactance(ctx: _Ctx, voltage_kv: float, length_km: float) -> float:
    per_km = ctx.ds.param("x_ohm_per_km_500kv" if voltage_kv >= 330 else "x_ohm_per_km_220kv")
    return X_SCALE * per_km * length_km / voltage_kv**2


def _add_power_links(ctx: _Ctx) -> None:
    for lk in ctx.ds.power_links.values():
        if lk.status is not Status.OPERATING:
            continue
        pu = availability_pu(ctx.ds, lk.availability, ctx.axis)
        if lk.kind is LinkKind.AC_LINE:
            ctx.add(
                "Line",
                lk.id,
                bus0=lk.from_id,
                bus1=lk.to_id,
                s_nom=lk.capacity_mw,
                x=_reactance(ctx, lk.voltage_kv, lk.length_km),
                r=R_OVER_X * _reactance(ctx, lk.voltage_kv, lk.length_km),
                length=lk.length_km,
                carrier="AC",
            )
            if lk.availability is not None:
                ctx.rows["Line"][-1][1]["s_max_pu"] = pu
            continue
        attrs = {
            "p_nom": lk.capacity_mw,
            "efficiency": _link_efficiency(ctx, lk.kind, lk.length_km),
            "marginal_cost": LINK_HURDLE_USD_PER_MWH,
            "p_max_pu": (pu),
            "carrier": "electricity",
            "length": lk.length_km,
        }
        _one_way(ctx, lk.id, lk.from_id, lk.to_id, **attrs)
        if lk.bidirectional:
            _one_way(ctx, lk.id + REVERSE, lk.to_id, lk.from_id, **attrs)


def _add_supplies(ctx: _Ctx) -> None:
    for s in ctx.ds.supplies.values():
        if s.status is not Status.OPERATING:
            continue
        pu = availability_pu(ctx.ds, s.availability, ctx.axis)
        if s.capacity_bcm_per_year is not None:
            ctx.add(
                "Generator",
                s.id,
                bus=s.bus,
                carrier=s.carrier,
                p_nom=s.capacity_bcm_per_year * ctx.mw_per_bcm_year * ctx.ds.param("gas_field_swing"),
                e_sum_max=s.capacity_bcm_per_year * ctx.ds.mwh_per_bcm * ctx.axis.hours / HOURS_PER_YEAR,
                marginal_cost=s.marginal_cost_usd_per_mwh,
                p_max_pu=(pu),
            )
        elif s.fuel_bus is not None and s.efficiency is not None and s.capacity_mw is not None:
            ctx.add(
                "Link",
                s.id,
                bus0=s.fuel_bus,
                bus1=s.bus,
                carrier=s.carrier,
                p_nom=s.capacity_mw / s.efficiency,
                efficiency=s.efficiency,
                marginal_cost=s.marginal_cost_usd_per_mwh * s.efficiency,
                p_max_pu=(pu),
            )
        else:
            ctx.add(
                "Generator",
                s.id,
                bus=s.bus,
                carrier=s.carrier,
                p_nom=s.capacity_mw,
                marginal_cost=s.marginal_cost_usd_per_mwh,
                p_max_pu=(pu),
            )


def demand_mwh(ds: EnergyDataset, yearly_twh: float | None, yearly_bcm: float | None) -> float:
    """A demand's yearly volume in MWh of its carrier."""
    if yearly_bcm is not None:
        return yearly_bcm * ds.mwh_per_bcm
    return float(yearly_twh or 0.0) * 1e6


def _add_demands(ctx: _Ctx) -> None:
    for d in ctx.ds.demands.values():
        mw = shape_mw(ctx.ds, d.profile, demand_mwh(ctx.ds, d.yearly_twh, d.yearly_bcm), ctx.axis)
        peak = float(mw.max()) if len(mw) else 0.0
        if peak <= 0:
            continue
        gas = ctx.ds.buses[d.bus].carrier is Carrier.GAS
        if d.kind is DemandKind.FIXED:
            ctx.add("Load", d.id, bus=d.bus, p_set=(mw), carrier="gas" if gas else "electricity")
            voll = ctx.ds.param("voll_gas_usd_per_mwh" if gas else "voll_power_usd_per_mwh")
            ctx.add(
                "Generator",
                d.id + UNSERVED,
                bus=d.bus,
                carrier="gas" if gas else "electricity",
                p_nom=peak,
                marginal_cost=voll,
            )
        else:
            ctx.add(
                "Generator",
                d.id,
                bus=d.bus,
                carrier="gas" if gas else "electricity",
                p_nom=peak,
                p_max_pu=0.0,
                p_min_pu=(-mw / peak),
                marginal_cost=float(d.price_usd_per_mwh or 0.0),
            )
