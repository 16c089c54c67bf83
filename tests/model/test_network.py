"""Place lookup by id, LOCODE, English or Russian name; suggestions for unknown places."""

from __future__ import annotations

import pytest

from karavan.errors import UnknownPlaceError
from karavan.model import Mode, Network
from karavan.model.network import normalise_name


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("KZAAU", "KZAAU"),
        ("kzaau", "KZAAU"),
        ("Aktau", "KZAAU"),
        ("AKTAU PORT", "KZAAU"),
        ("актау", "KZAAU"),
        ("АКТАУ", "KZAAU"),
        ("Гамма", "kz-border"),
        ("gamma", "kz-border"),
        ("Baku", "AZBAK"),
    ],
)
def test_resolve_both_languages(mini_net: Network, query: str, expected: str) -> None:
    assert mini_net.resolve(query).id == expected


def test_unknown_place_suggests_closest(mini_net: Network) -> None:
    with pytest.raises(UnknownPlaceError) as info:
        mini_net.resolve("Aktua")
    assert info.value.suggestions
    assert "KZAAU" in info.value.suggestions[0]
    assert "did you mean" in str(info.value)


def test_unknown_russian_place_suggests(mini_net: Network) -> None:
    with pytest.raises(UnknownPlaceError) as info:
        mini_net.resolve("Актаy")  # Latin y at the end
    assert any("KZAAU" in s for s in info.value.suggestions)


def test_normalise_name_ignores_punctuation_and_case() -> None:
    assert normalise_name("Xi'an") == normalise_name("XIAN") == normalise_name("xi an")
    assert normalise_name("Ёлка") == normalise_name("елка")


def test_link_lookup_respects_gauge(mini_net: Network) -> None:
    assert mini_net.link_for("cn-border", "kz-border", Mode.RAIL, 1520).id == "r-beta-gamma-1520"  # type: ignore[union-attr]
    assert mini_net.link_for("kz-border", "cn-border", Mode.RAIL, 1435).id == "r-beta-gamma"  # type: ignore[union-attr]
    assert mini_net.link_for("CNAAA", "KZAAU", Mode.RAIL) is None


def test_border_ops_directional(mini_net: Network) -> None:
    link = mini_net.links["r-beta-gamma"]
    assert [op.id for op in mini_net.border_ops(link, "cn-border")] == ["bx-cn-kz"]
    assert [op.id for op in mini_net.border_ops(link, "kz-border")] == ["bx-kz-cn"]


def test_search_prefix(mini_net: Network) -> None:
    assert mini_net.search("Ak")[0].id == "KZAAU"
    assert mini_net.search("Ба")[0].id == "AZBAK"


def test_border_ops_follow_the_train_class(mini_net: Network) -> None:
    """A border crossing restricted to a train class replaces the general one for that class only."""
    general = mini_net.hub_operations["bx-cn-kz"]
    express = general.model_copy(update={"id": "bx-cn-kz-express", "train_classes": ("express",)})
    net = Network(
        info=mini_net.info,
        sources=mini_net.sources,
        unit_types=mini_net.unit_types,
        nodes=mini_net.nodes,
        links=mini_net.links,
        services=mini_net.services,
        hub_operations={**mini_net.hub_operations, express.id: express},
    )
    link = net.links["r-beta-gamma"]
    assert [op.id for op in net.border_ops(link, "cn-border")] == ["bx-cn-kz"]
    assert [op.id for op in net.border_ops(link, "cn-border", "regular")] == ["bx-cn-kz"]
    assert [op.id for op in net.border_ops(link, "cn-border", "express")] == ["bx-cn-kz-express"]
