"""Plan routes: the public routing call, its query and results."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any

import numpy as np
from numpy.typing import NDArray

from karavan.accounting import Cargo, HubPlan, Itinerary, LegPlan, evaluate, load_parameters
from karavan.errors import InputError, NoRouteError
from karavan.model.enums import Mode, Unit
from karavan.model.network import Network
from karavan.model.timetable import to_hours
from karavan.routing.graph import RIDE, THRU, XFER, RoutingGraph, routing_graph
from karavan.routing.search import Label, pareto_search

LABELS = ("fastest", "cheapest", "lowest_co2e", "balanced")


@dataclass(frozen=True)
class RouteQuery:
    """What the shipper asked for (all places resolved to node ids)."""

    origin: str
    destination: str
    depart: datetime
    cargo: Cargo
    via: tuple[str, ...] = ()
    avoid_countries: tuple[str, ...] = ()
    avoid_nodes: tuple[str, ...] = ()
    modes: tuple[Mode, ...] = tuple(Mode)
    max_routes: int = 5
    slack: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON view."""
        return {
            "origin": self.origin,
            "destination": self.destination,
            "depart": self.depart.isoformat(),
            "cargo": {
                "unit": self.cargo.unit.value,
                "count": self.cargo.count,
                "gross_t_per_unit": self.cargo.gross_t_per_unit,
                "value_usd": self.cargo.value_usd,
            },
            "via": list(self.via),
            "avoid_countries": list(self.avoid_countries),
            "avoid_nodes": list(self.avoid_nodes),
            "modes": [m.value for m in self.modes],
            "max_routes": self.max_routes,
            "slack": self.slack,
        }


@dataclass(frozen=True)
class Route:
    """One Pareto-optimal itinerary with its labels (fastest, cheapest, ...)."""

    labels: tuple[str, ...]
    itinerary: Itinerary
    countries: tuple[str, ...]
    nodes: tuple[str, ...]

    @property
    def label(self) -> str:
        """Main label (``alternative`` if none applies)."""
        return self.labels[0] if self.labels else "alternative"

    @property
    def transit_time_h(self) -> float:
        """Door-to-door transit time."""
        return float(self.itinerary.transit_time_h)

    @property
    def cost_usd(self) -> float:
        """Total cost."""
        return float(self.itinerary.cost_usd)

    @property
    def co2e_kg(self) -> float:
        """Well-to-wheel CO2e."""
        return float(self.itinerary.co2e_kg)

    def to_dict(self, *, trail: bool = True) -> dict[str, Any]:
        """JSON view: label, totals, countries, legs, hubs and (unless ``trail=False``) the trail."""
        data = {"label": self.label, "labels": list(self.labels), "countries": list(self.countries)}
        data.update(self.itinerary.to_dict(trail=trail))
        data["nodes"] = list(self.nodes)
        return data


@dataclass(frozen=True)
class RoutePlan:
    """Answer to a :class:`RouteQuery`: labelled Pareto alternatives."""

    query: RouteQuery
    routes: tuple[Route, ...]
    stats: dict[str, float] = field(default_factory=dict)

    def to_dict(self, *, trail: bool = True) -> dict[str, Any]:
        """``{"query": ..., "routes": [...]}``; ``trail=False`` leaves the calculation trails out."""
        return {"query": self.query.to_dict(), "routes": [r.to_dict(trail=trail) for r in self.routes]}


def _default_depart() -> datetime:
    today = datetime.now(UTC).date()
    return datetime.combine(today, time(0, 0), tzinfo=UTC)


def _allowed_mask(
    g: RoutingGraph, avoid_countries: Iterable[str], avoid_nodes: Iterable[str], modes: Iterable[Mode]
) -> NDArray[np.bool_]:
    net = g.net
    bad_c = set(avoid_countries)
    bad_n = set(avoid_nodes)
    node_ok = np.array([net.nodes[nid].country not in bad_c and nid not in bad_n for nid in g.node_ids], dtype=np.bool_)
    mode_set = set(modes)
    run_ok = np.array([r.service.mode in mode_set for r in g.runs], dtype=np.bool_)
    if not g.runs:
        return np.zeros(g.n_vertices, dtype=np.bool_)
    return node_ok[g.v_node] & run_ok[g.v_run]


