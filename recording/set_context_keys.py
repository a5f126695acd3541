"""Print the keyword arguments MindSpore 2.10's ``set_context`` accepts (minispore's context.py lists them).

Run by hand: /work/msvenv/bin/python recording/set_context_keys.py
A key is accepted when ``set_context`` finds it among the context's setters, its attributes, or
the public members of ``ms_ctx_param`` (see the end of ``mindspore/context.py::set_context``).
"""

from __future__ import annotations

from mindspore import context
from mindspore._c_expression import ms_ctx_param


def main() -> None:
    ctx = context._context()
    keys = set(ctx.setters) | {k for k in ms_ctx_param.__members__ if not k.startswith("_")}
    keys |= {k for k in dir(ctx) if not k.startswith("_") and not callable(getattr(type(ctx), k, None))}
    print(sorted(keys))


if __name__ == "__main__":
    main()
