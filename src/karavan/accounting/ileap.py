"""ISO 14083 records of a plan in the iLEAP data model: ShipmentFootprint, TCE, TOC and HOC.

iLEAP (SINE Foundation, https://sine-fdn.github.io/ileap-extension) exchanges logistics
emissions as a ShipmentFootprint of transport chain elements (TCEs), each computed with a
transport operation category (TOC) or a hub operation category (HOC). This module writes
karavan's planned itineraries in that model:

- one ShipmentFootprint per route alternative of a plan (``shipmentId`` names the query and
  the route); one TCE per leg and per hub operation, in the order they happen
  (``prevTceIds``);
- units as the specification fixes them: mass in kg, distance in km, transport activity in
  tkm, emissions in kg CO2e, intensities in kg CO2e per tkm (TOC) or per outbound tonne (HOC);
  every number is a decimal string;
- a TCE's ``co2eWTW`` and ``co2eTTW`` are karavan's figures for the element, and equal its
  TOC's or HOC's intensity × the TCE's activity. A category whose intensity depends on the leg
  (electric traction at each country's grid, gross-mass Ro-Ro categories, per-TEU and
  per-container defaults expressed per tonne) gets a TOC/HOC derived for that element, with an
  id ``<category>~<digest>`` and a description saying how it was derived.

What karavan does not know is left out where iLEAP makes it optional (certifications, load
factors, temperature control, vessel numbers) and flagged in ``estimates`` where the schema
requires it (energy carriers of hubs, the fuel of sea categories). These are planned figures
from default intensities (secondary data in ISO 14083 terms), not measured ones.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from karavan.accounting.cargo import Cargo
from karavan.accounting.elements import EmissionPart, leg_emission_parts
from karavan.accounting.itinerary import HubResult, Itinerary, LegResult
from karavan.accounting.params import Parameters, load_parameters
from karavan.model.enums import Mode, Unit
from karavan.model.network import Network
from karavan.model.timetable import Run, from_hours, service_runs

SPECIFICATION = "iLEAP Technical Specifications (SINE Foundation), data model of ShipmentFootprint, TCE, TOC, HOC"


@dataclass(frozen=True, slots=True)
class FuelFactors:
    """An iLEAP energy carrier with its GLEC emission factors in kg CO2e per ``unit``."""

    carrier: str
    wtw: float
    ttw: float
    unit: str
    source: str


FUELS: Mapping[str, FuelFactors] = {
    "diesel": FuelFactors("Diesel", 4.13, 3.17, "kg", "GLEC Framework v3.0, Module 1 (pp. 77-81), European diesel"),
    "hfo": FuelFactors("HFO", 3.86, 3.18, "kg", "GLEC Framework v3.0, Module 1 (pp. 77-81), HFO 2.5 % S"),
}
"""Fuel emission factors of the energy carriers karavan's fuel categories run on."""

FUEL_OF_MODE: Mapping[Mode, str] = {Mode.RAIL: "diesel", Mode.ROAD: "diesel", Mode.SEA: "hfo"}
"""The fuel of each mode's fuel-based categories (rail and road diesel; ships HFO, see ``estimates``)."""

HUB_TYPES: Mapping[str, str] = {"hub_container_terminal_maritime": "MaritimeContainerTerminal"}
"""iLEAP hub type of a hub operation category; every other karavan category is a transshipment."""

CONTAINER_TYPES: Mapping[Unit, str] = {Unit.TEU: "Container-TEU", Unit.FEU: "Container-FEU"}

ESTIMATES: tuple[str, ...] = (
    "All figures are planned from default emission intensities (GLEC Framework v3.0, ISO 14083 secondary "
    "data) for the timetable and distances of the dataset, not measured on the shipment.",
    "Sea categories are taken to burn HFO, as their GLEC defaults do; the fuel of the container-ship "
    "end-user factors is not published, so their energy carrier is an estimate.",
    "GLEC's default hub intensities publish no energy-carrier split; each HOC states Diesel with share 1 "
    "because the schema requires a carrier. Its intensity does not depend on that entry.",
    "Where a distance adjustment factor applies (planned sea distances, GLEC p. 51), distance.sfd is the "
    "planned distance and distance.actual = sfd x DAF, an estimate; transport activity uses the actual one.",
    "TOC and HOC ids with '~' are derived for one element (its grid mix, gross mass or containers); "
    "their description names the karavan category they come from.",
)


def dec(value: float, places: int = 6) -> str:
    """A number as an iLEAP Decimal: a JSON string matching ``^-?\\d+(\\.\\d+)?$``."""
    text = f"{value:.{places}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:10]


