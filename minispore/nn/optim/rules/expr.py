"""The small expression language every per-element update rule is written in.

A rule is a plain Python function of an :class:`Element`: it reads the parameter, the
gradient, its state buffers and its host scalars, combines them with ``+ - * /``,
:func:`sqrt` and :func:`maximum`, and stores new values. Calling it once with tracing
values records a :class:`Program`: a straight-line list of operations, each rounded to
float32 (the compute type of every MindSpore optimizer kernel), in the order written.

From a :class:`Program`, :mod:`.render` writes the C body that the compiled CPU library,
OpenCL and CUDA include, and :mod:`.evaluate` runs it on NumPy blocks or on any backend's
primitives, so that each rule exists once.

This module is pure Python on purpose (no NumPy, no minispore imports): ``setup.py`` loads
it to generate the compiled CPU kernels.
"""

from __future__ import annotations

import itertools
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

OPS = {"add": "+", "sub": "-", "mul": "*", "div": "/"}
"""The binary operators, each rounded to float32."""

FUNCTIONS = ("sqrt", "maximum", "round", "select")
"""``sqrt(x)``, ``maximum(x, y)``, ``round(x)``: ``x`` rounded to the storage dtype (float16
storage rounds there; float32 and float64 storage leave a float32 value unchanged), and
``select(c, a, b)``: ``a`` where ``c > 0``, else ``b``."""


@dataclass(frozen=True)
class Node:
    """One operation of a :class:`Program`.

    ``op`` is ``"load"`` (``name`` is a buffer: ``param``, ``grad`` or a state), ``"scalar"``
    (``name`` is a host scalar), ``"const"`` (``value``), a key of :data:`OPS`, or one of
    :data:`FUNCTIONS`; ``args`` are indices of earlier nodes.
    """

    op: str
    args: tuple[int, ...] = ()
    name: str = ""
    value: float = 0.0


@dataclass(frozen=True)
class Program:
    """A traced rule variant: nodes in evaluation order and the stores at the end.

    Attributes:
        rule: the rule's name, such as ``"momentum"``.
        options: the options traced in (``decay``, ``scale`` and the rule's own flags).
        nodes: the operations; node ``k`` may only use nodes before it.
        stores: ``(buffer, node)`` pairs: the new value of each written buffer.
    """

    rule: str
    options: frozenset[str]
    nodes: tuple[Node, ...]
    stores: tuple[tuple[str, int], ...]

    @property
    def key(self) -> str:
        """A name for this variant that is a valid C identifier, e.g. ``momentum__decay_scale``."""
        return f"{self.rule}__{'_'.join(sorted(self.options)) or 'plain'}"


class _Tracer:
    def __init__(self) -> None:
        self.nodes: list[Node] = []
        self.memo: dict[Node, int] = {}

    def add(self, node: Node) -> Value:
        index = self.memo.get(node)
        if index is None:
            index = self.memo[node] = len(self.nodes)
            self.nodes.append(node)
        return Value(self, index)


def _float32_exact(value: float) -> bool:
    rounded: float = struct.unpack("f", struct.pack("f", value))[0]
    return rounded == value


class Value:
    """A float32 value inside a rule; arithmetic records operations."""

    def __init__(self, tracer: _Tracer, index: int) -> None:
        self._tracer = tracer
        self.index = index

    def _operand(self, other: Value | float) -> Value:
        if isinstance(other, Value):
            return other
        value = float(other)
        if not _float32_exact(value):
            raise ValueError(f"A rule constant must be exact in float32, but got {value!r}; pass it as a scalar.")
        return self._tracer.add(Node("const", value=value))

    def _binary(self, op: str, a: Value | float, b: Value | float) -> Value:
        return self._tracer.add(Node(op, (self._operand(a).index, self._operand(b).index)))

    def __add__(self, other: Value | float) -> Value:
        return self._binary("add", self, other)

    def __radd__(self, other: Value | float) -> Value:
        return self._binary("add", other, self)

    def __sub__(self, other: Value | float) -> Value:
        return self._binary("sub", self, other)

    def __rsub__(self, other: Value | float) -> Value:
        return self._binary("sub", other, self)

    def __mul__(self, other: Value | float) -> Value:
        return self._binary("mul", self, other)

    def __rmul__(self, other: Value | float) -> Value:
        return self._binary("mul", other, self)

    def __truediv__(self, other: Value | float) -> Value:
        return self._binary("div", self, other)

    def __rtruediv__(self, other: Value | float) -> Value:
        return self._binary("div", other, self)


def sqrt(x: Value) -> Value:
    """The correctly rounded float32 square root."""
    return x._tracer.add(Node("sqrt", (x.index,)))


def maximum(x: Value, y: Value) -> Value:
    """The larger of ``x`` and ``y``."""
    return x._tracer.add(Node("maximum", (x.index, y.index)))


def where_positive(condition: Value, a: Value | float, b: Value | float) -> Value:
    """``a`` where ``condition > 0``, else ``b`` (NaN conditions choose ``b``)."""
    return condition._tracer.add(
        Node("select", (condition.index, condition._operand(a).index, condition._operand(b).index))
    )


