"""Per-element figures: one leg of a service run, one hub operation.

These are the functions routing calls while building its graph, so they do no I/O,
build no pydantic objects and cost O(number of segments). The same code path writes
the calculation trail when :func:`karavan.accounting.evaluate` asks for it, so the
numbers in the trail are the numbers routing sees.

Formulas (ISO 14083 / GLEC Framework v3)
----------------------------------------
- transport element: ``activity × km × DAF × intensity``; activity is tonnes (plus the
  units' tare for gross-mass categories such as Ro-Ro) or TEU for per-TEU-km categories;
  electric categories use ``kWh/activity-km × grid g/kWh`` of each segment's country.
- hub element: ``tonnes × kg/t`` or ``containers × kg/container``.
- WTW = TTW + WTT; WTT is reported as WTW − TTW.
- line-haul cost: ``count × (flat_usd + per_km_usd × km)`` from the service tariff, else the
  default tariff of each segment's country and mode (flagged ``default_tariff``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from karavan.accounting.cargo import Cargo
from karavan.accounting.params import Parameters, ResolvedToc
from karavan.accounting.trail import TrailInput, TrailRow, fmt
from karavan.errors import DatasetError, InputError
from karavan.model.distributions import Distribution
from karavan.model.entities import HubOperation, OpeningHours, _Record
from karavan.model.enums import CONTAINERS_PER_CARRIER, Unit, Weekday
from karavan.model.network import Network
from karavan.model.timetable import EPOCH_WEEKDAY, Run

_WEEKDAYS = list(Weekday)


def field_provenance(rec: _Record, field: str) -> tuple[tuple[str, ...], str]:
    """Sources and estimate reasoning of one field of a dataset record.

    A field flagged in the record's ``estimate`` is an estimate with no source of its own (the
    record's ``source`` list backs its other fields); any other field is backed by ``source``.
    """
    why = rec.estimate.get(field, "")
    if why:
        return (), why
    return tuple(rec.source), ""


def _input(name: str, value: float | str, unit: str, rec: _Record, field: str) -> TrailInput:
    sources, why = field_provenance(rec, field)
    return TrailInput(name, value, unit, sources, why)


@dataclass(frozen=True, slots=True)
class LegFigures:
    """Figures of one leg: a run boarded at stop ``i`` and left at stop ``j``.

    Attributes
    ----------
    service_id, board, alight : str
        Service and the boarding and alighting node ids.
    reverse : bool
        Whether the run is the service's reverse direction.
    distance_km, running_h, cost_usd : float
        Planned distance, running time (no waiting) and price for the whole cargo.
    co2e_wtw_kg, co2e_ttw_kg : float
        Well-to-wheel and tank-to-wheel GHG emissions in kg CO2e.
    countries : tuple of str
        Countries the cargo enters, in order (on a ship only the boarding and discharge
        countries: a box aboard at a transit call does not enter that country).
    default_tariff : bool
        True when the service had no tariff for the unit and a default rate was used.
    """

    service_id: str
    reverse: bool
    board: str
    alight: str
    distance_km: float
    running_h: float
    cost_usd: float
    co2e_wtw_kg: float
    co2e_ttw_kg: float
    countries: tuple[str, ...]
    default_tariff: bool = False
    carrier: str | None = None
    """Wagon or trailer the containers cross on aboard a roll-on ship (fare and tare follow it)."""
    carriers: float = 0.0
    """How many of those carrier units the cargo fills."""

    @property
    def co2e_wtt_kg(self) -> float:
        """Well-to-tank part (WTW − TTW)."""
        return self.co2e_wtw_kg - self.co2e_ttw_kg


@dataclass(frozen=True, slots=True)
class HubFigures:
    """Figures of one hub operation for the whole cargo.

    Attributes
    ----------
    op_id, node : str
        Operation and node ids.
    dwell_h : float
        Mean dwell; :attr:`dwell` keeps the distribution for sampling.
    cost_usd, co2e_wtw_kg, co2e_ttw_kg : float
        Fee and emissions for the whole cargo.
    dwell : Distribution
        The operation's dwell distribution.
    """

    op_id: str
    node: str
    dwell_h: float
    cost_usd: float
    co2e_wtw_kg: float
    co2e_ttw_kg: float
    dwell: Distribution

    @property
    def co2e_wtt_kg(self) -> float:
        """Well-to-tank part (WTW − TTW)."""
        return self.co2e_wtw_kg - self.co2e_ttw_kg


# ------------------------------------------------------------------------ legs


def leg_figures(net: Network, params: Parameters, run: Run, i: int, j: int, cargo: Cargo) -> LegFigures:
    """Distance, running time, cost and emissions of riding ``run`` from stop ``i`` to stop ``j``.

    Parameters
    ----------
    net : Network
        The network the run belongs to.
    params : Parameters
        Accounting parameters (:func:`karavan.accounting.load_parameters`).
    run : karavan.model.timetable.Run
        A directed run from :func:`karavan.model.timetable.service_runs`.
    i, j : int
        Boarding and alighting stop indices, ``0 <= i < j < len(run.stops)``.
    cargo : Cargo
        What is carried.

    Returns
    -------
    LegFigures

    Raises
    ------
    karavan.errors.InputError
        Bad stop indices, or a unit the service does not carry.
    karavan.errors.DatasetError
        The service's ``toc`` is not in the parameters, or no grid intensity is known.
    """
    return _leg(net, params, run, i, j, cargo, None, "")


def _leg(
    net: Network,
    params: Parameters,
    run: Run,
    i: int,
    j: int,
    cargo: Cargo,
    trail: list[TrailRow] | None,
    label: str,
) -> LegFigures:
    n = len(run.stops)
    if not (0 <= i < j < n):
        raise InputError("stop indices", (i, j), f"0 <= i < j < {n} for run {run.key}")
    svc = run.service
    unit = cargo.unit
    if unit not in svc.units:
        raise InputError("cargo.unit", unit.value, f"a unit service {svc.id} carries: {[u.value for u in svc.units]}")
    toc = params.fast_toc.get(svc.toc)
    if toc is None:
        raise DatasetError(f"service {svc.id}: transport operation category {svc.toc!r} is not in the parameters")
    cum_km = run.cum_km
    distance_km = cum_km[j] - cum_km[i]
    running_h = run.cum_h[j] - run.cum_h[i]

    km_by_country, countries, groups = _segments(net, params, run, i, j, toc)

    count = float(cargo.count)
    t_unit = cargo.t_per_unit(net)
    tonnes = count * t_unit

    carrier, carriers = carrier_load(run, cargo)
    carrier_tare = 0.0
    if carrier is not None:
        ut = net.unit_types.get(carrier)
        carrier_tare = float(ut.tare_t or 0.0) if ut is not None else 0.0

    # ------------------------------------------------------------ cost
    cost_usd, used_default = _leg_cost(
        net, params, run, i, cargo, count, t_unit, distance_km, km_by_country, countries[0], trail, label
    )

    # ------------------------------------------------------------ emissions
    parts = _emission_parts(net, params, cargo, toc, groups, tonnes, carriers * carrier_tare)
    wtw = 0.0
    ttw = 0.0
    for p in parts:
        wtw += p.wtw_kg
        ttw += p.ttw_kg
        if trail is not None:
            _emission_rows(trail, label, net, cargo, p, params)

    if trail is not None:
        _time_rows(trail, label, run, i, j, distance_km, running_h)

    return LegFigures(
        service_id=svc.id,
        reverse=run.reverse,
        board=run.stops[i],
        alight=run.stops[j],
        distance_km=distance_km,
        running_h=running_h,
        cost_usd=cost_usd,
        co2e_wtw_kg=wtw,
        co2e_ttw_kg=ttw,
        countries=tuple(countries),
        default_tariff=used_default,
        carrier=carrier.value if carrier is not None else None,
        carriers=carriers,
    )


@dataclass(frozen=True, slots=True)
class EmissionPart:
    """The emissions of the part of a leg run under one transport operation category.

    Electric categories get one part per country (their intensity is the country's grid);
    a fuel category gets one part for the whole leg. ``activity`` is in the category's
    basis: cargo tonnes, gross tonnes (cargo plus tare, gross-mass categories) or TEU.
    """

    toc: ResolvedToc
    country: str
    km: float
    activity: float
    g_wtw: float
    g_ttw: float
    wtw_kg: float
    ttw_kg: float


def leg_emission_parts(
    net: Network, params: Parameters, run: Run, i: int, j: int, cargo: Cargo
) -> tuple[EmissionPart, ...]:
    """The parts whose sums are :func:`leg_figures`' ``co2e_wtw_kg`` and ``co2e_ttw_kg``.

    Raises
    ------
    karavan.errors.DatasetError
        The service's ``toc`` is not in the parameters, or no grid intensity is known.
    """
    svc = run.service
    toc = params.fast_toc.get(svc.toc)
    if toc is None:
        raise DatasetError(f"service {svc.id}: transport operation category {svc.toc!r} is not in the parameters")
    _, _, groups = _segments(net, params, run, i, j, toc)
    carrier, carriers = carrier_load(run, cargo)
    carrier_tare = 0.0
    if carrier is not None:
        ut = net.unit_types.get(carrier)
        carrier_tare = float(ut.tare_t or 0.0) if ut is not None else 0.0
    return _emission_parts(net, params, cargo, toc, groups, cargo.tonnes(net), carriers * carrier_tare)


def _segments(
    net: Network, params: Parameters, run: Run, i: int, j: int, toc: ResolvedToc
) -> tuple[dict[str, float], list[str], dict[tuple[str, str], float]]:
    """km per country (a cross-border segment is split half and half), countries in order, km per group."""
    cum_km = run.cum_km
    nodes = net.nodes
    stops = run.stops
    km_by_country: dict[str, float] = {}
    countries: list[str] = []
    groups: dict[tuple[str, str], float] = {}
    mixed = run.service.traction == "mixed" and toc.electric and toc.diesel_fallback is not None
    prev_country = nodes[stops[i]].country
    countries.append(prev_country)
    for k in range(i, j):
        km = cum_km[k + 1] - cum_km[k]
        ca = prev_country
        cb = nodes[stops[k + 1]].country
        seg_toc = toc.id
        if mixed and run.links[k].electrified is False:
            seg_toc = toc.diesel_fallback or toc.id
        if ca == cb:
            km_by_country[ca] = km_by_country.get(ca, 0.0) + km
            _add_group(groups, params, seg_toc, ca, km)
        else:
            half = km / 2.0
            km_by_country[ca] = km_by_country.get(ca, 0.0) + half
            km_by_country[cb] = km_by_country.get(cb, 0.0) + half
            _add_group(groups, params, seg_toc, ca, half)
            _add_group(groups, params, seg_toc, cb, half)
            countries.append(cb)
        prev_country = cb
    if not run.service.mode.enters_at_calls:  # a box aboard a ship enters only the discharge country
        countries = list(dict.fromkeys((countries[0], nodes[stops[j]].country)))
    return km_by_country, countries, groups


def _emission_parts(
    net: Network,
    params: Parameters,
    cargo: Cargo,
    toc: ResolvedToc,
    groups: dict[tuple[str, str], float],
    tonnes: float,
    carrier_tare_t: float,
) -> tuple[EmissionPart, ...]:
    """``activity × km × DAF × intensity`` per group (``carrier_tare_t``: tare of all carrier units)."""
    parts: list[EmissionPart] = []
    teu: float | None = None
    for (toc_id, country), km in groups.items():
        t = toc if toc_id == toc.id else params.fast_toc[toc_id]
        if t.per_teu:
            if teu is None:
                teu = cargo.teu(net)
            activity = teu
        elif t.gross_mass:
            activity = tonnes + cargo.tare_t(net) + carrier_tare_t
        else:
            activity = tonnes
        if t.electric:
            grid = params.grid_for(country)
            if grid is None:
                raise DatasetError(f"no grid intensity for {country} and no '*' fallback in the parameters")
            g_wtw = t.kwh * grid.g_per_kwh
            g_ttw = 0.0
        else:
            g_wtw = t.wtw_g
            g_ttw = t.ttw_g
        e_wtw = activity * km * t.daf * g_wtw / 1000.0
        e_ttw = activity * km * t.daf * g_ttw / 1000.0
        parts.append(EmissionPart(t, country, km, activity, g_wtw, g_ttw, e_wtw, e_ttw))
    return tuple(parts)


def carrier_load(run: Run, cargo: Cargo) -> tuple[Unit | None, float]:
    """The carrier unit containers cross on aboard ``run`` (a roll-on ship) and how many they fill.

    ``(None, 0)`` when the cargo travels as itself. Two 20' boxes share a flat wagon, every other
    box takes a carrier of its own (:data:`karavan.model.enums.CONTAINERS_PER_CARRIER`).
    """
    carrier = run.carrier if cargo.unit.is_container else None
    if carrier is None:
        return None, 0.0
    per = CONTAINERS_PER_CARRIER[(carrier, cargo.unit)]
    return carrier, float(math.ceil(float(cargo.count) / per - 1e-9))


def _add_group(groups: dict[tuple[str, str], float], params: Parameters, toc_id: str, country: str, km: float) -> None:
    # fuel categories do not depend on the country: one group per category
    t = params.fast_toc.get(toc_id)
    key = (toc_id, country if t is not None and t.electric else "")
    groups[key] = groups.get(key, 0.0) + km


def _leg_cost(
    net: Network,
    params: Parameters,
    run: Run,
    i: int,
    cargo: Cargo,
    count: float,
    t_unit: float,
    distance_km: float,
    km_by_country: dict[str, float],
    board_country: str,
    trail: list[TrailRow] | None,
    label: str,
) -> tuple[float, bool]:
    svc = run.service
    unit = cargo.unit
    carrier, carriers = carrier_load(run, cargo)
    fare_unit, fare_count = (carrier, carriers) if carrier is not None and carrier in svc.tariff else (unit, count)
    tariff = svc.tariff.get(fare_unit)
    if tariff is not None:
        cost = fare_count * (tariff.flat_usd + tariff.per_km_usd * distance_km)
        if trail is not None:
            on = (
                (TrailInput(f"{unit.value} per {fare_unit.value} (the boxes cross on their carrier)",
                            CONTAINERS_PER_CARRIER[(fare_unit, unit)], "-"),)
                if fare_unit is not unit
                else ()
            )  # fmt: skip
            trail.append(
                TrailRow(
                    label,
                    "leg",
                    "cost_usd",
                    f"{fmt(fare_count)} {fare_unit.value} × ({fmt(tariff.flat_usd)} USD + "
                    f"{fmt(tariff.per_km_usd)} USD/km × {fmt(distance_km)} km)",
                    (
                        TrailInput("count", fare_count, fare_unit.value),
                        *on,
                        _input(f"tariff[{fare_unit.value}].flat_usd", tariff.flat_usd, "USD/unit", svc, "tariff"),
                        _input(
                            f"tariff[{fare_unit.value}].per_km_usd", tariff.per_km_usd, "USD/unit-km", svc, "tariff"
                        ),
                        TrailInput("distance", distance_km, "km"),
                    ),
                    cost,
                    "USD",
                )
            )
        return cost, False

    mode = svc.mode
    total = 0.0
    flat_done = False
    for country, km in km_by_country.items():
        d = params.tariff_for(country, mode, unit)
        if d is None:
            if trail is not None:
                trail.append(
                    TrailRow(
                        label,
                        "leg",
                        "cost_usd",
                        f"no tariff for {unit.value} on {svc.id} and no default for {mode.value} in {country}",
                        (TrailInput("distance", km, "km"),),
                        0.0,
                        "USD",
                        ("no_tariff",),
                    )
                )
            continue
        flat = d.flat_usd if (country == board_country and not flat_done) else 0.0
        if country == board_country:
            flat_done = True
        part = count * (flat + d.per_km_usd * km + d.per_tkm_usd * t_unit * km)
        total += part
        if trail is not None:
            flags = ["default_tariff"]
            if d.estimate:
                flags.append("estimate: " + d.estimate)
            trail.append(
                TrailRow(
                    label,
                    "leg",
                    "cost_usd",
                    f"{fmt(count)} {unit.value} × ({fmt(flat)} USD + {fmt(d.per_km_usd)} USD/km × {fmt(km)} km"
                    f" + {fmt(d.per_tkm_usd)} USD/tkm × {fmt(t_unit)} t × {fmt(km)} km)",
                    (
                        TrailInput("count", count, unit.value),
                        TrailInput(
                            f"default tariff {'/'.join((d.key[0], d.key[1].value, d.key[2]))} flat_usd",
                            flat,
                            "USD/unit",
                            d.sources,
                            d.estimate,
                        ),
                        TrailInput("per_km_usd", d.per_km_usd, "USD/unit-km", d.sources, d.estimate),
                        TrailInput("per_tkm_usd", d.per_tkm_usd, "USD/tkm", d.sources, d.estimate),
                        TrailInput("t per unit", t_unit, "t"),
                        TrailInput(f"distance in {country}", km, "km"),
                    ),
                    part,
                    "USD",
                    tuple(flags),
                )
            )
    return total, True


def _emission_rows(
    trail: list[TrailRow], label: str, net: Network, cargo: Cargo, part: EmissionPart, params: Parameters
) -> None:
    t, country, km, activity = part.toc, part.country, part.km, part.activity
    g_wtw, g_ttw, e_wtw, e_ttw = part.g_wtw, part.g_ttw, part.wtw_kg, part.ttw_kg
    act_unit = "TEU" if t.per_teu else "t"
    per = "g/TEU-km" if t.per_teu else "g/tkm"
    flags: list[str] = []
    if t.estimate:
        flags.append("estimate: " + t.estimate)
    if t.per_teu:
        act_input = TrailInput("activity (TEU)", activity, "TEU")
        if cargo.unit.value == "tonne":
            flags.append("bulk tonnes converted at GLEC 10 t/TEU")
    elif t.gross_mass:
        act_input = TrailInput("activity (cargo t + unit and carrier tare t, gross-mass category)", activity, "t")
    else:
        act_input = TrailInput("activity (cargo mass)", activity, "t")
    where = f" in {country}" if country else ""
    km_input = TrailInput(f"distance{where}", km, "km")
    daf_input = TrailInput(f"DAF ({t.id})", t.daf, "-", t.sources)
    if t.electric:
        grid = params.grid_for(country)
        assert grid is not None
        gflags = list(flags)
        if grid.estimate:
            gflags.append(f"estimate (grid {grid.country}): " + grid.estimate)
        inputs = (
            act_input,
            km_input,
            daf_input,
            TrailInput(
                f"energy intensity ({t.id})", t.kwh, f"kWh/{'TEU-km' if t.per_teu else 'tkm'}", t.sources, t.estimate
            ),
            TrailInput(f"grid intensity ({grid.country})", grid.g_per_kwh, "g CO2e/kWh", grid.sources, grid.estimate),
        )
        formula = (
            f"{fmt(activity)} {act_unit} × {fmt(km)} km × {fmt(t.daf)} × {fmt(t.kwh)} kWh × "
            f"{fmt(grid.g_per_kwh)} g/kWh / 1000"
        )
        trail.append(TrailRow(label, "leg", "co2e_wtw_kg", formula, inputs, e_wtw, "kg CO2e", tuple(gflags)))
        trail.append(
            TrailRow(
                label,
                "leg",
                "co2e_ttw_kg",
                "0 (electric traction: no combustion on board, ISO 14083)",
                (TrailInput(f"traction ({t.id})", "electric", "-"),),
                e_ttw,
                "kg CO2e",
            )
        )
    else:
        trail.append(
            TrailRow(
                label,
                "leg",
                "co2e_wtw_kg",
                f"{fmt(activity)} {act_unit} × {fmt(km)} km × {fmt(t.daf)} × {fmt(g_wtw)} {per} / 1000",
                (
                    act_input,
                    km_input,
                    daf_input,
                    TrailInput(f"WTW intensity ({t.id})", g_wtw, per, t.sources, t.estimate),
                ),
                e_wtw,
                "kg CO2e",
                tuple(flags),
            )
        )
        trail.append(
            TrailRow(
                label,
                "leg",
                "co2e_ttw_kg",
                f"{fmt(activity)} {act_unit} × {fmt(km)} km × {fmt(t.daf)} × {fmt(g_ttw)} {per} / 1000",
                (
                    act_input,
                    km_input,
                    daf_input,
                    TrailInput(f"TTW intensity ({t.id})", g_ttw, per, t.sources, t.estimate),
                ),
                e_ttw,
                "kg CO2e",
                tuple(flags),
            )
        )
    trail.append(
        TrailRow(
            label,
            "leg",
            "co2e_wtt_kg",
            f"WTW − TTW = {fmt(e_wtw)} − {fmt(e_ttw)}",
            (TrailInput("WTW", e_wtw, "kg CO2e"), TrailInput("TTW", e_ttw, "kg CO2e")),
            e_wtw - e_ttw,
            "kg CO2e",
        )
    )


def _time_rows(
    trail: list[TrailRow], label: str, run: Run, i: int, j: int, distance_km: float, running_h: float
) -> None:
    svc = run.service
    names = " + ".join(f"{lk.id} {fmt(lk.length_km)} km" for lk in run.links[i:j])
    trail.append(
        TrailRow(
            label,
            "leg",
            "distance_km",
            f"sum of link lengths: {names}",
            tuple(_input(f"link {lk.id}", lk.length_km, "km", lk, "length_km") for lk in run.links[i:j]),
            distance_km,
            "km",
        )
    )
    if svc.running_time_h is not None:
        total_km = run.cum_km[-1]
        mean = svc.running_time_h.mean()
        formula = (
            f"mean running time {fmt(mean)} h × {fmt(distance_km)} km / {fmt(total_km)} km "
            f"(running_time_h {svc.running_time_h.describe()})"
        )
        inputs: tuple[TrailInput, ...] = (
            _input("running_time_h mean", mean, "h", svc, "running_time_h"),
            TrailInput("leg distance", distance_km, "km"),
            TrailInput("run distance", total_km, "km"),
        )
    else:
        assert svc.speed_kmh is not None
        formula = f"{fmt(distance_km)} km / {fmt(svc.speed_kmh)} km/h"
        inputs = (
            TrailInput("distance", distance_km, "km"),
            _input("speed_kmh", svc.speed_kmh, "km/h", svc, "speed_kmh"),
        )
    trail.append(TrailRow(label, "leg", "running_h", formula, inputs, running_h, "h"))


# ------------------------------------------------------------------------ hubs


def hub_figures(net: Network, params: Parameters, op: HubOperation, cargo: Cargo) -> HubFigures:
    """Mean dwell, fee and emissions of hub operation ``op`` for ``cargo``.

    Parameters
    ----------
    net : Network
        The network (for unit-type defaults).
    params : Parameters
        Accounting parameters.
    op : HubOperation
        The operation.
    cargo : Cargo
        What is handled.

    Returns
    -------
    HubFigures

    Raises
    ------
    karavan.errors.InputError
        If the operation does not handle the cargo's unit.
    karavan.errors.DatasetError
        If the operation's ``hoc`` is not in the parameters.
    """
    return _hub(net, params, op, cargo, None, "")


def _hub(
    net: Network, params: Parameters, op: HubOperation, cargo: Cargo, trail: list[TrailRow] | None, label: str
) -> HubFigures:
    unit = cargo.unit
    if not op.handles(unit):
        raise InputError(
            "cargo.unit", unit.value, f"a unit hub operation {op.id} handles: {[u.value for u in op.units]}"
        )
    hoc = params.fast_hoc.get(op.hoc)
    if hoc is None:
        raise DatasetError(f"hub operation {op.id}: hub operation category {op.hoc!r} is not in the parameters")
    dwell_h = op.dwell_h.mean()
    count = float(cargo.count)
    fee = op.cost_usd.get(unit)
    cost = count * fee if fee is not None else 0.0
    activity = cargo.containers(net) if hoc.per_container else cargo.tonnes(net)
    wtw = activity * hoc.wtw_kg
    ttw = activity * hoc.ttw_kg
    if trail is not None:
        trail.append(
            TrailRow(
                label,
                "hub",
                "dwell_h",
                f"mean of {op.dwell_h.describe()}",
                (_input("dwell_h", op.dwell_h.describe(), "h", op, "dwell_h"),),
                dwell_h,
                "h",
            )
        )
        if fee is not None:
            trail.append(
                TrailRow(
                    label,
                    "hub",
                    "cost_usd",
                    f"{fmt(count)} {unit.value} × {fmt(fee)} USD",
                    (
                        TrailInput("count", count, unit.value),
                        _input(f"cost_usd[{unit.value}]", fee, "USD/unit", op, "cost_usd"),
                    ),
                    cost,
                    "USD",
                )
            )
        else:
            trail.append(
                TrailRow(
                    label,
                    "hub",
                    "cost_usd",
                    f"0 (no cost_usd for {unit.value} at {op.id})",
                    (TrailInput("count", count, unit.value),),
                    0.0,
                    "USD",
                    ("no_fee",),
                )
            )
        flags: list[str] = []
        if hoc.estimate:
            flags.append("estimate: " + hoc.estimate)
        if not hoc.split_published:
            flags.append("WTT/TTW split not published: all reported as operational (TTW), WTT = 0")
        a_unit = "containers" if hoc.per_container else "t"
        per = "kg/container" if hoc.per_container else "kg/t"
        if hoc.per_container and unit.value not in ("TEU", "FEU"):
            flags.append(f"{unit.value} counted as its TEU equivalent in containers")
        a_in = TrailInput("activity (containers)" if hoc.per_container else "activity (outbound t)", activity, a_unit)
        trail.append(
            TrailRow(
                label,
                "hub",
                "co2e_wtw_kg",
                f"{fmt(activity)} {a_unit} × {fmt(hoc.wtw_kg)} {per}",
                (a_in, TrailInput(f"WTW intensity ({hoc.id})", hoc.wtw_kg, per, hoc.sources, hoc.estimate)),
                wtw,
                "kg CO2e",
                tuple(flags),
            )
        )
        trail.append(
            TrailRow(
                label,
                "hub",
                "co2e_ttw_kg",
                f"{fmt(activity)} {a_unit} × {fmt(hoc.ttw_kg)} {per}",
                (a_in, TrailInput(f"TTW intensity ({hoc.id})", hoc.ttw_kg, per, hoc.sources, hoc.estimate)),
                ttw,
                "kg CO2e",
                tuple(flags),
            )
        )
        trail.append(
            TrailRow(
                label,
                "hub",
                "co2e_wtt_kg",
                f"WTW − TTW = {fmt(wtw)} − {fmt(ttw)}",
                (TrailInput("WTW", wtw, "kg CO2e"), TrailInput("TTW", ttw, "kg CO2e")),
                wtw - ttw,
                "kg CO2e",
            )
        )
    return HubFigures(
        op_id=op.id, node=op.node, dwell_h=dwell_h, cost_usd=cost, co2e_wtw_kg=wtw, co2e_ttw_kg=ttw, dwell=op.dwell_h
    )


def next_opening(opening: OpeningHours, t_h: float) -> float:
    """Earliest time at or after ``t_h`` (hours since the epoch, UTC) when ``opening`` is open.

    Returns ``t_h`` itself when open around the clock, or ``inf`` if never open.
    """
    if opening.always:
        return t_h
    day0 = math.floor(t_h / 24.0)
    days = {_WEEKDAYS.index(d) for d in opening.days}
    for d in range(8):
        day = day0 + d
        if (day + EPOCH_WEEKDAY) % 7 not in days:
            continue
        start = day * 24.0 + opening.start_h
        end = day * 24.0 + opening.end_h
        if t_h < end:
            return max(t_h, start)
    return math.inf