def location(net: Network, node_id: str) -> dict[str, Any]:
    """The iLEAP Location of a node: name, country, UN/LOCODE and WGS84 position."""
    n = net.nodes[node_id]
    loc: dict[str, Any] = {"city": n.name_en, "country": n.country}
    if n.locode:
        loc["locode"] = n.locode
    loc["lat"] = dec(n.lat, 5)
    loc["lng"] = dec(n.lon, 5)
    return loc


# ------------------------------------------------------------------- TOC


def _run_of(net: Network, leg: LegResult) -> tuple[Run, int, int]:
    """The run a leg rode and its boarding and alighting stop indices."""
    f = leg.figures
    run = next(r for r in service_runs(net, net.services[f.service_id]) if r.reverse == f.reverse)
    i = run.stops.index(f.board)
    j = run.stops.index(f.alight, i + 1)
    return run, i, j


def _carriers(params: Parameters, parts: Sequence[EmissionPart]) -> list[dict[str, Any]]:
    """Energy carriers of a leg's parts, shares by transport activity (km × DAF)."""
    weights: dict[str, float] = {}
    electric_wtw = electric_kwh = 0.0
    for p in parts:
        w = p.km * p.toc.daf
        if p.toc.electric:
            weights["electric"] = weights.get("electric", 0.0) + w
            electric_wtw += p.wtw_kg
            electric_kwh += p.activity * p.km * p.toc.daf * p.toc.kwh
        else:
            fuel = FUEL_OF_MODE[params.toc[p.toc.id].mode]
            weights[fuel] = weights.get(fuel, 0.0) + w
    total = sum(weights.values()) or 1.0
    out: list[dict[str, Any]] = []
    for key, w in weights.items():
        share = dec(w / total, 6)
        if key == "electric":
            per_kwh = electric_wtw / electric_kwh if electric_kwh > 0 else 0.0
            out.append(
                {
                    "energyCarrier": "Electric",
                    "feedstocks": [{"feedstock": "Grid"}],
                    "energyConsumptionUnit": "kWh",
                    "emissionFactorWTW": dec(per_kwh, 6),
                    "emissionFactorTTW": "0",
                    "relativeShare": share,
                }
            )
        else:
            f = FUELS[key]
            out.append(
                {
                    "energyCarrier": f.carrier,
                    "energyConsumptionUnit": f.unit,
                    "emissionFactorWTW": dec(f.wtw, 4),
                    "emissionFactorTTW": dec(f.ttw, 4),
                    "relativeShare": share,
                }
            )
    return out


def _toc_record(
    params: Parameters, leg: LegResult, parts: Sequence[EmissionPart], activity_tkm: float
) -> dict[str, Any]:
    """The TOC a leg's TCE is computed with: its category's, or one derived for the leg."""
    cat = params.toc[leg.toc]
    t = params.fast_toc[leg.toc]
    plain = len(parts) == 1 and not (t.electric or t.per_teu or t.gross_mass)
    wtw = leg.figures.co2e_wtw_kg / activity_tkm if activity_tkm > 0 else t.wtw_g / 1000.0
    ttw = leg.figures.co2e_ttw_kg / activity_tkm if activity_tkm > 0 else t.ttw_g / 1000.0
    if plain:
        wtw, ttw = t.wtw_g / 1000.0, t.ttw_g / 1000.0
    record: dict[str, Any] = {
        "tocId": cat.id,
        "description": _toc_description(params, leg, parts, plain),
        "mode": Mode(cat.mode).ileap_mode,
        "energyCarriers": _carriers(params, parts),
        "co2eIntensityWTW": dec(wtw, 9),
        "co2eIntensityTTW": dec(ttw, 9),
        "transportActivityUnit": "tkm",
    }
    if not plain:
        record["tocId"] = f"{cat.id}~{_digest(record)}"
    return record


def _toc_description(params: Parameters, leg: LegResult, parts: Sequence[EmissionPart], plain: bool) -> str:
    cat = params.toc[leg.toc]
    t = params.fast_toc[leg.toc]
    unit = "g CO2e/TEU-km" if t.per_teu else "g CO2e/tkm"
    basis = f"{t.kwh:g} kWh per {'TEU-km' if t.per_teu else 'tkm'} x grid" if t.electric else f"{t.wtw_g:g} {unit} WTW"
    text = f"{cat.name} (karavan category {cat.id}: {basis}"
    if t.daf != 1.0:
        text += f", DAF {t.daf:g}"
    text += f"; {', '.join(cat.source) or 'no published source'})."
    if not plain:
        how: list[str] = []
        if any(p.toc.electric for p in parts):
            grids = sorted({p.country for p in parts if p.toc.electric})
            how.append(f"electric parts at the grid intensity of {', '.join(grids)}")
        if any(p.toc.id != t.id for p in parts):
            how.append("diesel fallback on non-electrified links")
        if t.per_teu:
            how.append(f"{unit} of the cargo's TEU expressed per cargo tkm")
        if t.gross_mass:
            how.append("gross tonne-km (cargo plus unit and carrier tare) reallocated to cargo tkm")
        text += " Derived for the leg " + f"{leg.figures.board} - {leg.figures.alight}: " + "; ".join(how) + "."
    if cat.estimate:
        text += f" Estimate: {cat.estimate}"
    return text


