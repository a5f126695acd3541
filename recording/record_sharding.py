"""Record MindSpore 2.10's shard assignments (``num_shards``/``shard_id``, ``DistributedSampler``).

Run with ``/work/msvenv/bin/python recording/record_sharding.py``; it writes
``tests/fixtures/distributed/sharding.json``, which ``tests/distributed/test_sharding.py`` reads.

For each case it records, for every shard, the row indices read in two epochs of one iterator
(with ``shuffle`` on and off), the dataset size, and the errors for invalid arguments.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import mindspore.dataset as ds
import numpy as np

OUT = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "distributed" / "sharding.json"


def two_epochs(data: Any) -> list[list[int]]:
    iterator = data.create_tuple_iterator(output_numpy=True, num_epochs=2)
    return [[int(row[0]) for row in iterator] for _ in range(2)]


def record_cases() -> list[dict[str, Any]]:
    cases = []
    for num_rows in (1, 2, 5, 7, 10):
        for num_shards in (2, 3):
            for shuffle in (False, True):
                for num_samples in (None, 2):
                    for source in ("numpy_slices", "generator", "sampler"):
                        shards = []
                        for shard_id in range(num_shards):
                            rows = np.arange(num_rows)
                            if source == "numpy_slices":
                                data = ds.NumpySlicesDataset(
                                    {"x": rows},
                                    shuffle=shuffle,
                                    num_samples=num_samples,
                                    num_shards=num_shards,
                                    shard_id=shard_id,
                                )
                            elif source == "generator":
                                data = ds.GeneratorDataset(
                                    [(np.array(i),) for i in rows],
                                    ["x"],
                                    shuffle=shuffle,
                                    num_samples=num_samples,
                                    num_shards=num_shards,
                                    shard_id=shard_id,
                                )
                            else:
                                sampler = ds.DistributedSampler(
                                    num_shards, shard_id, shuffle=shuffle, num_samples=num_samples
                                )
                                data = ds.NumpySlicesDataset({"x": rows}, sampler=sampler)
                            shards.append({"epochs": two_epochs(data), "size": data.get_dataset_size()})
                        cases.append(
                            {
                                "source": source,
                                "num_rows": num_rows,
                                "num_shards": num_shards,
                                "shuffle": shuffle,
                                "num_samples": num_samples,
                                "shards": shards,
                            }
                        )
    return cases


def record_errors() -> list[dict[str, Any]]:
    errors = []
    for args in (
        {"num_shards": 2},
        {"shard_id": 0},
        {"num_shards": 2, "shard_id": 2},
        {"num_shards": 0, "shard_id": 0},
        {"num_shards": 2.0, "shard_id": 0},
    ):
        try:
            ds.NumpySlicesDataset({"x": np.arange(7)}, **args)
        except (ValueError, TypeError, RuntimeError) as exc:
            errors.append({"args": args, "type": type(exc).__name__, "message": str(exc)})
        else:
            errors.append({"args": args, "type": None, "message": ""})
    return errors


def record_seeded() -> list[dict[str, Any]]:
    """Shards of 10 rows after ``ms.set_seed(3)`` (which seeds the dataset too); run last."""
    import mindspore as ms

    ms.set_seed(3)
    shards = []
    for shard_id in range(2):
        data = ds.NumpySlicesDataset({"x": np.arange(10)}, shuffle=True, num_shards=2, shard_id=shard_id)
        shards.append({"epochs": two_epochs(data), "size": data.get_dataset_size()})
    return [{"seed": 3, "num_rows": 10, "num_shards": 2, "shards": shards}]


def main() -> None:
    record = {
        "mindspore": __import__("mindspore").__version__,
        "cases": record_cases(),
        "errors": record_errors(),
        "seeded": record_seeded(),
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    lines = [f'{{"mindspore": {json.dumps(record["mindspore"])},']
    for key in ("cases", "errors", "seeded"):
        rows = ",\n  ".join(json.dumps(item) for item in record[key])
        lines.append(f' "{key}": [\n  {rows}\n ]' + ("," if key != "seeded" else ""))
    OUT.write_text("\n".join(lines) + "\n}\n")  # one case per line
    print(f"wrote {OUT} ({len(record['cases'])} cases)")


if __name__ == "__main__":
    main()
