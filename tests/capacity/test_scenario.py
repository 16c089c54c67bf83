"""Scenario overlays: structure checks, applying, errors naming file/entry/field, writing datasets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from karavan.capacity.demand import Demand, ODFlow
from karavan.capacity.scenario import apply_scenario, list_scenarios, load_scenario, parse_scenario, write_dataset
from karavan.errors import InputError, ValidationError
from karavan.io import load_network
from karavan.model import Network
from karavan.model.enums import Unit


def write(tmp_path: Path, data: dict[str, Any], name: str = "sc.yaml") -> Path:
    p = tmp_path / name
    p.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return p


def problems(net: Network, path: Path) -> set[tuple[str, str, str]]:
    with pytest.raises(ValidationError) as info:
        apply_scenario(net, path)
    assert all(p.file == path.name for p in info.value.problems)
    return {(p.record, p.field, str(p.value)) for p in info.value.problems}


def test_modify_add_remove_and_write(tmp_path: Path, cap_net: Network) -> None:
    path = write(
        tmp_path,
        {
            "name": "t",
            "title": "test",
            "year": 2027,
            "sources": [{"id": "new:S", "publisher": "P", "title": "T", "year": 2025}],
            "modify": {
                "services": [{"id": "kz-train", "set": {"capacity_per_departure": {"TEU": 200}}, "source": "new:S"}]
            },
            "add": {
                "hub_operations": [
                    {
                        "id": "term-baku",
                        "node": "AZBAK",
                        "kind": "terminal",
                        "from_modes": ["sea"],
                        "dwell_h": 4,
                        "hoc": "hub_container_terminal_maritime",
                        "capacity_teu_per_year": 50000,
                        "source": "new:S",
                    }
                ]
            },
            "remove": {"services": ["kz-truck"]},
            "scale": {
                "services": [{"id": "*", "field": "tariff", "factor": 1.1, "kind": "rail_ferry", "estimate": "t"}]
            },
        },
    )
    new = apply_scenario(cap_net, path)
    assert new.services["kz-train"].capacity_per_departure[Unit.TEU] == 200
    assert "new:S" in new.services["kz-train"].source
    assert "kz-truck" not in new.services
    assert new.hub_operations["term-baku"].capacity_teu_per_year == 50000
    assert new.services["ferry"].tariff[Unit.WAGON].flat_usd == pytest.approx(1320.0)
    assert new.content_hash != cap_net.content_hash
    out = write_dataset(new, tmp_path / "out")
    again = load_network(out)
    assert set(again.services) == set(new.services)
    assert again.services["kz-train"] == new.services["kz-train"]


def test_close_country_cascades(cap_net: Network) -> None:
    new = apply_scenario(cap_net, parse_scenario({"name": "no-cn", "close": {"countries": ["CN"]}}))
    assert all(n.country != "CN" for n in new.nodes.values())
    assert "cn-train" not in new.services
    assert "kz-train" in new.services


def test_close_link_removes_services(cap_net: Network) -> None:
    new = apply_scenario(cap_net, parse_scenario({"name": "no-road", "close": {"links": ["road-gamma-aktau"]}}))
    assert "kz-truck" not in new.services
    assert "road-gamma-aktau" not in new.links


def test_each_kind_of_error(tmp_path: Path, cap_net: Network) -> None:
    path = write(
        tmp_path,
        {
            "name": "broken",
            "modify": {
                "services": [
                    {"id": "kz-trian", "set": {"speed_kmh": 60}, "source": "test:S1"},  # unknown id
                    {"id": "kz-train", "set": {"speed_kmh": -3}, "source": "test:S1"},  # invalid value
                ],
            },
            "add": {
                "nodes": [
                    {"id": "KZAAU", "name_en": "x", "name_ru": "x", "country": "KZ", "lat": 1, "lon": 1, "kind": "city"}
                ],  # duplicate id
                "services": [
                    {
                        "id": "ghost",
                        "name": "Ghost train",
                        "kind": "block_train",
                        "stops": ["CNAAA", "AZBAK"],
                        "units": ["TEU"],
                        "gauge_mm": 1520,
                        "departures": {"pattern": "headway", "headway_h": 24},
                        "speed_kmh": 40,
                        "toc": "rail_container_diesel",
                        "source": "test:S1",
                    }
                ],  # no link between its stops (found after applying)
            },
            "remove": {"links": ["nope"]},
            "close": {"countries": ["Russia"]},
        },
    )
    got = problems(cap_net, path)
    fields = {(r.split(" ")[0], f) for r, f, _ in got}
    assert ("modify.services[0]", "id") in fields
    assert ("modify.services[1]", "set.speed_kmh") in fields
    assert ("add.nodes[0]", "id") in fields
    assert ("add.services[0]", "stops") in fields
    assert ("remove.links[0]", "id") in fields
    assert ("close.countries[0]", "-") in fields
    unknown = next(v for r, f, v in got if r.startswith("modify.services[0]"))
    assert unknown == "kz-trian"


def test_structure_errors(tmp_path: Path, cap_net: Network) -> None:
    path = write(
        tmp_path,
        {
            "name": "broken",
            "colour": "red",  # unknown key
            "modify": {"links": [{"id": "r-gamma-aktau", "set": {"tracks": 2}}]},  # no provenance
            "scale": {"services": [{"id": "*", "field": "tariff", "factor": -1, "source": "x"}]},  # bad factor
            "demand": {"scale": "lots", "scale_od": [{"factor": 2, "source": "x"}]},  # bad scale, no match keys
        },
    )
    with pytest.raises(ValidationError) as info:
        load_scenario(path)
    got = {(p.record, p.field) for p in info.value.problems}
    assert {
        ("-", "colour"),
        ("modify.links[0]", "set.tracks"),
        ("scale.services[0]", "factor"),
        ("demand", "scale"),
        ("demand.scale_od[0]", "-"),
    } <= got


def test_bad_yaml_and_unknown_name(tmp_path: Path) -> None:
    p = tmp_path / "bad.yaml"
    p.write_text("name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_scenario(p)
    assert info.value.problems[0].file == "bad.yaml"
    with pytest.raises(InputError):
        load_scenario("no-such-scenario")


def test_demand_section(cap_net: Network) -> None:
    sc = parse_scenario(
        {
            "name": "more",
            "demand": {
                "scale": 2.0,
                "scale_od": [{"origin_country": "KZ", "destination_country": "AZ", "factor": 1.5, "estimate": "t"}],
                "add": [
                    {
                        "origin": "Alpha",
                        "destination": "Baku",
                        "unit": "TEU",
                        "volume": 10,
                        "volume_unit": "TEU",
                        "source": "x",
                    }
                ],
            },
        }
    )
    d = Demand((ODFlow("kz-border", "AZBAK", Unit.TEU, 10.0, 100.0, 0.0),))
    out = sc.apply_demand(d, cap_net)
    assert [f.volume_t for f in out] == [pytest.approx(300.0), pytest.approx(100.0)]


def test_shipped_scenarios_parse() -> None:
    for sc in list_scenarios():
        assert sc.name
        assert sc.title
        assert sc.year