# ------------------------------------------------------------------- HOC


def _hoc_record(
    net: Network, params: Parameters, hub: HubResult, modes: tuple[str | None, str | None], cargo_unit: Unit
) -> dict[str, Any]:
    cat = params.hoc[hub.hoc]
    h = params.fast_hoc[hub.hoc]
    plain = not h.per_container
    if plain or hub.tonnes <= 0:
        wtw, ttw = h.wtw_kg, h.ttw_kg
    else:
        wtw, ttw = hub.figures.co2e_wtw_kg / hub.tonnes, hub.figures.co2e_ttw_kg / hub.tonnes
    per = "kg CO2e per container" if h.per_container else "kg CO2e per outbound tonne"
    text = f"{cat.name} (karavan category {cat.id}: {h.wtw_kg:g} {per} WTW; {', '.join(cat.source) or 'no source'})."
    if not h.split_published:
        text += " No WTT/TTW split published: reported as operational (TTW)."
    if not plain:
        text += f" Derived for the operation at {hub.figures.node}: per container expressed per outbound tonne."
    if cat.estimate:
        text += f" Estimate: {cat.estimate}"
    text += " Energy carrier: estimate (no split published, see estimates)."
    diesel = FUELS["diesel"]
    record: dict[str, Any] = {
        "hocId": cat.id,
        "description": text,
        "hubType": HUB_TYPES.get(cat.id, "Transshipment"),
        "hubLocation": location(net, hub.figures.node),
        "energyCarriers": [
            {
                "energyCarrier": diesel.carrier,
                "energyConsumptionUnit": diesel.unit,
                "emissionFactorWTW": dec(diesel.wtw, 4),
                "emissionFactorTTW": dec(diesel.ttw, 4),
                "relativeShare": "1",
            }
        ],
        "co2eIntensityWTW": dec(wtw, 9),
        "co2eIntensityTTW": dec(ttw, 9),
        "hubActivityUnit": "tonnes",
    }
    inbound, outbound = modes
    if inbound:
        record["inboundTransportMode"] = inbound
    if outbound:
        record["outboundTransportMode"] = outbound
    if cargo_unit in CONTAINER_TYPES:
        record["packagingOrTrEqType"] = CONTAINER_TYPES[cargo_unit]
    if not plain:
        record["hocId"] = f"{cat.id}~{_digest(record)}"
    return record


# ------------------------------------------------------------------- TCEs


@dataclass
class _Chain:
    """Records collected while walking an itinerary."""

    tocs: dict[str, dict[str, Any]]
    hocs: dict[str, dict[str, Any]]


def _tce_base(shipment_id: str, k: int, mass_kg: float, it: Itinerary) -> dict[str, Any]:
    tce: dict[str, Any] = {"tceId": f"{shipment_id}/tce-{k}", "shipmentId": shipment_id, "mass": dec(mass_kg, 3)}
    unit = it.cargo.unit
    if unit in CONTAINER_TYPES:
        tce["packagingOrTrEqType"] = CONTAINER_TYPES[unit]
        tce["packagingOrTrEqAmount"] = dec(float(it.cargo.count), 3)
    return tce


def _leg_tce(
    net: Network, params: Parameters, leg: LegResult, cargo: Cargo, tce: dict[str, Any], chain: _Chain
) -> None:
    run, i, j = _run_of(net, leg)
    parts = leg_emission_parts(net, params, run, i, j, cargo)
    f = leg.figures
    daf = params.fast_toc[leg.toc].daf
    actual_km = f.distance_km * daf
    activity = leg.tonnes * actual_km
    toc = _toc_record(params, leg, parts, activity)
    chain.tocs.setdefault(toc["tocId"], toc)
    distance = {"actual": dec(actual_km, 3)}
    if daf != 1.0:
        distance["sfd"] = dec(f.distance_km, 3)
    tce.update(
        {
            "tocId": toc["tocId"],
            "distance": distance,
            "origin": location(net, f.board),
            "destination": location(net, f.alight),
            "transportActivity": dec(activity, 6),
            "departureAt": _utc(leg.depart_h),
            "arrivalAt": _utc(leg.arrive_h),
            "co2eWTW": dec(f.co2e_wtw_kg, 6),
            "co2eTTW": dec(f.co2e_ttw_kg, 6),
        }
    )


