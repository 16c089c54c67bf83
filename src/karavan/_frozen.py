"""Instances of frozen dataclasses made from their field values, for the hot paths of routing.

A frozen dataclass's ``__init__`` sets each field with a call of ``object.__setattr__``; routing
builds thousands of results per second (legs, hub operations, itineraries, routes), so these
are made by giving a new instance its attribute dictionary in one step. The classes made so
have no ``__slots__``; the dictionary names every field, in field order. ``__post_init__`` does not
run, so the values must already be valid: a class that validates there (``RouteQuery``) is made so
only from a copy of a validated instance.
"""

from __future__ import annotations

from typing import Any, TypeVar

_T = TypeVar("_T")
_NEW = object.__new__
_SET = object.__setattr__


def made(cls: type[_T], fields: dict[str, Any]) -> _T:
    """An instance of the frozen dataclass ``cls`` holding ``fields`` (what ``cls(**fields)`` makes).

    ``fields`` becomes the instance's dictionary: the caller gives every field, in field order, and
    does not keep the dictionary.
    """
    obj = _NEW(cls)
    _SET(obj, "__dict__", fields)
    return obj
