"""Derive the drawn alignment of every rail, road and sea link of a dataset and write ``link_geometry.yaml``.

Rail and road links follow the OpenStreetMap railway and highway graphs that the
``scgraph-data`` package ships (``world_railways``, ``world_highways``, © OpenStreetMap
contributors, ODbL 1.0); sea links follow the ``searoute`` maritime network. Links whose
derived path does not fit their ``length_km`` keep the straight (or waypoint) line, and
``karavan network validate`` flags them. A link's ``geometry`` waypoints pick the track the
line follows; stretches where the graph has no track are drawn straight and, past a quarter
of the line, flag it schematic (``estimate.coordinates``).

The script is re-runnable: it rewrites the whole file from the dataset's current links.

Usage::

    pip install --target DIR scgraph-data==2.0.0 searoute==1.6.0   # only to regenerate
    PYTHONPATH=DIR python scripts/derive_link_geometry.py [DATASET_DIR] [--only LINK_ID ...]
"""

from __future__ import annotations

import argparse
import ast
import importlib.util
import math
import re
import sys
from dataclasses import dataclass, field
from itertools import pairwise
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
    haversine_km,
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
DENSIFY_KM = 5.0
"""Straight graph edges longer than this get intermediate nodes, so a station beside a long edge snaps to it."""
STRAIGHT_EDGE = 1.15
"""An edge whose weight exceeds its chord by more than this factor stands for a winding chain of track that
the graph collapsed into one edge: it is kept for routing (its chord is drawn, like every edge of the
simplified graph, and named in the record's note) but never densified, so no station snaps to its chord."""
MAX_GAP_KM = 150.0
"""Where the graph has no track between two fragments, at most this much is drawn straight (schematic)."""
GAP_PENALTY = 2.0
MIN_GAP_KM = 5.0
SCHEMATIC_SHARE = 0.25
"""A line more than this share of which crosses stretches without track is flagged schematic."""
SIMPLIFY_DEG = 0.004
"""Douglas-Peucker tolerance in degrees (about 400 m): enough for maps up to zoom 10."""
RAIL_SOURCE = "osm-rail-scgraph"
ROAD_SOURCE = "osm-road-scgraph"
SEA_SOURCE = "searoute:1.6.0"
GRAPHS = {Mode.RAIL: ("world_railways", RAIL_SOURCE), Mode.ROAD: ("world_highways", ROAD_SOURCE)}
"""The ``scgraph-data`` graph each land mode follows, and the source id of the lines derived from it."""


Stretch = tuple[list[float], list[float], float]
"""A straight stretch of a drawn line: from, to (``[lon, lat]``) and its length in km."""


