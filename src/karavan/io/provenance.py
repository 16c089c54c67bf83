"""How much of a dataset is sourced: value fields per table that cite a source or are flagged estimates.

A *value field* is a field of a record that states a fact needing provenance (a number, a flag, a
distribution, a tariff, a departure pattern) — the fields validation checks. A value field is
*estimated* when the record's ``estimate`` names it, *sourced* otherwise (validation guarantees the
record then cites a source).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from karavan.io.load import _NUMERIC_SKIP, _is_quantity
from karavan.model.entities import _Record
from karavan.model.network import Network


@dataclass(frozen=True, slots=True)
class TableProvenance:
    """Value-field counts of one table.

    Attributes
    ----------
    table : str
        File name, e.g. ``links.yaml``.
    records : int
        Records in the table.
    values : int
        Value fields over all records.
    sourced, estimated : int
        Value fields backed by the record's sources, and flagged estimates.
    """

    table: str
    records: int
    values: int
    sourced: int
    estimated: int

    @property
    def sourced_share(self) -> float:
        """Share of value fields that are sourced (1.0 for a table without value fields)."""
        return self.sourced / self.values if self.values else 1.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready mapping."""
        return {
            "table": self.table,
            "records": self.records,
            "values": self.values,
            "sourced": self.sourced,
            "estimated": self.estimated,
            "sourced_share": self.sourced_share,
        }


def value_fields(rec: _Record) -> list[str]:
    """Names of the value fields ``rec`` sets (the fields validation asks provenance for)."""
    return [
        key
        for key in type(rec).model_fields
        if key not in _NUMERIC_SKIP and (_is_quantity(getattr(rec, key)) or key in rec.estimate)
    ]


def table_provenance(table: str, records: Iterable[_Record]) -> TableProvenance:
    """Count the sourced and estimated value fields of ``records``."""
    n = values = estimated = 0
    for rec in records:
        n += 1
        fields = value_fields(rec)
        values += len(fields)
        estimated += sum(1 for f in fields if f in rec.estimate)
    return TableProvenance(table, n, values, values - estimated, estimated)


def dataset_provenance(net: Network) -> list[TableProvenance]:
    """Provenance counts of every table of ``net``, in file order."""
    return [
        table_provenance("unit_types.yaml", net.unit_types.values()),
        table_provenance("nodes.yaml", net.nodes.values()),
        table_provenance("links.yaml", net.links.values()),
        table_provenance("services.yaml", net.services.values()),
        table_provenance("hub_operations.yaml", net.hub_operations.values()),
    ]
