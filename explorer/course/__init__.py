"""Course material for the notebooks in ``notebooks/``: checkpoints that work offline, small views
of what the engine decided, exercise checks, quizzes and concept diagrams.

    from explorer import course
    CKPT = course.checkpoints(REAL, online=ONLINE)   # zoo folders offline, hub ids online
    course.show_trace(explorer.resolve(CKPT["fill-mask"]))
    course.check("01.predict-class", answer)
    course.confirm(result, "toy", "the review is positive", lambda: ...)  # the text, checked
    course.quiz("01", {1: "b"})
    from explorer.course import diagrams; diagrams.lookup("bert")
"""

from explorer.course.checkpoints import checkpoints, example, short
from explorer.course.checks import EXERCISES, check, is_correct, verdict
from explorer.course.claims import StaleText, confirm
from explorer.course.messages import library_messages
from explorer.course.quizzes import QUIZZES, quiz
from explorer.course.views import (
                                   HTML,
                                   auto_class_overview,
                                   heads_table,
                                   show_audio_features,
                                   show_checkpoints,
                                   show_pixels,
                                   show_report,
                                   show_tokens,
                                   show_trace,
                                   table,
)

__all__ = ["EXERCISES", "HTML", "QUIZZES", "StaleText", "auto_class_overview", "check",
           "checkpoints", "confirm", "example", "heads_table", "is_correct", "library_messages",
           "quiz", "short", "show_audio_features", "show_checkpoints", "show_pixels", "show_report",
           "show_tokens", "show_trace", "table", "verdict"]
