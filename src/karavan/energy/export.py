"""Export an energy dataset or a solved year: a PyPSA NetCDF file, or GeoJSON for maps."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from karavan.energy.model import Carrier, EnergyDataset, Status
from karavan.energy.results import EnergyResult
from karavan.errors import InputError


def export_pypsa(source: EnergyDataset | EnergyResult, path: str | Path) -> Path:
    """Write a PyPSA NetCDF file (``pypsa.Network(path)`` opens it).

    A dataset is written as the unsolved network of its operating assets; a result as the solved network
    (flows, prices and duals included).
    """
    from karavan.energy.network import build_network, require_pypsa

    out = Path(path)
    if not out.parent.is_dir():
        raise InputError("--output", str(out), f"a file in an existing directory ({out.parent} does not exist)")
    pypsa = require_pypsa()
    network = source.network if isinstance(source, EnergyResult) else build_network(source)
    import pandas as pd

    tmp = out.with_name(f".{out.name}.tmp")
    with warnings.catch_warnings():
        # PyPSA 1.x still toggles a pandas option that pandas 3.1 deprecates
        warnings.simplefilter("ignore", category=getattr(pd.errors, "Pandas4Warning", FutureWarning))
        network.export_to_netcdf(tmp)
    tmp.replace(out)
    del pypsa
    return out


def read_pypsa(path: str | Path) -> Any:
    """Open a PyPSA NetCDF file written by :func:`export_pypsa` (for checks and notebooks)."""
    from karavan.energy.network import require_pypsa

    pypsa = require_pypsa()
    import pandas as pd

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", category=getattr(pd.errors, "Pandas4Warning", FutureWarning))
        return pypsa.Network(str(path))


def _status_of(ds: EnergyDataset, kind: str, rid: str) -> Status:
    table = ds.pipelines if kind == "pipeline" else ds.power_links
    return table[rid].status


def energy_geojson(ds: EnergyDataset, result: EnergyResult | None = None) -> dict[str, Any]:
    """GeoJSON of buses (points) and pipelines and links (lines), styled by carrier and, with a result,
    by utilisation. Assets that are not operating are included with their status (drawn dashed)."""
    color = {c.id: c.color for c in ds.carriers.values()}
    flows = {f.id: f for f in result.flows} if result else {}
    prices = {b.id: b for b in result.bus_results} if result else {}
    features: list[dict[str, Any]] = []
    for bus in ds.buses.values():
        props: dict[str, Any] = {
            "layer": "energy-bus",
            "id": bus.id,
            "name_en": bus.name_en,
            "name_ru": bus.name_ru,
            "country": bus.country,
            "carrier": bus.carrier.value,
            "kind": bus.kind,
            "color": color.get(bus.carrier.value, "#888888"),
        }
        if bus.id in prices:
            props["price_mean_usd_per_mwh"] = round(prices[bus.id].price_mean_usd_per_mwh, 3)
            props["unserved"] = round(prices[bus.id].unserved, 6)
            props["unit"] = prices[bus.id].unit
        features.append(
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": [bus.lon, bus.lat]}, "properties": props}
        )
    for rec, kind, cap, unit in _lines(ds):
        a, b = ds.buses[rec.from_id], ds.buses[rec.to_id]
        carrier = "gas" if kind == "pipeline" else "electricity"
        props = {
            "layer": "energy-line",
            "id": rec.id,
            "name": rec.name,
            "kind": kind,
            "carrier": carrier,
            "status": rec.status.value,
            "from": rec.from_id,
            "to": rec.to_id,
            "capacity": cap,
            "capacity_unit": unit,
            "length_km": rec.length_km,
            "color": color.get(carrier, "#888888"),
        }
        f = flows.get(rec.id)
        if f is not None:
            props.update(
                {
                    "net": round(f.net, 6),
                    "unit": f.unit,
                    "utilisation": round(f.utilisation, 4),
                    "peak_utilisation": round(f.peak_utilisation, 4),
                }
            )
        geometry = {"type": "LineString", "coordinates": [[a.lon, a.lat], [b.lon, b.lat]]}
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    return {
        "type": "FeatureCollection",
        "name": f"{ds.info.name} ({ds.scenario})",
        "features": features,
    }


def _lines(ds: EnergyDataset) -> list[tuple[Any, str, float, str]]:
    out: list[tuple[Any, str, float, str]] = [
        (p, "pipeline", p.capacity_bcm_per_year, "bcm/yr") for p in ds.pipelines.values()
    ]
    out += [(lk, lk.kind.value, lk.capacity_mw, "MW") for lk in ds.power_links.values()]
    return out


def bus_carrier(ds: EnergyDataset, bus_id: str) -> Carrier:
    """The carrier of ``bus_id``."""
    return ds.buses[bus_id].carrier
