# minispore client script: copied unchanged except the imports ("mindspore" -> "minispore").
# Source: mindspore-ai/models, research/cv/lenet/src/model_utils/__init__.py, commit ce64876bddf99b4d0e2f607932a03b3ca84cea62