def storage_round(x: Value) -> Value:
    """``x`` rounded to the buffers' storage dtype and back (MindSpore's float16 graph ops)."""
    return x._tracer.add(Node("round", (x.index,)))


class Element:
    """What a rule body sees: one element of every buffer, the scalars and the options."""

    def __init__(self, rule: UpdateRule, options: frozenset[str]) -> None:
        self._rule = rule
        self._options = options
        self._tracer = _Tracer()
        self.stores: dict[str, int] = {}
        self.param = self._tracer.add(Node("load", name="param"))
        self.grad = self._tracer.add(Node("load", name="grad"))

    def option(self, name: str) -> bool:
        """Whether option ``name`` is traced in."""
        if name not in self._rule.all_options:
            raise KeyError(f"Rule '{self._rule.name}' has no option '{name}'; it has {self._rule.all_options}.")
        return name in self._options

    def state(self, name: str) -> Value:
        """Element of state buffer ``name`` (as stored: a store earlier in the body is not seen)."""
        if name not in self._rule.states:
            raise KeyError(f"Rule '{self._rule.name}' has no state '{name}'; it has {self._rule.states}.")
        return self._tracer.add(Node("load", name=name))

    def scalar(self, name: str) -> Value:
        """Host scalar ``name`` (float32)."""
        if name not in self._rule.all_scalars:
            raise KeyError(f"Rule '{self._rule.name}' has no scalar '{name}'; it has {self._rule.all_scalars}.")
        return self._tracer.add(Node("scalar", name=name))

    def store(self, name: str, value: Value) -> None:
        """Write ``value`` to buffer ``name`` (``"param"`` or a state) once the element is done."""
        if name != "param" and name not in self._rule.states:
            raise KeyError(f"Rule '{self._rule.name}' cannot store to '{name}'.")
        node = self._tracer.nodes[value.index]
        if node.op == "load" and node.name != name:
            # Block evaluators store buffer by buffer: a bare load could already be overwritten.
            raise ValueError(f"Rule '{self._rule.name}' stores buffer '{node.name}' unchanged into '{name}'.")
        self.stores[name] = value.index

    def prepared_grad(self) -> Value:
        """The gradient after MindSpore's ``Optimizer`` pre-pass, in its order.

        ``g = p * weight_decay + g`` where decay applies (option ``decay``), then
        ``g = g * grad_scale`` when there is a loss scale (option ``scale``); both in the
        parameter's dtype (the scalars rounded to it first), as MindSpore's graph ops compute
        them. Gradient centralization
        sits between the two and is not per-element: ``nn/optim`` applies it before.
        """
        g = self.grad
        if self.option("decay"):
            wd = storage_round(self.scalar("weight_decay"))
            g = storage_round(storage_round(self.param * wd) + g)
        if self.option("scale"):
            g = storage_round(g * storage_round(self.scalar("grad_scale")))
        return g

    def program(self) -> Program:
        order = sorted(self.stores.items(), key=lambda item: item[0] != "param")
        return Program(self._rule.name, self._options, tuple(self._tracer.nodes), tuple(order))


COMMON_OPTIONS = ("decay", "scale")
"""Options every rule has: the weight-decay and loss-scale steps of :meth:`Element.prepared_grad`."""

COMMON_SCALARS = ("weight_decay", "grad_scale")
"""Scalars every rule receives after its own, in this order."""


@dataclass(frozen=True)
class UpdateRule:
    """One optimizer's per-element update, defined once.

    Args:
        name: a C identifier, such as ``"momentum"``.
        states: the state buffers beside the parameter, in order (``("moment",)``).
        scalars: the rule's host scalars, in order (``("lr", "momentum")``).
        flags: the rule's compile-time options (``("nesterov",)``).
        body: the update of one element, written with :class:`Element`.
    """

    name: str
    states: tuple[str, ...]
    scalars: tuple[str, ...]
    flags: tuple[str, ...]
    body: Callable[[Element], None] = field(compare=False)

    @property
    def all_options(self) -> tuple[str, ...]:
        return COMMON_OPTIONS + self.flags

    @property
    def all_scalars(self) -> tuple[str, ...]:
        return self.scalars + COMMON_SCALARS

    def program(self, options: frozenset[str]) -> Program:
        """The traced variant with ``options`` on (cached)."""
        key = (self.name, options)
        found = _PROGRAMS.get(key)
        if found is None:
            unknown = options - set(self.all_options)
            if unknown:
                raise KeyError(f"Rule '{self.name}' has no option {sorted(unknown)}; it has {self.all_options}.")
            element = Element(self, options)
            self.body(element)
            if "param" not in element.stores:
                raise ValueError(f"Rule '{self.name}' never stores the parameter.")
            found = _PROGRAMS[key] = element.program()
        return found

    def variants(self) -> Iterator[Program]:
        """Every option combination, for ahead-of-time compilation."""
        options = self.all_options
        for bits in itertools.product((False, True), repeat=len(options)):
            yield self.program(frozenset(o for o, on in zip(options, bits) if on))


_PROGRAMS: dict[tuple[str, frozenset[str]], Program] = {}
