"""The Kazakhstan–Turkmenistan USD 1 billion trade goal as freight on the network.

:func:`trade_plan` answers "what does the target need from the network?":

1. **Value to add**: the target less the latest exact bilateral trade value (USD 563 m in 2023, fleet S154) — that
   trade already moves in the demand's Bolashak rows — less what other contributions count (energy trade, see
   :class:`TradeContribution`; the freight carries the rest).
2. **Freight**: each commodity of the mix gets its value share of it, at its value per tonne
   (``tonnes = value × share / usd_per_t``), placed on real origin and destination regions (grain from the northern
   belt to Ashgabat and Turkmenbashi, Turkmen exports to Almaty and Astana), each row cited or flagged.
3. **Assignment**: the extra flows are assigned together with the existing demand and compared with the existing
   demand alone: the elements the trade loads (volume added, utilisation after), what it costs its shippers (USD,
   tonne-hours, CO2e), what is turned away and why, and what must be built: every full element on the trade's routes
   with the yearly tonnes it lacks, and every flow without a route.

Energy trade (gas, power) counts toward the same target: another module passes
``TradeContribution(kind="energy", ...)`` rows, which lower the value the freight must carry and are listed in the
report beside the freight rows. This module does not import them.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from karavan.capacity.assignment import AssignmentResult, AssignOptions, assign
from karavan.capacity.demand import Demand, ODFlow, builtin_demand
from karavan.errors import InputError, Problem, UnknownPlaceError, ValidationError
from karavan.model.enums import Unit
from karavan.model.network import Network

MIX_FILE = "kz_tm_trade_mix.csv"
MIX_COLUMNS = (
    "commodity",
    "direction",
    "value_share",
    "usd_per_t",
    "unit",
    "origins",
    "destinations",
    "source",
    "estimate",
)
BASE_TRADE_USD = {2024: 563e6}
"""Latest exact bilateral trade value before each base year: 2023's USD 563 m (fleet S154; 2024's total not found)."""
BASE_TRADE_SOURCE = "fleet:S154 (2023, KZ MFA); the 2024 total was not published, '>500m' (fleet:S157, S158)"
DIRECTIONS = {"KZ-TM": ("KZ", "TM"), "TM-KZ": ("TM", "KZ")}


@dataclass(frozen=True)
class TradeContribution:
    """One row of what counts toward the trade target (freight by commodity, or energy from another module).

    ``kind`` is ``"freight"`` or ``"energy"``; ``quantity``/``quantity_unit`` say what moves (``t/year``,
    ``bcm/year``, ``GWh/year``).
    """

    kind: str
    label: str
    direction: str
    value_usd: float
    quantity: float
    quantity_unit: str
    source: str = ""
    estimate: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON view."""
        return {
            "kind": self.kind,
            "label": self.label,
            "direction": self.direction,
            "value_usd": self.value_usd,
            "quantity": self.quantity,
            "quantity_unit": self.quantity_unit,
            "source": self.source,
            "estimate": self.estimate,
        }


@dataclass(frozen=True)
class MixRow:
    """A commodity of the trade mix with its value, unit and regions."""

    commodity: str
    direction: str
    value_share: float
    usd_per_t: float
    unit: Unit
    origins: tuple[tuple[str, float], ...]
    destinations: tuple[tuple[str, float], ...]
    source: str = ""
    estimate: str = ""


@dataclass(frozen=True)
class TradePlan:
    """The answer of :func:`trade_plan` (see the module docstring); ``to_dict`` for JSON."""

    target_usd: float
    base_usd: float
    year: int
    contributions: tuple[TradeContribution, ...]
    flows: tuple[ODFlow, ...]
    base: AssignmentResult
    with_trade: AssignmentResult
    loads: tuple[dict[str, Any], ...]
    build: tuple[dict[str, Any], ...]
    shipper: dict[str, Any]
    unserved: tuple[dict[str, Any], ...]
    notes: tuple[str, ...] = field(default=())

    @property
    def freight_t(self) -> float:
        """Yearly tonnes the target adds."""
        return float(sum(f.volume_t for f in self.flows))

    def to_dict(self) -> dict[str, Any]:
        """JSON view."""
        counted = sum(c.value_usd for c in self.contributions)
        return {
            "target_usd": self.target_usd,
            "base_year": self.year,
            "base_trade_usd": self.base_usd,
            "base_trade_source": BASE_TRADE_SOURCE,
            "added_value_usd": self.target_usd - self.base_usd,
            "counted_value_usd": counted,
            "contributions": [c.to_dict() for c in self.contributions],
            "freight_t": self.freight_t,
            "flows": [f.to_dict() for f in self.flows],
            "shipper": self.shipper,
            "loads": list(self.loads),
            "build": list(self.build),
            "unserved": list(self.unserved),
            "totals": {"base": self.base.totals(), "with_trade": self.with_trade.totals()},
            "notes": list(self.notes),
        }


