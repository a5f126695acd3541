"""``ms.value_and_grad`` and ``ms.grad``: MindSpore's functional gradient transforms."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from minispore.autograd import Tape, backward, recording
from minispore.common.parameter import Parameter
from minispore.common.tensor import Tensor


def _positions(grad_position: int | tuple[int, ...] | None, nargs: int) -> tuple[int, ...]:
    if grad_position is None:
        return ()
    items = tuple(grad_position) if isinstance(grad_position, tuple | list) else (grad_position,)
    for p in items:
        if isinstance(p, bool) or not isinstance(p, int):
            raise TypeError(f"'grad_position' must be an int or a tuple of ints, but got {grad_position!r}.")
        if not 0 <= p < nargs:
            raise ValueError(f"'grad_position' {p} is out of range: the function was called with {nargs} arguments.")
    return items


def _weights(weights: Any) -> tuple[Parameter, ...]:
    if weights is None:
        return ()
    if isinstance(weights, Parameter):
        return (weights,)
    items = tuple(weights)
    for w in items:
        if not isinstance(w, Parameter):
            raise TypeError(f"'weights' must hold Parameters, but got {type(w).__name__}.")
    return items


def _as_outputs(result: Any, has_aux: bool) -> tuple[Sequence[Tensor], Any]:
    if has_aux:
        if not isinstance(result, tuple) or len(result) < 2:
            raise ValueError("When has_aux is True, the function must return more than one output: (loss, aux...).")
        return [result[0]], result
    outs = list(result) if isinstance(result, tuple | list) else [result]
    for o in outs:
        if not isinstance(o, Tensor):
            raise TypeError(f"The function must return Tensors to be differentiated, but returned {type(o).__name__}.")
    return outs, result


def _detach(value: Any) -> Any:
    if isinstance(value, Tensor):
        return Tensor._from_array(value._data, value.backend)
    if isinstance(value, tuple):
        return tuple(_detach(v) for v in value)
    if isinstance(value, list):
        return [_detach(v) for v in value]
    return value


def _zeros_like(t: Tensor) -> Tensor:
    return Tensor._from_array(t.backend.full(t.shape, 0, t.dtype.np_dtype), t.backend)


def _sensitivities(outputs: Sequence[Tensor], given: Any) -> list[Any]:
    if given is None:
        return [o.backend.full(o.shape, 1, o.dtype.np_dtype) for o in outputs]
    items = list(given) if isinstance(given, tuple | list) else [given]
    if len(items) != len(outputs):
        raise ValueError(f"'sens' must have one entry per output ({len(outputs)}), but got {len(items)}.")
    result = []
    for o, s in zip(outputs, items):
        t = s if isinstance(s, Tensor) else Tensor(s, dtype=o.dtype, device=o.device)
        if t.shape != o.shape:
            t = t.broadcast_to(o.shape)
        result.append(t.astype(o.dtype)._data)
    return result


def value_and_grad(
    fn: Callable[..., Any],
    grad_position: int | tuple[int, ...] | None = 0,
    weights: Any = None,
    has_aux: bool = False,
    return_ids: bool = False,
    sens_param: bool = False,
) -> Callable[..., tuple[Any, Any]]:
    """Wrap ``fn`` so that it returns ``(value, gradients)``.

    Args:
        fn: the function to differentiate; it returns a Tensor or a tuple of Tensors.
        grad_position: the argument index (int), indices (tuple) or None for no input
            gradients.
        weights: a Parameter, or a sequence of Parameters (``optimizer.parameters``).
        has_aux: ``fn`` returns ``(loss, aux...)``; only ``loss`` is differentiated and the
            value is the whole tuple.
        return_ids: pair each gradient with its position or parameter name.
        sens_param: the wrapper takes one more argument, the sensitivity (initial
            gradient) of the differentiated output, instead of ones; loss scaling passes
            the scale here.

    The gradient is that of the sum of all outputs (each with a sensitivity of ones).
    Gradients of inputs or weights that do not reach the output are zeros, as is that of
    a listed weight with ``requires_grad=False``.

    Returns:
        ``(value, grads)``: ``grads`` is the input gradient(s), the weight gradient(s), or
        ``(input_grads, weight_grads)`` when both are asked for. An int position and a
        single Parameter give single Tensors; tuples give tuples.

    Raises:
        ValueError: both ``grad_position`` and ``weights`` are None, or ``has_aux`` is set
            and ``fn`` returns fewer than two outputs.
        TypeError: ``weights`` holds something other than Parameters.

    Example:
        >>> import minispore as ms
        >>> f = ms.value_and_grad(lambda x: (x * x).sum())
        >>> f(ms.Tensor([1.0, 2.0]))[1]
        Tensor(shape=[2], dtype=Float32, value= [ 2.00000000e+00,  4.00000000e+00])
    """
    if grad_position is None and weights is None:
        raise ValueError("For 'value_and_grad', 'grad_position' and 'weights' cannot both be None.")
    params = _weights(weights)

    def wrapper(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        sens_value: Any = None
        if sens_param:
            if not args:
                raise TypeError("With sens_param=True the last argument must be the sensitivity.")
            *rest, sens_value = args
            args = tuple(rest)
        positions = _positions(grad_position, len(args))
        inputs = []
        for p in positions:
            if not isinstance(args[p], Tensor):
                raise TypeError(
                    f"Argument {p} selected by 'grad_position' must be a Tensor, but got {type(args[p]).__name__}."
                )
            inputs.append(args[p])
        watched = inputs + [w for w in params if w.requires_grad]
        tape = Tape(watched)
        with recording(tape):
            result = fn(*args, **kwargs)
        outputs, value = _as_outputs(result, has_aux)
        sens = _sensitivities(outputs, sens_value)
        grads = backward(tape, outputs, sens, watched)
        by_id = {id(t): g for t, g in zip(watched, grads)}

        def grad_of(t: Tensor) -> Tensor:
            g = by_id.get(id(t))
            return _zeros_like(t) if g is None else Tensor._from_array(g, t.backend)

        input_grads = tuple(grad_of(t) for t in inputs)
        weight_grads = tuple(grad_of(w) if w.requires_grad else _zeros_like(w) for w in params)
        if return_ids:
            input_out: Any = tuple(zip(positions, input_grads))
            weight_out: Any = tuple(zip((w.name for w in params), weight_grads))
        else:
            input_out, weight_out = input_grads, weight_grads
        if isinstance(grad_position, int) and input_out:
            input_out = input_out[0]
        if isinstance(weights, Parameter) and weight_out:
            weight_out = weight_out[0]
        if weights is None:
            out: Any = input_out
        elif grad_position is None:
            out = weight_out
        else:
            out = (input_out, weight_out)
        return _detach(value), out

    return wrapper


def grad(
    fn: Callable[..., Any],
    grad_position: int | tuple[int, ...] | None = 0,
    weights: Any = None,
    has_aux: bool = False,
    return_ids: bool = False,
    sens_param: bool = False,
) -> Callable[..., Any]:
    """Like :func:`value_and_grad` but returns only the gradients.

    With ``has_aux`` it returns ``(grads, aux)`` where ``aux`` is the tuple of the outputs
    after the first, as MindSpore does (one aux output still gives a 1-tuple).
    """
    vg = value_and_grad(fn, grad_position, weights, has_aux, return_ids, sens_param)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        value, grads = vg(*args, **kwargs)
        return (grads, value[1:]) if has_aux else grads

    return wrapper
