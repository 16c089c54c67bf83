"""The embedded ``caspian`` dataset loads, validates and covers every corridor of the brief."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from karavan import datasets
from karavan.accounting import check_categories, load_parameters
from karavan.io import load_network, validate_dataset
from karavan.model import Mode, Network


@pytest.fixture(scope="module")
def net() -> Network:
    return load_network()


def test_registry() -> None:
    assert "caspian" in datasets.available()
    assert (datasets.get_path("caspian") / "nodes.yaml").is_file()


def test_validates_without_problems(net: Network) -> None:
    assert validate_dataset("caspian") == []
    assert check_categories(net, load_parameters(net.path)) == []


def test_size(net: Network) -> None:
    assert len(net.nodes) > 60
    assert {"CN", "KZ", "UZ", "TM", "IR", "AZ", "GE", "TR", "RU", "BY", "PL", "DE", "RO", "NL", "GR"} <= set(
        net.countries()
    )


PLACES = [
    "Xi'an", "Urumqi", "Lianyungang", "Shanghai", "Alashankou", "Dostyk", "Khorgos", "Altynkol",
    "Almaty", "Aktogay", "Moyynty", "Zhezkazgan", "Beyneu", "Mangyshlak", "Aktau", "Kuryk", "Zhanaozen",
    "Bolashak", "Saryagash", "Tashkent", "Serhetyaka", "Bereket", "Etrek", "Turkmenbashi", "Ashgabat",
    "Farap", "Turkmenabat", "Akyayla", "Incheh Borun", "Gorgan", "Tehran", "Bandar Abbas", "Baku", "Alat",
    "Tbilisi", "Poti", "Batumi", "Akhalkalaki", "Kars", "Istanbul", "Constanta", "Brest", "Malaszewicze",
    "Duisburg", "Piraeus", "Rotterdam",
]  # fmt: skip


@pytest.mark.parametrize("place", PLACES)
def test_brief_places_resolve(net: Network, place: str) -> None:
    assert net.resolve(place).id


@pytest.mark.parametrize(("ru", "en"), [("Актау", "Aktau"), ("Сиань", "Xi'an"), ("Стамбул", "Istanbul")])
def test_russian_names(net: Network, ru: str, en: str) -> None:
    assert net.resolve(ru).id == net.resolve(en).id


def test_every_record_is_sourced_or_estimated(net: Network) -> None:
    for table in net.tables():
        for rec in table:
            assert rec.source or rec.estimate, rec


def test_gauges_meet_at_border_stations(net: Network) -> None:
    for place in ("Dostyk", "Altynkol"):
        node = net.resolve(place)
        gauges = {lk.gauge_mm for lk in net.links_at[node.id] if lk.mode is Mode.RAIL}
        assert {1435, 1520} <= gauges, place


def test_sail_when_full_ferries_exist(net: Network) -> None:
    kinds = {(s.kind.value, s.departures.pattern) for s in net.services.values()}
    assert ("rail_ferry", "when_full") in kinds


def _gc(net: Network, a: str, b: str) -> float:
    na, nb = net.nodes[a], net.nodes[b]
    p1, p2 = math.radians(na.lat), math.radians(nb.lat)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(nb.lon - na.lon) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_land_links_at_least_great_circle(data: st.DataObject) -> None:
    net = load_network()
    land = sorted(lk.id for lk in net.links.values() if lk.mode is not Mode.SEA)
    link = net.links[data.draw(st.sampled_from(land))]
    assert link.length_km >= _gc(net, link.from_id, link.to_id) * 0.995


def test_kuryk_is_nearer_alat_than_aktau(net: Network) -> None:
    """Kuryk lies 29 km nearer Alat and its published crossing is shorter (18 h vs 22 h)."""
    assert net.links["s-kuryk-alat"].length_km < net.links["s-aktau-alat"].length_km


def test_ankara_istanbul_reaches_halkali(net: Network) -> None:
    assert net.nodes["TRIST"].name_en.endswith("(Halkalı)")
    assert net.links["r-ankara-istanbul"].length_km > 576  # Haydarpaşa km-post of Ankara


def test_express_trains_have_their_own_china_kazakhstan_crossings(net: Network) -> None:
    express = [s for s in net.services.values() if s.train_class == "express"]
    assert express
    for link_id, frm in (("r-khorgos-altynkol-1435", "CNHRS"), ("r-alashankou-dostyk-1435", "cn-alashankou")):
        regular = net.border_ops(net.links[link_id], frm)
        fast = net.border_ops(net.links[link_id], frm, "express")
        assert regular
        assert fast
        assert {o.id for o in regular}.isdisjoint({o.id for o in fast})
        assert fast[0].dwell_h.mean() < regular[0].dwell_h.mean()


@pytest.mark.parametrize(
    ("place", "node"),
    [
        ("Samarkand", "UZSKD"),
        ("Самарканд", "UZSKD"),
        ("Bukhara", "UZBHK"),
        ("Kagan", "UZBHK"),
        ("Kungrad", "UZQUN"),
        ("Khodjadavlet", "uz-khodjadavlet"),
        ("Pitnak", "uz-pitnak"),
        ("Gazojak", "tm-gazojak"),
        ("Karakalpakiya", "UZKPA"),
        ("Oasis", "kz-oasis"),
        ("Alat", "AZALA"),
    ],
)
def test_uzbek_line_places_resolve(net: Network, place: str, node: str) -> None:
    assert net.resolve(place).id == node
