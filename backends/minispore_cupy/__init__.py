"""The CuPy backend: minispore's ``"GPU"`` device on NVIDIA GPUs.

Importing this package never imports CuPy; :meth:`CupyBackend.availability` probes for a
CUDA device and says why one cannot be used.
"""

from minispore_cupy.backend import CupyBackend

__all__ = ["CupyBackend"]
