"""Each kind of validation problem is reported with file, record, field and value."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from karavan.errors import Problem, ValidationError
from karavan.io import load_network, validate_dataset

Edit = Callable[[Path, str, str], None]


def _find(problems: list[Problem], file: str, record: str, field: str) -> Problem:
    for p in problems:
        if p.file == file and p.record == record and p.field == field:
            return p
    raise AssertionError(f"no problem {file}/{record}/{field} in:\n" + "\n".join(map(str, problems)))


def test_fixture_is_valid(mini_dir: Path) -> None:
    assert validate_dataset(mini_dir) == []


def test_unknown_node_reference(mini_dir: Path, edit_yaml: Edit) -> None:
    edit_yaml(mini_dir / "links.yaml", "from: CNAAA", "from: CNZZZ")
    p = _find(validate_dataset(mini_dir), "links.yaml", "r-alpha-beta", "from")
    assert p.value == "CNZZZ"
    assert "nodes.yaml" in p.expected


def test_duplicate_id(mini_dir: Path, edit_yaml: Edit) -> None:
    edit_yaml(mini_dir / "nodes.yaml", "id: cn-border", "id: CNAAA")
    p = _find(validate_dataset(mini_dir), "nodes.yaml", "CNAAA", "id")
    assert "unique" in p.expected


def test_coordinates_out_of_range(mini_dir: Path, edit_yaml: Edit) -> None:
    edit_yaml(mini_dir / "nodes.yaml", "lat: 40.0, lon: 80.0", "lat: 40.0, lon: 280.0")
    p = _find(validate_dataset(mini_dir), "nodes.yaml", "CNAAA", "lon")
    assert p.value == 280.0
    assert "[-180, 180]" in p.expected


def test_latitude_out_of_range(mini_dir: Path, edit_yaml: Edit) -> None:
    edit_yaml(mini_dir / "nodes.yaml", "lat: 40.0, lon: 80.0", "lat: 95.0, lon: 80.0")
    _find(validate_dataset(mini_dir), "nodes.yaml", "CNAAA", "lat")


def test_non_positive_length(mini_dir: Path, edit_yaml: Edit) -> None:
    edit_yaml(mini_dir / "links.yaml", "length_km: 470", "length_km: -5")
    p = _find(validate_dataset(mini_dir), "links.yaml", "s-aktau-baku", "length_km")
    assert p.value == -5


def test_link_shorter_than_great_circle(mini_dir: Path, edit_yaml: Edit) -> None:
    edit_yaml(mini_dir / "links.yaml", "length_km: 460", "length_km: 300")
    p = _find(validate_dataset(mini_dir), "links.yaml", "r-alpha-beta", "length_km")
    assert "great-circle" in p.expected


def test_rail_service_on_link_of_other_gauge(mini_dir: Path, edit_yaml: Edit) -> None:
    edit_yaml(mini_dir / "services.yaml", "gauge_mm: 1520", "gauge_mm: 1435")
    p = _find(validate_dataset(mini_dir), "services.yaml", "kz-train", "gauge_mm")
    assert p.value == 1435
    assert "1520" in p.expected


def test_value_without_source_or_estimate(mini_dir: Path, edit_yaml: Edit) -> None:
    edit_yaml(
        mini_dir / "links.yaml",
        "mode: sea, length_km: 470, geometry: [[50.5, 42.0]], source: test:S1",
        "mode: sea, length_km: 470, geometry: [[50.5, 42.0]]",
    )
    p = _find(validate_dataset(mini_dir), "links.yaml", "s-aktau-baku", "length_km")
    assert "estimate" in p.expected


def test_flag_without_source_or_estimate(mini_dir: Path, edit_yaml: Edit) -> None:
    edit_yaml(
        mini_dir / "links.yaml",
        "length_km: 2500, gauge_mm: 1520, tracks: 1, electrified: false, source: test:S1}",
        "length_km: 2500, gauge_mm: 1520, tracks: 1, electrified: false, "
        "estimate: {length_km: x, gauge_mm: x, tracks: x}}",
    )
    p = _find(validate_dataset(mini_dir), "links.yaml", "r-gamma-aktau", "electrified")
    assert p.value is False


def test_weekly_departures_without_source_or_estimate(mini_dir: Path, edit_yaml: Edit) -> None:
    services = mini_dir / "services.yaml"
    edit_yaml(
        services,
        'departures: {pattern: headway, headway_h: 24, first: "06:00"}',
        "departures: {pattern: weekly, days: [Mon]}",
    )
    edit_yaml(
        services,
        "  source: test:S1\n- id: kz-train",
        "  estimate: {gauge_mm: x, speed_kmh: x, capacity_per_departure: x, tariff: x}\n- id: kz-train",
    )
    p = _find(validate_dataset(mini_dir), "services.yaml", "cn-train", "departures")
    assert p.value["days"] == ["Mon"]


def test_estimate_flag_satisfies_provenance(mini_dir: Path, edit_yaml: Edit) -> None:
    edit_yaml(
        mini_dir / "links.yaml",
        "mode: sea, length_km: 470, geometry: [[50.5, 42.0]], source: test:S1",
        "mode: sea, length_km: 470, geometry: [[50.5, 42.0]], estimate: {length_km: great circle x 1.1}",
    )
    assert validate_dataset(mini_dir) == []


def test_unknown_source_id(mini_dir: Path, edit_yaml: Edit) -> None:
    edit_yaml(mini_dir / "nodes.yaml", "kind: city, source: test:S1", "kind: city, source: test:S9")
    p = _find(validate_dataset(mini_dir), "nodes.yaml", "CNAAA", "source")
    assert p.value == "test:S9"


def test_service_stops_not_linked(mini_dir: Path, edit_yaml: Edit) -> None:
    edit_yaml(mini_dir / "services.yaml", "stops: [kz-border, KZAAU]", "stops: [CNAAA, KZAAU]")
    p = _find(validate_dataset(mini_dir), "services.yaml", "kz-train", "stops")
    assert p.value == "CNAAA -> KZAAU"


def test_cross_border_link_without_border_operation(mini_dir: Path, edit_yaml: Edit) -> None:
    edit_yaml(
        mini_dir / "hub_operations.yaml",
        "from_country: KZ, to_country: CN",
        "from_country: KZ, to_country: AZ",
    )
    problems = validate_dataset(mini_dir)
    p = _find(problems, "links.yaml", "r-beta-gamma", "from/to")
    assert "KZ to CN" in p.expected


def test_bad_enum_value(mini_dir: Path, edit_yaml: Edit) -> None:
    edit_yaml(mini_dir / "nodes.yaml", "kind: seaport, locode: KZAAU", "kind: harbour, locode: KZAAU")
    p = _find(validate_dataset(mini_dir), "nodes.yaml", "KZAAU", "kind")
    assert p.value == "harbour"
    assert "seaport" in p.expected


def test_bad_distribution(mini_dir: Path, edit_yaml: Edit) -> None:
    edit_yaml(mini_dir / "hub_operations.yaml", "median: 20, p90: 48", "median: 20, p90: 10")
    p = _find(validate_dataset(mini_dir), "hub_operations.yaml", "bx-cn-kz", "dwell_h")
    assert "p90" in p.expected


def test_missing_required_field(mini_dir: Path, edit_yaml: Edit) -> None:
    edit_yaml(mini_dir / "nodes.yaml", "name_ru: Альфа, ", "")
    p = _find(validate_dataset(mini_dir), "nodes.yaml", "CNAAA", "name_ru")
    assert p.value is None


def test_unknown_field(mini_dir: Path, edit_yaml: Edit) -> None:
    edit_yaml(mini_dir / "nodes.yaml", "kind: city,", "kind: city, colour: red,")
    _find(validate_dataset(mini_dir), "nodes.yaml", "CNAAA", "colour")


def test_hub_operation_at_unknown_node(mini_dir: Path, edit_yaml: Edit) -> None:
    edit_yaml(
        mini_dir / "hub_operations.yaml",
        "node: AZBAK, kind: port_handling",
        "node: AZXXX, kind: port_handling",
    )
    p = _find(validate_dataset(mini_dir), "hub_operations.yaml", "port-baku", "node")
    assert p.value == "AZXXX"


def test_broken_yaml_syntax(mini_dir: Path) -> None:
    (mini_dir / "links.yaml").write_text("- {id: x, from: [\n", encoding="utf-8")
    problems = validate_dataset(mini_dir)
    assert any(p.file == "links.yaml" and p.expected == "valid YAML" for p in problems)


def test_missing_table_file(mini_dir: Path) -> None:
    (mini_dir / "services.yaml").unlink()
    problems = validate_dataset(mini_dir)
    assert any(p.file == "services.yaml" and "a file" in p.expected for p in problems)


def test_every_problem_reported_at_once(mini_dir: Path, edit_yaml: Edit) -> None:
    edit_yaml(mini_dir / "links.yaml", "length_km: 470", "length_km: 0")
    edit_yaml(mini_dir / "nodes.yaml", "lat: 40.0, lon: 80.0", "lat: 40.0, lon: 280.0")
    with pytest.raises(ValidationError) as info:
        load_network(mini_dir)
    fields = {(p.record, p.field) for p in info.value.problems}
    assert {("s-aktau-baku", "length_km"), ("CNAAA", "lon")} <= fields
    assert "links.yaml" in str(info.value)
