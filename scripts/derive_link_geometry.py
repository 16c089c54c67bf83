"""Derive the drawn alignment of every rail, road and sea link of a dataset and write ``link_geometry.yaml``.

Rail and road links follow the OpenStreetMap railway and highway graphs that the
``scgraph-data`` package ships (``world_railways``, ``world_highways``, © OpenStreetMap
contributors, ODbL 1.0); sea links follow the ``searoute`` maritime network. Links whose
derived path does not fit their ``length_km`` keep the straight (or waypoint) line, and
``karavan network validate`` flags them.

The script is re-runnable: it rewrites the whole file from the dataset's current links.

Usage::

    pip install scgraph-data searoute          # only needed to regenerate, not to use karavan
    python scripts/derive_link_geometry.py [DATASET_DIR] [--only LINK_ID ...]
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import math
import sys
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components, dijkstra
from scipy.spatial import cKDTree

from karavan import datasets
from karavan.io.geometry import (
    GEOMETRY_FILE,
    LENGTH_BAND,
    line_length_km,
    simplify,
    write_geometry_file,
)
from karavan.model.entities import LinkGeometry
from karavan.model.enums import Mode
from karavan.model.network import Network

SNAP_KM = 30.0
"""Graph nodes this close to a dataset node are candidates for the line's end."""
SNAP_CANDIDATES = 12
BRIDGE_DEG = 0.15
"""Dead ends of the simplified railway graph are joined to other fragments this close (about 15 km)."""
BRIDGE_PENALTY = 1.3
SIMPLIFY_DEG = 0.004
"""Douglas-Peucker tolerance in degrees (about 400 m): enough for maps up to zoom 10."""
RAIL_SOURCE = "osm-rail-scgraph"
ROAD_SOURCE = "osm-road-scgraph"
SEA_SOURCE = "searoute:1.6.0"
GRAPHS = {Mode.RAIL: ("world_railways", RAIL_SOURCE), Mode.ROAD: ("world_highways", ROAD_SOURCE)}
"""The ``scgraph-data`` graph each land mode follows, and the source id of the lines derived from it."""


class LandGraph:
    """A ``scgraph-data`` world graph (``world_railways`` or ``world_highways``) as a scipy sparse matrix."""

    def __init__(self, name: str) -> None:
        spec = importlib.util.find_spec("scgraph_data")
        if spec is None or not spec.submodule_search_locations:
            sys.exit("scgraph-data is not installed: pip install scgraph-data")
        file = Path(next(iter(spec.submodule_search_locations))) / f"{name}.py"
        # The module imports scgraph 2's `scgraph.core`; read its two literals instead of importing it.
        graph: list[dict[int, float]] = []
        nodes: list[list[float]] = []
        for line in file.read_text(encoding="utf-8").splitlines():
            if line.startswith("graph="):
                graph = ast.literal_eval(line[len("graph=") :])
            elif line.startswith("nodes="):
                nodes = ast.literal_eval(line[len("nodes=") :])
        rows, cols, vals = [], [], []
        for i, adj in enumerate(graph):
            for j, w in adj.items():
                if i != j:
                    rows.append(i)
                    cols.append(j)
                    vals.append(max(float(w), 1e-6))
        n = len(nodes)
        self.latlon = np.array(nodes, dtype=np.float64)
        matrix = csr_matrix((vals, (rows, cols)), shape=(n, n))
        extra = self._bridges(matrix)
        if extra:
            r2, c2, v2 = zip(*extra, strict=True)
            matrix = csr_matrix((vals + list(v2), (rows + list(r2), cols + list(c2))), shape=(n, n))
        self.matrix = matrix

    def _bridges(self, matrix: csr_matrix) -> list[tuple[int, int, float]]:
        """Edges that close the simplified graph's gaps: each dead end to the nearest other fragment."""
        _, comp = connected_components(matrix, directed=False)
        degree = np.diff(matrix.tocsr().indptr) + np.diff(matrix.tocsc().indptr)
        xy = np.column_stack((self.latlon[:, 1] * np.cos(np.radians(self.latlon[:, 0])), self.latlon[:, 0]))
        tree = cKDTree(xy)
        out: list[tuple[int, int, float]] = []
        for i in np.flatnonzero(degree <= 2):
            for j in tree.query_ball_point(xy[i], BRIDGE_DEG):
                if comp[j] != comp[i]:
                    lat1, lon1 = self.latlon[i]
                    lat2, lon2 = self.latlon[j]
                    d = float(_haversine_vec(np.array(lon1), np.array(lat1), float(lon2), float(lat2)))
                    out.append((int(i), int(j), d * BRIDGE_PENALTY))
        return out

    def near(self, lon: float, lat: float) -> list[tuple[int, float]]:
        """Graph nodes within :data:`SNAP_KM` of a point, nearest first, with their distance in km."""
        d = _haversine_vec(self.latlon[:, 1], self.latlon[:, 0], lon, lat)
        idx = np.argsort(d)[:SNAP_CANDIDATES]
        return [(int(i), float(d[i])) for i in idx if d[i] <= SNAP_KM]

    def path(self, a: tuple[float, float], b: tuple[float, float], limit_km: float) -> list[list[float]] | None:
        """Shortest path on the graph (``[lon, lat]`` points, from ``a`` to ``b``) or ``None``."""
        src, dst = self.near(*a), self.near(*b)
        if not src or not dst:
            return None
        dist, pred, sources = dijkstra(
            self.matrix,
            directed=False,
            indices=[i for i, _ in src],
            min_only=True,
            return_predecessors=True,
            limit=limit_km,
        )
        off_a = dict(src)
        best, end = math.inf, -1
        for j, off_b in dst:
            if np.isfinite(dist[j]) and sources[j] >= 0:
                total = off_a[int(sources[j])] + float(dist[j]) + off_b
                if total < best:
                    best, end = total, j
        if end < 0:
            return None
        chain = [end]
        while pred[chain[-1]] >= 0:
            chain.append(int(pred[chain[-1]]))
        chain.reverse()
        return [[float(self.latlon[k, 1]), float(self.latlon[k, 0])] for k in chain]


