"""``mindspore.profiler``: out of minispore's scope; ``Profiler`` raises an error that names
what to use instead (see :mod:`minispore.out_of_scope`)."""

from minispore.out_of_scope import Profiler

__all__ = ["Profiler"]
