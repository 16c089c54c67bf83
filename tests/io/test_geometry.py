"""Drawn link geometry: the optional table, its checks, and its use in GeoJSON."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import geojson
import pytest

from karavan.errors import ValidationError
from karavan.io import load_network, network_geojson, network_layers, validate_dataset
from karavan.io.geometry import (
    GEOMETRY_FILE,
    LENGTH_BAND,
    geometry_warnings,
    is_schematic,
    line_length_km,
    link_line,
    parse_geometry,
    simplify,
    write_geometry_file,
)
from karavan.model.entities import LinkGeometry
from karavan.model.network import Network

# Alpha (80.0, 40.0) -> Beta Border (80.0, 44.0): a bent line of about 470 km for a 460 km link
BENT = "[[80.0, 40.0], [80.3, 42.0], [80.0, 44.0]]"


def _write(mini_dir: Path, body: str) -> None:
    (mini_dir / GEOMETRY_FILE).write_text(body, encoding="utf-8")


def test_simplify_keeps_ends_and_drops_collinear_points() -> None:
    line = [[0.0, 0.0], [0.5, 0.0001], [1.0, 0.0], [1.0, 1.0]]
    out = simplify(line, 0.01)
    assert out == [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0]]
    assert simplify([[1.23456, 2.0], [3.0, 4.0]], 0.1) == [[1.235, 2.0], [3.0, 4.0]]


def test_line_length_of_one_degree_of_latitude() -> None:
    assert line_length_km([[0.0, 0.0], [0.0, 1.0]]) == pytest.approx(111.2, abs=0.1)


def test_stored_line_is_used_and_flagged_by_source(mini_dir: Path) -> None:
    _write(mini_dir, f"- {{link: r-alpha-beta, source: [test:S1], coordinates: {BENT}}}\n")
    net = load_network(mini_dir)
    coords, source = link_line(net, net.links["r-alpha-beta"])
    assert coords[1] == [80.3, 42.0]
    assert source == "test:S1"
    link = next(f for f in network_geojson(net)["features"] if f["id"] == "r-alpha-beta")
    assert link["geometry"]["coordinates"][1] == [80.3, 42.0]
    assert link["properties"]["geometry_source"] == "test:S1"
    other = next(f for f in network_geojson(net)["features"] if f["id"] == "r-gamma-aktau")
    assert other["properties"]["geometry_source"] == "straight"
    assert len(other["geometry"]["coordinates"]) == 2


def test_waypoints_flagged(mini_net: Network) -> None:
    data = network_geojson(mini_net)
    sea = next(f for f in data["features"] if f["id"] == "s-aktau-baku")
    assert sea["properties"]["geometry_source"] == "waypoints"


@pytest.mark.parametrize(
    ("body", "field", "value"),
    [
        (f"- {{link: r-nowhere, source: [test:S1], coordinates: {BENT}}}\n", "link", "r-nowhere"),
        (f"- {{link: r-alpha-beta, source: [nope], coordinates: {BENT}}}\n", "source", "nope"),
        ("- {link: r-alpha-beta, source: [test:S1], coordinates: [[81, 40], [80, 44]]}\n", "coordinates (start)", None),
        ("- {link: r-alpha-beta, source: [test:S1], coordinates: [[80, 40]]}\n", "coordinates", None),
    ],
)
def test_bad_geometry_is_a_precise_problem(mini_dir: Path, body: str, field: str, value: object) -> None:
    _write(mini_dir, body)
    problems = [p for p in validate_dataset(mini_dir) if p.file == GEOMETRY_FILE]
    assert [p.field for p in problems] == [field]
    assert problems[0].record in {"r-nowhere", "r-alpha-beta"}
    if value is not None:
        assert problems[0].value == value
    with pytest.raises(ValidationError, match=GEOMETRY_FILE):
        load_network(mini_dir)


def test_length_cross_check_warns_outside_tolerance(mini_dir: Path) -> None:
    # a 460 km link drawn as a 900 km detour: a warning naming length_km, not an error
    _write(mini_dir, "- {link: r-alpha-beta, source: [test:S1], coordinates: [[80, 40], [84, 42], [80, 44]]}\n")
    net = load_network(mini_dir)
    warns = geometry_warnings(net)
    mismatch = [w for w in warns if w.value is not None and w.record.startswith("r-")]
    assert [(w.record, w.field, w.value) for w in mismatch] == [("r-alpha-beta", "length_km", 460)]
    assert "drawn test:S1 line" in mismatch[0].expected
    straight = {w.record for w in warns if w.value is None}
    assert "r-gamma-aktau" in straight
    assert "r-alpha-beta" not in straight


@pytest.mark.parametrize(("waypoint", "warned"), [([70, 44], False), ([65, 56], True)])
def test_waypoint_lines_are_cross_checked_and_listed_schematic(
    mini_dir: Path, waypoint: list[float], warned: bool
) -> None:
    # r-gamma-aktau (2500 km) through one waypoint: about 2,320 km near the line, far more via 56 N
    links = mini_dir / "links.yaml"
    text = links.read_text(encoding="utf-8").replace("length_km: 2500,", f"length_km: 2500, geometry: [{waypoint}],")
    links.write_text(text, encoding="utf-8")
    net = load_network(mini_dir)
    coords, source = link_line(net, net.links["r-gamma-aktau"])
    assert (source, coords[1]) == ("waypoints", waypoint)
    schematic = {w.record for w in geometry_warnings(net) if w.field == "coordinates"}
    assert "r-gamma-aktau" in schematic
    warns = {w.record: w for w in geometry_warnings(net) if w.field == "length_km"}
    assert ("r-gamma-aktau" in warns) is warned
    if warned:
        assert warns["r-gamma-aktau"].field == "length_km"
        assert "drawn waypoints line" in warns["r-gamma-aktau"].expected


def test_validate_cli_lists_geometry_warnings(mini_dir: Path, run_cli: Callable[..., tuple[int, str, str]]) -> None:
    _write(mini_dir, "- {link: r-alpha-beta, source: [test:S1], coordinates: [[80, 40], [84, 42], [80, 44]]}\n")
    code, out, _ = run_cli("network", "validate", str(mini_dir), "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert data["valid"] is True
    assert any(w["record"] == "r-alpha-beta" and w["field"] == "length_km" for w in data["warnings"])


def test_write_then_parse_round_trip(tmp_path: Path) -> None:
    rec = LinkGeometry(link="a-b", source=("s",), coordinates=((1.0, 2.0), (3.1234, 4.5)))
    write_geometry_file(tmp_path / GEOMETRY_FILE, [rec])
    text = (tmp_path / GEOMETRY_FILE).read_text(encoding="utf-8")
    assert '- {link: a-b, source: ["s"], coordinates: [[1, 2], [3.123, 4.5]]}' in text
    back, problems = parse_geometry(tmp_path / GEOMETRY_FILE)
    assert problems == []
    assert back[0].coordinates == ((1.0, 2.0), (3.123, 4.5))


def test_estimate_and_note_round_trip(tmp_path: Path) -> None:
    rec = LinkGeometry(
        link="a-b",
        source=("s",),
        estimate={"coordinates": 'schematic: "gap", 40 km'},
        note="Ersai: 13 km",
        coordinates=((1.0, 2.0), (3.0, 4.0)),
    )
    write_geometry_file(tmp_path / GEOMETRY_FILE, [rec])
    back, problems = parse_geometry(tmp_path / GEOMETRY_FILE)
    assert problems == []
    assert back == [rec]


@pytest.mark.parametrize(
    ("body", "schematic"),
    [
        (f"- {{link: r-alpha-beta, source: [test:S1], coordinates: {BENT}}}\n", False),
        (f'- {{link: r-alpha-beta, source: [test:S1], note: "a short gap", coordinates: {BENT}}}\n', False),
        (
            f'- {{link: r-alpha-beta, source: [test:S1], estimate: {{coordinates: "gaps"}}, coordinates: {BENT}}}\n',
            True,
        ),
        ("", True),
    ],
)
def test_schematic_flag_in_geojson_and_warnings(mini_dir: Path, body: str, schematic: bool) -> None:
    _write(mini_dir, body)
    net = load_network(mini_dir)
    link = next(f for f in network_geojson(net)["features"] if f["id"] == "r-alpha-beta")
    assert link["properties"]["schematic"] is schematic
    assert is_schematic(net, net.links["r-alpha-beta"]) is schematic
    listed = {w.record for w in geometry_warnings(net) if w.field == "coordinates"}
    assert ("r-alpha-beta" in listed) is schematic


def test_embedded_lines_fit_their_links() -> None:
    net = load_network()
    assert len(net.link_geometry) >= 60
    lo, hi = LENGTH_BAND
    for g in net.link_geometry.values():
        link = net.links[g.link]
        assert lo <= line_length_km(g.coordinates) / link.length_km <= hi, g.link
    # the Trans-Caspian feeder follows the searoute lane, not a straight line
    coords, source = link_line(net, net.links["s-aktau-alat"])
    assert source.startswith("searoute")
    assert len(coords) > 3


def test_layers_are_separate_and_valid(mini_net: Network) -> None:
    layers = network_layers(mini_net)
    for name, kind in (("nodes", "Point"), ("links", "LineString")):
        fc = layers[name]
        assert geojson.loads(json.dumps(fc)).is_valid
        assert {f["geometry"]["type"] for f in fc["features"]} == {kind}
    geo = mini_net.__geo_interface__
    assert len(geo["features"]) == len(layers["nodes"]["features"]) + len(layers["links"]["features"])


def test_docs_name_every_schematic_link_and_length_outlier() -> None:
    # docs/dataset.md lists the embedded dataset's schematic alignments and its length_km outliers by id
    doc = (Path(__file__).resolve().parents[2] / "docs" / "dataset.md").read_text(encoding="utf-8")
    section = doc[doc.index("## Drawn alignments") :]
    warned = {w.record for w in geometry_warnings(load_network())}
    assert warned
    missing = sorted(rid for rid in warned if f"`{rid}`" not in section)
    assert missing == []