def _shares(
    text: str, net: Network, where: str, fld: str, problems: list[Problem], file: str
) -> list[tuple[str, float]]:
    out: list[tuple[str, float]] = []
    for part in (p.strip() for p in text.split("|")):
        if not part:
            continue
        place, _, share = part.rpartition(":") if ":" in part else (part, "", "1")
        try:
            out.append((net.resolve(place).id, float(share)))
        except UnknownPlaceError:
            problems.append(Problem(file, where, fld, place, f"a place in dataset {net.info.name!r}"))
        except ValueError:
            problems.append(Problem(file, where, fld, part, "place:share, e.g. TMASB:0.6"))
    total = sum(s for _, s in out)
    if out and abs(total - 1.0) > 1e-6:
        problems.append(Problem(file, where, fld, text, f"shares summing to 1 (they sum to {total:g})"))
    if not out and not any(p.record == where and p.field == fld for p in problems):
        problems.append(Problem(file, where, fld, text, "one or more place:share entries"))
    return out


def read_mix(net: Network, path: str | Path | None = None) -> tuple[MixRow, ...]:
    """The trade mix: a CSV with :data:`MIX_COLUMNS` (default: the packaged Kazakhstan–Turkmenistan mix).

    Raises
    ------
    karavan.errors.ValidationError
        Every problem (file, row, field, value, expected): unknown places, shares not summing to 1, rows without a
        source or an estimate, non-positive values.
    """
    if path is None:
        text = (resources.files("karavan.capacity") / "data" / MIX_FILE).read_text(encoding="utf-8")
        file = MIX_FILE
    else:
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise InputError("--mix", str(path), f"a readable CSV file ({exc.strerror})") from None
        except UnicodeDecodeError as exc:
            line = Path(path).read_bytes()[: exc.start].count(b"\n") + 1
            raise InputError("--mix", str(path), f"UTF-8 text (line {line} is not)") from None
        file = Path(path).name
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    reader = csv.DictReader(io.StringIO("\n".join(lines)))
    problems: list[Problem] = []
    rows: list[MixRow] = []
    for i, rec in enumerate(reader, start=1):
        where = f"row {i}"
        r = {k.strip().lower(): (v or "").strip() for k, v in rec.items() if k is not None}
        for col in set(r) - set(MIX_COLUMNS):
            problems.append(Problem(file, where, col, r[col], "one of the columns " + ", ".join(MIX_COLUMNS)))
        direction = r.get("direction", "").upper()
        if direction not in DIRECTIONS:
            problems.append(Problem(file, where, "direction", r.get("direction"), "KZ-TM or TM-KZ"))
        nums: dict[str, float] = {}
        for col in ("value_share", "usd_per_t"):
            try:
                nums[col] = float(r.get(col, ""))
            except ValueError:
                nums[col] = math.nan
            if not math.isfinite(nums[col]) or nums[col] < 0 or (col == "usd_per_t" and nums[col] == 0):
                problems.append(Problem(file, where, col, r.get(col), "a positive number"))
        try:
            unit = Unit(r.get("unit") or "wagon")
        except ValueError:
            problems.append(Problem(file, where, "unit", r.get("unit"), "one of " + ", ".join(Unit.choices())))
            unit = Unit.WAGON
        if not r.get("source") and not r.get("estimate"):
            problems.append(Problem(file, where, "source", None, "a source id, or an `estimate` reasoning"))
        origins = _shares(r.get("origins", ""), net, where, "origins", problems, file)
        dests = _shares(r.get("destinations", ""), net, where, "destinations", problems, file)
        rows.append(
            MixRow(
                r.get("commodity", ""),
                direction,
                nums["value_share"],
                nums["usd_per_t"],
                unit,
                tuple(origins),
                tuple(dests),
                r.get("source", ""),
                r.get("estimate", ""),
            )
        )
    total = sum(m.value_share for m in rows if math.isfinite(m.value_share))
    if rows and abs(total - 1.0) > 1e-6:
        problems.append(Problem(file, "-", "value_share", round(total, 6), "value shares summing to 1"))
    if not rows:
        problems.append(Problem(file, "-", "-", None, "at least one commodity row"))
    if problems:
        raise ValidationError(problems)
    return tuple(rows)