def label_to_plan(g: RoutingGraph, label: Label) -> tuple[list[LegPlan | HubPlan], list[str]]:
    """Turn a search label's path into the accounting plan and the nodes it passes.

    A leg whose run crosses a border is split at the border operation's node; the
    part after it continues on board (``stay_aboard``) without waiting for a departure.
    """
    plan: list[LegPlan | HubPlan] = []
    nodes: list[str] = []
    if label.start_terminal:
        plan.append(HubPlan(label.start_terminal))
    first_v = label.edges[0][1]
    run_idx = int(g.v_run[first_v])
    board_k = int(g.v_stop[first_v])
    cur_k = board_k
    aboard = False
    through: str | None = None

    def close(alight_k: int) -> None:
        nonlocal aboard
        run = g.runs[run_idx]
        if alight_k > board_k:
            stops = run.stops
            plan.append(LegPlan(run.service.id, run.reverse, stops[board_k], stops[alight_k], aboard, through))
            for nid in run.stops[board_k : alight_k + 1]:
                if not nodes or nodes[-1] != nid:
                    nodes.append(nid)
            aboard = True

    for _, idx in label.edges[1:]:
        k = int(g.kind[idx])
        head = int(g.head[idx])
        if k == RIDE:
            tail_v = g.vertex_of[(run_idx, cur_k, False)]
            border = g.ride_ops.get(tail_v)
            next_k = int(g.v_stop[head])
            if border:
                run = g.runs[run_idx]
                for op_id in border:
                    at = g.net.hub_operations[op_id].node
                    split_k = cur_k if at == run.stops[cur_k] else next_k
                    close(split_k)
                    board_k = split_k
                    plan.append(HubPlan(op_id))
            cur_k = next_k
        elif k in (XFER, THRU):
            close(cur_k)
            aboard = k == THRU  # a through train: the same consist goes on, no wait for a departure
            if k == THRU:
                chain = g.net.through_chain(g.runs[run_idx].service.id)
                through = chain[-1] if g.runs[run_idx].reverse else chain[0]
            else:
                through = None
            plan.append(HubPlan(g.op_ids[int(g.ref[idx])]))
            run_idx = int(g.board_run[idx])
            board_k = int(g.v_stop[head])
            cur_k = board_k
    close(cur_k)
    if label.end_terminal:
        plan.append(HubPlan(label.end_terminal))
    return plan, nodes


def _label_routes(routes: list[tuple[tuple[str, ...], Itinerary]]) -> list[tuple[str, ...]]:
    if not routes:
        return []
    crit = np.array([[it.transit_time_h, it.cost_usd, it.co2e_kg] for _, it in routes], dtype=np.float64)
    best = crit.min(axis=0)
    scale = np.where(best > 0, best, 1.0)
    balanced = (crit / scale).sum(axis=1)
    names: list[list[str]] = [[] for _ in routes]
    for col, name in enumerate(LABELS[:3]):
        names[int(np.lexsort((balanced, crit[:, col]))[0])].append(name)
    names[int(np.argmin(balanced))].append("balanced")
    return [tuple(n) for n in names]


def _slack_filter(
    items: list[tuple[tuple[str, ...], Itinerary]], slack: float
) -> list[tuple[tuple[str, ...], Itinerary]]:
    """Exact Pareto filter on the evaluated totals; with ``slack`` also drop near-duplicates."""
    items = sorted(items, key=lambda x: (x[1].transit_time_h, x[1].cost_usd, x[1].co2e_kg))
    kept: list[tuple[tuple[str, ...], Itinerary]] = []
    f = 1.0 + slack
    for lab, it in items:
        a = (it.transit_time_h, it.cost_usd, it.co2e_kg)
        if any(
            all(kb <= ab * f + 1e-9 for kb, ab in zip((k.transit_time_h, k.cost_usd, k.co2e_kg), a, strict=True))
            for _, k in kept
        ):
            continue
        kept.append((lab, it))
    return kept


