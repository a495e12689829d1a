"""Write the video-classification example clips in explorer/examples (run once; they are committed).

    python scripts/make_clip_examples.py

``clip.gif`` and ``clip.mp4`` hold the same 16 frames: a shapes-world clip
(``explorer.toyworld.shapes.clip``) of one shape sliding sideways, 10 frames a second.
"""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np

from explorer.toyworld.shapes import clip

EXAMPLES = Path(__file__).resolve().parent.parent / "explorer" / "examples"
SEED, SIZE, FRAMES, FPS = 3, 96, 16, 10


def write_gif(frames: list, path: Path) -> None:
    frames[0].save(path, save_all=True, append_images=frames[1:], duration=1000 // FPS, loop=0,
                   optimize=False)


def write_mp4(frames: list, path: Path) -> None:
    with av.open(str(path), "w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=FPS)
        stream.width, stream.height, stream.pix_fmt = SIZE, SIZE, "yuv420p"
        stream.options = {"crf": "18"}
        for image in frames:
            frame = av.VideoFrame.from_ndarray(np.asarray(image), format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())  # flush


def main() -> None:
    shot = clip(SEED, SIZE, FRAMES)
    frames = list(shot.frames)
    write_gif(frames, EXAMPLES / "clip.gif")
    write_mp4(frames, EXAMPLES / "clip.mp4")
    print(f"a {shot.colour} {shot.shape} {shot.label}, {FRAMES} frames of {SIZE}×{SIZE}")


if __name__ == "__main__":
    main()
