"""Compare two solved energy years: flows, utilisation, nodal prices, capacity values, unserved demand, CO2
and cross-border trade value, side by side."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from karavan.capacity.scenario import Scenario
from karavan.energy.model import EnergyDataset
from karavan.energy.results import EnergyResult, FlowResult

_EPS = 1e-6


@dataclass(frozen=True)
class EnergyDiff:
    """``other`` against ``base``; every row carries both values and the change."""

    base: EnergyResult
    other: EnergyResult

    def totals(self) -> dict[str, Any]:
        """Headline figures of both runs and their change."""
        out: dict[str, Any] = {"base": self.base.scenario, "scenario": self.other.scenario}
        for key in ("objective_usd", "co2_t", "unserved_twh", "unserved_bcm", "trade_value_usd"):
            a, b = self.base.summary()[key], self.other.summary()[key]
            out[key] = {"base": a, "scenario": b, "change": round(b - a, 6)}
        return out

    def flows(self, *, changed_only: bool = False) -> list[dict[str, Any]]:
        """Per pipeline or link: net flow, utilisation and capacity value in both runs (in bcm or TWh)."""
        a = {f.id: f for f in self.base.flows}
        b = {f.id: f for f in self.other.flows}
        rows = []
        for fid in [*a, *(k for k in b if k not in a)]:
            fa, fb = a.get(fid), b.get(fid)
            ref = fb or fa
            assert ref is not None
            row = _flow_row(fid, ref, fa, fb)
            if changed_only and abs(row["change"]) < _EPS and fa is not None and fb is not None:
                continue
            rows.append(row)
        return rows

    def buses(self, *, changed_only: bool = False) -> list[dict[str, Any]]:
        """Per bus: mean nodal price and unserved demand in both runs."""
        a = {x.id: x for x in self.base.bus_results}
        b = {x.id: x for x in self.other.bus_results}
        rows = []
        for bid in [*a, *(k for k in b if k not in a)]:
            xa, xb = a.get(bid), b.get(bid)
            pa = xa.price_mean_usd_per_mwh if xa else None
            pb = xb.price_mean_usd_per_mwh if xb else None
            ua = xa.unserved if xa else 0.0
            ub = xb.unserved if xb else 0.0
            change = (pb or 0.0) - (pa or 0.0)
            if changed_only and abs(change) < 0.01 and abs(ub - ua) < _EPS:
                continue
            ref = xb or xa
            assert ref is not None
            rows.append(
                {
                    "id": bid,
                    "carrier": ref.carrier,
                    "country": ref.country,
                    "price_base_usd_per_mwh": _r(pa),
                    "price_scenario_usd_per_mwh": _r(pb),
                    "price_change_usd_per_mwh": round(change, 4),
                    "unit": ref.unit,
                    "unserved_base": round(ua, 6),
                    "unserved_scenario": round(ub, 6),
                }
            )
        return rows

    def trade(self) -> list[dict[str, Any]]:
        """USD value of cross-border trade per (exporter, importer, carrier) in both runs."""

        def totals(r: EnergyResult) -> dict[tuple[str, str, str], tuple[float, float, str]]:
            out: dict[tuple[str, str, str], tuple[float, float, str]] = {}
            for t in r.trade:
                k = (t.exporter, t.importer, t.carrier)
                v, vol, _ = out.get(k, (0.0, 0.0, t.unit))
                out[k] = (v + t.value_usd, vol + t.volume, t.unit)
            return out

        a, b = totals(self.base), totals(self.other)
        rows = []
        for k in sorted({*a, *b}):
            va, vola, unit = a.get(k, (0.0, 0.0, b.get(k, (0, 0, ""))[2]))
            vb, volb, _ = b.get(k, (0.0, 0.0, unit))
            rows.append(
                {
                    "exporter": k[0],
                    "importer": k[1],
                    "carrier": k[2],
                    "unit": unit,
                    "volume_base": round(vola, 6),
                    "volume_scenario": round(volb, 6),
                    "value_base_usd": round(va, 0),
                    "value_scenario_usd": round(vb, 0),
                    "value_change_usd": round(vb - va, 0),
                }
            )
        return rows

    def to_dict(self, *, changed_only: bool = False) -> dict[str, Any]:
        """Full JSON view."""
        return {
            "totals": self.totals(),
            "flows": self.flows(changed_only=changed_only),
            "buses": self.buses(changed_only=changed_only),
            "trade": self.trade(),
            "notes": list(self.other.notes),
        }


def _r(v: float | None) -> float | None:
    return None if v is None else round(v, 4)


def _flow_row(fid: str, ref: FlowResult, fa: FlowResult | None, fb: FlowResult | None) -> dict[str, Any]:
    na = fa.net if fa else 0.0
    nb = fb.net if fb else 0.0
    return {
        "id": fid,
        "name": ref.name,
        "kind": ref.kind,
        "carrier": ref.carrier,
        "from": ref.from_bus,
        "to": ref.to_bus,
        "unit": ref.unit,
        "in_base": fa is not None,
        "in_scenario": fb is not None,
        "net_base": round(na, 6),
        "net_scenario": round(nb, 6),
        "change": round(nb - na, 6),
        "utilisation_base": _r(fa.utilisation if fa else None),
        "utilisation_scenario": _r(fb.utilisation if fb else None),
        "capacity_value_base_usd": round(fa.capacity_value_usd, 0) if fa else None,
        "capacity_value_scenario_usd": round(fb.capacity_value_usd, 0) if fb else None,
        "capacity_value_unit": "USD per bcm/yr of capacity per year" if ref.unit == "bcm" else "USD per MW per year",
    }


def diff_results(base: EnergyResult, other: EnergyResult) -> EnergyDiff:
    """Compare two solved years."""
    return EnergyDiff(base, other)


def diff_scenarios(
    ds: EnergyDataset,
    base: str | Path | Scenario,
    other: str | Path | Scenario,
    *,
    progress: Callable[[str], None] | None = None,
) -> EnergyDiff:
    """Solve ``ds`` under two scenarios (``"base"`` for none) and compare them."""
    from karavan.energy.scenario import dataset_for
    from karavan.energy.solver import solve

    ra = solve(dataset_for(base, ds), progress=progress)
    rb = solve(dataset_for(other, ds), progress=progress)
    return EnergyDiff(ra, rb)
