"""The calculation trail: one row per computed figure, re-computable by hand.

Each :class:`TrailRow` names the element (leg or hub operation), the quantity
(``distance_km``, ``running_h``, ``wait_h``, ``dwell_h``, ``cost_usd``,
``co2e_wtw_kg``, ``co2e_ttw_kg``, ``co2e_wtt_kg``), a formula in words and
numbers, every input with its value, unit and source ids, and the result. Summing
the rows of one quantity gives the itinerary's total of that quantity.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

QUANTITIES = (
    "distance_km",
    "running_h",
    "wait_h",
    "dwell_h",
    "cost_usd",
    "co2e_wtw_kg",
    "co2e_ttw_kg",
    "co2e_wtt_kg",
)
"""Quantities a trail row can carry."""


@dataclass(frozen=True, slots=True)
class TrailInput:
    """One input of a trail row: name, value, unit and where it comes from.

    ``sources`` lists the source ids a sourced value cites. ``estimate`` holds the reasoning when the
    value is an estimate; a dataset value flagged as an estimate never lists the record's sources
    (they back the record's other fields), while a parameter built from a source by an explained
    step (a proxy category, a unit conversion) lists the sources it builds on. An input with neither
    is computed in the trail or given by the user (a count, a distance summed from links).
    """

    name: str
    value: float | str
    unit: str
    sources: tuple[str, ...] = ()
    estimate: str = ""

    @property
    def provenance(self) -> str:
        """``estimate``, ``sourced`` or ``computed``."""
        if self.estimate:
            return "estimate"
        return "sourced" if self.sources else "computed"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "name": self.name,
            "value": self.value,
            "unit": self.unit,
            "sources": list(self.sources),
            "provenance": self.provenance,
            "estimate": self.estimate,
        }

    def __str__(self) -> str:
        src = f" [{', '.join(self.sources)}]" if self.sources else ""
        est = f" [estimate: {self.estimate}]" if self.estimate else ""
        return f"{self.name}={_num(self.value)} {self.unit}{src}{est}".rstrip()


@dataclass(frozen=True, slots=True)
class TrailRow:
    """One computed figure.

    Attributes
    ----------
    element : str
        Element label, e.g. ``"leg 1: kz-train kz-border→KZAAU"`` or ``"hub 2: port-aktau"``.
    kind : {"leg", "hub", "itinerary"}
        Element kind (``itinerary`` for inventory carrying cost).
    quantity : str
        One of :data:`QUANTITIES`.
    formula : str
        The computation with its numbers, e.g. ``"20 t × 3128 km × 27.6 g/tkm / 1000"``.
    inputs : tuple of TrailInput
        Inputs with values, units and source ids.
    result : float
        Result, unrounded.
    unit : str
        Unit of ``result``.
    flags : tuple of str
        ``estimate: …`` (a parameter is an estimate), ``default_tariff``, notes.
    """

    element: str
    kind: str
    quantity: str
    formula: str
    inputs: tuple[TrailInput, ...]
    result: float
    unit: str
    flags: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "element": self.element,
            "kind": self.kind,
            "quantity": self.quantity,
            "formula": self.formula,
            "inputs": [i.to_dict() for i in self.inputs],
            "result": self.result,
            "unit": self.unit,
            "flags": list(self.flags),
            "sourced_inputs": [i.name for i in self.inputs if i.provenance == "sourced"],
            "estimated_inputs": [i.name for i in self.inputs if i.provenance == "estimate"],
        }

    @property
    def estimates(self) -> tuple[TrailInput, ...]:
        """The inputs of this row that are estimates."""
        return tuple(i for i in self.inputs if i.provenance == "estimate")


CSV_COLUMNS = ("element", "kind", "quantity", "result", "unit", "formula", "inputs", "sources", "flags", "estimates")
"""Columns of :func:`trail_csv`."""


def trail_csv(rows: Iterable[TrailRow]) -> str:
    """The trail as CSV text (one row per figure; inputs ``name=value unit [sources]`` joined by ``; ``;
    ``estimates`` names each estimated input with its reasoning)."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for r in rows:
        sources = sorted({s for i in r.inputs for s in i.sources})
        writer.writerow(
            [
                r.element,
                r.kind,
                r.quantity,
                repr(r.result),
                r.unit,
                r.formula,
                "; ".join(str(i) for i in r.inputs),
                " ".join(sources),
                " | ".join(r.flags),
                " | ".join(f"{i.name}: {i.estimate}" for i in r.estimates),
            ]
        )
    return buf.getvalue()


def _num(v: float | str) -> str:
    if isinstance(v, str):
        return v
    return f"{v:.10g}"


def fmt(v: float) -> str:
    """A number for a formula: up to 10 significant digits, no trailing zeros."""
    return f"{v:.10g}"


_TIME_QUANTITIES = ("running_h", "wait_h", "dwell_h")


@dataclass(frozen=True, slots=True)
class EstimateWeight:
    """How much of an itinerary's figures rests on one estimated input.

    Attributes
    ----------
    key : str
        The estimate: a dataset record and field (``bx-az-ge-rail-gegar dwell_h``, ``r-moyynty-shu
        length_km``) or a parameter (``rail_container_diesel WTW intensity``).
    reasoning : str
        The estimate's reasoning, as in the dataset.
    hours, cost_usd, co2e_kg : float
        Time (running, wait, dwell), cost and WTW emissions of the trail rows that use it.
    """

    key: str
    reasoning: str
    hours: float
    cost_usd: float
    co2e_kg: float


def estimate_key(row: TrailRow, inp: TrailInput) -> str:
    """A readable key naming the record or parameter an estimated input comes from."""
    name = inp.name
    if name.startswith("link "):
        return f"{name[5:]} length_km"
    if name.endswith(")") and "(" in name:
        head, _, param = name[:-1].rpartition("(")
        return f"{param} {head.strip()}"
    record = row.element.split(" ")[1] if ": " in row.element else row.element
    field = name.split("[", 1)[0].split(" ", 1)[0]
    return f"{record} {field}"


def estimate_weights(rows: Iterable[TrailRow]) -> list[EstimateWeight]:
    """Time, cost and emissions resting on each estimated input of ``rows``.

    A row's whole result is attributed to every estimated input it uses (a figure *rests on* each of
    its estimates), so the weights of one row's several estimates overlap and do not add up.
    """
    acc: dict[str, list[float]] = {}
    why: dict[str, str] = {}
    for row in rows:
        for inp in row.estimates:
            key = estimate_key(row, inp)
            why.setdefault(key, inp.estimate)
            w = acc.setdefault(key, [0.0, 0.0, 0.0])
            if row.quantity in _TIME_QUANTITIES:
                w[0] += row.result
            elif row.quantity == "cost_usd":
                w[1] += row.result
            elif row.quantity == "co2e_wtw_kg":
                w[2] += row.result
    return [EstimateWeight(k, why[k], *v) for k, v in acc.items()]
