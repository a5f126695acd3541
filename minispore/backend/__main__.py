"""``python -m minispore.backend``: list the installed backends and whether they can run here."""

from __future__ import annotations

from minispore.backend.registry import available_backends


def main() -> int:
    found = available_backends()
    width = max((len(name) for name in found), default=6)
    for name, avail in found.items():
        state = "available" if avail.available else f"unavailable: {avail.reason}"
        print(f"{name:<{width}}  {state}")
    try:
        from minispore_numpy.native import status
    except ImportError:
        return 0
    native = status()
    print(f"{'CPU kernels':<{width}}  {'compiled' if native.in_use else 'NumPy fallback'}: {native.reason}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
