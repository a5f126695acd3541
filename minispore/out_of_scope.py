"""MindSpore APIs that minispore does not provide, present so that a script fails at the
call with an error that names what to use instead (``NotImplementedError``, which
scripts catching MindSpore's ``RuntimeError`` also catch).

- MindIR (``ms.export``, ``ms.load``, ``nn.GraphCell``): a MindIR file is a compiled
  graph for MindSpore's runtime; minispore has no graph compiler. Keep the network's
  Python class and its weights (``ms.save_checkpoint`` / ``ms.load_checkpoint``).
- MindRecord (``ms.dataset.MindDataset``, ``mindspore.mindrecord``): MindSpore's own
  record format, read by its C++ engine. Read the source data with
  ``NumpySlicesDataset``, ``GeneratorDataset`` or ``MnistDataset``.
- ``mindspore.profiler.Profiler``: it reads MindSpore's device and kernel timelines. Time
  epochs with ``TimeMonitor``, or profile the Python with ``cProfile``. (Importing it
  works, as scripts import it at the top and use it only when asked.)
"""

from __future__ import annotations

from typing import Any, NoReturn

MINDIR = (
    "MindIR graphs need MindSpore's graph compiler and runtime, which minispore does not have",
    "keep the network's Python class and save its weights with ms.save_checkpoint(net, 'net.ckpt'), "
    "then rebuild the class and call ms.load_checkpoint('net.ckpt', net)",
)
PROFILER = (
    "it reads MindSpore's device and kernel timelines, which minispore does not have",
    "time epochs with ms.train.TimeMonitor, or profile the Python code with cProfile",
)
MINDRECORD = (
    "MindRecord files are read by MindSpore's C++ dataset engine, which minispore does not have",
    "read the source data with ms.dataset.NumpySlicesDataset, GeneratorDataset or MnistDataset",
)


def _refuse(name: str, reason: tuple[str, str]) -> NoReturn:
    raise NotImplementedError(f"'{name}' is out of minispore's scope: {reason[0]}. Instead, {reason[1]}.")


def export(*args: Any, **kwargs: Any) -> NoReturn:
    """``mindspore.export``: out of scope (see the module docstring)."""
    _refuse("mindspore.export", MINDIR)


def load(*args: Any, **kwargs: Any) -> NoReturn:
    """``mindspore.load`` (a MindIR graph): out of scope (see the module docstring)."""
    _refuse("mindspore.load", MINDIR)


class GraphCell:
    """``mindspore.nn.GraphCell``: out of scope (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _refuse("mindspore.nn.GraphCell", MINDIR)


class MindDataset:
    """``mindspore.dataset.MindDataset``: out of scope (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _refuse("mindspore.dataset.MindDataset", MINDRECORD)


class FileWriter:
    """``mindspore.mindrecord.FileWriter``: out of scope (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _refuse("mindspore.mindrecord.FileWriter", MINDRECORD)


class FileReader:
    """``mindspore.mindrecord.FileReader``: out of scope (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _refuse("mindspore.mindrecord.FileReader", MINDRECORD)


class Profiler:
    """``mindspore.profiler.Profiler``: out of scope (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        _refuse("mindspore.profiler.Profiler", PROFILER)
