"""Drawn link geometry: the optional ``link_geometry.yaml`` table, line lengths and cross-checks.

A dataset may ship the real alignment of its links (rail along OpenStreetMap railways, sea
lanes along the searoute network) as simplified ``[lon, lat]`` polylines, one record per
line. ``scripts/derive_link_geometry.py`` regenerates the file. Maps, GeoJSON exports and
reports use it; links without one are drawn straight between their ends (or through their
``geometry`` waypoints) and say so (``geometry_source``). The model's lengths always come
from ``length_km``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from karavan.errors import Problem
from karavan.model.entities import Link, LinkGeometry
from karavan.model.network import Network

GEOMETRY_FILE = "link_geometry.yaml"
EARTH_RADIUS_KM = 6371.0088
LENGTH_BAND = (0.67, 1.5)
"""Derived lines whose length / ``length_km`` falls outside this band are not stored (a wrong snap)."""
LENGTH_WARN = 0.15
"""Validation warns when a stored line's length differs from ``length_km`` by more than this share."""

SCHEMATIC_HOW = {"straight": "drawn straight", "waypoints": "straight through waypoints"}
"""How a schematic line is drawn, by ``geometry_source`` (other sources: a derived line with gaps)."""

_HEADER = (
    "# Drawn alignment of links: simplified [lon, lat] polylines from `from` to `to` (maps and GeoJSON only;\n"
    "# the model uses length_km). Regenerate with `python scripts/derive_link_geometry.py`; rail lines and\n"
    "# roads (c) OpenStreetMap contributors, ODbL 1.0, via the scgraph-data railway and highway graphs;\n"
    "# sea lanes from searoute.\n"
)


def haversine_km(a: Sequence[float], b: Sequence[float]) -> float:
    """Great-circle distance between two ``(lon, lat)`` points in km."""
    lon1, lat1, lon2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, h)))


def line_length_km(coords: Sequence[Sequence[float]]) -> float:
    """Length of a ``[lon, lat]`` polyline along great circles, in km."""
    return sum(haversine_km(coords[i - 1], coords[i]) for i in range(1, len(coords)))


def simplify(coords: Sequence[Sequence[float]], tolerance_deg: float) -> list[list[float]]:
    """Douglas-Peucker simplification in degrees, keeping both ends; coordinates rounded to 3 decimals."""
    pts = [[float(c[0]), float(c[1])] for c in coords]
    if len(pts) <= 2:
        return [[round(x, 3), round(y, 3)] for x, y in pts]
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    while stack:
        i, j = stack.pop()
        k, d = _farthest(pts, i, j)
        if d > tolerance_deg:
            keep[k] = True
            stack.extend(((i, k), (k, j)))
    out: list[list[float]] = []
    for p, kept in zip(pts, keep, strict=True):
        q = [round(p[0], 3), round(p[1], 3)]
        if kept and (not out or out[-1] != q):
            out.append(q)
    return out if len(out) >= 2 else [out[0], out[0]]


def _farthest(pts: list[list[float]], i: int, j: int) -> tuple[int, float]:
    """Index and distance of the point between ``i`` and ``j`` farthest from the chord ``i-j``."""
    (x1, y1), (x2, y2) = pts[i], pts[j]
    dx, dy = x2 - x1, y2 - y1
    norm = math.hypot(dx, dy)
    best, at = -1.0, i
    for k in range(i + 1, j):
        x, y = pts[k]
        d = abs(dy * (x - x1) - dx * (y - y1)) / norm if norm else math.hypot(x - x1, y - y1)
        if d > best:
            best, at = d, k
    return at, best


def read_geometry_file(path: Path) -> list[LinkGeometry]:
    """Records of a geometry file (raises on invalid records; use :func:`parse_geometry` to collect problems)."""
    records, problems = parse_geometry(path)
    if problems:
        raise ValueError("; ".join(str(p) for p in problems))
    return records


def parse_geometry(path: Path) -> tuple[list[LinkGeometry], list[Problem]]:
    """Parse ``link_geometry.yaml`` (absent file: no records), collecting problems per record."""
    from karavan.errors import ValidationError
    from karavan.io.safe_yaml import load_yaml

    if not path.exists():
        return [], []
    try:
        data = load_yaml(path, within=path.parent, label=GEOMETRY_FILE)
    except ValidationError as exc:
        return [], list(exc.problems)
    if data is None:
        return [], []
    if not isinstance(data, list):
        return [], [Problem(GEOMETRY_FILE, "-", "-", type(data).__name__, "a list of records")]
    out: list[LinkGeometry] = []
    problems: list[Problem] = []
    for pos, rec in enumerate(data):
        label = str(rec.get("link", f"#{pos + 1}")) if isinstance(rec, dict) else f"#{pos + 1}"
        try:
            out.append(LinkGeometry.model_validate(rec))
        except PydanticValidationError as exc:
            for err in exc.errors():
                field = ".".join(str(x) for x in err["loc"]) or "-"
                problems.append(Problem(GEOMETRY_FILE, label, field, err.get("input"), err["msg"]))
    return out, problems


