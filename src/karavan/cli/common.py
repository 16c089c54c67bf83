"""Options, output helpers and error handling shared by the CLI commands."""

from __future__ import annotations

import functools
import gc
import json
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ParamSpec, TypeVar

import typer

from karavan import limits
from karavan.errors import InputError

if TYPE_CHECKING:
    from rich.console import Console

    from karavan.model.network import Network

TERMINAL_ENV = ("TTY_COMPATIBLE", "FORCE_COLOR")
"""Environment variables with which Rich may treat a stream that is not a TTY as a terminal."""


class DeferredConsole:
    """A Rich console made on first use, so a command that writes only JSON never imports Rich.

    Attributes are those of the :class:`rich.console.Console` (:attr:`real`), created with
    ``options`` and, when the stream is not a terminal, a width of 150 columns (Rich would
    otherwise assume 80, and tables piped or logged would wrap) and no highlighting: without
    colours it changes no character, and its patterns cost more to compile than a table to print.
    """

    def __init__(self, *, stderr: bool = False, **options: Any) -> None:
        self._stderr = stderr
        self._options = options
        self._console: Console | None = None

    @property
    def real(self) -> Console:
        """The Rich console (created here on first use)."""
        if self._console is None:
            from rich.console import Console

            stream = sys.stderr if self._stderr else sys.stdout
            width = None if stream.isatty() else 150
            options = dict(self._options)
            if self._plain():
                options.setdefault("highlight", False)
            self._console = Console(stderr=self._stderr, width=width, **options)
        return self._console

    def _plain(self) -> bool:
        """Whether the stream is plainly no terminal: not a TTY, and no variable asks Rich to treat it as one."""
        stream = sys.stderr if self._stderr else sys.stdout
        return not stream.isatty() and not any(os.environ.get(v) for v in TERMINAL_ENV)

    @property
    def is_terminal(self) -> bool:
        """Whether the stream is a terminal (answered without Rich when it plainly is not)."""
        if self._console is None and self._plain():
            return False
        return self.real.is_terminal

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


# Output is printed literally: place names, scenario titles and file contents such as "[/]" or
# "[bold]x" are text, never Rich markup; the few styled lines ask for markup and escape what they
# interpolate.
console = DeferredConsole(markup=False, emoji=False)
err_console = DeferredConsole(stderr=True, emoji=False)


class Format(StrEnum):
    """Output formats."""

    table = "table"
    json = "json"
    geojson = "geojson"