def plan_routes(
    net: Network,
    origin: str,
    destination: str,
    *,
    depart: datetime | None = None,
    cargo: Cargo | None = None,
    via: Sequence[str] = (),
    avoid_countries: Sequence[str] = (),
    avoid_nodes: Sequence[str] = (),
    modes: Sequence[Mode | str] | None = None,
    max_routes: int = 5,
    slack: float = 0.0,
    inventory_rate: float | None = None,
) -> RoutePlan:
    """Door-to-door Pareto routes (transit time, cost, CO2e) between two places.

    Parameters
    ----------
    net
        The network (e.g. ``karavan.load_network()``).
    origin, destination
        Places: id, UN/LOCODE, English or Russian name.
    depart
        Earliest departure (UTC if naive); default today 00:00 UTC.
    cargo
        What moves; default one FEU at the network's default weight.
    via
        Places the route must pass, in order.
    avoid_countries
        ISO 3166 alpha-2 codes never to enter.
    avoid_nodes
        Places never to use.
    modes
        Allowed modes (default all of rail, road, sea).
    max_routes
        Most alternatives returned; labelled ones (fastest, cheapest, lowest CO2e,
        balanced) are kept first.
    slack
        Relative slack (e.g. 0.05): alternatives within 5 % of another in every
        criterion are dropped as near-duplicates.
    inventory_rate
        Annual carrying-cost rate applied to ``cargo.value_usd`` (default from the
        accounting parameters).

    Returns
    -------
    RoutePlan
        The query and its routes, best-labelled first.

    Raises
    ------
    karavan.errors.UnknownPlaceError
        If a place does not resolve.
    karavan.errors.InputError
        For invalid options (naming the option and value).
    karavan.errors.NoRouteError
        If no route satisfies the constraints; the message says which constraint cut the network.
    """
    cargo = cargo or Cargo(unit=Unit.FEU)
    if max_routes < 1:
        raise InputError("max_routes", max_routes, "an integer >= 1")
    if not 0 <= slack < 10:
        raise InputError("slack", slack, "a relative slack in [0, 10)")
    o = net.resolve(origin)
    d = net.resolve(destination)
    if o.id == d.id:
        raise InputError("destination", destination, f"a place other than the origin {o.id}")
    via_nodes = tuple(net.resolve(v).id for v in via)
    countries = set(net.countries())
    avoid_c: list[str] = []
    for c in avoid_countries:
        code = c.strip().upper()
        if len(code) != 2 or not code.isalpha():
            raise InputError("avoid_countries", c, "ISO 3166 alpha-2 country codes such as RU, IR")
        avoid_c.append(code)
    for node in (o, d, *(net.nodes[v] for v in via_nodes)):
        if node.country in avoid_c:
            raise NoRouteError(f"{node.name_en} ({node.id}) lies in {node.country}, which the query avoids")
    unknown = sorted(set(avoid_c) - countries)
    del unknown  # avoiding a country the network does not contain is harmless
    avoid_n = tuple(net.resolve(p).id for p in avoid_nodes)
    for nid in (o.id, d.id, *via_nodes):
        if nid in avoid_n:
            raise InputError("avoid_nodes", nid, "places other than the origin, destination and via places")
    mode_list = tuple(Mode.parse(m, field="modes") if isinstance(m, str) else m for m in (modes or tuple(Mode)))
    if depart is None:
        depart = _default_depart()
    elif depart.tzinfo is None:
        depart = depart.replace(tzinfo=UTC)
    query = RouteQuery(
        origin=o.id,
        destination=d.id,
        depart=depart,
        cargo=cargo,
        via=via_nodes,
        avoid_countries=tuple(avoid_c),
        avoid_nodes=avoid_n,
        modes=mode_list,
        max_routes=max_routes,
        slack=slack,
    )
    params = load_parameters(net.path)
    g = routing_graph(net, cargo, params)
    node_idx = {nid: i for i, nid in enumerate(g.node_ids)}
    t0 = to_hours(depart)

    def search(ac: Sequence[str], an: Sequence[str], ms: Sequence[Mode], vi: Sequence[str]) -> list[Label]:
        mask = _allowed_mask(g, ac, an, ms)
        return pareto_search(
            g, node_idx[o.id], node_idx[d.id], t0, via=tuple(node_idx[v] for v in vi), allowed=mask, slack=slack
        )

    labels = search(avoid_c, avoid_n, mode_list, via_nodes)
    if not labels:
        raise NoRouteError(_explain_no_route(net, g, query, search))
    evaluated = []
    for lab in labels:
        steps, nodes = label_to_plan(g, lab)
        it = evaluate(net, steps, cargo, depart=depart, params=params, inventory_rate=inventory_rate)
        evaluated.append((tuple(nodes), it))  # nodes kept as a tuple
    kept = _slack_filter(evaluated, slack)
    names = _label_routes(kept)
    order = sorted(range(len(kept)), key=lambda i: (len(names[i]) == 0, kept[i][1].transit_time_h))
    routes: list[Route] = []
    for i in order[:max_routes]:
        route_nodes, it = kept[i]
        routes.append(Route(names[i], it, _countries(net, route_nodes), route_nodes))
    return RoutePlan(query, tuple(routes), {"labels_found": float(len(labels))})