def scenario_rows(flows: Sequence[ODFlow]) -> list[dict[str, Any]]:
    """Trade flows as ``demand.add`` rows of a scenario file (the shipped ``kz-tm-trade-1bn`` is built so)."""
    return [
        {
            "origin": f.origin,
            "destination": f.destination,
            "unit": f.unit.value,
            "volume": round(f.volume_t, 1),
            "volume_unit": "tonnes",
            "commodity": f.commodity,
            "value_usd_per_t": f.value_usd_per_t,
            "source": f.source,
            "estimate": f.estimate,
        }
        for f in flows
    ]


def trade_flows(net: Network, value_usd: float, mix: Sequence[MixRow]) -> tuple[list[ODFlow], list[TradeContribution]]:
    """Yearly OD flows and freight contribution rows for ``value_usd`` of trade split by ``mix``."""
    flows: list[ODFlow] = []
    rows: list[TradeContribution] = []
    for m in mix:
        value = value_usd * m.value_share
        tonnes = value / m.usd_per_t
        rows.append(
            TradeContribution("freight", m.commodity, m.direction, value, tonnes, "t/year", m.source, m.estimate)
        )
        gross = net.unit_types[m.unit].gross_t if m.unit in net.unit_types else 1.0
        for o, so in m.origins:
            for d, sd in m.destinations:
                if o == d or tonnes * so * sd <= 0:
                    continue
                flows.append(
                    ODFlow(
                        o,
                        d,
                        m.unit,
                        gross,
                        tonnes * so * sd,
                        m.usd_per_t,
                        commodity=m.commodity,
                        source=m.source,
                        estimate=m.estimate,
                        note=f"trade target: {m.direction} {m.commodity}",
                    )
                )
    return flows, rows


def trade_plan(
    net: Network,
    target_usd: float = 1e9,
    *,
    year: int = 2024,
    mix: str | Path | Sequence[MixRow] | None = None,
    demand: Demand | None = None,
    contributions: Sequence[TradeContribution] = (),
    options: AssignOptions | None = None,
) -> TradePlan:
    """What the trade target needs from the network (see the module docstring).

    Parameters
    ----------
    net
        The network (scenarios applied).
    target_usd
        Yearly bilateral trade value to reach.
    year
        Base year of the existing demand and trade value (2024: the built-in demand).
    mix
        A mix CSV path or rows (default the packaged mix).
    demand
        Existing demand (default the built-in set of ``year``).
    contributions
        Other rows that count toward the target (e.g. energy trade); their ``value_usd`` is not carried as freight.

    Raises
    ------
    karavan.errors.InputError
        A target not above the base trade, an unknown year, or contributions beyond the target.
    """
    if year not in BASE_TRADE_USD:
        raise InputError("--year", year, "a base year with built-in demand: " + ", ".join(map(str, BASE_TRADE_USD)))
    base_usd = BASE_TRADE_USD[year]
    if not math.isfinite(target_usd) or target_usd <= base_usd:
        raise InputError("--target-usd", target_usd, f"a yearly trade value above today's USD {base_usd:,.0f}")
    other = sum(c.value_usd for c in contributions)
    freight_usd = target_usd - base_usd - other
    if freight_usd < 0:
        raise InputError("contributions", other, f"at most the USD {target_usd - base_usd:,.0f} the target adds")
    rows = mix if isinstance(mix, Sequence) and not isinstance(mix, str) else read_mix(net, mix)
    flows, freight_rows = trade_flows(net, freight_usd, rows)
    existing = demand if demand is not None else builtin_demand(net)
    opts = options or AssignOptions()
    base = assign(net, existing, options=opts)
    both = assign(net, existing.with_flows(flows), options=opts)
    trade_od = both.od[len(existing.flows) :]
    return TradePlan(
        target_usd,
        base_usd,
        year,
        (*freight_rows, *contributions),
        tuple(flows),
        base,
        both,
        tuple(_loads(base, both)),
        tuple(_build(both, trade_od)),
        _shipper(trade_od),
        tuple(u.to_dict() for u in both.unserved if u.flow in flows),
        _notes(rows),
    )


