"""scripts/derive_link_geometry.py on a small line graph: snapping beside long edges, gaps, waypoints."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from karavan.io.geometry import line_length_km

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "derive_link_geometry.py"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("derive_link_geometry", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # the script's dataclass looks its module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def graph(script: ModuleType) -> Any:
    # [lat, lon] nodes along 40 N: 0-1 a straight 170 km edge, 1-2 a collapsed chain (130 km of track
    # on an 85 km chord), then no track for 68 km, then the straight 102 km fragment 3-4.
    nodes = [[40.0, 60.0], [40.0, 62.0], [40.0, 63.0], [40.0, 63.8], [40.0, 65.0]]
    edges = [{1: 171.0}, {0: 171.0, 2: 130.0}, {1: 130.0}, {4: 103.0}, {3: 103.0}]
    return script.LandGraph(nodes, edges)


def test_station_beside_a_long_straight_edge_snaps_to_it(script: ModuleType, graph: Any) -> None:
    # 11 km north of the middle of the 170 km edge: no graph node within the snap distance before densifying
    near = graph.near(61.0, 40.1)
    assert near
    assert near[0][1] == pytest.approx(11.1, abs=0.5)
    line = script.land_line(graph, [(60.0, 40.0), (61.0, 40.1)])
    assert line.gaps == []
    assert [p[1] for p in line.points[:-1]] == pytest.approx([40.0] * (len(line.points) - 1))  # along the edge
    assert line.points[-1] == [61.0, 40.1]  # then across to the station
    assert 85.0 < line_length_km(line.points) < 85.0 + 11.1


def test_gaps_and_collapsed_edges_are_reported(script: ModuleType, graph: Any) -> None:
    leg = script.land_line(graph, [(60.0, 40.0), (65.0, 40.0)])
    assert leg.points[0] == [60.0, 40.0]
    assert leg.points[-1] == [65.0, 40.0]
    assert [round(km) for _, _, km in leg.gaps] == [68]  # the stretch without track
    assert [round(km) for _, _, km in leg.chords] == [85]  # the collapsed chain, drawn as its chord


def test_waypoints_pick_the_track_but_are_not_drawn(script: ModuleType, graph: Any) -> None:
    line = script.land_line(graph, [(60.0, 40.0), (61.0, 40.1), (62.0, 40.0)])
    assert line.points[0] == [60.0, 40.0]
    assert line.points[-1] == [62.0, 40.0]
    assert [61.0, 40.1] not in line.points
    assert max(p[1] for p in line.points) == pytest.approx(40.0)
    # a waypoint with no track near it: that leg is drawn straight and counted
    off = script.land_line(graph, [(60.0, 40.0), (61.0, 40.1), (61.5, 41.0), (62.0, 40.0)])
    assert [61.5, 41.0] in off.points
    assert len(off.gaps) == 2
    assert script.land_line(graph, [(60.0, 40.0), (61.0, 41.0), (62.0, 40.0)]) is None  # no leg on the graph
    assert script.land_line(graph, [(70.0, 50.0), (71.0, 50.0)]) is None


def test_gap_note_flags_a_mostly_straight_line_schematic(script: ModuleType) -> None:
    a, b = [60.0, 40.0], [61.0, 40.0]
    line = script.Leg([a, b], [(a, b, 40.0), (a, b, 2.0)], [(a, b, 30.0)])
    estimate, note = script._gap_note(line, 100.0, "osm-rail-scgraph")
    assert note == ""
    assert estimate["coordinates"].startswith("schematic: the osm-rail-scgraph graph has no track on 40 of 100 km")
    assert "2 km" not in estimate["coordinates"]  # joins of the graph's own fragments are ignored
    assert "chords of collapsed graph edges: 30 km" in estimate["coordinates"]
    estimate, note = script._gap_note(line, 400.0, "osm-rail-scgraph")
    assert estimate == {}
    assert "40 of 400 km" in note
    # chords alone never make a line schematic
    assert script._gap_note(script.Leg([a, b], [], [(a, b, 90.0)]), 100.0, "x")[0] == {}
    assert script._gap_note(script.Leg([a, b], [(a, b, 1.0)]), 100.0, "x") == ({}, "")
