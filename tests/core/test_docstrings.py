"""Every public callable has a docstring: the API reference (mkdocs) is generated from them.

The public API is ``minispore.__all__`` and the ``__all__`` of each public submodule (a
module without ``__all__`` exports the public names it defines). Public methods and
properties of exported classes count too; an override may inherit its base's docstring.
"""

from __future__ import annotations

import importlib
import importlib.util
import inspect
from collections.abc import Iterator
from types import ModuleType
from typing import Any

import pytest

PUBLIC_MODULES = [
    "minispore",
    "minispore.nn",
    "minispore.nn.optim",
    "minispore.ops",
    "minispore.train",
    "minispore.dataset",
    "minispore.dataset.vision",
    "minispore.dataset.transforms",
    "minispore.amp",
    "minispore.backend",
    "minispore.testing",
    "minispore.communication",  # once it exists
]


def _present(names: list[str]) -> list[str]:
    return [name for name in names if importlib.util.find_spec(name) is not None]


def _exports(module: ModuleType) -> Iterator[tuple[str, Any]]:
    names = getattr(module, "__all__", None)
    if names is None:
        names = [
            n
            for n, v in vars(module).items()
            if not n.startswith("_") and getattr(v, "__module__", None) == module.__name__
        ]
    for name in names:
        yield f"{module.__name__}.{name}", getattr(module, name)


def _members(qualname: str, cls: type) -> Iterator[tuple[str, Any]]:
    """Public functions and properties a minispore class defines itself (not an Enum's members)."""
    for name, raw in vars(cls).items():
        if name.startswith("_"):
            continue
        if isinstance(raw, property):
            yield f"{qualname}.{name}", raw
        elif isinstance(raw, staticmethod | classmethod) or inspect.isfunction(raw):
            yield f"{qualname}.{name}", getattr(cls, name)


def _undocumented(module: ModuleType) -> list[str]:
    missing = []
    for qualname, obj in _exports(module):
        if inspect.ismodule(obj) or not callable(obj):
            continue
        if not (obj.__doc__ or "").strip():
            missing.append(qualname)
        if inspect.isclass(obj) and obj.__module__.startswith("minispore"):
            missing += [name for name, member in _members(qualname, obj) if not inspect.getdoc(member)]
    return missing


@pytest.mark.parametrize("name", _present(PUBLIC_MODULES))
def test_every_public_callable_has_a_docstring(name: str) -> None:
    module = importlib.import_module(name)
    assert (module.__doc__ or "").strip(), f"module {name} has no docstring"
    missing = _undocumented(module)
    assert not missing, f"{len(missing)} public callables lack a docstring: {missing}"


def test_the_walk_finds_a_missing_docstring() -> None:
    module = ModuleType("minispore.fake")

    class Documented:
        """Has one."""

        def method(self) -> None:
            pass

    def bare() -> None:
        pass

    Documented.__module__ = bare.__module__ = module.__name__
    setattr(module, "Documented", Documented)  # noqa: B010 (a module built in the test)
    setattr(module, "bare", bare)  # noqa: B010
    assert sorted(_undocumented(module)) == ["minispore.fake.Documented.method", "minispore.fake.bare"]