def _loads(base: AssignmentResult, both: AssignmentResult) -> list[dict[str, Any]]:
    """Elements whose yearly volume the trade raises, largest first."""
    before = {e.id: e.volume_t for e in base.elements}
    out = []
    for e in both.elements:
        added = e.volume_t - before.get(e.id, 0.0)
        if added > 1.0:
            out.append(
                {
                    "id": e.id,
                    "name": e.name,
                    "kind": e.kind,
                    "added_t": added,
                    "volume_t": e.volume_t,
                    "capacity_t": e.capacity_t,
                    "utilisation": e.utilisation,
                    "full": e.turns_away or (e.utilisation or 0.0) >= 0.99,
                }
            )
    return sorted(out, key=lambda r: (r["utilisation"] is None, -(r["utilisation"] or 0.0), -r["added_t"]))


def _build(both: AssignmentResult, trade_od: Sequence[Any]) -> list[dict[str, Any]]:
    """What must be built for the trade to fit: full elements on its routes, and flows without a route."""
    on_routes = {lab for o in trade_od for lab in o.route}
    out = []
    for u in both.unserved:
        if u.reason.startswith("no path") and any(u.flow == o.flow for o in trade_od):
            out.append({"what": f"a route {u.flow.origin} -> {u.flow.destination}", "lacking_t": u.unserved_t})
    lacking: dict[str, float] = {}
    for u in both.unserved:
        for eid in u.elements:
            lacking[eid] = lacking.get(eid, 0.0) + u.unserved_t
    for e in (*both.full, *both.bottlenecks):
        if (e.utilisation or 0.0) < 0.99 or (e.id not in on_routes and e.id.split("#")[0] not in on_routes):
            continue
        out.append(
            {
                "what": f"capacity at {e.id} ({e.name})",
                "capacity_t": e.capacity_t,
                "stated": f"{e.capacity_native or 0:,.0f} {e.capacity_unit}",
                "lacking_t": lacking.get(e.id, 0.0),
            }
        )
    return out


def _shipper(trade_od: Sequence[Any]) -> dict[str, Any]:
    served = [o for o in trade_od if o.served_t > 0 and o.transit_time_h is not None]
    t = sum(o.served_t for o in served)
    cost = sum(o.served_t * (o.cost_usd_per_t or 0.0) for o in served)
    th = sum(o.served_t * float(o.transit_time_h or 0.0) for o in served)
    co2 = sum(o.served_t * (o.co2e_kg_per_t or 0.0) for o in served) / 1000.0
    return {
        "served_t": t,
        "unserved_t": sum(o.unserved_t for o in trade_od),
        "cost_usd": cost,
        "cost_usd_per_t": cost / t if t else None,
        "tonne_hours": th,
        "mean_transit_time_h": th / t if t else None,
        "co2e_t": co2,
    }


def _notes(rows: Sequence[MixRow]) -> tuple[str, ...]:
    est = [m.commodity for m in rows if m.estimate]
    out = [f"today's trade (USD {BASE_TRADE_USD[2024] / 1e6:,.0f} m, {BASE_TRADE_SOURCE}) moves in the existing demand"]
    if est:
        out.append("estimates in the mix (see each row's reasoning): " + ", ".join(est))
    return tuple(out)


__all__ = ["MixRow", "TradeContribution", "TradePlan", "read_mix", "scenario_rows", "trade_flows", "trade_plan"]
