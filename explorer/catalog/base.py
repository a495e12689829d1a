"""What the base tasks are (pure data; their runners are registered in
``explorer/heads/base.py``)."""

from __future__ import annotations

from explorer.catalog import TaskSpec
from explorer.options import POOLING

SPECS = [
    TaskSpec("AutoModel", ("feature-extraction",), "base", ("text", "image", "audio"),
             "embedding", "AutoProcessor",
             "The bare network, no head: hidden states, pooled into one vector per input.",
             options=(POOLING,)),
    TaskSpec("AutoModelForPreTraining", ("pretraining",), "base", ("text", "image", "audio"),
             "raw", "AutoProcessor",
             "The heads the model was pre-trained with (e.g. BERT's masked-LM + NSP)."),
]

# Described but not run: prompts with marked options are inputs the explorer has no panel or
# zoo checkpoint for yet.
DESCRIBED = [
    TaskSpec("AutoModelForDecision", ("decision",), "base", ("text", "labels"), "classification",
             "AutoTokenizer",
             "Scores the options of a choice, yes/no or rating question about a prompt (Jev)."),
]