def _utc(hours: float) -> str:
    return from_hours(hours).strftime("%Y-%m-%dT%H:%M:%SZ")


def _hub_tce(
    net: Network,
    params: Parameters,
    hub: HubResult,
    modes: tuple[str | None, str | None],
    it: Itinerary,
    tce: dict[str, Any],
    chain: _Chain,
) -> None:
    hoc = _hoc_record(net, params, hub, modes, it.cargo.unit)
    chain.hocs.setdefault(hoc["hocId"], hoc)
    tce.update(
        {
            "hocId": hoc["hocId"],
            "distance": {"actual": "0"},
            "origin": location(net, hub.figures.node),
            "destination": location(net, hub.figures.node),
            "transportActivity": "0",
            "co2eWTW": dec(hub.figures.co2e_wtw_kg, 6),
            "co2eTTW": dec(hub.figures.co2e_ttw_kg, 6),
        }
    )


def _elements(it: Itinerary) -> list[LegResult | HubResult]:
    return sorted([*it.legs, *it.hubs], key=lambda e: e.index)


def _hub_modes(elements: Sequence[LegResult | HubResult], k: int) -> tuple[str | None, str | None]:
    """Transport modes of the legs before and after the hub operation at position ``k``."""
    before = next((e for e in reversed(elements[:k]) if isinstance(e, LegResult)), None)
    after = next((e for e in elements[k + 1 :] if isinstance(e, LegResult)), None)
    return (
        Mode(before.mode).ileap_mode if before is not None else None,
        Mode(after.mode).ileap_mode if after is not None else None,
    )


def shipment_footprint(
    net: Network, it: Itinerary, shipment_id: str, params: Parameters | None = None, chain: _Chain | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]], list[dict[str, Any]]]:
    """The ShipmentFootprint of an itinerary and the TOCs and HOCs its TCEs reference.

    Parameters
    ----------
    net : Network
        The network the itinerary was evaluated on.
    it : Itinerary
        An evaluated itinerary (:func:`karavan.accounting.evaluate`).
    shipment_id : str
        The ``shipmentId`` of the footprint and its TCEs.
    params : Parameters, optional
        The accounting parameters it was evaluated with; default ``load_parameters(net.path)``.

    Returns
    -------
    tuple of dict, list of dict, list of dict
        The ShipmentFootprint, and the TOC and HOC records its TCEs name.
    """
    params = params if params is not None else load_parameters(net.path)
    chain = chain if chain is not None else _Chain({}, {})
    mass_kg = it.tonnes * 1000.0
    elements = _elements(it)
    tces: list[dict[str, Any]] = []
    for k, element in enumerate(elements):
        tce = _tce_base(shipment_id, k + 1, mass_kg, it)
        tce["prevTceIds"] = [tces[-1]["tceId"]] if tces else []
        if isinstance(element, LegResult):
            _leg_tce(net, params, element, it.cargo, tce, chain)
        else:
            _hub_tce(net, params, element, _hub_modes(elements, k), it, tce, chain)
        tces.append(tce)
    footprint = {"mass": dec(mass_kg, 3), "shipmentId": shipment_id, "tces": tces}
    return footprint, list(chain.tocs.values()), list(chain.hocs.values())


def plan_ileap(net: Network, plan: Any, params: Parameters | None = None) -> dict[str, Any]:
    """Every route of a :class:`karavan.routing.RoutePlan` as iLEAP records.

    Returns
    -------
    dict
        ``{"specification", "query", "parameters_version", "shipmentFootprints", "tocs",
        "hocs", "estimates"}``: one ShipmentFootprint per route (``shipmentId``
        ``karavan:<query digest>:route-<n>``, routes numbered from 1 in the plan's order), each
        TOC and HOC once.
    """
    params = params if params is not None else load_parameters(net.path)
    query = plan.query.to_dict()
    base = f"karavan:{_digest(query)}"
    chain = _Chain({}, {})
    footprints = [
        shipment_footprint(net, route.itinerary, f"{base}:route-{n}", params, chain)[0]
        for n, route in enumerate(plan.routes, 1)
    ]
    return {
        "specification": SPECIFICATION,
        "query": query,
        "parameters_version": params.version,
        "shipmentFootprints": footprints,
        "tocs": list(chain.tocs.values()),
        "hocs": list(chain.hocs.values()),
        "estimates": list(ESTIMATES),
    }


def records(doc: Mapping[str, Any]) -> Iterable[tuple[str, dict[str, Any]]]:
    """``(kind, record)`` for every ShipmentFootprint, TOC and HOC of a :func:`plan_ileap` document."""
    for kind, key in (("shipment-footprint", "shipmentFootprints"), ("toc", "tocs"), ("hoc", "hocs")):
        for rec in doc[key]:
            yield kind, rec
