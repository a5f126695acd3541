"""Sharded sources against MindSpore 2.10's recorded assignments (recording/record_sharding.py).

Every shard must read exactly MindSpore's rows, in MindSpore's order, shuffled or not, in two
epochs of one iterator; shuffled, the shards of an epoch together read one permutation of
the rows, padded by wrapping.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import minispore as ms
import minispore.dataset as ds
from minispore.context import _ctx


@pytest.fixture(autouse=True)
def _no_global_seed() -> Iterator[None]:
    """MindSpore recorded with its default dataset seed: run without ``ms.set_seed``'s, then restore it."""
    saved = _ctx.seed
    _ctx.seed = None
    yield
    _ctx.seed = saved


FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "distributed" / "sharding.json"
RECORD = json.loads(FIXTURE.read_text())


def _source(case: dict[str, Any], shard_id: int) -> ds.Dataset:
    rows = np.arange(case["num_rows"])
    args = {"shuffle": case["shuffle"], "num_samples": case["num_samples"]}
    shards = {"num_shards": case["num_shards"], "shard_id": shard_id}
    if case["source"] == "numpy_slices":
        return ds.NumpySlicesDataset({"x": rows}, **args, **shards)
    if case["source"] == "generator":
        return ds.GeneratorDataset([(np.array(i),) for i in rows], ["x"], **args, **shards)
    sampler = ds.DistributedSampler(case["num_shards"], shard_id, case["shuffle"], case["num_samples"])
    return ds.NumpySlicesDataset({"x": rows}, sampler=sampler)


def _two_epochs(data: ds.Dataset) -> list[list[int]]:
    iterator = data.create_tuple_iterator(output_numpy=True, num_epochs=2)
    return [[int(row[0]) for row in iterator] for _ in range(2)]


def _interleave(shards: list[list[int]]) -> list[int]:
    return [shard[i] for i in range(len(shards[0])) for shard in shards]


@pytest.mark.parametrize(
    "case",
    RECORD["cases"],
    ids=lambda c: f"{c['source']}-n{c['num_rows']}-N{c['num_shards']}-sh{int(c['shuffle'])}-ns{c['num_samples']}",
)
def test_shards_match_mindspore(case: dict[str, Any]) -> None:
    ours = [_source(case, s) for s in range(case["num_shards"])]
    for data, recorded in zip(ours, case["shards"]):
        assert data.get_dataset_size() == recorded["size"]
    epochs = [_two_epochs(data) for data in ours]
    assert epochs == [shard["epochs"] for shard in case["shards"]]
    if case["shuffle"] and case["num_samples"] is None:
        n = case["num_rows"]
        for epoch in range(2):
            dealt = _interleave([shard[epoch] for shard in epochs])
            assert sorted(dealt[:n]) == list(range(n))
            assert dealt[n:] == dealt[: len(dealt) - n]


def test_sharded_shuffle_follows_ms_set_seed_as_mindspore() -> None:
    (seeded,) = RECORD["seeded"]
    ms.set_seed(seeded["seed"])
    data = [
        ds.NumpySlicesDataset({"x": np.arange(seeded["num_rows"])}, num_shards=seeded["num_shards"], shard_id=s)
        for s in range(seeded["num_shards"])
    ]
    _ctx.seed = None  # read when the sources were made, as MindSpore does
    assert [_two_epochs(d) for d in data] == [shard["epochs"] for shard in seeded["shards"]]


def test_every_iterator_starts_from_the_same_permutation() -> None:
    data = ds.NumpySlicesDataset({"x": np.arange(10)}, num_shards=2, shard_id=0)
    first = _two_epochs(data)
    assert _two_epochs(data) == first
    assert first[0] != first[1]


@pytest.mark.parametrize("error", RECORD["errors"], ids=lambda e: str(e["args"]))
def test_shard_argument_errors_match_mindspore(error: dict[str, Any]) -> None:
    expected = {"ValueError": ValueError, "TypeError": TypeError}[error["type"]]
    with pytest.raises(expected) as info:
        ds.NumpySlicesDataset({"x": np.arange(7)}, **error["args"])
    assert str(info.value).split(",")[0] in error["message"] or error["message"] in str(info.value)


def test_sampler_conflicts_and_iterables_are_refused() -> None:
    sampler = ds.DistributedSampler(2, 0)
    with pytest.raises(ValueError, match="Conflicting arguments"):
        ds.NumpySlicesDataset({"x": np.arange(7)}, sampler=sampler, shuffle=False)
    with pytest.raises(ValueError, match="__getitem__"):
        ds.GeneratorDataset(lambda: iter([(1,)]), ["x"], num_shards=2, shard_id=0)
    with pytest.raises(ValueError, match="DistributedSampler only"):
        ds.NumpySlicesDataset({"x": np.arange(7)}, sampler=object())
