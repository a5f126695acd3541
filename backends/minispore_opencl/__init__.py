"""The OpenCL backend: minispore's ``"OpenCL"`` device on any OpenCL driver, via PyOpenCL.

Importing this package does not import PyOpenCL; :meth:`OpenCLBackend.availability`
probes for it and for a device, and opening a device imports it.
"""

from minispore_opencl.backend import OpenCLBackend

__all__ = ["OpenCLBackend"]
