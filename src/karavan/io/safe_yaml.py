"""One safe YAML reader for every file karavan reads: dataset tables, scenarios, parameters.

``yaml.safe_load`` never runs code, but it still trusts the document's shape: a 2 KB file
of nested aliases ("billion laughs") expands to gigabytes as soon as anything walks it (a
validator, an error message), ``[[[[...`` nests until the stack gives out, a repeated key
silently replaces the first, and ``.inf``/``.nan`` pass as numbers. This module composes
the document itself, from the parser's event stream, and refuses all of that *before*
anything is constructed, with a precise problem (file, line, what is wrong):

- files larger than :attr:`YamlLimits.max_bytes`, or not UTF-8 (the line of the bad byte);
- nesting deeper than :attr:`YamlLimits.max_depth`;
- more than :attr:`YamlLimits.max_aliases` alias references, or aliases that together
  would add more than :attr:`YamlLimits.max_alias_nodes` nodes when expanded; recursive
  aliases;
- a key that appears twice in one mapping;
- a number that is NaN or infinite (``.nan``, ``.inf``, ``1e999``) or an integer with more
  digits than any real quantity has;
- more than one document in a file.

When a path is given with the directory it must stay in, a symlink (or ``..``) that
leads outside that directory is refused too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml import events as ev
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from karavan.io.reading import DEFAULT_LIMITS, YamlLimits, read_bytes
from karavan.io.reading import problem as _problem

_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FLOAT_TAG = "tag:yaml.org,2002:float"
INT_TAG = "tag:yaml.org,2002:int"
MERGE_TAG = "tag:yaml.org,2002:merge"
MAX_INT_DIGITS = 40
"""Longest integer accepted (digits); Python refuses to parse very long ones anyway."""


class _RefusedError(Exception):
    """Internal: the document breaks a rule; carries the line and the reason."""

    def __init__(self, line: int, field: str, value: object, expected: str) -> None:
        super().__init__(expected)
        self.line, self.field, self.value, self.expected = line, field, value, expected


def _line(event: Any) -> int:
    mark = getattr(event, "start_mark", None)
    return int(mark.line) + 1 if mark is not None else 0


@dataclass(slots=True)
class _Frame:
    node: SequenceNode | MappingNode
    anchor: str | None
    key: str = "-"
    pending_key: Node | None = None


class _Composer:
    """Builds the node graph from parser events without recursion, checking every rule."""

    def __init__(self, loader: yaml.SafeLoader, limits: YamlLimits) -> None:
        self.loader: Any = loader  # the (C) parser's methods are untyped
        self.limits = limits
        self.anchors: dict[str, Node] = {}
        self.sizes: dict[int, int] = {}
        self.open_anchors: set[str] = set()
        self.aliases = 0
        self.alias_nodes = 0

    def compose(self) -> Node | None:
        loader = self.loader
        loader.get_event()  # StreamStart
        if loader.check_event(ev.StreamEndEvent):
            return None
        loader.get_event()  # DocumentStart
        root = self._node()
        loader.get_event()  # DocumentEnd
        if not loader.check_event(ev.StreamEndEvent):
            raise _RefusedError(_line(loader.peek_event()), "-", "---", "a single YAML document per file")
        return root

    def _node(self) -> Node:
        stack: list[_Frame] = []
        while True:
            event = self.loader.get_event()
            node: Node | None
            if isinstance(event, ev.AliasEvent):
                node = self._alias(event, stack)
            elif isinstance(event, ev.ScalarEvent):
                node = self._scalar(event, stack)
            elif isinstance(event, ev.SequenceStartEvent | ev.MappingStartEvent):
                stack.append(self._start(event, stack))
                continue
            else:  # SequenceEnd / MappingEnd
                frame = stack.pop()
                node = frame.node
                node.end_mark = event.end_mark
                self._close(frame)
            if not stack:
                return node
            self._attach(stack[-1], node)

    def _start(self, event: Any, stack: list[_Frame]) -> _Frame:
        if len(stack) >= self.limits.max_depth:
            raise _RefusedError(
                _line(event), self._where(stack), "...", f"nesting at most {self.limits.max_depth} levels deep"
            )
        seq = isinstance(event, ev.SequenceStartEvent)
        kind = SequenceNode if seq else MappingNode
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(kind, None, event.implicit)
        node: SequenceNode | MappingNode = kind(tag, [], event.start_mark, None, flow_style=event.flow_style)
        if event.anchor is not None:
            self.open_anchors.add(event.anchor)
            self.anchors[event.anchor] = node
        return _Frame(node, event.anchor, key=self._where(stack))

    def _close(self, frame: _Frame) -> None:
        node = frame.node
        size = 1
        if isinstance(node, MappingNode):
            seen: dict[tuple[str, str], int] = {}
            for key, value in node.value:
                size += self.sizes.get(id(key), 1) + self.sizes.get(id(value), 1)
                if isinstance(key, ScalarNode) and key.tag != MERGE_TAG:
                    ident = (key.tag, key.value)
                    if ident in seen:
                        raise _RefusedError(
                            key.start_mark.line + 1,
                            key.value,
                            key.value,
                            f"each key once per mapping (first given on line {seen[ident]}; "
                            "a repeated key would silently replace it)",
                        )
                    seen[ident] = key.start_mark.line + 1
        else:
            size += sum(self.sizes.get(id(v), 1) for v in node.value)
        self.sizes[id(node)] = size
        if frame.anchor is not None:
            self.open_anchors.discard(frame.anchor)

    def _attach(self, frame: _Frame, node: Node) -> None:
        if isinstance(frame.node, SequenceNode):
            frame.node.value.append(node)
        elif frame.pending_key is None:
            frame.pending_key = node
        else:
            frame.node.value.append((frame.pending_key, node))
            frame.pending_key = None

    def _alias(self, event: Any, stack: list[_Frame]) -> Node:
        name = event.anchor
        where, line = self._where(stack), _line(event)
        if name not in self.anchors:
            raise _RefusedError(line, where, f"*{name}", "an alias to an anchor defined above it")
        if name in self.open_anchors:
            raise _RefusedError(line, where, f"*{name}", "no alias inside its own anchor (recursive)")
        target = self.anchors[name]
        self.aliases += 1
        self.alias_nodes += self.sizes.get(id(target), 1)
        lim = self.limits
        if self.aliases > lim.max_aliases or self.alias_nodes > lim.max_alias_nodes:
            raise _RefusedError(
                _line(event),
                self._where(stack),
                f"*{name}",
                f"at most {lim.max_aliases} aliases adding at most {lim.max_alias_nodes:,} nodes when expanded "
                f"(this one brings the expansion to {self.alias_nodes:,} nodes)",
            )
        return target

    def _scalar(self, event: Any, stack: list[_Frame]) -> ScalarNode:
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(ScalarNode, event.value, event.implicit)
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
        if tag in (FLOAT_TAG, INT_TAG):
            self._check_number(node, stack)
        if event.anchor is not None:
            self.anchors[event.anchor] = node
        return node

    def _check_number(self, node: ScalarNode, stack: list[_Frame]) -> None:
        where = self._where(stack)
        digits = sum(ch.isdigit() for ch in node.value)
        if digits > MAX_INT_DIGITS:
            raise _RefusedError(
                node.start_mark.line + 1, where, node.value[:50] + "...", f"a number of at most {MAX_INT_DIGITS} digits"
            )
        if node.tag == FLOAT_TAG:
            value = self.loader.construct_yaml_float(node)
            if not math.isfinite(value):
                raise _RefusedError(
                    node.start_mark.line + 1, where, node.value, "a finite number (NaN and infinity are not allowed)"
                )

    @staticmethod
    def _where(stack: list[_Frame]) -> str:
        """The key the next value belongs to (for messages), or ``-``."""
        if not stack:
            return "-"
        top = stack[-1]
        if isinstance(top.node, MappingNode) and isinstance(top.pending_key, ScalarNode):
            return str(top.pending_key.value)
        return top.key


def parse_yaml(data: bytes | str, *, file: str, limits: YamlLimits = DEFAULT_LIMITS) -> Any:
    """Parse one YAML document under ``limits``.

    Parameters
    ----------
    data
        The document, as bytes (checked to be UTF-8) or text.
    file
        The name used in problems (e.g. ``links.yaml``).
    limits
        Size, depth and alias bounds.

    Returns
    -------
    object
        The document (``None`` if it is empty).

    Raises
    ------
    karavan.errors.ValidationError
        With one problem naming the file, the line, the key and what was expected.
    """
    size = len(data.encode("utf-8")) if isinstance(data, str) else len(data)
    if size > limits.max_bytes:
        raise _problem(file, 0, "-", f"{size:,} bytes", f"a file of at most {limits.max_bytes:,} bytes")
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            bad = data[exc.start : exc.start + 4]
            raise _problem(file, line, "-", repr(bad), "UTF-8 text (this byte is not valid UTF-8)") from None
    else:
        text = data
    loader = _Loader(text)
    try:
        root = _Composer(loader, limits).compose()
        return None if root is None else loader.construct_document(root)
    except _RefusedError as exc:
        raise _problem(file, exc.line, exc.field, exc.value, exc.expected) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = int(mark.line) + 1 if mark is not None else 0
        raise _problem(file, line, "-", str(getattr(exc, "problem", None) or exc), "valid YAML") from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. a key that is not hashable, a bad date
        raise _problem(file, 0, "-", str(exc)[:200], "valid YAML of plain values") from None
    finally:
        loader.dispose()


def load_yaml(
    path: str | Path, *, within: Path | None = None, label: str | None = None, limits: YamlLimits = DEFAULT_LIMITS
) -> Any:
    """Read and parse a YAML file safely (see the module docstring for what is refused).

    Parameters
    ----------
    path
        The file.
    within
        A directory the file must stay inside (symlinks resolved); ``None`` for no such rule.
    label
        The name used in problems (default: the file name).
    limits
        Size, depth and alias bounds.

    Raises
    ------
    karavan.errors.ValidationError
        With one problem naming the file, the line and what was expected.
    """
    p = Path(path)
    name = label or p.name
    return parse_yaml(read_bytes(p, within=within, label=name, limits=limits), file=name, limits=limits)


__all__ = ["DEFAULT_LIMITS", "YamlLimits", "load_yaml", "parse_yaml", "read_bytes"]
