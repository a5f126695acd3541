"""Checkpoints: ``save_checkpoint``, ``load_checkpoint``, ``load_param_into_net`` (MindSpore's
``mindspore.train.serialization``).

Two formats, chosen by ``format=``:

- ``'ckpt'`` (the default, as in MindSpore): MindSpore's protobuf ``Checkpoint`` message.
  minispore reads and writes it with its own wire-format codec (:mod:`._wire`, about a
  hundred lines for six fields), so it needs nothing beyond NumPy: no ``protobuf`` runtime,
  no ``protoc``, no generated code pinned to a protobuf version. Files are byte-identical to
  the ones MindSpore 2.10 writes for the same parameters, and load in MindSpore.
- ``'safetensors'``: through the optional ``safetensors`` package
  (``pip install 'minispore[checkpoint]'``); importing minispore never needs it.

Saving is atomic (temporary file, ``fsync``, rename). Loading parses data only: no pickle,
no code runs, and damaged files raise ValueError naming the file and the fault.
"""

from minispore.train.serialization.into_net import load_param_into_net
from minispore.train.serialization.load import load_checkpoint
from minispore.train.serialization.save import save_checkpoint

__all__ = ["load_checkpoint", "load_param_into_net", "save_checkpoint"]
