"""The NumPy backend: minispore's CPU device and the reference for every other backend."""

from minispore_numpy.backend import NumpyBackend

__all__ = ["NumpyBackend"]
