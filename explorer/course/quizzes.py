"""End-of-lesson quizzes: a few multiple-choice questions per notebook, checked in the notebook.

    course.quiz("01")                        # shows the questions
    course.quiz("01", {1: "b", 2: "a"})      # marks each answered question, with the reason
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from explorer.course.views import HTML
from explorer.render.common import esc


@dataclass(frozen=True)
class Question:
    text: str
    choices: tuple[str, ...]
    """Shown as a, b, c, ..."""
    right: str
    """The letter of the right choice."""
    why: str
    """Shown once the question is answered right."""


def _q(text: str, choices: tuple[str, ...], right: str, why: str) -> Question:
    return Question(text, choices, right, why)


QUIZZES: dict[str, tuple[Question, ...]] = {
    "01": (
        _q("Which field of config.json does AutoModelForX.from_pretrained look up in its table?",
           ("architectures", "model_type", "_name_or_path"), "b",
           "model_type picks the row; architectures only records the class the file was saved from."),
        _q("BertConfig.from_pretrained on a GPT-2 checkpoint ...",
           ("raises an error",
            "reads fields whose names match (vocab_size), BERT's defaults for the rest",
            "converts GPT-2 to BERT"), "b",
           "A specific class reads the config with its own field names; nothing checks model_type."),
        _q("What does AutoModel() (calling the class) give you?",
           ("an error: Auto classes are dispatchers, use from_pretrained / from_config",
            "an untrained BertModel", "the last model loaded"), "a",
           "Only from_pretrained / from_config build something: the concrete class from the table."),
    ),
    "02": (
        _q("What does attention_mask mark with 0?",
           ("special tokens", "padding", "the second text"), "b",
           "Padding positions; token_type_ids marks the second text."),
        _q("You load a model from checkpoint A and its tokenizer from checkpoint B. What happens?",
           ("transformers refuses", "it runs, with ids that mean other words to the model",
            "the tokenizer adapts"), "b",
           "Nothing checks that the vocabularies agree: always load both from the same checkpoint."),
        _q("What does AutoProcessor return for a text-only checkpoint?",
           ("an error", "the checkpoint's tokenizer", "an empty processor"), "b",
           "It falls back to the single preprocessor, so code that always calls it still works."),
    ),
    "03": (
        _q("A load report lists classifier.weight as newly initialised. The model's predictions are ...",
           ("good: the body is pre-trained", "noise until the head is trained",
            "an error at run time"), "b",
           "New weights are random; the body's features go through a random layer."),
        _q("The logits of a causal LM for a 6-token prompt have 6 rows. Row i is ...",
           ("the model's guess for token i + 1", "token i itself", "the generated text"), "a",
           "Every row predicts the next position, so argmax over the rows is not generation."),
        _q("In extractive QA the answer span must ...",
           ("lie in the question", "lie in the context, with end ≥ start",
            "be one token long"), "b",
           "Mask out question tokens and pairs with end < start before taking the best pair."),
    ),
    "04": (
        _q("DETR's pred_boxes are ...",
           ("corner pixels of the original image",
            "(centre x, centre y, w, h) as fractions of the image",
            "pixels of the resized image"), "b",
           "post_process_object_detection converts to corners and scales by target_sizes."),
        _q("Why does post_process_object_detection take target_sizes?",
           ("to pick the threshold",
            "to scale the fractional boxes to the original image's pixels",
            "to resize the model"), "b",
           "The model saw a resized copy and answers in fractions; only you know the original size."),
        _q("One universal-segmentation model can give semantic, instance and panoptic maps because ...",
           ("it has three heads", "it predicts masks with classes and the post-processing decides",
            "it is retrained each time"), "b",
           "Mask2Former / OneFormer: post_process_semantic / instance / panoptic read the same output."),
    ),
    "04b": (
        _q("SAM is given one point. It returns ...",
           ("one mask", "several masks for that prompt, each with a predicted IoU score",
            "a class label"), "b",
           "A point is ambiguous (part, object, whole): SAM proposes masks and rates them."),
        _q("bool_masked_pos for masked image modelling has one entry per ...",
           ("pixel", "patch", "channel"), "b",
           "The model hides and redraws whole patches."),
        _q("A video model's pixel_values has which extra axis compared with an image model's?",
           ("frames, after the batch axis", "audio", "none"), "a",
           "(batch, frames, channels, height, width)."),
    ),
    "05": (
        _q("A CTC model outputs ...",
           ("one token per ~20 ms frame, collapsed afterwards", "a text generated token by token",
            "a spectrogram"), "a",
           "Merge repeats, drop blanks: one forward pass, no loop."),
        _q("Which speech recogniser can write text that was never said?",
           ("CTC (wav2vec2)", "seq2seq (Whisper)", "neither"), "b",
           "A decoder generates freely; CTC ties every letter to a frame."),
        _q("Your audio is 44.1 kHz and the feature extractor expects 16 kHz. You should ...",
           ("pass it as is", "resample to 16 kHz and pass sampling_rate=16000",
            "pass sampling_rate=44100 and let it resample"), "b",
           "Feature extractors check the rate; they do not resample for you."),
    ),
    "06": (
        _q("An AutoProcessor for an image-and-text model holds ...",
           ("one tokenizer", "a tokenizer and an image processor", "the model"), "b",
           "One call sends each input to the right preprocessor and merges the tensors."),
        _q("How does the seed text's processor(image=path) go wrong?",
           ("image= is not its keyword: ignored (one logged line), no pixel_values come out",
            "it works the same as images=", "it raises TypeError"), "a",
           "The keyword is images=; look for pixel_values in what the processor returns."),
        _q("TAPAS is given a table as ...",
           ("a Python dict", "a pandas DataFrame whose cells are all strings",
            "a CSV path"), "b",
           "The tokenizer reads a DataFrame (table=...) with text cells; a dict fails."),
    ),
    "07": (
        _q("What does AutoModel.register(MyConfig, MyModel) change?",
           ("the AutoModel table, in this Python process", "the hub", "every Python process"), "a",
           "Registration lasts one process; ship a package or auto_map code to share it."),
        _q("AutoModel.register(BertConfig, MyBert) without exist_ok ...",
           ("replaces BERT everywhere", "raises ValueError: built-in rows are protected",
            "is ignored"), "b",
           "exist_ok=True forces it; only for deliberate overrides."),
        _q("from_pretrained matches checkpoint weights to a model by ...",
           ("name and shape", "meaning", "order in the file"), "a",
           "Same name and shape, different meaning: loaded without a warning."),
    ),
    "08": (
        _q("In transformers v5, from_pretrained without dtype loads ...",
           ("float32 always", "the precision the checkpoint was saved in ('auto')",
            "bfloat16"), "b",
           "v4 defaulted to float32; v5 keeps the saved precision."),
        _q("Why is pytorch_model.bin risky?",
           ("it is slow", "unpickling can run code the file names", "it is bigger"), "b",
           "safetensors holds only a header and numbers."),
        _q("You load a fine-tuned 2-label checkpoint with num_labels=5. Transformers ...",
           ("reshapes the head silently",
            "refuses (size mismatch) unless ignore_mismatched_sizes=True: then the head is new",
            "drops 3 labels"), "b",
           "A mismatched head is never reused; with ignore_mismatched_sizes it is new and random."),
    ),
    "09": (
        _q("from_pretrained(..., from_tf=True) in v5 ...",
           ("loads TF weights", "is ignored silently", "raises TypeError"), "b",
           "v5 is PyTorch only and drops the keyword; convert TF checkpoints with v4 once."),
        _q("The v5 name for AutoModelForVision2Seq is ...",
           ("AutoModelForImageTextToText", "AutoModelForVision", "AutoModelWithLMHead"), "a",
           "Same models, new name; AutoModelWithLMHead is gone too."),
        _q("Where does v5 report missing and unexpected weights?",
           ("nowhere",
            "a LOAD REPORT table logged at warning level (and output_loading_info=True)",
            "an exception"), "b",
           "Silence transformers' logging and you lose it; read it or ask for output_loading_info."),
    ),
    "10": (
        _q("In this lesson's training loop, which weights does the optimiser change?",
           ("only the head's: the body's weights have requires_grad = False",
            "every weight of the model", "the tokenizer's vocabulary"), "a",
           "It updates the parameters it was given that require gradients: here, the head."),
        _q("After save_pretrained + from_pretrained of your fine-tuned model, the load report ...",
           ("lists classifier.weight as missing", "has nothing missing: the head is in the file",
            "lists the body as unexpected"), "b",
           "The head was saved with the model; nothing is newly initialised."),
        _q("Two dozen labelled sentences and 30 steps are enough to ...",
           ("show the mechanics and separate a toy task", "build a production classifier",
            "learn nothing"), "a",
           "Real tasks need more data and a held-out evaluation."),
    ),
}


def _choice_letter(index: int) -> str:
    return "abcdefgh"[index]


def quiz(lesson: str, answers: Mapping[int, str] | None = None) -> HTML:
    """The lesson's questions; each one answered in ``answers`` ({question number: letter}) is
    marked right (with the reason) or wrong."""
    if lesson not in QUIZZES:
        raise KeyError(f"no quiz {lesson!r}; known: {', '.join(sorted(QUIZZES))}")
    answers = answers or {}
    items = []
    for number, question in enumerate(QUIZZES[lesson], start=1):
        choices = "".join(f"<li><b>{_choice_letter(i)}</b>. {esc(c)}</li>"
                          for i, c in enumerate(question.choices))
        given = answers.get(number)
        if given is None:
            mark = ""
        elif str(given).strip().lower() == question.right:
            mark = f'<div style="color:#1a7f37">✓ right: {esc(question.why)}</div>'
        else:
            mark = f'<div style="color:#b42318">✗ not {esc(str(given))}: think again</div>'
        items.append(f"<li>{esc(question.text)}<ul style='list-style:none;padding-left:8px'>"
                     f"{choices}</ul>{mark}</li>")
    score = sum(str(answers.get(n, "")).strip().lower() == q.right
                for n, q in enumerate(QUIZZES[lesson], start=1))
    title = (f"Quiz {lesson}: {score} of {len(QUIZZES[lesson])} right" if answers
             else f"Quiz {lesson}: answer in a dict, e.g. {{1: 'a', 2: 'c'}}")
    return HTML(f'<div style="font-family:DejaVu Sans,Helvetica,Arial,sans-serif;font-size:13px;'
                f'border:1px solid #ddd;border-radius:6px;padding:8px 12px;max-width:980px">'
                f'<div style="font-weight:600">{esc(title)}</div><ol>{"".join(items)}</ol></div>')
