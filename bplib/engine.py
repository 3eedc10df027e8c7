"""A small scalar autograd engine: values that remember how they were made.

Chapter 4 builds this idea step by step. A :class:`Value` holds one number
(``data``), the gradient of some output with respect to it (``grad``), the values it
was made from (its *parents*) and its *local backward rule*: a function that turns the
gradient arriving at the value into the gradients it passes to each parent
(Chapter 4, eq. (ch04-local-rule)). :meth:`Value.backward` visits the graph in reverse
topological order, so a value passes its gradient on only after every path through
it has been summed (the chain rule on graphs, Chapter 4, eq. (ch04-chain-paths)).

Gradients ACCUMULATE: ``backward()`` adds d(output)/d(node) to ``node.grad`` for
every node of the graph. Call :meth:`Value.zero_grad` (or :func:`zero_grad`) between
passes. (bplib's layers differ on purpose: their ``backward`` overwrites.)

Example
-------
>>> x = Value(2.0, label="x")
>>> y = x * x + x          # dy/dx = 2x + 1
>>> y.backward()
>>> x.grad
5.0
"""

from __future__ import annotations

import math
import numbers
from typing import Callable, Iterable, Sequence

from bplib._validate import real_number

__all__ = ["Value", "maximum", "zero_grad", "topological_order"]

#: The operations a Value supports, with the local backward rule of each in words.
LOCAL_RULES = {
    "+": "add distributes: both parents get g",
    "-": "subtract: a gets g, b gets -g",
    "*": "multiply swaps: a gets g*b, b gets g*a",
    "/": "divide: a gets g/b, b gets -g*a/b**2",
    "**": "power (constant c): a gets g*c*a**(c-1)",
    "neg": "negate: a gets -g",
    "exp": "exp: a gets g*exp(a)",
    "log": "log: a gets g/a",
    "tanh": "tanh: a gets g*(1 - tanh(a)**2)",
    "sigmoid": "sigmoid: a gets g*s*(1 - s), s = sigmoid(a)",
    "relu": "relu: a gets g if a > 0 else 0",
    "max": "max routes: the larger parent gets g (a tie splits it: g/2 each)",
}


def _sigmoid(z: float) -> float:
    # Stable for large |z|: never exponentiates a large positive number.
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