DatasetOpt = Annotated[
    str | None,
    typer.Option(
        "--dataset",
        help="Dataset directory or embedded dataset name (default: caspian, or $KARAVAN_DATASET).",
        show_default=False,
    ),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.", case_sensitive=False)]


class PlainFormat(StrEnum):
    """Output formats of commands whose answer has no map form."""

    table = "table"
    json = "json"


PlainFormatOpt = Annotated[
    PlainFormat, typer.Option("--format", "-f", help="Output format: table or json.", case_sensitive=False)
]


def not_blank(value: str | None, option: str) -> str | None:
    """``value`` unless it was given empty (``--dataset ''``), which is an :class:`InputError` naming ``option``."""
    if value is not None and not value.strip():
        raise InputError(option, value, "a non-empty value (leave the option out for the default)")
    return value


def dataset_spec(dataset: str | None) -> str | None:
    """The dataset the user chose: the option, else ``$KARAVAN_DATASET``, else the default."""
    return not_blank(dataset, "--dataset") or os.environ.get("KARAVAN_DATASET") or None


@contextmanager
def long_lived() -> Iterator[None]:
    """Run a block whose objects live as long as the command: modules, the loaded dataset.

    The cyclic garbage collector is paused in the block, and everything made up to its end is
    moved out of the collector's reach (:func:`gc.freeze`): a later collection does not scan
    the whole dataset again, which in a short command costs more than the command's own work.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


def load(dataset: str | None, scenarios: list[str] | None = None) -> Network:
    """Load the chosen dataset with ``scenarios`` stacked on it in order (errors propagate to :func:`run`)."""
    with long_lived():
        from karavan.io import load_network

        net = load_network(dataset_spec(dataset))
    if scenarios:
        from karavan.capacity.scenario import apply_scenarios

        with as_options(SCENARIO_OPTIONS):
            net, _, _ = apply_scenarios(net, list(scenarios))
    return net


SCENARIO_OPTIONS = {"scenario": "--scenario", "demand file": "--demand"}
"""The CLI options behind the scenario and demand arguments of the library."""


ScenarioOpt = Annotated[
    list[str] | None,
    typer.Option("--scenario", help="Scenario name or YAML file applied to the dataset; repeat to stack them."),
]


def emit_json(data: Any, output: Path | None = None) -> None:
    """Write ``data`` as JSON to ``output`` or stdout."""
    text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
    if output is None:
        sys.stdout.write(text + "\n")
    else:
        write_text_atomic(output, text + "\n")
        err_console.print(f"wrote {output}")


@contextmanager
def spinner(message: str, *, quiet: bool = False) -> Iterator[None]:
    """A Rich spinner on stderr while the block runs; off when ``quiet`` or stderr is not a terminal."""
    if quiet or not err_console.is_terminal:
        yield
        return
    with err_console.status(message, spinner="dots"):
        yield


def depart_text(when: datetime, given: str | None) -> str:
    """``depart 2026-12-01 00:00 UTC``, saying so when ``--depart`` was left at its default (today)."""
    text = f"depart {when:%Y-%m-%d %H:%M} UTC"
    return text if given else text + " (default: today; set --depart)"


def write_text_atomic(path: Path, text: str, *, field: str = "--output") -> None:
    """Write a file via a temporary sibling so a failure never leaves a half-written file.

    Raises
    ------
    InputError
        If the destination cannot be written (see :mod:`karavan.io.atomic`).
    """
    from karavan.io.atomic import write_file

    write_file(path, text, field=field)


def check_output(path: Path | None, *, field: str = "--output") -> None:
    """Report an unwritable output file before the work starts (``None``: stdout)."""
    if path is not None:
        from karavan.io.atomic import check_file_target

        check_file_target(path, field=field)


def parse_depart(value: str | None, *, field: str = "--depart") -> datetime | None:
    """Parse an ISO date or datetime (``Z`` allowed); naive values are UTC."""
    if value is None:
        return None
    try:
        when = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise InputError(field, value, "an ISO date or datetime such as 2026-12-01 or 2026-12-01T08:00Z") from None
    when = when if when.tzinfo else when.replace(tzinfo=UTC)
    try:
        year = when.astimezone(UTC).year
    except OverflowError:
        year = 0
    limits.check_date_year(year, field, value)
    return when


def split_list(values: list[str] | None) -> list[str]:
    """Accept both repeated options and comma-separated lists."""
    out: list[str] = []
    for v in values or []:
        out.extend(x.strip() for x in v.split(",") if x.strip())
    return out


# Options shared by every command that plans a route (route, simulate, report).
DepartOpt = Annotated[str | None, typer.Option("--depart", help="Earliest departure, ISO date/time (UTC).")]
CargoOpt = Annotated[str, typer.Option("--cargo", help="Unit: FEU, TEU, wagon, trailer or tonnes.")]
CountOpt = Annotated[float, typer.Option("--count", help="Number of units (tonnes for bulk).")]
WeightOpt = Annotated[float | None, typer.Option("--weight-t", help="Gross cargo weight per unit in tonnes.")]
ValueOpt = Annotated[float | None, typer.Option("--value-usd", help="Cargo value (USD) for inventory cost.")]
ViaOpt = Annotated[list[str] | None, typer.Option("--via", help="Place to pass through (repeatable).")]
AvoidCountryOpt = Annotated[
    list[str] | None, typer.Option("--avoid-country", help="ISO countries to avoid, e.g. RU,IR.")
]
AvoidNodeOpt = Annotated[list[str] | None, typer.Option("--avoid-node", help="Place to avoid (repeatable).")]
ModesOpt = Annotated[str | None, typer.Option("--modes", help="Allowed modes, e.g. rail,sea.")]
MaxRoutesOpt = Annotated[int, typer.Option("--max-routes", help="Most alternatives shown.")]


WindowOpt = Annotated[
    str | None,
    typer.Option("--window", help="Departure window after --depart, e.g. 7d or 36h: best, typical, worst departure."),
]
TargetOpt = Annotated[
    str | None,
    typer.Option("--target-date", help="Arrival deadline (a date means the end of that day, UTC): rank by on-time."),
]


def parse_target(value: str | None) -> datetime | None:
    """A target arrival: an ISO datetime, or a date meaning the end of that day (UTC)."""
    from datetime import timedelta

    if value is None:
        return None
    when = parse_depart(value, field="--target-date")
    if when is not None and len(value.strip()) == 10:
        try:
            when = when + timedelta(days=1)
        except OverflowError:
            raise InputError("--target-date", value, limits.DATE_EXPECTED) from None
    return when


QUERY_OPTIONS: dict[str, str] = {
    "origin": "ORIGIN",
    "destination": "DESTINATION",
    "depart": "--depart",
    "window_h": "--window",
    "unit": "--cargo",
    "count": "--count",
    "cargo.count": "--count",
    "gross_t_per_unit": "--weight-t",
    "cargo.gross_t_per_unit": "--weight-t",
    "value_usd": "--value-usd",
    "cargo.value_usd": "--value-usd",
    "via": "--via",
    "avoid_countries": "--avoid-country",
    "avoid_nodes": "--avoid-node",
    "modes": "--modes",
    "max_routes": "--max-routes",
    "slack": "--slack",
    "target": "--target-date",
    "fastest_by": "--fastest-by",
    "runs": "--runs",
    "seed": "--seed",
}
"""The CLI option behind each :class:`karavan.routing.RouteQuery` field (and cargo field)."""


@contextmanager
def as_options(names: Mapping[str, str], typed: Mapping[str, object] | None = None) -> Iterator[None]:
    """Report a library :class:`InputError` under the CLI option it came from.

    ``names`` maps library field names to options (``{"window_h": "--window"}``); ``typed``
    holds what the user typed per option, shown instead of the parsed value (``--depart
    '9999-12-31'`` rather than a datetime). Errors on other fields pass unchanged.
    """
    try:
        yield
    except InputError as exc:
        option = names.get(exc.field) or names.get(exc.field.split(".", 1)[0])
        if option is None:
            raise
        shown = (typed or {}).get(option)
        raise InputError(option, exc.value if shown is None else shown, exc.expected) from None


P = ParamSpec("P")
R = TypeVar("R")


def options(names: Mapping[str, str]) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a command so library errors on the fields in ``names`` name its options (see :func:`as_options`)."""

    def decorate(command: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(command)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            with as_options(names):
                return command(*args, **kwargs)

        return run

    return decorate


def check_options(*checks: tuple[limits.Bound, object, str]) -> None:
    """Check option values against their shared bounds before any work (``None``: not given).

    Raises
    ------
    InputError
        Naming the first option (``--runs``) whose value is out of bounds.
    """
    for bound, value, option in checks:
        if value is not None:
            bound.check(value, option)


def route_query(
    origin: str,
    destination: str,
    *,
    depart: str | None,
    cargo: str,
    count: float,
    weight_t: float | None,
    value_usd: float | None,
    via: list[str] | None,
    avoid_country: list[str] | None,
    avoid_node: list[str] | None,
    modes: str | None,
    window: str | None = None,
    target_date: str | None = None,
    **options: Any,
) -> Any:
    """The :class:`karavan.routing.RouteQuery` of the shared CLI route options (built once per command).

    ``options`` are further query fields (``max_routes``, ``slack``, ``runs``, ``seed``, ...).
    """
    from karavan.accounting import Cargo
    from karavan.routing import RouteQuery, parse_duration_h

    typed = {"--depart": depart, "--window": window, "--target-date": target_date}
    with as_options(QUERY_OPTIONS, typed):
        return RouteQuery(
            origin=origin,
            destination=destination,
            depart=parse_depart(depart),
            window_h=parse_duration_h(window, field="--window") if window else 0.0,
            cargo=Cargo(unit=cargo, count=count, gross_t_per_unit=weight_t, value_usd=value_usd),  # type: ignore[arg-type]
            via=tuple(split_list(via)),
            avoid_countries=tuple(split_list(avoid_country)),
            avoid_nodes=tuple(split_list(avoid_node)),
            modes=tuple(split_list([modes])) if modes is not None else None,  # type: ignore[arg-type]
            target=parse_target(target_date),
            **options,
        )
