"""``nn.Cell``, the base of every layer and network, and its containers.

Parameters take their names from the attribute path, as in MindSpore: a Parameter
without a name assigned as ``self.w`` is named ``w``, and when a cell is assigned as a
child (``self.conv1 = nn.Conv2d(...)``) every parameter inside it gets the prefix
``conv1.``, giving ``conv1.weight``.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from minispore.common import dtype as mstype
from minispore.common.parameter import Parameter, ParameterTuple
from minispore.precision import Precision, precision

_CellT = TypeVar("_CellT", bound="Cell")


class Cell:
    """The base class of networks: define ``construct``; calling the cell runs it.

    Example:
        >>> import numpy as np
        >>> import minispore as ms
        >>> from minispore import nn
        >>> class Scale(nn.Cell):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.w = ms.Parameter(np.float32(2.0))
        ...     def construct(self, x):
        ...         return x * self.w
        >>> Scale()(ms.Tensor([1.0, 2.0])).asnumpy()
        array([2., 4.], dtype=float32)
    """

    training: bool
    _params: OrderedDict[str, Any]
    _cells: OrderedDict[str, Cell]
    _auto_prefix: bool
    _mixed_precision: Precision | None = None
    _amp_level: str = ""
    """The level ``ms.amp.auto_mixed_precision`` prepared this cell with ("" for none)."""

    def __init__(self, auto_prefix: bool = True, flags: dict[str, Any] | None = None) -> None:
        object.__setattr__(self, "_params", OrderedDict())
        object.__setattr__(self, "_cells", OrderedDict())
        object.__setattr__(self, "_auto_prefix", auto_prefix)
        object.__setattr__(self, "training", False)

    # registration ------------------------------------------------------------------
    def _registry(self, kind: str) -> OrderedDict[str, Any]:
        try:
            reg: OrderedDict[str, Any] = object.__getattribute__(self, kind)
        except AttributeError:
            raise RuntimeError(
                f"{type(self).__name__}.__init__ must call super().__init__() before assigning parameters or cells."
            ) from None
        return reg

    def __setattr__(self, name: str, value: Any) -> None:
        params, cells = self._registry("_params"), self._registry("_cells")
        params.pop(name, None)
        cells.pop(name, None)
        if isinstance(value, Parameter):
            if value._auto_named:
                value.name = name
            params[name] = value
        elif isinstance(value, ParameterTuple):
            params[name] = value
        elif isinstance(value, Cell):
            if self._auto_prefix:
                value.update_parameters_name(name + ".")
            cells[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._registry("_params").pop(name, None)
        self._registry("_cells").pop(name, None)
        object.__delattr__(self, name)

    def insert_param_to_cell(self, param_name: str, param: Parameter, check_name_contain_dot: bool = True) -> None:
        """Register ``param`` under ``param_name`` (MindSpore's explicit form of ``self.x = p``)."""
        if check_name_contain_dot and "." in param_name:
            raise KeyError(f"The parameter name {param_name!r} must not contain '.'.")
        setattr(self, param_name, param)

    def insert_child_to_cell(self, child_name: str, child_cell: Cell) -> None:
        """Register ``child_cell`` under ``child_name``."""
        if not isinstance(child_cell, Cell):
            raise TypeError(f"The child must be a Cell, but got {type(child_cell).__name__}.")
        setattr(self, child_name, child_cell)

    def update_parameters_name(self, prefix: str = "", recurse: bool = True) -> None:
        """Prepend ``prefix`` to the names of the parameters inside this cell."""
        for _, p in self.parameters_and_names(expand=recurse):
            p.name = prefix + p.name

    # traversal ----------------------------------------------------------------------
    def cells_and_names(self, cells: set[int] | None = None, name_prefix: str = "") -> Iterator[tuple[str, Cell]]:
        """This cell and every cell inside it, pre-order, each once, with its path."""
        seen = set() if cells is None else cells
        stack: list[tuple[str, Cell]] = [(name_prefix, self)]
        while stack:
            path, cell = stack.pop()
            if id(cell) in seen:
                continue
            seen.add(id(cell))
            yield path, cell
            children = [(f"{path}.{n}" if path else n, c) for n, c in cell._cells.items()]
            stack.extend(reversed(children))

    def name_cells(self) -> OrderedDict[str, Cell]:
        """The direct children by attribute name."""
        return OrderedDict(self._cells)

    def cells(self) -> Iterator[Cell]:
        """The direct children."""
        return iter(list(self._cells.values()))

    def parameters_and_names(self, name_prefix: str = "", expand: bool = True) -> Iterator[tuple[str, Parameter]]:
        """Every parameter (frozen ones too), in registration order, depth-first, once each."""
        seen: set[int] = set()
        cells = self.cells_and_names(name_prefix=name_prefix) if expand else iter([(name_prefix, self)])
        for path, cell in cells:
            for key, value in cell._params.items():
                named = [(p.name, p) for p in value] if isinstance(value, ParameterTuple) else [(key, value)]
                for name, p in named:
                    if id(p) in seen:
                        continue
                    seen.add(id(p))
                    yield (f"{path}.{name}" if path else name), p

    def get_parameters(self, expand: bool = True) -> Iterator[Parameter]:
        """Every parameter, frozen ones included."""
        for _, p in self.parameters_and_names(expand=expand):
            yield p

    def trainable_params(self, recurse: bool = True) -> list[Parameter]:
        """The parameters with ``requires_grad=True``, in MindSpore's order."""
        return [p for p in self.get_parameters(expand=recurse) if p.requires_grad]

    def untrainable_params(self, recurse: bool = True) -> list[Parameter]:
        """The parameters with ``requires_grad=False``."""
        return [p for p in self.get_parameters(expand=recurse) if not p.requires_grad]

    def parameters_dict(self, recurse: bool = True) -> OrderedDict[str, Parameter]:
        """``{param.name: param}`` for every parameter."""
        return OrderedDict((p.name, p) for p in self.get_parameters(expand=recurse))

    # modes --------------------------------------------------------------------------
    def set_train(self, mode: bool = True) -> Cell:
        """Switch this cell and its children to training (or evaluation) behaviour."""
        for _, cell in self.cells_and_names():
            object.__setattr__(cell, "training", bool(mode))
        return self

    def set_grad(self, requires_grad: bool = True) -> Cell:
        """Accepted for compatibility; gradients are always available through ``value_and_grad``."""
        return self

    def to(self, device: str) -> Cell:
        """Move every parameter to ``device`` (``"CPU"``, ``"OpenCL"``, …) in place."""
        for p in self.get_parameters():
            moved = p.to(device)
            if moved is not p:
                p._rebind(moved._data, moved.backend)
        return self

    def to_float(self: _CellT, dst_type: mstype.DType) -> _CellT:
        """Run this cell and every cell inside it with their float inputs cast to ``dst_type``.

        The cell only records a flag: while it runs, each operation casts its
        floating-point inputs (data, Parameters, constants) to ``dst_type`` first, as
        MindSpore's PyNative mode does. Parameters stay float32, and so do their
        gradients, which flow back through the casts. A child set up later with its own
        ``to_float`` (a float32 BatchNorm in a float16 network) wins inside itself.

        Args:
            dst_type: ``ms.float16`` or ``ms.float32`` (``bfloat16`` has no minispore dtype).

        Returns:
            The cell itself.

        Raises:
            ValueError: any other ``dst_type``.

        Example:
            >>> import numpy as np
            >>> import minispore as ms
            >>> from minispore import nn
            >>> fc = nn.Dense(2, 2).to_float(ms.float16)
            >>> fc(ms.Tensor(np.ones((1, 2), np.float32))).dtype, fc.weight.dtype
            (Float16, Float32)
        """
        if not isinstance(dst_type, mstype.DType) or dst_type not in (mstype.float16, mstype.float32):
            raise ValueError(
                "For 'to_float', the argument 'dst_type' must be mstype.float32, mstype.float16 or "
                f"mstype.bfloat16, but got type: {type(dst_type).__name__} and value: {dst_type}."
            )
        for _, cell in self.cells_and_names():
            object.__setattr__(cell, "_mixed_precision", Precision(dst_type.np_dtype))
        return self

    # calling -------------------------------------------------------------------------
    def construct(self, *inputs: Any, **kwargs: Any) -> Any:
        """The forward computation; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} must define construct().")

    def __call__(self, *inputs: Any, **kwargs: Any) -> Any:
        if self._mixed_precision is None:
            return self.construct(*inputs, **kwargs)
        with precision(self._mixed_precision):
            return self.construct(*inputs, **kwargs)

    # display --------------------------------------------------------------------------
    def extend_repr(self) -> str:
        """Extra text inside this cell's repr (layers show their arguments)."""
        return ""

    def __repr__(self) -> str:
        """MindSpore's form: ``Name(extra)``, or the extra lines and ``(child): Child(...)``
        lines indented by two spaces between ``Name(`` and ``)``."""
        lines = self.extend_repr().split("\n") if self.extend_repr() else []
        lines += [f"({name}): " + repr(cell).replace("\n", "\n  ") for name, cell in self._cells.items()]
        if len(lines) == 1 and not self._cells:
            return f"{type(self).__name__}({lines[0]})"
        body = "\n  " + "\n  ".join(lines) + "\n" if lines else ""
        return f"{type(self).__name__}({body})"


_Seq = TypeVar("_Seq", bound="_CellSequence")


class _CellSequence(Cell):
    """Children registered as ``0``, ``1``, …, indexable and iterable in that order."""

    def __getitem__(self, index: int) -> Cell:
        return list(self._cells.values())[index]

    def __len__(self) -> int:
        return len(self._cells)

    def __iter__(self) -> Iterator[Cell]:
        return iter(list(self._cells.values()))

    def append(self: _Seq, cell: Cell) -> _Seq:
        self.insert_child_to_cell(str(len(self)), cell)
        return self


class SequentialCell(_CellSequence):
    """Cells run one after another; children are named ``0``, ``1``, …

    Args:
        *args: cells, or one list of cells, or one ``OrderedDict`` of named cells.
    """

    def __init__(self, *args: Any) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            items: Iterable[tuple[str, Cell]] = args[0].items()
        else:
            cells = list(args[0]) if len(args) == 1 and isinstance(args[0], list) else list(args)
            items = ((str(i), c) for i, c in enumerate(cells))
        for name, cell in items:
            self.insert_child_to_cell(name, cell)

    def construct(self, *inputs: Any, **kwargs: Any) -> Any:
        out: Any = inputs[0] if len(inputs) == 1 else inputs
        for cell in self._cells.values():
            out = cell(out)
        return out


class CellList(_CellSequence):
    """A list of cells registered as children ``0``, ``1``, … (no ``construct``).

    With ``auto_prefix=False`` the children's parameters keep their names (MindSpore's keyword).
    """

    def __init__(self, *args: Any, auto_prefix: bool = True) -> None:
        super().__init__(auto_prefix=auto_prefix)
        cells = list(args[0]) if len(args) == 1 and not isinstance(args[0], Cell) else list(args)
        for c in cells:
            self.append(c)

    def extend(self, cells: Iterable[Cell]) -> CellList:
        """Append every cell of ``cells`` in order and return this list."""
        for c in cells:
            self.append(c)
        return self
