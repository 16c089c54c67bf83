"""GeoJSON of planned routes (RFC 7946, ``[lon, lat]``), shared by the API and the reports."""

from __future__ import annotations

from typing import Any

from karavan.model.network import Network


def element_place(net: Network, element_id: str) -> tuple[str, list[str]]:
    """Where an assignment element lies: ``("link", [link ids])`` or ``("node", [node id])``.

    Element ids are link ids, service ids or hub operation ids, optionally with a
    reverse-direction suffix ``~r`` and a capacity-measure suffix (``#trains``, ``#teu``).
    Unknown ids give ``("", [])``.
    """
    base = element_id.split("#", 1)[0].removesuffix("~r")
    if base in net.links:
        return "link", [base]
    if base in net.services:
        return "link", [lk.id for lk in net.service_segments(net.services[base]) if lk is not None]
    if base in net.hub_operations:
        return "node", [net.hub_operations[base].node]
    return "", []


def utilisation_on_map(net: Network, elements: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Highest utilisation per link id and per node id from assignment ``elements`` (their ``to_dict`` form)."""
    out: dict[str, dict[str, float]] = {"links": {}, "nodes": {}}
    for el in elements:
        u = el.get("utilisation")
        if u is None:
            continue
        kind, ids = element_place(net, str(el.get("id", "")))
        if not kind:
            continue
        bucket = out["links" if kind == "link" else "nodes"]
        for i in ids:
            bucket[i] = max(bucket.get(i, 0.0), float(u))
    return out
