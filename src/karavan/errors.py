"""Exception hierarchy: every error karavan raises derives from :class:`KaravanError`."""

from __future__ import annotations

from dataclasses import dataclass


class KaravanError(Exception):
    """Root of every error raised by karavan."""


class DatasetError(KaravanError, ValueError):
    """A dataset cannot be found, read or parsed."""


VALUE_CHARS = 200
"""Longest rendering of an offending value in a message."""


def short_repr(value: object) -> str:
    """``repr(value)``, cut to :data:`VALUE_CHARS` characters so a huge input is never echoed whole."""
    text = repr(value)
    if len(text) > VALUE_CHARS:
        text = text[:VALUE_CHARS] + f"... ({len(text):,} characters)"
    return text


@dataclass(frozen=True, slots=True)
class Problem:
    """One validation problem, precise enough to fix without reading code.

    Attributes
    ----------
    file : str
        Table file the record comes from (e.g. ``links.yaml``).
    record : str
        Id of the offending record (or ``#N`` for its position when it has no id).
    field : str
        Field name within the record.
    value : object
        The offending value, as read.
    expected : str
        What a valid value looks like.
    """

    file: str
    record: str
    field: str
    value: object
    expected: str

    def __str__(self) -> str:
        value = short_repr(self.value)
        return f"{self.file}: record {self.record!s}: field {self.field!r} = {value}: expected {self.expected}"


class ValidationError(DatasetError):
    """A dataset failed validation; :attr:`problems` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        head = f"{len(self.problems)} problem(s) in dataset"
        super().__init__(head + ":\n" + "\n".join(f"  - {p}" for p in self.problems))


class UnknownPlaceError(KaravanError, LookupError):
    """A place name or id matches no node; :attr:`suggestions` holds the closest names."""

    def __init__(self, query: str, suggestions: list[str]) -> None:
        self.query = query
        self.suggestions = suggestions
        hint = f"; did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"unknown place {query!r}{hint}")


class InputError(KaravanError, ValueError):
    """A user-supplied argument is invalid; names the field and the value."""

    def __init__(self, field: str, value: object, expected: str) -> None:
        self.field = field
        self.value = value
        self.expected = expected
        super().__init__(f"invalid {field} {short_repr(value)}: expected {expected}")


class NoRouteError(KaravanError, LookupError):
    """No itinerary satisfies the query; the message says which constraint cut the network."""


class StorageError(KaravanError, RuntimeError):
    """The database of saved plans cannot be opened, migrated or written."""


class RecordNotFoundError(KaravanError, LookupError):
    """No saved record has the requested id."""

    def __init__(self, record_id: str) -> None:
        self.record_id = record_id
        super().__init__(f"no saved record with id {record_id!r}")


class MissingExtraError(KaravanError, ImportError):
    """An optional dependency is not installed; the message names the ``pip install`` to run."""

    def __init__(self, module: str, extra: str, what: str) -> None:
        self.module = module
        self.extra = extra
        super().__init__(f"{what} needs {module}: pip install 'karavan[{extra}]'")


class NativeKernelError(KaravanError, ImportError):
    """The compiled kernels (C code built at install time) are missing or cannot be loaded; the message says how
    to build them."""


class SolveError(KaravanError, RuntimeError):
    """An optimisation did not reach an optimal solution; the message gives the solver's status."""


ERROR_CODES: dict[type[KaravanError], str] = {
    UnknownPlaceError: "unknown_place",
    NoRouteError: "no_route",
    InputError: "invalid_input",
    ValidationError: "invalid_dataset",
    RecordNotFoundError: "not_found",
    StorageError: "storage_unavailable",
    MissingExtraError: "not_implemented",
    SolveError: "solve_failed",
    DatasetError: "dataset_unavailable",
    KaravanError: "bad_request",
}
"""Stable error code per error class (the most specific class in the MRO wins); the CLI's
``--format json`` and the REST API answer with the same codes."""


def error_code(exc: KaravanError) -> str:
    """The stable code of an error (see :data:`ERROR_CODES`)."""
    for cls in type(exc).__mro__:
        code = ERROR_CODES.get(cls)
        if code is not None:
            return code
    return "bad_request"  # pragma: no cover - KaravanError is always in the MRO


ECHO_ITEMS = 20
"""Most list items or mapping entries echoed back in an error."""


def jsonable_value(value: object, _depth: int = 0) -> object:
    """A JSON-safe rendering of an arbitrary input value (for echoing bad input back).

    Bounded, so a huge or deeply nested input is never echoed whole: strings are cut to
    :data:`VALUE_CHARS` characters, lists and mappings to :data:`ECHO_ITEMS` entries, nesting
    to 4 levels; lone surrogates, which no UTF-8 response can carry, are replaced.
    """
    import math

    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value if abs(value) < 10**30 else short_repr(value)
    if isinstance(value, str):
        text = value if len(value) <= VALUE_CHARS else value[:VALUE_CHARS] + f"... ({len(value):,} characters)"
        return text.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if _depth >= 4:
        return short_repr(value)
    if isinstance(value, list | tuple):
        items = [jsonable_value(v, _depth + 1) for v in value[:ECHO_ITEMS]]
        return items + ([f"... ({len(value):,} items)"] if len(value) > ECHO_ITEMS else [])
    if isinstance(value, dict):
        pairs = list(value.items())
        out = {str(jsonable_value(k, 4)): jsonable_value(v, _depth + 1) for k, v in pairs[:ECHO_ITEMS]}
        if len(pairs) > ECHO_ITEMS:
            out["..."] = f"{len(pairs):,} entries"
        return out
    return short_repr(value)


def error_fields(exc: KaravanError) -> dict[str, object]:
    """The JSON view of an error: ``error`` (stable code), ``message`` and the error's own fields.

    ``UnknownPlaceError`` adds ``query`` and ``suggestions``; ``InputError`` adds ``field``,
    ``value`` and ``expected``; a dataset ``ValidationError`` adds ``problems``;
    ``RecordNotFoundError`` adds ``id``.
    """
    body: dict[str, object] = {"error": error_code(exc), "message": str(exc)}
    if isinstance(exc, UnknownPlaceError):
        body.update(query=exc.query, suggestions=list(exc.suggestions))
    elif isinstance(exc, InputError):
        body.update(field=exc.field, value=jsonable_value(exc.value), expected=exc.expected)
    elif isinstance(exc, ValidationError):
        body["message"] = f"the dataset is invalid: {len(exc.problems)} problem(s)"
        body["problems"] = [str(p) for p in exc.problems]
    elif isinstance(exc, RecordNotFoundError):
        body["id"] = exc.record_id
    return body
