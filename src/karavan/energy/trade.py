"""Energy rows for the freight side's trade report: the USD value of energy flows between two countries.

:func:`trade_contributions` is the entry point the trade report calls; each row says what flows, how much, at
which price (with the price's provenance) and what it is worth a year.
"""

from __future__ import annotations

from typing import Any

from karavan.energy.results import EnergyResult


def trade_contributions(result: EnergyResult, *, between: tuple[str, str] = ("KZ", "TM")) -> list[dict[str, Any]]:
    """Energy trade between the two countries of ``between`` (both directions) as report rows.

    Parameters
    ----------
    result
        A solved energy year (:func:`karavan.energy.solve`), base or scenario.
    between
        ISO alpha-2 codes of the two trading partners (default Kazakhstan and Turkmenistan, the USD 1 bn target).

    Returns
    -------
    list of dict
        One row per flow and direction: ``exporter``, ``importer``, ``carrier``, ``flow_id``, ``volume`` with
        ``unit`` (bcm or TWh per year), ``price``, ``price_unit``, ``value_usd``, ``price_basis`` and
        ``price_sourced`` (False when the price is an estimate or a model nodal price), ``scenario``.
        Transit through a third country (e.g. Turkmen gas to Russia across Kazakhstan) is not trade between them.
    """
    pair = {c.upper() for c in between}
    rows = []
    for t in result.trade:
        if {t.exporter, t.importer} == pair:
            row = t.to_dict()
            row["volume"] = round(t.volume, 6)
            row["unit"] = t.unit
            row["scenario"] = result.scenario
            rows.append(row)
    return rows


def trade_total_usd(result: EnergyResult, *, between: tuple[str, str] = ("KZ", "TM")) -> float:
    """Sum of :func:`trade_contributions` values."""
    return float(sum(r["value_usd"] for r in trade_contributions(result, between=between)))


def energy_trade_contributions(result: EnergyResult, *, between: tuple[str, str] = ("KZ", "TM")) -> list[Any]:
    """:func:`trade_contributions` as :class:`karavan.capacity.trade.TradeContribution` rows (``kind="energy"``),
    ready for ``trade_plan(..., contributions=...)``: label, direction, USD value, volume and the price's basis."""
    from karavan.capacity.trade import TradeContribution

    out = []
    for row in trade_contributions(result, between=between):
        unit = "bcm/year" if row["unit"] == "bcm" else "GWh/year"
        quantity = row["volume"] if row["unit"] == "bcm" else row["volume"] * 1000.0
        basis = f"{row['price_basis']} ({row['price']:g} {row['price_unit']}), scenario {row['scenario']}"
        out.append(
            TradeContribution(
                kind="energy",
                label=f"{row['carrier']} on {row['flow_id']}",
                direction=f"{row['exporter']}->{row['importer']}",
                value_usd=float(row["value_usd"]),
                quantity=float(quantity),
                quantity_unit=unit,
                source=basis if row["price_sourced"] else "",
                estimate="" if row["price_sourced"] else basis + ": price is an estimate or a model price",
            )
        )
    return out