def write_geometry_file(path: Path, records: Iterable[LinkGeometry]) -> None:
    """Write records one per line (diff-friendly flow style), sorted by link id."""
    lines = [_HEADER]
    for g in sorted(records, key=lambda r: r.link):
        coords = ", ".join(f"[{_num(x)}, {_num(y)}]" for x, y in g.coordinates)
        src = ", ".join(f'"{s}"' for s in g.source)
        est = ", ".join(f"{k}: {json.dumps(v, ensure_ascii=False)}" for k, v in sorted(g.estimate.items()))
        note = json.dumps(g.note, ensure_ascii=False)
        extra = (f", estimate: {{{est}}}" if est else "") + (f", note: {note}" if g.note else "")
        lines.append(f"- {{link: {g.link}, source: [{src}]{extra}, coordinates: [{coords}]}}\n")
    tmp = path.with_suffix(".yaml.tmp")
    tmp.write_text("".join(lines), encoding="utf-8")
    tmp.replace(path)


def _num(v: float) -> str:
    return f"{v:.3f}".rstrip("0").rstrip(".")


def check_geometry(net: Network) -> list[Problem]:
    """Errors in the geometry table: unknown link ids, provenance, ends far from the link's nodes."""
    problems: list[Problem] = []
    for g in net.link_geometry.values():
        link = net.links.get(g.link)
        if link is None:
            problems.append(Problem(GEOMETRY_FILE, g.link, "link", g.link, "a link id defined in links.yaml"))
            continue
        for sid in g.source:
            if sid not in net.sources:
                problems.append(Problem(GEOMETRY_FILE, g.link, "source", sid, "a source id defined in sources.yaml"))
        if not g.source:
            problems.append(Problem(GEOMETRY_FILE, g.link, "source", None, "the source the line was derived from"))
        for end, nid, pt in (("start", link.from_id, g.coordinates[0]), ("end", link.to_id, g.coordinates[-1])):
            node = net.nodes.get(nid)
            if node is not None and haversine_km(pt, node.coords) > 1.0:
                problems.append(
                    Problem(GEOMETRY_FILE, g.link, f"coordinates ({end})", list(pt), f"within 1 km of node {nid}")
                )
    return problems


def geometry_warnings(net: Network) -> list[Problem]:
    """Cross-check of drawn lines against ``length_km``; links drawn schematically are listed too.

    A stored alignment, or else the line through a link's own ``geometry`` waypoints, is
    checked. These are warnings, not errors: a line longer or shorter than ``length_km`` by
    more than :data:`LENGTH_WARN` points at a wrong length, a wrong node position or a
    different alignment. Links drawn schematically (see :func:`is_schematic`) are listed
    with field ``coordinates`` and no value.
    """
    out: list[Problem] = []
    for link in net.links.values():
        coords, source = link_line(net, link)
        if is_schematic(net, link):
            how = SCHEMATIC_HOW.get(source, "straight across gaps in the line graph")
            out.append(Problem(GEOMETRY_FILE, link.id, "coordinates", None, f"a derived alignment (schematic: {how})"))
        if source == "straight":
            continue
        km = line_length_km(coords)
        if abs(km / link.length_km - 1.0) > LENGTH_WARN:
            out.append(
                Problem(
                    "links.yaml",
                    link.id,
                    "length_km",
                    link.length_km,
                    f"within {LENGTH_WARN:.0%} of the drawn {source} line ({km:.0f} km)",
                )
            )
    return out


def link_line(net: Network, link: Link) -> tuple[list[list[float]], str]:
    """Coordinates of ``link`` from ``from`` to ``to`` and where they come from.

    Returns
    -------
    tuple
        ``([[lon, lat], ...], geometry_source)``: the stored alignment's source id, ``"waypoints"``
        for a line through the link's own ``geometry`` points, or ``"straight"``.
    """
    g = net.link_geometry.get(link.id)
    if g is not None:
        return [[x, y] for x, y in g.coordinates], g.source[0]
    a, b = net.nodes[link.from_id], net.nodes[link.to_id]
    coords = [[a.lon, a.lat], *[[x, y] for x, y in link.geometry], [b.lon, b.lat]]
    return coords, "waypoints" if link.geometry else "straight"


def is_schematic(net: Network, link: Link) -> bool:
    """Whether ``link`` is drawn schematically: straight, through its waypoints, or with straight gaps.

    Such lines show where a link runs, not its track; maps draw them dashed and GeoJSON
    features carry ``schematic: true``.
    """
    g = net.link_geometry.get(link.id)
    return g is None or "coordinates" in g.estimate


def geometry_dict(g: LinkGeometry) -> dict[str, Any]:
    """JSON view of a stored alignment."""
    return {"link": g.link, "source": list(g.source), "coordinates": [list(c) for c in g.coordinates]}


__all__ = [
    "GEOMETRY_FILE",
    "LENGTH_BAND",
    "LENGTH_WARN",
    "check_geometry",
    "geometry_warnings",
    "haversine_km",
    "is_schematic",
    "line_length_km",
    "link_line",
    "parse_geometry",
    "read_geometry_file",
    "simplify",
    "write_geometry_file",
]
