"""Plan routes: :func:`plan_routes` turns one :class:`RouteQuery` into a :class:`RoutePlan`.

The plan keeps the (resolved) query and every route keeps its accounting itinerary and, when
simulated, its Monte Carlo result, so ``simulate``, ``report`` and ``scenario diff`` reuse the
routes found here instead of searching again.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from karavan._frozen import made
from karavan.accounting import HubPlan, Itinerary, LegPlan, Parameters, evaluate, load_parameters
from karavan.errors import InputError, NoRouteError
from karavan.model.entities import Node
from karavan.model.enums import Mode
from karavan.model.network import Network
from karavan.model.timetable import to_hours
from karavan.routing.graph import RIDE, THRU, XFER, RoutingGraph, routing_graph
from karavan.routing.query import ALL_CRITERIA, FastestBy, RouteQuery
from karavan.routing.search import Label, SearchResult, p90_estimate, pareto_search

if TYPE_CHECKING:
    from karavan.reliability import SimulationResult

LABELS = ("fastest", "cheapest", "lowest_co2e", "most_reliable", "balanced")
"""Labels a route can carry; ``on_time`` is added when the query has a target."""
Z90 = 1.2815515655446004
"""Standard normal 90 % quantile (analytic P90 = mean + z·σ)."""


@dataclass(frozen=True)
class Route:
    """One Pareto-optimal itinerary with its labels and its time distribution.

    Attributes
    ----------
    labels : tuple of str
        ``fastest``, ``cheapest``, ``lowest_co2e``, ``most_reliable``, ``balanced``, ``on_time``.
    itinerary : Itinerary
        The accounting of the route (legs, hubs, totals, trail).
    countries, nodes : tuple of str
        Countries the cargo enters (a ship's transit calls are not entered) and nodes
        passed, in order.
    p50_h, p90_h : float
        Median and 90th percentile of the door-to-door transit time.
    on_time_probability : float or None
        ``P(arrival <= target)`` when the query has a target.
    reliability_method : str
        ``monte_carlo`` (seeded runs of :mod:`karavan.reliability`) or ``analytic``
        (mean + z·σ of the search's reliability criterion).
    simulation : SimulationResult or None
        The Monte Carlo result the percentiles come from (reused by ``simulate`` and reports).
    steps : tuple of LegPlan and HubPlan
        The plan the itinerary was evaluated from.
    delay_h, std_h : float
        The search's reliability criterion: mean delay beyond plan and standard deviation.
    """

    labels: tuple[str, ...]
    itinerary: Itinerary
    countries: tuple[str, ...]
    nodes: tuple[str, ...]
    p50_h: float
    p90_h: float
    on_time_probability: float | None = None
    reliability_method: str = "monte_carlo"
    simulation: SimulationResult | None = field(default=None, repr=False, compare=False)
    steps: tuple[LegPlan | HubPlan, ...] = field(default=(), repr=False)
    delay_h: float = 0.0
    std_h: float = 0.0
    net: Network | None = field(default=None, repr=False, compare=False)
    """The network the route was planned on (for geometry)."""

    @property
    def __geo_interface__(self) -> dict[str, Any]:
        """The route's legs (LineStrings along the links, with mode and figures) and stops as GeoJSON."""
        from karavan.routing.geojson import route_legs, route_stops

        if self.net is None:
            raise InputError("net", None, "the network the route was planned on")
        features = route_legs(self.net, self, 0) + route_stops(self.net, self, 0)
        return {"type": "FeatureCollection", "features": features}

    @property
    def label(self) -> str:
        """Main label (``alternative`` if none applies)."""
        return self.labels[0] if self.labels else "alternative"

    @property
    def transit_time_h(self) -> float:
        """Planned door-to-door transit time."""
        return float(self.itinerary.transit_time_h)

    @property
    def planned_h(self) -> float:
        """Planned door-to-door transit time (same as :attr:`transit_time_h`)."""
        return self.transit_time_h

    @property
    def cost_usd(self) -> float:
        """Total cost."""
        return float(self.itinerary.cost_usd)

    @property
    def co2e_kg(self) -> float:
        """Well-to-wheel CO2e."""
        return float(self.itinerary.co2e_kg)

    def to_dict(self, *, trail: bool = True) -> dict[str, Any]:
        """JSON view: labels, planned time, P50, P90, totals, countries, legs, hubs and the trail."""
        data: dict[str, Any] = {"label": self.label, "labels": list(self.labels), "countries": list(self.countries)}
        data.update(self.itinerary.to_dict(trail=trail))
        data["planned_h"] = self.transit_time_h
        data["p50_h"] = self.p50_h
        data["p90_h"] = self.p90_h
        data["on_time_probability"] = self.on_time_probability
        data["reliability_method"] = self.reliability_method
        data["mean_delay_h"] = self.delay_h
        data["std_h"] = self.std_h
        data["nodes"] = list(self.nodes)
        return data


@dataclass(frozen=True)
class DepartureFigures:
    """The best route found for one departure of the window."""

    depart: datetime
    planned_h: float
    p50_h: float
    p90_h: float
    cost_usd: float
    co2e_kg: float
    routes: int

    def to_dict(self) -> dict[str, Any]:
        """JSON view."""
        return {
            "depart": self.depart.isoformat(),
            "planned_h": self.planned_h,
            "p50_h": self.p50_h,
            "p90_h": self.p90_h,
            "cost_usd": self.cost_usd,
            "co2e_kg": self.co2e_kg,
            "routes": self.routes,
        }


@dataclass(frozen=True)
class RoutePlan:
    """Answer to a :class:`RouteQuery`: labelled Pareto alternatives.

    Attributes
    ----------
    query : RouteQuery
        The query with places resolved to node ids.
    routes : tuple of Route
        Best-labelled first (ranked by on-time probability when the query has a target).
    depart : datetime
        The departure the routes leave at: ``query.depart``, or the best one of the window.
    truncated : bool
        Whether the label cap (``query.max_labels``) cut the search, so the Pareto set may
        be incomplete.
    window : tuple of DepartureFigures
        One row per departure tried (only the requested one without a window).
    stats : dict
        Search figures (labels found, departures tried, ...).
    """

    query: RouteQuery
    routes: tuple[Route, ...]
    depart: datetime
    truncated: bool = False
    window: tuple[DepartureFigures, ...] = ()
    stats: dict[str, float] = field(default_factory=dict)
    net: Network | None = field(default=None, repr=False, compare=False)
    """The network the plan was made on (for geometry)."""

    def window_summary(self) -> dict[str, Any] | None:
        """``{"best", "typical", "worst"}`` departures by P50 of their fastest route, or None."""
        if len(self.window) < 2:
            return None
        import statistics  # here: a plan without a window does not pay for importing it

        ranked = sorted(self.window, key=lambda w: (w.p50_h, w.depart))
        return {
            "best": ranked[0].to_dict(),
            "typical": ranked[(len(ranked) - 1) // 2].to_dict(),
            "worst": ranked[-1].to_dict(),
            "median_p50_h": statistics.median(w.p50_h for w in ranked),
        }

    def to_frame(self, *, legs: bool = False) -> Any:
        """The plan as a ``pandas.DataFrame``: one row per route, or per leg (needs ``karavan[geo]``)."""
        from karavan.routing.frames import plan_frame

        return plan_frame(self, legs=legs)

    def to_geodataframe(self, net: Network | None = None, *, legs: bool = False) -> Any:
        """Routes (or legs) as a ``geopandas.GeoDataFrame`` in WGS84 (needs ``karavan[geo]``).

        ``net`` defaults to the network the plan was made on.
        """
        from karavan.routing.frames import plan_geodataframe

        return plan_geodataframe(self, self._network(net), legs=legs)

    @property
    def __geo_interface__(self) -> dict[str, Any]:
        """Every leg (LineString, with mode and figures) and stop (Point) as a GeoJSON FeatureCollection."""
        from karavan.routing.geojson import plan_geojson

        return plan_geojson(self._network(None), self)

    def _network(self, net: Network | None) -> Network:
        found = net if net is not None else self.net
        if found is None:
            raise InputError("net", None, "the network the plan was made on")
        return found

    def to_dict(self, *, trail: bool = True) -> dict[str, Any]:
        """``{"query", "routes", "truncated", "window"}``; ``trail=False`` leaves the trails out."""
        data: dict[str, Any] = {
            "query": self.query.to_dict(),
            "depart": self.depart.isoformat(),
            "routes": [r.to_dict(trail=trail) for r in self.routes],
            "truncated": self.truncated,
        }
        if len(self.window) > 1:
            data["window"] = {
                "departures": [w.to_dict() for w in self.window],
                **(self.window_summary() or {}),
            }
        return data


# ---------------------------------------------------------------------- query resolution


def resolve_query(net: Network, query: RouteQuery) -> RouteQuery:
    """The query with places resolved to node ids, checked against the network.

    Raises
    ------
    karavan.errors.UnknownPlaceError
        If a place does not resolve.
    karavan.errors.InputError
        If the destination is the origin, or an avoided place is the origin, destination or a via.
    karavan.errors.NoRouteError
        If the origin, destination or a via place lies in an avoided country.
    """
    o = _resolve(net, query.origin)
    d = _resolve(net, query.destination)
    if o.id == d.id:
        raise InputError("destination", query.destination, f"a place other than the origin {o.id}")
    via = tuple(_resolve(net, v).id for v in query.via)
    if o.id in via or d.id in via:
        raise InputError("via", list(query.via), "places other than the origin and the destination")
    if len(set(via)) != len(via):
        raise InputError("via", list(query.via), "each place once (a route visits no place twice)")
    avoid_n = tuple(_resolve(net, p).id for p in query.avoid_nodes)
    for nid in (o.id, d.id, *via):
        if nid in avoid_n:
            raise InputError("avoid_nodes", nid, "places other than the origin, destination and via places")
    for nid, fld in ((o.id, "origin"), (d.id, "destination"), *((v, "via") for v in via)):
        node = net.nodes[nid]
        if node.country in query.avoid_countries:
            raise NoRouteError(
                f"{fld} {node.name_en} ({node.id}) lies in {node.country}, which avoid_countries excludes"
            )
    if (o.id, d.id, via, avoid_n) == (query.origin, query.destination, query.via, query.avoid_nodes):
        return query
    return query.with_node_ids(o.id, d.id, via, avoid_n)


_PLACES_KEPT = 4096
"""Place names resolved per network before the memo starts afresh."""


def _resolve(net: Network, place: str) -> Node:
    """``net.resolve(place)``, memoised per network by the place as written (a name that does not resolve raises
    every time)."""
    memo: dict[str, Node] = net.__dict__.setdefault("_resolved_places", {})
    node = memo.get(place)
    if node is None:
        node = net.resolve(place)
        if len(memo) >= _PLACES_KEPT:
            memo.clear()
        memo[place] = node
    return node


_MASKS_KEPT = 64
"""Vertex masks kept per graph (one per distinct set of avoided countries, places and modes)."""


def _allowed_mask(g: RoutingGraph, q: RouteQuery) -> NDArray[np.bool_]:
    """Vertices the query may use (not in an avoided country or place, on an allowed mode); memoised per graph."""
    key = (frozenset(q.avoid_countries), frozenset(q.avoid_nodes), frozenset(q.modes))
    masks: dict[tuple[frozenset[str], ...], NDArray[np.bool_]] = g.__dict__.setdefault("_mask_cache", {})
    mask = masks.get(key)
    if mask is None:
        mask = _build_mask(g, *key)
        if len(masks) >= _MASKS_KEPT:
            masks.clear()
        masks[key] = mask
    return mask


def _build_mask(
    g: RoutingGraph, bad_c: frozenset[str], bad_n: frozenset[str], modes: frozenset[str]
) -> NDArray[np.bool_]:
    net = g.net
    if not g.runs:
        return np.zeros(g.n_vertices, dtype=np.bool_)
    node_ok = np.array([net.nodes[nid].country not in bad_c and nid not in bad_n for nid in g.node_ids], dtype=np.bool_)
    run_ok = np.array([r.service.mode in modes for r in g.runs], dtype=np.bool_)
    return node_ok[g.v_node] & run_ok[g.v_run]


@dataclass(frozen=True, slots=True)
class _PathColumns:
    """The graph columns a path is read from, as Python lists (indexing a list beats a numpy scalar),
    and the plan elements made from them so far (immutable, so routes share them)."""

    v_run: list[int]
    v_stop: list[int]
    head: list[int]
    tail: list[int]
    ref: list[int]
    board_run: list[int]
    turns: dict[int, int]
    """The edges where a plan changes (transfers, through trains, rides with border operations), by kind."""
    legs: dict[tuple[int, int, int, bool, str | None], tuple[LegPlan, tuple[str, ...]]] = field(default_factory=dict)
    """By run, boarding and alighting stop index, ``stay_aboard`` and through train: the leg and the
    nodes it passes (its stops, a stop listed twice in a row once)."""
    hubs: dict[str, HubPlan] = field(default_factory=dict)
    through: dict[int, str] = field(default_factory=dict)
    """The through train a run's consist belongs to, by run (for THRU edges)."""


def _path_columns(g: RoutingGraph) -> _PathColumns:
    cols: _PathColumns | None = g.__dict__.get("_path_columns")
    if cols is None:
        turns = {e: k for e, k in enumerate(g.kind.tolist()) if k in (XFER, THRU) or (k == RIDE and g.ride_ops.get(e))}
        tail = np.repeat(np.arange(g.n_vertices), np.diff(g.indptr)).tolist()
        cols = _PathColumns(
            g.v_run.tolist(), g.v_stop.tolist(), g.head.tolist(), tail, g.ref.tolist(), g.board_run.tolist(), turns
        )
        g.__dict__["_path_columns"] = cols
    return cols


def _hub_plan(cols: _PathColumns, op_id: str) -> HubPlan:
    hub = cols.hubs.get(op_id)
    if hub is None:
        hub = cols.hubs.setdefault(op_id, HubPlan(op_id))
    return hub


def _leg_plan(
    g: RoutingGraph, cols: _PathColumns, key: tuple[int, int, int, bool, str | None]
) -> tuple[LegPlan, tuple[str, ...]]:
    """The leg riding run ``key[0]`` from stop ``key[1]`` to stop ``key[2]`` (aboard, through train),
    and the nodes it passes."""
    leg = cols.legs.get(key)
    if leg is None:
        run_idx, board_k, alight_k, aboard, through = key
        run = g.runs[run_idx]
        stops = run.stops
        plan = LegPlan(run.service.id, run.reverse, stops[board_k], stops[alight_k], aboard, through, run.carrier)
        passed: list[str] = []
        for nid in stops[board_k : alight_k + 1]:
            if not passed or passed[-1] != nid:
                passed.append(nid)
        leg = cols.legs.setdefault(key, (plan, tuple(passed)))
    return leg


def _through_train(g: RoutingGraph, cols: _PathColumns, run_idx: int) -> str:
    """The through train whose consist run ``run_idx`` carries on (its first or last section's service)."""
    name = cols.through.get(run_idx)
    if name is None:
        run = g.runs[run_idx]
        chain = g.net.through_chain(run.service.id)
        name = cols.through.setdefault(run_idx, chain[-1] if run.reverse else chain[0])
    return name


def label_to_plan(g: RoutingGraph, label: Label) -> tuple[list[LegPlan | HubPlan], list[str]]:
    """Turn a search label's path into the accounting plan and the nodes it passes.

    A leg whose run crosses a border is split at the border operation's node; the
    part after it continues on board (``stay_aboard``) without waiting for a departure.
    """
    cols = _path_columns(g)
    v_stop, heads, tails, turns, ride_ops = cols.v_stop, cols.head, cols.tail, cols.turns, g.ride_ops
    plan: list[LegPlan | HubPlan] = []
    nodes: list[str] = []
    if label.start_terminal:
        plan.append(_hub_plan(cols, label.start_terminal))
    first_v = label.edges[0][1]
    run_idx = cols.v_run[first_v]
    board_k = v_stop[first_v]
    aboard = False
    through: str | None = None

    def close(alight_k: int) -> None:
        nonlocal aboard
        if alight_k > board_k:
            leg, passed = _leg_plan(g, cols, (run_idx, board_k, alight_k, aboard, through))
            plan.append(leg)
            nodes.extend(passed[1:] if nodes and nodes[-1] == passed[0] else passed)
            aboard = True

    # the path is contiguous and only the turns change the plan: before edge idx the box is at the
    # stop of the edge's tail vertex (rides move along the run, stays keep the stop)
    for _, idx in label.edges[1:]:
        k = turns.get(idx)
        if k is None:
            continue
        cur_k = v_stop[tails[idx]]
        if k == RIDE:
            next_k = v_stop[heads[idx]]
            stops = g.runs[run_idx].stops
            for op_id in ride_ops[idx]:
                at = g.net.hub_operations[op_id].node
                split_k = cur_k if at == stops[cur_k] else next_k
                close(split_k)
                board_k = split_k
                plan.append(_hub_plan(cols, op_id))
        else:
            close(cur_k)
            aboard = k == THRU  # a through train: the same consist goes on, no wait for a departure
            through = _through_train(g, cols, run_idx) if k == THRU else None
            plan.append(_hub_plan(cols, g.op_ids[cols.ref[idx]]))
            run_idx = cols.board_run[idx]
            board_k = v_stop[heads[idx]]
    close(v_stop[heads[label.edges[-1][1]]] if len(label.edges) > 1 else board_k)
    if label.end_terminal:
        plan.append(_hub_plan(cols, label.end_terminal))
    return plan, nodes


# ---------------------------------------------------------------------- planning


@dataclass(frozen=True)
class _Context:
    """What every departure of one query shares: the network, graph, parameters and mask."""

    net: Network
    graph: RoutingGraph
    params: Parameters
    query: RouteQuery
    allowed: NDArray[np.bool_]
    node_idx: dict[str, int]


def _node_index(g: RoutingGraph) -> dict[str, int]:
    """Node id to node index of the graph (built once per graph; read only)."""
    index: dict[str, int] | None = g.__dict__.get("_node_index")
    if index is None:
        index = {nid: i for i, nid in enumerate(g.node_ids)}
        g.__dict__["_node_index"] = index
    return index


def _search(ctx: _Context, depart: datetime, q: RouteQuery | None = None) -> SearchResult:
    q = q or ctx.query
    mask = ctx.allowed if q is ctx.query else _allowed_mask(ctx.graph, q)
    return pareto_search(
        ctx.graph,
        ctx.node_idx[q.origin],
        ctx.node_idx[q.destination],
        to_hours(depart),
        via=tuple(ctx.node_idx[v] for v in q.via),
        allowed=mask,
        slack=q.slack,
        max_labels_per_state=q.max_labels,
        criteria=tuple(c.value for c in q.criteria if c.value != "time"),
        reliability_eps=q.reliability_slack,
    )


def preselect(found: SearchResult, max_routes: int) -> list[Label]:
    """The labels worth accounting and simulating: the best of each figure, then the most balanced.

    Search figures equal the accounting totals, and P50/P90 are estimated from the reliability
    criterion, so at most ``max_routes + 1`` routes are evaluated however large the Pareto set
    (only their paths are read from the search's label tree).
    """
    labels = found.rows
    if len(labels) <= max_routes + 1:
        return [found.label(i) for i in range(len(labels))]
    rows = [(t, t + delay, p90_estimate(t, delay, var), cost, co2e) for t, cost, co2e, delay, var in labels]
    balanced = _balance(rows, relative_to_min=True)
    picked: list[int] = []
    for col in range(len(rows[0])):
        i = _best(rows, balanced, col)
        if i not in picked:
            picked.append(i)
    for i in sorted(range(len(rows)), key=balanced.__getitem__):
        if len(picked) >= max_routes + 1:
            break
        if i not in picked:
            picked.append(i)
    return [found.label(i) for i in sorted(picked)]


def _balance(
    rows: Sequence[Sequence[float]], *, relative_to_min: bool, cols: Sequence[int] | None = None
) -> list[float]:
    """Per row, the sum over ``cols`` of the figures scaled column by column.

    ``relative_to_min``: ``(x - min) / (max - min)`` (1 where the column is constant); otherwise
    ``x / min`` (``x`` where the minimum is not positive). A handful of rows: plain Python.
    """
    cols = range(len(rows[0])) if cols is None else cols
    terms: list[list[float]] = []
    for c in cols:
        column = [r[c] for r in rows]
        lo = min(column)
        if relative_to_min:
            spread = max(column) - lo
            sc = spread if spread > 0 else 1.0
            terms.append([(x - lo) / sc for x in column])
        else:
            sc = lo if lo > 0 else 1.0
            terms.append([x / sc for x in column])
    return [sum(row) for row in zip(*terms, strict=True)]


def _best(rows: Sequence[Sequence[float]], balanced: Sequence[float], col: int) -> int:
    """The first row with the lowest figure ``col``, ties broken by the lowest ``balanced``."""
    return min(zip([r[col] for r in rows], balanced, range(len(rows)), strict=True))[2]


def _simulate(ctx: _Context, evaluated: Sequence[tuple[Sequence[LegPlan | HubPlan], Itinerary]]) -> list[Any]:
    """Monte Carlo of every evaluated route of one departure, in one compiled call."""
    from karavan.reliability.montecarlo import simulate_plans

    q = ctx.query
    return simulate_plans(ctx.net, evaluated, q.cargo, runs=q.runs, seed=q.seed, target=q.target_at)


def _routes_for(ctx: _Context, labels: Sequence[Label], depart: datetime) -> list[Route]:
    """Evaluate and simulate every label found for one departure (unlabelled, unfiltered)."""
    q, net = ctx.query, ctx.net
    evaluated = []
    for lab in labels:
        steps, nodes = label_to_plan(ctx.graph, lab)
        it = evaluate(net, steps, q.cargo, depart=depart, params=ctx.params, inventory_rate=q.inventory_rate)
        evaluated.append((steps, it, tuple(nodes), lab))
    sims = _simulate(ctx, [(steps, it) for steps, it, _, _ in evaluated]) if q.runs else [None] * len(evaluated)
    out: list[Route] = []
    for (steps, it, route_nodes, lab), sim in zip(evaluated, sims, strict=True):
        std = math.sqrt(max(lab.var_h2, 0.0))
        if sim is not None:
            p50, p90, on_time, method = sim.p50_h, sim.p90_h, sim.on_time_probability, "monte_carlo"
        else:
            p50, p90, on_time, method = _analytic(it.transit_time_h, lab, q, depart)
        fields = {
            "labels": (),
            "itinerary": it,
            "countries": _countries(it),
            "nodes": route_nodes,
            "p50_h": p50,
            "p90_h": p90,
            "on_time_probability": on_time,
            "reliability_method": method,
            "simulation": sim,
            "steps": tuple(steps),
            "delay_h": lab.delay_h,
            "std_h": std,
            "net": net,
        }
        out.append(made(Route, fields))
    return out


def _analytic(planned_h: float, lab: Label, q: RouteQuery, depart: datetime) -> tuple[float, float, float | None, str]:
    """P50 ≈ planned + mean delay, P90 ≈ that + z·σ; on-time from the normal approximation.

    Returns ``(p50_h, p90_h, on_time_probability, reliability_method)``.
    """
    std = math.sqrt(max(lab.var_h2, 0.0))
    mean = planned_h + lab.delay_h
    on_time = None
    if q.target_at is not None:
        limit = (q.target_at - depart).total_seconds() / 3600.0
        on_time = 0.5 * math.erfc((mean - limit) / (std * math.sqrt(2))) if std > 0 else float(mean <= limit)
    return mean, mean + Z90 * std, on_time, "analytic"


def _shown(r: Route) -> tuple[float, float, float, float, float]:
    return (r.transit_time_h, r.p50_h, r.p90_h, r.cost_usd, r.co2e_kg)


def _searched(r: Route) -> tuple[float, ...]:
    return (r.transit_time_h, r.cost_usd, r.co2e_kg, r.delay_h, r.std_h)


def _non_dominated(routes: list[Route], slack: float, key: Callable[[Route], tuple[float, ...]]) -> list[Route]:
    """Routes no other route beats (within ``slack``) on every figure of ``key``."""
    ranked = sorted(((key(r), r) for r in routes), key=lambda kr: kr[0])
    kept: list[tuple[tuple[float, ...], Route]] = []
    f = 1.0 + slack
    for a, r in ranked:
        limit = [ab * f + 1e-9 for ab in a]
        if any(all(map(operator.le, kk, limit)) for kk, _ in kept):
            continue
        kept.append((a, r))
    return [r for _, r in kept]


def _filter(routes: list[Route], slack: float) -> list[Route]:
    """Exact Pareto filter on the searched criteria, then drop routes beaten on every figure shown."""
    return _non_dominated(_non_dominated(routes, slack, _searched), 0.0, _shown)


def _label(routes: list[Route], q: RouteQuery) -> list[Route]:
    """Give labels on the figures shown; order labelled routes first."""
    if not routes:
        return []
    time_col = 0 if q.fastest_by is FastestBy.PLANNED else 1
    crit = [_shown(r) for r in routes]
    balanced = _balance(crit, relative_to_min=False, cols=(time_col, 2, 3, 4))
    names: list[list[str]] = [[] for _ in routes]
    for name, col in (("fastest", time_col), ("cheapest", 3), ("lowest_co2e", 4), ("most_reliable", 2)):
        names[_best(crit, balanced, col)].append(name)
    names[min(range(len(routes)), key=balanced.__getitem__)].append("balanced")
    if q.target_at is not None:
        on_time = [r.on_time_probability or 0.0 for r in routes]
        names[min(range(len(routes)), key=lambda i: (-on_time[i], crit[i][1]))].append("on_time")
    labelled = [made(Route, {**r.__dict__, "labels": tuple(n)}) for r, n in zip(routes, names, strict=True)]

    def rank(i: int) -> tuple[float, ...]:
        r = labelled[i]
        if q.target_at is not None:
            return (-(r.on_time_probability or 0.0), r.p50_h, r.cost_usd)
        return (float(len(r.labels) == 0), r.p50_h if time_col else r.transit_time_h, r.cost_usd)

    return [labelled[i] for i in sorted(range(len(labelled)), key=rank)]


def plan_routes(net: Network, query: RouteQuery) -> RoutePlan:
    """Door-to-door Pareto routes for ``query``: planned time, P50, P90, cost and CO2e per route.

    The search compares the query's criteria (time, cost, CO2e and reliability by default);
    every route found is accounted (:func:`karavan.accounting.evaluate`) and simulated
    (seeded Monte Carlo of :mod:`karavan.reliability`), routes beaten on every figure shown
    are dropped, and labels are given on the figures shown: ``fastest`` is the lowest P50
    (planned time with ``fastest_by="planned"``), ``most_reliable`` the lowest P90, ``on_time``
    the highest probability of arriving by ``query.target``. With a departure window, every
    departure in it is planned; the routes shown are those of the best departure (lowest P50)
    and :attr:`RoutePlan.window` lists them all.

    Parameters
    ----------
    net
        The network (e.g. ``karavan.load_network()``).
    query
        The validated request.

    Returns
    -------
    RoutePlan
        The resolved query, its routes, the departure chosen, the truncation flag and the
        window rows.

    Raises
    ------
    karavan.errors.UnknownPlaceError
        If a place does not resolve.
    karavan.errors.InputError
        For options that contradict the network (naming the query field and value).
    karavan.errors.NoRouteError
        If no route satisfies the query; the message names the query field that cut the network.
    """
    q = resolve_query(net, query)
    params = load_parameters(net.path)
    g = routing_graph(net, q.cargo, params)
    ctx = _Context(net, g, params, q, _allowed_mask(g, q), _node_index(g))
    per_departure: list[tuple[datetime, list[Route]]] = []
    truncated = False
    n_labels = 0
    departures = q.departures()
    for depart in departures:
        found = _search(ctx, depart)
        truncated |= found.truncated
        n_labels += len(found.rows)
        if found.rows:
            per_departure.append(
                (depart, _label(_filter(_routes_for(ctx, preselect(found, q.max_routes), depart), q.slack), q))
            )
    if not per_departure:
        raise NoRouteError(_explain_no_route(ctx))
    window = tuple(_departure_figures(d, rs) for d, rs in per_departure)
    best_depart, routes = min(per_departure, key=lambda dr: (min(r.p50_h for r in dr[1]), dr[0]))
    stats = {"labels_found": float(n_labels), "departures": float(len(departures))}
    return RoutePlan(q, tuple(routes[: q.max_routes]), best_depart, truncated, window, stats, net)


def _departure_figures(depart: datetime, routes: list[Route]) -> DepartureFigures:
    best = min(routes, key=lambda r: (r.p50_h, r.cost_usd))
    return DepartureFigures(
        depart, best.transit_time_h, best.p50_h, best.p90_h, best.cost_usd, best.co2e_kg, len(routes)
    )


def _countries(it: Itinerary) -> tuple[str, ...]:
    """Countries the cargo enters, in order (a ship's transit calls are not entered)."""
    out: list[str] = []
    for leg in it.legs:
        for c in leg.figures.countries:
            if not out or out[-1] != c:
                out.append(c)
    return tuple(out)


def _explain_no_route(ctx: _Context) -> str:
    """Why nothing was found, in query fields: which constraint, relaxed alone, lets a route through."""
    q, net, g = ctx.query, ctx.net, ctx.graph
    o, d = net.nodes[q.origin], net.nodes[q.destination]
    head = f"no route from {o.name_en} ({o.id}) to {d.name_en} ({d.id}) for {q.cargo.unit.value}"
    relaxations: list[tuple[str, RouteQuery]] = []
    if q.avoid_countries:
        relaxations.append((f"avoid_countries={','.join(q.avoid_countries)}", q.with_(avoid_countries=())))
    if q.avoid_nodes:
        relaxations.append((f"avoid_nodes={','.join(q.avoid_nodes)}", q.with_(avoid_nodes=())))
    if set(q.modes) != set(Mode):
        relaxations.append((f"modes={','.join(m.value for m in q.modes)}", q.with_(modes=tuple(Mode))))
    if q.via:
        relaxations.append((f"via={','.join(q.via)}", q.with_(via=())))
    depart = q.depart_at
    culprits = [name for name, relaxed in relaxations if _search(ctx, depart, relaxed).rows]
    if culprits:
        return f"{head}: the constraint {' / '.join(culprits)} cuts the network (without it a route exists)"
    free = q.with_(avoid_countries=(), avoid_nodes=(), modes=tuple(Mode), via=(), criteria=ALL_CRITERIA)
    if relaxations and _search(ctx, depart, free).rows:
        return f"{head}: the constraints {', '.join(n for n, _ in relaxations)} together cut the network"
    if not g.dep_at.get(g.node_ids.index(o.id)):
        return f"{head}: no service carrying {q.cargo.unit.value} (cargo.unit) departs from {o.name_en}"
    if not g.arr_at.get(g.node_ids.index(d.id)):
        return f"{head}: no service carrying {q.cargo.unit.value} (cargo.unit) calls at {d.name_en}"
    return f"{head}: the network does not connect them for this unit type (cargo.unit)"


__all__ = ["LABELS", "DepartureFigures", "Route", "RoutePlan", "label_to_plan", "plan_routes", "resolve_query"]