class Value:
    """One scalar in a computational graph.

    Parameters
    ----------
    data : float
        The number. ``int`` and numpy scalars are converted to ``float``.
    label : str, optional
        A name shown when the graph is drawn (``bplib.demos.ch04.draw_graph``).

    Attributes
    ----------
    data : float
    grad : float
        Accumulated d(output)/d(self) from every ``backward()`` since the last
        ``zero_grad()``; 0.0 at creation.
    parents : tuple of Value
        The values this one was computed from (empty for an input).
    op : str
        The operation that made it (``""`` for an input), a key of ``LOCAL_RULES``
        or the name given to :meth:`from_op`.
    """

    __slots__ = ("data", "grad", "label", "op", "parents", "_backward")
    __array_ufunc__ = None  # numpy scalars defer to Value's own operators

    def __init__(self, data, label: str = ""):
        self.data = real_number(data, "data", where="Value")
        self.grad = 0.0
        self.label = str(label)
        self.op = ""
        self.parents: tuple[Value, ...] = ()
        self._backward: Callable[[float], Sequence[float]] | None = None

    # -- building new values -------------------------------------------------------
    @classmethod
    def from_op(cls, data: float, parents: Sequence["Value"], op: str,
                backward: Callable[[float], Sequence[float]]) -> "Value":
        """Make the result of an operation (also the way to add a new one).

        Parameters
        ----------
        data : float
            The result of the forward computation.
        parents : sequence of Value
            The inputs of the operation.
        op : str
            Its name (shown in drawings).
        backward : callable
            The local backward rule: ``backward(g)`` receives the gradient ``g``
            arriving at the result and returns one gradient per parent, in order
            (Chapter 4, eq. (ch04-local-rule)).
        """
        parents = tuple(parents)
        for p in parents:
            if not isinstance(p, Value):
                raise TypeError(f"Value.from_op({op!r}): parents must be Values, "
                                f"got {type(p).__name__}")
        if not callable(backward):
            raise TypeError(f"Value.from_op({op!r}): backward must be callable, "
                            f"got {type(backward).__name__}")
        out = cls(data)
        out.op, out.parents, out._backward = str(op), parents, backward
        return out

    @staticmethod
    def _lift(other, op: str) -> "Value":
        if isinstance(other, Value):
            return other
        if isinstance(other, bool) or not isinstance(other, numbers.Real):
            raise TypeError(f"Value {op}: unsupported operand of type "
                            f"{type(other).__name__} ({other!r}); use a number or a Value")
        return Value(other)

    def __add__(self, other) -> "Value":
        other = self._lift(other, "+")
        return Value.from_op(self.data + other.data, (self, other), "+",
                             lambda g: (g, g))

    def __radd__(self, other) -> "Value":
        return self._lift(other, "+") + self

    def __neg__(self) -> "Value":
        return Value.from_op(-self.data, (self,), "neg", lambda g: (-g,))

    def __sub__(self, other) -> "Value":
        other = self._lift(other, "-")
        return Value.from_op(self.data - other.data, (self, other), "-",
                             lambda g: (g, -g))

    def __rsub__(self, other) -> "Value":
        return self._lift(other, "-") - self

    def __mul__(self, other) -> "Value":
        other = self._lift(other, "*")
        a, b = self.data, other.data
        return Value.from_op(a * b, (self, other), "*", lambda g: (g * b, g * a))

    def __rmul__(self, other) -> "Value":
        return self._lift(other, "*") * self

    def __truediv__(self, other) -> "Value":
        other = self._lift(other, "/")
        a, b = self.data, other.data
        if b == 0.0:
            raise ValueError(f"Value /: division by zero ({a} / 0)")
        return Value.from_op(a / b, (self, other), "/",
                             lambda g: (g / b, -g * a / (b * b)))

    def __rtruediv__(self, other) -> "Value":
        return self._lift(other, "/") / self

    def __pow__(self, c) -> "Value":
        if isinstance(c, Value):
            raise TypeError("Value **: the exponent must be a constant number, not a "
                            "Value (write exp(c * log(a)) for a variable exponent)")
        c = real_number(c, "the exponent", where="Value **")
        a = self.data
        if a == 0.0 and c < 0:
            raise ValueError(f"Value **: 0 ** {c} is undefined (division by zero)")
        if a < 0 and c != int(c):
            raise ValueError(f"Value **: a negative base ({a}) needs an integer "
                             f"exponent, got {c}")
        return Value.from_op(a ** c, (self,), f"**{c:g}",
                             lambda g: (g * c * a ** (c - 1),))

    def __rpow__(self, other):
        raise TypeError("Value **: only constant exponents are supported "
                        f"({type(other).__name__} ** Value is not); write "
                        "(v * math.log(base)).exp() for base ** v")

    def exp(self) -> "Value":
        """e ** self; local gradient exp(a)."""
        try:
            e = math.exp(self.data)
        except OverflowError:
            raise ValueError(f"Value.exp: exp({self.data}) overflows a float") from None
        return Value.from_op(e, (self,), "exp", lambda g: (g * e,))

    def log(self) -> "Value":
        """Natural logarithm; local gradient 1/a. Raises ValueError for a <= 0."""
        a = self.data
        if a <= 0:
            raise ValueError(f"Value.log: the logarithm needs a positive number, got {a}")
        return Value.from_op(math.log(a), (self,), "log", lambda g: (g / a,))

    def tanh(self) -> "Value":
        """tanh(self); local gradient 1 - tanh(a)**2."""
        t = math.tanh(self.data)
        return Value.from_op(t, (self,), "tanh", lambda g: (g * (1.0 - t * t),))

    def sigmoid(self) -> "Value":
        """1 / (1 + exp(-self)); local gradient s * (1 - s)."""
        s = _sigmoid(self.data)
        return Value.from_op(s, (self,), "sigmoid", lambda g: (g * s * (1.0 - s),))

    def relu(self) -> "Value":
        """max(0, self); local gradient 1 for a > 0, else 0 (also at a = 0)."""
        a = self.data
        return Value.from_op(max(a, 0.0), (self,), "relu",
                             lambda g: (g if a > 0 else 0.0,))

    def max(self, other) -> "Value":
        """The larger of two values; the gradient is routed to the larger one.

        At a tie each gets half, which is what central differences give.
        """
        other = self._lift(other, "max")
        a, b = self.data, other.data
        if a > b:
            rule = lambda g: (g, 0.0)  # noqa: E731
        elif b > a:
            rule = lambda g: (0.0, g)  # noqa: E731
        else:
            rule = lambda g: (0.5 * g, 0.5 * g)  # noqa: E731
        return Value.from_op(max(a, b), (self, other), "max", rule)

    # -- the backward pass ---------------------------------------------------------
    def backward(self, grad: float = 1.0) -> None:
        """Add d(self)/d(node) (times ``grad``) to ``node.grad`` for every node.

        Visits the graph in reverse topological order: a node's gradient is the sum
        over all paths, the chain rule on a graph of Chapter 4 (equation label
        (ch04-chain-paths)), and is complete before its local backward rule passes it
        on. Iterative, so deep graphs are fine. Gradients accumulate across calls; use
        :meth:`zero_grad` to start again.
        """
        grad = real_number(grad, "grad", where="Value.backward")
        order = topological_order(self)
        pending = {self: grad}            # gradients of this pass only
        for node in reversed(order):
            g = pending.get(node, 0.0)
            if node._backward is None:
                continue
            to_parents = tuple(node._backward(g))
            if len(to_parents) != len(node.parents):
                raise ValueError(f"Value.backward: the rule of op {node.op!r} returned "
                                 f"{len(to_parents)} gradients for "
                                 f"{len(node.parents)} parents")
            for parent, gp in zip(node.parents, to_parents):
                pending[parent] = pending.get(parent, 0.0) + float(gp)
        for node in order:
            node.grad += pending.get(node, 0.0)

    def zero_grad(self) -> None:
        """Set ``grad`` to 0.0 on this value and every value it was made from."""
        for node in topological_order(self):
            node.grad = 0.0

    def __repr__(self) -> str:
        name = f"{self.label}: " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"


def maximum(a, b) -> Value:
    """max(a, b) for Values or numbers (at least one a Value); see :meth:`Value.max`."""
    if isinstance(a, Value):
        return a.max(b)
    if isinstance(b, Value):
        return Value._lift(a, "max").max(b)
    raise TypeError(f"maximum: expected at least one Value, got {type(a).__name__} "
                    f"and {type(b).__name__}")


def zero_grad(values: Iterable[Value]) -> None:
    """Set ``grad`` to 0.0 on each value in ``values`` (e.g. a model's parameters)."""
    for v in values:
        if not isinstance(v, Value):
            raise TypeError(f"zero_grad: expected Values, got {type(v).__name__}")
        v.grad = 0.0


def topological_order(root: Value) -> list[Value]:
    """Every value ``root`` depends on, each after all of its parents; root last.

    Depth-first search with an explicit stack (no recursion limit).
    """
    if not isinstance(root, Value):
        raise TypeError(f"topological_order: expected a Value, got {type(root).__name__}")
    order: list[Value] = []
    seen: set[int] = set()
    stack: list[tuple[Value, bool]] = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        for parent in reversed(node.parents):
            if id(parent) not in seen:
                stack.append((parent, False))
    return order
