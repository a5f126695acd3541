# minispore client script: the Python blocks of the page, in order, unchanged except the imports
# ("mindspore" -> "minispore"); the indented examples of "Syntax Support Scope" are not part of the run.
# Source: mindspore-ai/docs, tutorials/source_en/beginner/save_load.md, commit d4b2896c0bd2739628185e47f88ac1b2cb85c58a
# (MindSpore tutorial "Saving and Loading the Model", Apache License 2.0.)
import numpy as np
import minispore
from minispore import nn
from minispore import Tensor

def network():
    model = nn.SequentialCell(
                nn.Flatten(),
                nn.Dense(28*28, 512),
                nn.ReLU(),
                nn.Dense(512, 512),
                nn.ReLU(),
                nn.Dense(512, 10))
    return model

model = network()
minispore.save_checkpoint(model, "model.ckpt")

model = network()
param_dict = minispore.load_checkpoint("model.ckpt")
param_not_load, _ = minispore.load_param_into_net(model, param_dict)
print(param_not_load)

minispore.set_context(mode=minispore.GRAPH_MODE, jit_syntax_level=minispore.STRICT)
model = network()
inputs = Tensor(np.ones([1, 1, 28, 28]).astype(np.float32))
minispore.export(model, inputs, file_name="model", file_format="MINDIR")

graph = minispore.load("model.mindir")
model = nn.GraphCell(graph)
outputs = model(inputs)
print(outputs.shape)