def _haversine_vec(lon: Any, lat: Any, lon0: float, lat0: float) -> Any:
    p1, p2 = np.radians(lat), math.radians(lat0)
    dp, dl = p2 - p1, np.radians(lon0 - lon)
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * math.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(h))


def sea_path(a: tuple[float, float], b: tuple[float, float]) -> list[list[float]] | None:
    """Sea lane between two ports from ``searoute`` (``[lon, lat]`` points)."""
    import searoute

    feature = searoute.searoute(list(a), list(b), units="km")
    coords = feature["geometry"]["coordinates"]
    return [[float(x), float(y)] for x, y in coords] if len(coords) >= 2 else None


def _network(dataset: Path) -> Network:
    """The dataset's network; problems in the geometry file being regenerated do not stop it."""
    from karavan.errors import ValidationError
    from karavan.io.load import _build

    net, problems = _build(dataset)
    problems = [p for p in problems if p.file != GEOMETRY_FILE]
    if problems or net is None:
        raise ValidationError(problems)
    return net


def derive(dataset: Path, only: set[str]) -> tuple[list[LinkGeometry], list[str]]:
    """Derived geometry per link, and a report line per link left straight."""
    net = _network(dataset)
    graphs: dict[Mode, LandGraph] = {}
    out: list[LinkGeometry] = []
    report: list[str] = []
    for link in net.links.values():
        if only and link.id not in only:
            continue
        a, b = net.nodes[link.from_id], net.nodes[link.to_id]
        if link.mode is Mode.SEA:
            pts, source = sea_path(a.coords, b.coords), SEA_SOURCE
        else:
            name, source = GRAPHS[link.mode]
            graph = graphs.get(link.mode) or graphs.setdefault(link.mode, LandGraph(name))
            pts = graph.path(a.coords, b.coords, limit_km=3 * link.length_km + 2 * SNAP_KM)
        if pts is None:
            report.append(f"{link.id}: no {link.mode.value} path found between its ends; kept straight")
            continue
        line = [list(a.coords), *pts, list(b.coords)]
        simple = simplify(line, SIMPLIFY_DEG)
        km = line_length_km(simple)
        ratio = km / link.length_km
        lo, hi = LENGTH_BAND
        if not lo <= ratio <= hi:
            report.append(f"{link.id}: derived {km:.0f} km, length_km {link.length_km:g} ({ratio:.2f}); kept straight")
            continue
        out.append(LinkGeometry(link=link.id, source=(source,), coordinates=tuple((x, y) for x, y in simple)))
    return out, report


def main() -> None:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("dataset", nargs="?", default=None, help="dataset directory (default: the embedded caspian)")
    ap.add_argument("--only", nargs="*", default=[], help="derive only these link ids (others are kept)")
    args = ap.parse_args()
    directory = datasets.resolve(args.dataset)
    geoms, report = derive(directory, set(args.only))
    target = directory / GEOMETRY_FILE
    if args.only and target.is_file():
        from karavan.io.geometry import read_geometry_file

        kept = [g for g in read_geometry_file(target) if g.link not in set(args.only)]
        geoms = kept + geoms
    write_geometry_file(target, geoms)
    points = sum(len(g.coordinates) for g in geoms)
    print(f"wrote {target}: {len(geoms)} links, {points} points", file=sys.stderr)
    for line in report:
        print("  " + line, file=sys.stderr)


if __name__ == "__main__":
    main()
