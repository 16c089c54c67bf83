"""Yearly freight demand between places: an origin-destination (OD) table read from CSV.

A demand file is a CSV with a header row and one OD flow per row::

    origin,destination,unit,volume,volume_unit,commodity,value_usd_per_t,gross_t_per_unit,source,estimate,note
    Xi'an,Baku,TEU,27000,TEU,containers,,14,S109,,China -> Azerbaijan block trains 2024

Columns
-------
origin, destination
    Places: id, UN/LOCODE, English or Russian name (resolved with :meth:`Network.resolve`).
unit
    Unit the freight travels in: ``TEU``, ``FEU``, ``wagon``, ``trailer`` or ``tonne``. May be left
    empty when ``commodity`` is one of :data:`COMMODITIES`, which gives a default unit.
volume, volume_unit
    Yearly volume and its unit: ``tonnes`` (``t``), ``TEU``, ``FEU``, ``wagons``, ``trailers`` or ``units``
    (units of the ``unit`` column). Converted to tonnes with the unit types' gross weights.
commodity
    Optional free text; a known name (:data:`COMMODITIES`) supplies a default unit and value.
value_usd_per_t
    Optional cargo value (USD per tonne) for the value of time; default from the commodity.
gross_t_per_unit
    Optional cargo mass per unit in tonnes; default from the network's ``unit_types``.
source, estimate, note
    Provenance: source ids (``;``-separated) or a one-line reasoning why the value is an estimate.
    Every row needs one of ``source`` or ``estimate``.
via
    Optional corridor: places separated by ``|``, of which the flow must pass at least one (e.g.
    ``KZAAU|KZKUR`` for freight counted as crossing the Caspian from Kazakh ports). A flow that cannot
    reach its destination through them is reported unserved ("no path through ..."), never rerouted.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any, cast

from karavan.accounting.cargo import GLEC_T_PER_TEU
from karavan.errors import InputError, Problem, UnknownPlaceError, ValidationError
from karavan.model.enums import Unit
from karavan.model.network import Network

BUILTIN_2024 = "demand_2024.csv"
"""File name of the built-in 2024 demand set inside the package."""

COLUMNS = (
    "origin",
    "destination",
    "unit",
    "volume",
    "volume_unit",
    "commodity",
    "value_usd_per_t",
    "gross_t_per_unit",
    "source",
    "estimate",
    "note",
    "via",
)
REQUIRED = ("origin", "destination", "volume", "volume_unit")


@dataclass(frozen=True, slots=True)
class Commodity:
    """Defaults for a commodity: the unit it usually travels in and a value per tonne."""

    unit: Unit
    value_usd_per_t: float
    basis: str


COMMODITIES: Mapping[str, Commodity] = {
    "containers": Commodity(Unit.TEU, 3900.0, "USD 54,000 per TEU (S167) at 14 t/TEU (S109), rounded"),
    "grain": Commodity(Unit.WAGON, 266.0, "Kazakh wheat export value 876.7m USD / 3.3 Mt, Jan-May 2023 (S160)"),
    "wheat": Commodity(Unit.WAGON, 266.0, "Kazakh wheat export value (S160)"),
    "barley": Commodity(Unit.WAGON, 212.0, "barley FOB Aktau 210-215 USD/t (S165)"),
    "flour": Commodity(Unit.WAGON, 300.0, "estimate: wheat value (S160) plus milling margin"),
    "aluminium": Commodity(Unit.WAGON, 1860.0, "primary aluminium customs value, Q1 2020 (S166)"),
    "metals": Commodity(Unit.WAGON, 1860.0, "estimate: primary aluminium value (S166) as a proxy"),
    "oil": Commodity(Unit.TONNE, 550.0, "estimate: crude about USD 75/bbl x 7.3 bbl/t; no sourced figure (facts B6)"),
    "fertiliser": Commodity(Unit.WAGON, 350.0, "estimate: not found in the facts (B6); typical urea price"),
    "general": Commodity(Unit.TRAILER, 2000.0, "estimate: mixed general cargo by truck, not sourced"),
}
"""Known commodities (lower-case names) and their defaults; values per tonne cite facts section B6."""

_VOLUME_UNITS: Mapping[str, str] = {
    "t": "tonne",
    "tonne": "tonne",
    "tonnes": "tonne",
    "ton": "tonne",
    "tons": "tonne",
    "teu": "TEU",
    "feu": "FEU",
    "wagon": "wagon",
    "wagons": "wagon",
    "trailer": "trailer",
    "trailers": "trailer",
    "unit": "units",
    "units": "units",
}


@dataclass(frozen=True, slots=True)
class ODFlow:
    """One yearly origin-destination flow, resolved against a network.

    Attributes
    ----------
    origin, destination : str
        Node ids.
    unit : Unit
        Unit type the freight travels in.
    t_per_unit : float
        Cargo tonnes per unit.
    volume_t : float
        Tonnes per year.
    value_usd_per_t : float
        Cargo value per tonne (for the value of time).
    commodity, source, estimate, note : str
        Description and provenance.
    row : int
        Row number in the file it came from (1 = first data row), 0 if built in code.
    """

    origin: str
    destination: str
    unit: Unit
    t_per_unit: float
    volume_t: float
    value_usd_per_t: float
    commodity: str = ""
    source: str = ""
    estimate: str = ""
    note: str = ""
    row: int = 0
    via: tuple[str, ...] = ()

    @property
    def volume_units(self) -> float:
        """Units per year (TEU, wagons, ...; tonnes for bulk)."""
        return self.volume_t / self.t_per_unit

    def to_dict(self) -> dict[str, Any]:
        """JSON view with units in the keys."""
        return {
            "origin": self.origin,
            "destination": self.destination,
            "unit": self.unit.value,
            "commodity": self.commodity,
            "volume_t": self.volume_t,
            "volume_units": self.volume_units,
            "t_per_unit": self.t_per_unit,
            "value_usd_per_t": self.value_usd_per_t,
            "source": self.source,
            "estimate": self.estimate,
            "note": self.note,
            "via": list(self.via),
        }


@dataclass(frozen=True)
class Demand:
    """A set of yearly OD flows (all in tonnes per year)."""

    flows: tuple[ODFlow, ...]
    name: str = ""
    notes: tuple[str, ...] = field(default=())

    def __iter__(self) -> Iterator[ODFlow]:
        return iter(self.flows)

    def __len__(self) -> int:
        return len(self.flows)

    @property
    def total_t(self) -> float:
        """Total tonnes per year."""
        return float(sum(f.volume_t for f in self.flows))

    def scaled(self, factor: float, *, where: Mapping[str, str] | None = None) -> Demand:
        """A copy with volumes multiplied by ``factor`` (only flows matching ``where``, if given).

        ``where`` may hold ``origin``, ``destination`` (node ids), ``commodity`` or ``unit``;
        ``origin_country``/``destination_country`` need :meth:`scaled_in`.
        """
        if not math.isfinite(factor) or factor < 0:
            raise InputError("factor", factor, "a non-negative finite number")
        out = []
        for f in self.flows:
            if where is None or all(_matches(f, k, v) for k, v in where.items()):
                out.append(replace(f, volume_t=f.volume_t * factor))
            else:
                out.append(f)
        return Demand(tuple(out), self.name, self.notes)

    def with_flows(self, extra: Iterable[ODFlow]) -> Demand:
        """A copy with ``extra`` flows appended."""
        return Demand((*self.flows, *extra), self.name, self.notes)

    def to_dicts(self) -> list[dict[str, Any]]:
        """JSON view."""
        return [f.to_dict() for f in self.flows]


def _matches(flow: ODFlow, key: str, value: str) -> bool:
    if key == "unit":
        return flow.unit.value.lower() == str(value).lower()
    got = getattr(flow, key, None)
    if got is None:
        raise InputError("where", key, "one of origin, destination, commodity, unit")
    return str(got).lower() == str(value).lower()


# --------------------------------------------------------------------------- parsing


def _num(raw: str) -> float | None:
    try:
        v = float(raw.replace("_", "").replace(" ", ""))
    except ValueError:
        return None
    return v if math.isfinite(v) else None  # NaN and infinity are not quantities


def _unit_gross_t(net: Network, unit: Unit) -> float | None:
    ut = net.unit_types.get(unit)
    if ut is not None:
        return ut.gross_t
    return {Unit.TONNE: 1.0, Unit.TEU: GLEC_T_PER_TEU, Unit.FEU: 2 * GLEC_T_PER_TEU}.get(unit)


def parse_demand(
    rows: Iterable[Mapping[str, str | None]], net: Network, *, file: str = "demand.csv", name: str = ""
) -> Demand:
    """Validate and resolve demand rows (mappings of column -> text).

    Every problem is collected before raising, so one run reports them all.

    Raises
    ------
    karavan.errors.ValidationError
        Each problem names the file, ``row N``, the field, the value and what was expected.
    """
    problems: list[Problem] = []
    flows: list[ODFlow] = []
    unknown_cols: set[str] = set()
    for i, raw in enumerate(rows, start=1):
        rec = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
        label = f"row {i}"

        def bad(fld: str, value: object, expected: str, label: str = label) -> None:
            problems.append(Problem(file, label, fld, value, expected))

        extra = sorted(k for k in raw if k is not None and k not in COLUMNS and k not in unknown_cols)
        for col in extra:
            unknown_cols.add(col)
            problems.append(Problem(file, "header", col, col, "one of the columns " + ", ".join(COLUMNS)))
        overflow = cast(Mapping[Any, Any], raw).get(None)
        if overflow is not None:
            bad("-", overflow, f"at most {len(COLUMNS)} columns (one per header)")
        for col in REQUIRED:
            if not rec.get(col):
                bad(col, rec.get(col) or None, "a value (required column)")
        ids: dict[str, str] = {}
        for col in ("origin", "destination"):
            place = rec.get(col, "")
            if not place:
                continue
            try:
                ids[col] = net.resolve(place).id
            except UnknownPlaceError as exc:
                hint = f"; did you mean: {', '.join(exc.suggestions)}" if exc.suggestions else ""
                bad(col, place, f"a place in dataset {net.info.name!r} (id, English or Russian name){hint}")
        via: list[str] = []
        for place in (p.strip() for p in rec.get("via", "").split("|")):
            if not place:
                continue
            try:
                via.append(net.resolve(place).id)
            except UnknownPlaceError as exc:
                hint = f"; did you mean: {', '.join(exc.suggestions)}" if exc.suggestions else ""
                bad("via", place, f"places separated by | in dataset {net.info.name!r}{hint}")
        if len(ids) == 2 and ids["origin"] == ids["destination"]:
            bad("destination", rec["destination"], "a place other than the origin")
        commodity = rec.get("commodity", "")
        known = COMMODITIES.get(commodity.lower()) if commodity else None
        unit: Unit | None = None
        if rec.get("unit"):
            try:
                unit = Unit(rec["unit"])
            except ValueError:
                bad("unit", rec["unit"], "one of " + ", ".join(Unit.choices()))
        elif known is not None:
            unit = known.unit
        else:
            bad(
                "unit",
                None,
                "one of " + ", ".join(Unit.choices()) + " (or a known commodity: " + ", ".join(COMMODITIES) + ")",
            )
        volume: float | None = None
        if rec.get("volume"):
            volume = _num(rec["volume"])
            if volume is None or not math.isfinite(volume) or volume < 0:
                bad("volume", rec["volume"], "a non-negative number per year")
                volume = None
        vu: str | None = None
        if rec.get("volume_unit"):
            vu = _VOLUME_UNITS.get(rec["volume_unit"].lower())
            if vu is None:
                bad("volume_unit", rec["volume_unit"], "one of tonnes, TEU, FEU, wagons, trailers, units")
        gross: float | None = None
        if rec.get("gross_t_per_unit"):
            gross = _num(rec["gross_t_per_unit"])
            if gross is None or not math.isfinite(gross) or gross <= 0:
                bad("gross_t_per_unit", rec["gross_t_per_unit"], "a positive mass in tonnes")
                gross = None
        value: float | None = None
        if rec.get("value_usd_per_t"):
            value = _num(rec["value_usd_per_t"])
            if value is None or not math.isfinite(value) or value < 0:
                bad("value_usd_per_t", rec["value_usd_per_t"], "a non-negative value in USD per tonne")
                value = None
        if not rec.get("source") and not rec.get("estimate"):
            bad("source", None, "a source id, or an `estimate` reasoning for this row")
        t_per_unit: float | None = None
        if unit is not None:
            t_per_unit = gross if gross is not None else _unit_gross_t(net, unit)
            if t_per_unit is None:
                bad("unit", unit.value, "a unit type defined in the dataset's unit_types, or a gross_t_per_unit")
            if unit is Unit.TONNE and gross is not None and gross != 1.0:
                bad("gross_t_per_unit", gross, "empty or 1 for unit tonne")
        volume_t: float | None = None
        if volume is not None and vu is not None and unit is not None and t_per_unit is not None:
            if vu == "tonne":
                volume_t = volume
            elif vu == "units" or vu == unit.value:
                volume_t = volume * t_per_unit
            else:
                per = _per_unit_of(net, unit, t_per_unit, Unit(vu))
                if per is None:
                    bad(
                        "volume_unit",
                        rec["volume_unit"],
                        f"tonnes or {unit.value} (no conversion from {vu} to {unit.value} without TEU sizes)",
                    )
                else:
                    volume_t = volume * per
        if volume_t is None or unit is None or t_per_unit is None or len(ids) != 2:
            continue
        flows.append(
            ODFlow(
                origin=ids["origin"],
                destination=ids["destination"],
                unit=unit,
                t_per_unit=t_per_unit,
                volume_t=volume_t,
                value_usd_per_t=value if value is not None else (known.value_usd_per_t if known else 0.0),
                commodity=commodity,
                source=rec.get("source", ""),
                estimate=rec.get("estimate", ""),
                note=rec.get("note", ""),
                row=i,
                via=tuple(dict.fromkeys(via)),
            )
        )
    if problems:
        raise ValidationError(problems)
    return Demand(tuple(flows), name=name)


def _per_unit_of(net: Network, unit: Unit, t_per_unit: float, other: Unit) -> float | None:
    """Tonnes of ``unit`` freight per one ``other`` unit counted, via TEU sizes."""
    ut, uo = net.unit_types.get(unit), net.unit_types.get(other)
    teu_u = ut.teu if ut is not None else {Unit.TEU: 1.0, Unit.FEU: 2.0}.get(unit)
    teu_o = uo.teu if uo is not None else {Unit.TEU: 1.0, Unit.FEU: 2.0}.get(other)
    if not teu_u or not teu_o:
        return None
    return t_per_unit * teu_o / teu_u


def read_demand(path: str | Path, net: Network) -> Demand:
    """Read and validate a demand CSV file against ``net``.

    Parameters
    ----------
    path
        CSV file with the columns described in this module.
    net
        Network whose places the rows name.

    Raises
    ------
    karavan.errors.ValidationError
        Every problem at once (file, row, field, value, expected).
    karavan.errors.InputError
        If the file cannot be read.
    """
    from karavan.io.safe_yaml import read_bytes

    p = Path(path)
    if not p.is_file():
        why = "a directory" if p.is_dir() else "no such file"
        raise InputError("demand file", str(path), f"a readable CSV file ({why})")
    data = read_bytes(p)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputError("demand file", str(path), f"UTF-8 text (line {line} is not)") from None
    return demand_from_text(text, net, file=p.name, name=p.stem)


def demand_from_text(text: str, net: Network, *, file: str = "demand.csv", name: str = "") -> Demand:
    """Parse demand CSV text (see :func:`read_demand`)."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    try:
        fieldnames = reader.fieldnames or []
    except csv.Error as exc:
        raise ValidationError([Problem(file, "header", "-", str(exc), "valid CSV")]) from None
    header = [h.strip().lower() for h in fieldnames]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ValidationError(
            [Problem(file, "header", c, None, "a column named " + c + " in the header row") for c in missing]
        )
    reader.fieldnames = header
    try:
        return parse_demand(reader, net, file=file, name=name)
    except csv.Error as exc:  # e.g. a field longer than the csv module's limit
        raise ValidationError([Problem(file, f"row {reader.line_num}", "-", str(exc), "valid CSV")]) from None


