"""How far transformers' two image backends (torchvision, the default, and PIL) disagree on the
zoo's image checkpoints: max |Δ| of pixel_values and of the model's first output, same input.

    python benchmarks/processor_backends.py [ZOO_DIR]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np


def main(zoo: Path) -> None:
    import torch
    from PIL import Image
    from transformers import AutoImageProcessor

    import explorer
    from explorer.zoo import EXAMPLES_DIR, recipes

    print(f"{'zoo entry':26} {'processor':34} {'pixels max|Δ|':>14} {'output max|Δ|':>14}")
    for recipe in recipes():
        image_name = (recipe.example or {}).get("image")
        if image_name is None or not (zoo / recipe.name / "preprocessor_config.json").is_file():
            continue
        image = Image.open(EXAMPLES_DIR / image_name).convert("RGB")
        try:
            fast = AutoImageProcessor.from_pretrained(zoo / recipe.name, backend="torchvision")
            slow = AutoImageProcessor.from_pretrained(zoo / recipe.name, backend="pil")
        except (ValueError, ImportError):
            continue  # one backend only
        if type(fast) is type(slow):
            continue
        try:
            a = fast(images=image, return_tensors="pt")["pixel_values"]
            b = slow(images=image, return_tensors="pt")["pixel_values"]
        except TypeError:
            continue  # needs more than an image (ViTPose: person boxes)
        if a.shape != b.shape:
            print(f"{recipe.name:26} {type(fast).__name__:34} shapes differ {tuple(a.shape)} vs "
                  f"{tuple(b.shape)}")
            continue
        model = explorer.load(str(zoo / recipe.name)).model
        try:
            with torch.inference_mode():
                out_a, out_b = model(pixel_values=a)[0], model(pixel_values=b)[0]
            output = f"{float(np.abs(out_a.numpy() - out_b.numpy()).max()):14.2e}"
        except (RuntimeError, ValueError, TypeError, AttributeError):
            output = f"{'(needs more inputs)':>14}"  # a clip, prompts...
        print(f"{recipe.name:26} {type(fast).__name__:34} {float((a - b).abs().max()):14.2e} "
              f"{output}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.home() / ".cache/autoclass-explorer/zoo")
