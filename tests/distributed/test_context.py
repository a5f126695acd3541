"""The auto-parallel context and the communication API in one process, without MPI."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

import minispore as ms
from minispore import nn
from minispore.communication import create_group, destroy_group, get_group_size, get_rank, init


@pytest.fixture(autouse=True)
def _stand_alone() -> Iterator[None]:
    yield
    ms.reset_auto_parallel_context()


def test_defaults_and_reset() -> None:
    assert ms.get_auto_parallel_context("parallel_mode") == ms.ParallelMode.STAND_ALONE == "stand_alone"
    assert ms.get_auto_parallel_context("gradients_mean") is False
    assert ms.get_auto_parallel_context("device_num") == 1
    assert ms.get_auto_parallel_context("all_reduce_fusion_config") == []
    ms.set_auto_parallel_context(parallel_mode="data_parallel", gradients_mean=True, device_num=8)
    assert ms.context.get_auto_parallel_context("gradients_mean") is True
    ms.reset_auto_parallel_context()
    assert ms.get_auto_parallel_context("parallel_mode") == "stand_alone"
    assert ms.get_auto_parallel_context("device_num") == 1


def test_errors_match_mindspore() -> None:
    with pytest.raises(ValueError, match="Set context keyword bogus is not recognized!"):
        ms.set_auto_parallel_context(bogus=1)
    with pytest.raises(ValueError, match="Get context keyword bogus is not recognized!"):
        ms.get_auto_parallel_context("bogus")
    with pytest.raises(TypeError, match="The parameter 'gradients_mean' must be <class 'bool'>, but got <class 'int'>"):
        ms.set_auto_parallel_context(gradients_mean=1)
    with pytest.raises(ValueError, match="'parallel_mode' only support 'stand_alone'"):
        ms.set_auto_parallel_context(parallel_mode="DATA_PARALLEL")
    with pytest.raises(ValueError, match="'device_num' must be a positive integer"):
        ms.set_auto_parallel_context(device_num=0)
    with pytest.raises(ValueError, match=r"'global_rank' must be in \[0, 4095\]"):
        ms.set_auto_parallel_context(global_rank=-1)


@pytest.mark.parametrize("mode", ["semi_auto_parallel", "auto_parallel", "hybrid_parallel"])
def test_sharding_modes_are_refused_clearly(mode: str) -> None:
    with pytest.raises(ValueError, match=r"'stand_alone' and 'data_parallel' only.*ParallelMode.DATA_PARALLEL"):
        ms.set_auto_parallel_context(parallel_mode=mode)
    assert ms.get_auto_parallel_context("parallel_mode") == "stand_alone"


def test_features_minispore_lacks_are_refused() -> None:
    with pytest.raises(ValueError, match="'enable_parallel_optimizer' at its default False"):
        ms.set_auto_parallel_context(enable_parallel_optimizer=True)
    with pytest.raises(ValueError, match="'pipeline_stages' at its default 1"):
        ms.set_auto_parallel_context(pipeline_stages=2)


def test_communication_before_init() -> None:
    assert (get_rank(), get_group_size()) == (0, 1)
    with pytest.raises(TypeError, match="For 'get_rank', the argument 'group' must be type of string"):
        get_rank(3)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError, match=r"has not been inited.*Please call `init\(\)` method first"):
        create_group("g", [0, 1])
    with pytest.raises(RuntimeError, match="has not been inited"):
        destroy_group("g")


def test_init_refuses_backends_that_do_not_fit_the_device() -> None:
    with pytest.raises(RuntimeError, match=r"'backend_name' should be 'mccl' to init '(CPU|OpenCL)', but got 'nccl'"):
        init("nccl")
    with pytest.raises(RuntimeError, match="must be one of 'hccl', 'nccl' and 'mccl'"):
        init("gloo")
    with pytest.raises(TypeError, match="'backend_name' must be a string"):
        init(3)  # type: ignore[arg-type]


def test_stand_alone_training_cells_have_no_reducer() -> None:
    net = nn.Dense(2, 2)
    opt = nn.Momentum(net.trainable_params(), 0.1, 0.9)
    assert nn.TrainOneStepCell(nn.WithLossCell(net, nn.MSELoss()), opt).grad_reducer is None


def test_reducer_checks_degree() -> None:
    params = nn.Dense(2, 2).trainable_params()
    for bad in (0, -1, 2.0, True):
        with pytest.raises(ValueError, match="parameter 'degree' in DistributedGradReducer should large than 0"):
            nn.DistributedGradReducer(params, degree=bad)  # type: ignore[arg-type]
    reducer = nn.DistributedGradReducer(params)
    assert (reducer.degree, reducer.mean) == (1, False)
    with pytest.raises(ValueError, match=r"one gradient per parameter \(2\), but got 1"):
        reducer((ms.Tensor(np.zeros((2, 2), np.float32)),))