class LandGraph:
    """A ``scgraph-data`` world graph (``world_railways`` or ``world_highways``) as a scipy sparse matrix.

    Long straight edges of the simplified graph get intermediate nodes (:data:`DENSIFY_KM`) so
    that a station beside one snaps to the track, not to an edge end tens of km away.
    """

    def __init__(self, nodes: list[list[float]], graph: list[dict[int, float]]) -> None:
        """Graph from ``[lat, lon]`` nodes and one ``{neighbour: km}`` adjacency per node (scgraph's layout)."""
        rows, cols, vals = [], [], []
        for i, adj in enumerate(graph):
            for j, w in adj.items():
                if i != j:
                    rows.append(i)
                    cols.append(j)
                    vals.append(max(float(w), 1e-6))
        n = len(nodes)
        self.latlon = np.array(nodes, dtype=np.float64).reshape(n, 2)
        self.collapsed: set[tuple[int, int]] = set()
        bridges = self._bridges(csr_matrix((vals, (rows, cols)), shape=(n, n)))
        r, c, v = self._densify(np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64), np.array(vals))
        if bridges:
            r2, c2, v2 = (np.array(x) for x in zip(*bridges, strict=True))
            r, c, v = np.concatenate((r, r2)), np.concatenate((c, c2)), np.concatenate((v, v2))
        size = len(self.latlon)
        self.matrix = csr_matrix((v, (r, c)), shape=(size, size))
        self.xy = np.column_stack((self.latlon[:, 1] * np.cos(np.radians(self.latlon[:, 0])), self.latlon[:, 0]))

    @classmethod
    def load(cls, name: str) -> LandGraph:
        """The ``scgraph-data`` graph ``name`` (exits with a hint when the package is not installed)."""
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
        return cls(nodes, graph)

    def _densify(self, rows: Any, cols: Any, vals: Any) -> tuple[Any, Any, Any]:
        """Undirected edge list with each long straight edge split into pieces of at most :data:`DENSIFY_KM`."""
        pairs, first = np.unique(
            np.column_stack((np.minimum(rows, cols), np.maximum(rows, cols))), axis=0, return_index=True
        )
        lo, hi, w = pairs[:, 0], pairs[:, 1], vals[first]
        chord = _haversine_vec(self.latlon[lo, 1], self.latlon[lo, 0], self.latlon[hi, 1], self.latlon[hi, 0])
        split = (chord > DENSIFY_KM) & (w <= STRAIGHT_EDGE * chord)
        collapsed = (chord > DENSIFY_KM) & ~split
        self.collapsed = {(int(i), int(j)) for i, j in zip(lo[collapsed], hi[collapsed], strict=True)}
        out_r, out_c, out_v = [lo[~split]], [hi[~split]], [w[~split]]
        extra: list[Any] = []
        next_id = len(self.latlon)
        for i, j, wij, km in zip(lo[split], hi[split], w[split], chord[split], strict=True):
            k = math.ceil(km / DENSIFY_KM)
            t = np.arange(1, k)[:, None] / k
            extra.append(self.latlon[i] + t * (self.latlon[j] - self.latlon[i]))
            chain = np.concatenate(([i], np.arange(next_id, next_id + k - 1), [j]))
            out_r.append(chain[:-1])
            out_c.append(chain[1:])
            out_v.append(np.full(k, wij / k))
            next_id += k - 1
        if extra:
            self.latlon = np.vstack((self.latlon, *extra))
        return np.concatenate(out_r), np.concatenate(out_c), np.concatenate(out_v)

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

    def _search(self, start: list[tuple[int, float]], limit_km: float) -> tuple[Any, Any]:
        """Distance (including the snap offset) and predecessor of every node reachable from ``start``."""
        dist, pred, sources = dijkstra(
            self.matrix,
            directed=False,
            indices=[i for i, _ in start],
            min_only=True,
            return_predecessors=True,
            limit=limit_km,
        )
        offset = np.zeros(len(dist))
        reached = sources >= 0
        off = dict(start)
        offset[reached] = [off[int(s)] for s in sources[reached]]
        return np.where(reached, dist + offset, np.inf), pred

    def _lonlat(self, k: int) -> list[float]:
        return [float(self.latlon[k, 1]), float(self.latlon[k, 0])]

    @staticmethod
    def _chain(pred: Any, end: int) -> list[int]:
        """Graph nodes from the search's start to ``end``."""
        chain = [end]
        while pred[chain[-1]] >= 0:
            chain.append(int(pred[chain[-1]]))
        chain.reverse()
        return chain

    def _leg(self, chain: list[int], gaps: list[Stretch]) -> Leg:
        """``[lon, lat]`` points of ``chain`` with its ``gaps``; collapsed edges on it are listed as chords."""
        pts = [self._lonlat(k) for k in chain]
        chords: list[Stretch] = []
        for n, (i, j) in enumerate(pairwise(chain)):
            if (min(i, j), max(i, j)) in self.collapsed:
                chords.append((pts[n], pts[n + 1], haversine_km(pts[n], pts[n + 1])))
        return Leg(pts, gaps, chords)

    def path(self, a: tuple[float, float], b: tuple[float, float], limit_km: float) -> Leg | None:
        """Shortest path on the graph from ``a`` to ``b``, or ``None`` when neither end is near a track.

        Where the graph is split between the two ends, the fragments reached from each end are
        joined by the shortest straight gap (at most :data:`MAX_GAP_KM`), reported in the result.
        """
        src, dst = self.near(*a), self.near(*b)
        if not src or not dst:
            return None
        dist_a, pred_a = self._search(src, limit_km)
        at_b = [(j, dist_a[j] + off) for j, off in dst if np.isfinite(dist_a[j])]
        if at_b:
            end = min(at_b, key=lambda x: x[1])[0]
            return self._leg(self._chain(pred_a, end), [])
        return self._bridged(dist_a, pred_a, dst, limit_km)

    def _bridged(self, dist_a: Any, pred_a: Any, dst: list[tuple[int, float]], limit_km: float) -> Leg | None:
        """Path from the fragment reached from ``a`` across one straight gap to the fragment reaching ``b``."""
        dist_b, pred_b = self._search(dst, limit_km)
        reach_a, reach_b = np.flatnonzero(np.isfinite(dist_a)), np.flatnonzero(np.isfinite(dist_b))
        if not len(reach_a) or not len(reach_b):
            return None
        tree = cKDTree(self.xy[reach_b])
        gap_deg, k = tree.query(self.xy[reach_a], distance_upper_bound=MAX_GAP_KM / 100.0)
        ok = np.isfinite(gap_deg)
        if not ok.any():
            return None
        p, q = reach_a[ok], reach_b[k[ok]]
        gap_km = _haversine_vec(self.latlon[p, 1], self.latlon[p, 0], self.latlon[q, 1], self.latlon[q, 0])
        best = int(np.argmin(dist_a[p] + GAP_PENALTY * gap_km + dist_b[q]))
        if gap_km[best] > MAX_GAP_KM:
            return None
        i, j = int(p[best]), int(q[best])
        gap = (
            [float(self.latlon[i, 1]), float(self.latlon[i, 0])],
            [float(self.latlon[j, 1]), float(self.latlon[j, 0])],
        )
        return self._leg(self._chain(pred_a, i) + self._chain(pred_b, j)[::-1], [(*gap, float(gap_km[best]))])


