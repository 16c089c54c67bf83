"""Entry point of the ``karavan`` command."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Sequence
from importlib import import_module
from typing import Annotated

import typer

from karavan.cli.common import err_console, long_lived
from karavan.errors import InputError, KaravanError, UnknownPlaceError, ValidationError, error_fields, short_repr

COMMANDS = ("network", "route", "simulate", "assign", "scenario", "trade", "serve", "report", "db", "energy")
"""The commands, in ``--help`` order; each is the module ``karavan.cli.<name>`` with a ``register(app)``."""
ONE_BLAS_THREAD = ("route", "simulate")
"""Commands without dense linear algebra: numpy's OpenBLAS starts them with one thread, not one per core.

Starting the thread pool is part of importing numpy (20-60 ms on two cores, more on larger
machines) and buys these commands nothing. ``$OPENBLAS_NUM_THREADS`` set by the user wins."""


def _print_version(value: bool) -> None:
    if value:
        from karavan import __version__

        sys.stdout.write(f"karavan {__version__}\n")
        raise typer.Exit()


def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Plan and simulate freight across the Caspian transit corridors."""


def say(text: str, *, markup: bool = True) -> None:
    """Print an error line on stderr as it is: no highlighting, never wrapped (one error, one line)."""
    err_console.print(text, markup=markup, highlight=False, soft_wrap=True)


def escape(text: str) -> str:
    """``text`` with Rich markup escaped (Rich is imported only when an error is printed)."""
    from rich.markup import escape as rich_escape

    return rich_escape(text)


def commands_for(args: Sequence[str]) -> tuple[str, ...]:
    """The commands a command line needs: the one it names first, else all of them.

    Only the named command's module is imported, so ``karavan assign`` does not pay for the
    imports of ``simulate`` or ``serve``; ``--help``, ``--version``, no command or an unknown one
    get every command (the listing and the "no such command" message stay complete).
    """
    if args and args[0] in COMMANDS:
        return (args[0],)
    return COMMANDS


PAUSED_COLLECTOR = ("route",)
"""Short commands that make few reference cycles: the cyclic collector stays paused while they run.

What it would collect the process frees at exit; a paused collector saves the passes over what
parsing, the search and printing allocate (2-3 % of a cold ``karavan route``)."""


def set_blas_threads(args: Sequence[str]) -> None:
    """One OpenBLAS thread for the commands of :data:`ONE_BLAS_THREAD` (only before numpy is imported)."""
    if args and args[0] in ONE_BLAS_THREAD and "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")


def build_app(commands: Sequence[str] = COMMANDS) -> typer.Typer:
    """The ``karavan`` Typer application with ``commands`` attached (modules imported here, not before)."""
    app = typer.Typer(
        name="karavan",
        help="Plan and simulate freight across the Caspian transit corridors.",
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        add_completion=False,
    )
    app.callback()(_root)
    for name in commands:
        import_module(f"karavan.cli.{name}").register(app)
    return app


JSON_FORMATS = ("json", "geojson", "ileap")
"""Output formats that write JSON: an error is then a JSON object on stdout too."""


def wants_json(args: list[str]) -> bool:
    """Whether the command line asks for a JSON output format (``--format json``, ``geojson``, ``ileap``)."""
    for i, a in enumerate(args):
        if a in ("--format", "-f") and i + 1 < len(args) and args[i + 1].lower() in JSON_FORMATS:
            return True
        low = a.lower()
        if any(low in (f"--format={f}", f"-f{f}") for f in JSON_FORMATS):
            return True
    return False


def usage_message(exc: Exception, args: list[str]) -> str:
    """One line for a usage error; a bad option value is named with the value as typed."""
    param = getattr(exc, "param", None)
    opts = [o for o in getattr(param, "opts", []) if o.startswith("-")]
    for i, a in enumerate(args):
        for opt in opts:
            if a == opt and i + 1 < len(args):
                return f"invalid {opt} {short_repr(args[i + 1])}: {getattr(exc, 'message', exc)}"
            if a.startswith(opt + "="):
                return f"invalid {opt} {short_repr(a[len(opt) + 1 :])}: {getattr(exc, 'message', exc)}"
    return str(exc.format_message())  # type: ignore[attr-defined]


def main(argv: list[str] | None = None) -> None:
    """Run the CLI, turning library errors into readable messages and exit codes.

    Exit codes: 0 success, 1 invalid dataset or no result, 2 invalid input. With
    ``--format json`` an error is written to stdout as JSON with the same stable ``error``
    codes as the REST API (:func:`karavan.errors.error_fields`).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    set_blas_threads(args)
    try:
        with long_lived():
            app = build_app(commands_for(args))
        with long_lived() if args[:1] and args[0] in PAUSED_COLLECTOR else contextlib.nullcontext():
            code = app(args=args, standalone_mode=False)
        if isinstance(code, int) and code:
            sys.exit(code)
    except KaravanError as exc:
        status = 2 if isinstance(exc, InputError | UnknownPlaceError) else 1
        if wants_json(args):
            sys.stdout.write(json.dumps(error_fields(exc), ensure_ascii=False, indent=2) + "\n")
        elif isinstance(exc, ValidationError) and len(exc.problems) == 1:
            say(f"[bold red]invalid dataset[/]: {escape(str(exc.problems[0]))}")
        elif isinstance(exc, ValidationError):
            err_console.print(f"[bold red]invalid dataset[/]: {len(exc.problems)} problem(s)")
            for p in exc.problems:
                say(f"  - {p}", markup=False)
        else:
            say(f"[bold red]error[/]: {escape(str(exc))}")
        sys.exit(status)
    except OSError as exc:  # a file the user named cannot be read or written
        where = f" {exc.filename!r}" if getattr(exc, "filename", None) else ""
        say(f"[bold red]error[/]:{escape(where)} {escape(str(exc.strerror or exc))}")
        sys.exit(1)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        err_console.print("aborted")
        sys.exit(130)
    except Exception as exc:
        # usage errors: typer vendors its own click, so recognise them by class name
        if any(cls.__name__ == "ClickException" for cls in type(exc).__mro__):
            say(f"[bold red]error[/]: {escape(usage_message(exc, args))} (see --help)")
            sys.exit(int(exc.exit_code))  # type: ignore[attr-defined]
        raise


if __name__ == "__main__":  # pragma: no cover
    main()
