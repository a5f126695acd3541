"""Does MindSpore share memory between a Tensor and NumPy? (docs/compatibility.md cites this).

Run by hand with the real MindSpore 2.10 CPU wheel, never by the tests:
``/work/msvenv/bin/python recording/tensor_memory_sharing.py``. Seen on 2026-11-29:
``asnumpy shares memory: True``, ``Tensor.from_numpy shares memory: True``, ``ms.from_numpy exists: True``.
"""

from __future__ import annotations

import mindspore as ms
import numpy as np


def main() -> None:
    t = ms.Tensor(np.zeros(3, np.float32))
    view = t.asnumpy()
    view[0] = 5.0
    print("asnumpy shares memory:", bool(t.asnumpy()[0] == 5.0))
    host = np.zeros(3, np.float32)
    shared = ms.Tensor.from_numpy(host)
    host[1] = 7.0
    print("Tensor.from_numpy shares memory:", bool(shared.asnumpy()[1] == 7.0))
    print("ms.from_numpy exists:", hasattr(ms, "from_numpy"))


if __name__ == "__main__":
    main()