def _countries(net: Network, nodes: Sequence[str]) -> tuple[str, ...]:
    out: list[str] = []
    for nid in nodes:
        c = net.nodes[nid].country
        if not out or out[-1] != c:
            out.append(c)
    return tuple(out)


_Constraints = tuple[tuple[str, ...], tuple[str, ...], tuple[Mode, ...], tuple[str, ...]]


def _explain_no_route(net: Network, g: RoutingGraph, q: RouteQuery, search: Any) -> str:
    o, d = net.nodes[q.origin], net.nodes[q.destination]
    head = f"no route from {o.name_en} ({o.id}) to {d.name_en} ({d.id}) for {q.cargo.unit.value}"
    all_modes = tuple(Mode)
    relaxations: list[tuple[str, _Constraints]] = []
    if q.avoid_countries:
        relaxations.append((f"--avoid-country {','.join(q.avoid_countries)}", ((), q.avoid_nodes, q.modes, q.via)))
    if q.avoid_nodes:
        relaxations.append((f"--avoid-node {' '.join(q.avoid_nodes)}", (q.avoid_countries, (), q.modes, q.via)))
    if set(q.modes) != set(all_modes):
        relaxations.append(
            (f"--modes {','.join(m.value for m in q.modes)}", (q.avoid_countries, q.avoid_nodes, all_modes, q.via))
        )
    if q.via:
        relaxations.append((f"--via {' '.join(q.via)}", (q.avoid_countries, q.avoid_nodes, q.modes, ())))
    culprits = [name for name, args in relaxations if search(*args)]
    if culprits:
        return f"{head}: the constraint {' / '.join(culprits)} cuts the network (without it a route exists)"
    if relaxations and search((), (), all_modes, ()):
        return f"{head}: the constraints together cut the network (each alone leaves a route)"
    if not g.dep_at.get(g.node_ids.index(o.id)):
        return f"{head}: no service carrying {q.cargo.unit.value} departs from {o.name_en}"
    if not g.arr_at.get(g.node_ids.index(d.id)):
        return f"{head}: no service carrying {q.cargo.unit.value} calls at {d.name_en}"
    return f"{head}: the network does not connect them for this unit type"


__all__ = ["Route", "RoutePlan", "RouteQuery", "label_to_plan", "plan_routes"]
