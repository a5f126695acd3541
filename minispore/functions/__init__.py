"""The differentiable primitives: :class:`~minispore.autograd.Function` subclasses.

Each computes its forward and its local gradient on backend arrays only (tinygrad's
``mlops``). Composite operations (mean, softmax, losses) live in :mod:`minispore.ops`,
written on these, so only these carry gradient code.
"""