@dataclass
class Leg:
    """A drawn stretch between two stops: its points, the straight gaps where the graph has no track, and the
    chords of collapsed edges it follows."""

    points: list[list[float]]
    gaps: list[Stretch] = field(default_factory=list)
    chords: list[Stretch] = field(default_factory=list)


def _haversine_vec(lon: Any, lat: Any, lon0: Any, lat0: Any) -> Any:
    p1, p2 = np.radians(lat), np.radians(lat0)
    dp, dl = p2 - p1, np.radians(np.subtract(lon0, lon))
    h = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
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


def land_line(graph: LandGraph, stops: list[tuple[float, float]]) -> Leg | None:
    """The graph's line from the first to the last of ``stops`` through the track nearest each one between.

    Intermediate stops (a link's ``geometry`` waypoints, town centroids) only pick the track:
    the line passes the track beside them, not the centroid itself. A leg with no track near
    one of its stops is drawn straight and counted as a gap; ``None`` when no leg follows the
    graph at all.
    """
    points: list[list[float]] = [list(stops[0])]
    gaps: list[Stretch] = []
    chords: list[Stretch] = []
    routed = False
    for p, q in pairwise(stops):
        leg = graph.path(p, q, limit_km=3 * haversine_km(p, q) + 2 * SNAP_KM)
        if leg is None:
            leg = Leg([list(p), list(q)], [(list(p), list(q), haversine_km(p, q))])
        else:
            routed = True
        points.extend(leg.points[1:] if points[-1] == leg.points[0] else leg.points)
        gaps.extend(leg.gaps)
        chords.extend(leg.chords)
    if points[-1] != list(stops[-1]):
        points.append(list(stops[-1]))
    return Leg(points, gaps, chords) if routed else None


def _stretches(items: list[Stretch]) -> str:
    return "; ".join(f"{d:.0f} km between [{a[0]:.2f}, {a[1]:.2f}] and [{b[0]:.2f}, {b[1]:.2f}]" for a, b, d in items)


def _gap_note(line: Leg, km: float, source: str) -> tuple[dict[str, str], str]:
    """``estimate`` and ``note`` of a line with straight stretches.

    Gaps (no track in the graph) and chords of collapsed edges under :data:`MIN_GAP_KM` are
    ignored. When the gaps make up more than :data:`SCHEMATIC_SHARE` of the line, the record
    gets an ``estimate`` for its coordinates and is drawn as schematic; else they and the
    chords are named in its note.
    """
    gaps = [g for g in line.gaps if g[2] >= MIN_GAP_KM]
    chords = [c for c in line.chords if c[2] >= MIN_GAP_KM]
    parts = []
    if gaps:
        total = sum(d for _, _, d in gaps)
        parts.append(
            f"the {source} graph has no track on {total:.0f} of {km:.0f} km, drawn straight ({_stretches(gaps)})"
        )
    if chords:
        parts.append(f"chords of collapsed graph edges: {_stretches(chords)}")
    text = "; ".join(parts)
    if gaps and sum(d for _, _, d in gaps) > SCHEMATIC_SHARE * km:
        return {"coordinates": f"schematic: {text}"}, ""
    return {}, text


def _waypoint_sources(net: Network, link: Any) -> tuple[str, ...]:
    """Source ids cited for a link's ``geometry`` waypoints (named in its ``estimate``)."""
    text = link.estimate.get("geometry", "")
    cited = (sid for sid in sorted(net.sources) if re.search(rf"(?<![\w:.-]){re.escape(sid)}(?![\w.-])", text))
    return tuple(cited) if link.geometry else ()


def derive(dataset: Path, only: set[str]) -> tuple[list[LinkGeometry], list[str]]:
    """Derived geometry per link, and a report line per link left straight or drawn with gaps."""
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
            line = Leg([list(a.coords), *pts, list(b.coords)]) if pts else None
        else:
            name, source = GRAPHS[link.mode]
            graph = graphs.get(link.mode) or graphs.setdefault(link.mode, LandGraph.load(name))
            line = land_line(graph, [a.coords, *link.geometry, b.coords])
        if line is None:
            report.append(f"{link.id}: no {link.mode.value} path found between its ends; kept straight")
            continue
        simple = simplify(line.points, SIMPLIFY_DEG)
        km = line_length_km(simple)
        ratio = km / link.length_km
        lo, hi = LENGTH_BAND
        if not lo <= ratio <= hi:
            report.append(f"{link.id}: derived {km:.0f} km, length_km {link.length_km:g} ({ratio:.2f}); kept straight")
            continue
        estimate, note = _gap_note(line, km, source)
        if estimate or note:
            report.append(f"{link.id}: {estimate.get('coordinates', note)}")
        out.append(
            LinkGeometry(
                link=link.id,
                source=(source, *_waypoint_sources(net, link)),
                estimate=estimate,
                note=note,
                coordinates=tuple((x, y) for x, y in simple),
            )
        )
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
