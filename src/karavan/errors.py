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
