"""The backend seam: the protocol every device implements and the registry that finds them."""

from minispore.backend.protocol import (
    ArgReduceOp,
    Availability,
    Backend,
    BinaryOp,
    FusedUpdate,
    ReduceOp,
    UnaryOp,
    UpdateStep,
    Window2d,
)
from minispore.backend.registry import (
    BackendUnavailableError,
    available_backends,
    get_backend,
    register_backend,
)

__all__ = [
    "ArgReduceOp",
    "Availability",
    "Backend",
    "BackendUnavailableError",
    "BinaryOp",
    "FusedUpdate",
    "ReduceOp",
    "UnaryOp",
    "UpdateStep",
    "Window2d",
    "available_backends",
    "get_backend",
    "register_backend",
]