def builtin_demand_text() -> str:
    """Text of the built-in 2024 demand CSV."""
    return (resources.files("karavan.capacity") / "data" / BUILTIN_2024).read_text(encoding="utf-8")


def builtin_demand(net: Network) -> Demand:
    """The built-in 2024 demand set (see ``docs/capacity.md``), resolved against ``net``."""
    return demand_from_text(builtin_demand_text(), net, file=BUILTIN_2024, name="2024")


# --------------------------------------------------------------------------- trade value -> freight


@dataclass(frozen=True, slots=True)
class TradeShare:
    """Part of a trade flow: its share of the trade value and its value per tonne."""

    commodity: str
    value_share: float
    usd_per_t: float
    basis: str = ""


def trade_to_freight(value_usd: float, mix: Iterable[TradeShare]) -> dict[str, float]:
    """Yearly tonnes implied by a trade value, split by commodity.

    ``tonnes_c = value_usd × share_c / usd_per_t_c``. Shares must sum to 1.

    Parameters
    ----------
    value_usd
        Yearly trade value (e.g. the USD 1 billion Kazakhstan–Turkmenistan target).
    mix
        Commodities with their value share and value per tonne (facts B6).

    Returns
    -------
    dict
        Tonnes per year by commodity.

    Raises
    ------
    karavan.errors.InputError
        Non-positive values, or shares that do not sum to 1.

    Examples
    --------
    >>> trade_to_freight(1e9, [TradeShare("wheat", 1.0, 250.0)])
    {'wheat': 4000000.0}
    """
    if not math.isfinite(value_usd) or value_usd < 0:
        raise InputError("value_usd", value_usd, "a non-negative trade value in USD")
    items = list(mix)
    total = sum(s.value_share for s in items)
    if not items or abs(total - 1.0) > 1e-6:
        raise InputError("mix", [s.value_share for s in items], "value shares summing to 1")
    out: dict[str, float] = {}
    for s in items:
        if s.usd_per_t <= 0 or s.value_share < 0:
            raise InputError(f"mix[{s.commodity}]", (s.value_share, s.usd_per_t), "share >= 0 and usd_per_t > 0")
        out[s.commodity] = out.get(s.commodity, 0.0) + value_usd * s.value_share / s.usd_per_t
    return out


KZ_TM_MIX: tuple[TradeShare, ...] = (
    TradeShare("wheat", 0.42, 266.0, "wheat 266 USD/t (S160); share as in the packaged trade mix (estimate)"),
    TradeShare("flour", 0.12, 300.0, "estimate: wheat value plus milling margin; share as in the packaged mix"),
    TradeShare("other goods", 0.03, 1000.0, "estimate: potatoes and other items (S163)"),
    TradeShare("petrochemicals, textiles and fruit", 0.43, 800.0, "estimate: TM exports to KZ other than gas (S164)"),
)
"""Value mix of Kazakhstan–Turkmenistan trade: the commodity shares and values of ``data/kz_tm_trade_mix.csv``
(which adds origin and destination regions; see :mod:`karavan.capacity.trade`)."""
