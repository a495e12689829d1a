"""Checkpoints a user brings: one small fixture per failure class the coverage sweep found
(benchmarks/architecture_coverage.py), and the line between a user's mistake and the explorer's own bug."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import explorer
from explorer.errors import BadInput, InternalError
from explorer.zoo.common import TINY, bert_tokenizer, bpe_tokenizer

IMAGE = dict(image_size=32, patch_size=8, num_channels=3, **TINY)


def _save(folder: Path, model: Any, *preprocessors: Any) -> str:
    model.eval().save_pretrained(folder)
    for pre in preprocessors:
        pre.save_pretrained(folder)
    return str(folder)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A tiny CLIP and a tiny DETR detector, from the zoo's own recipes (random weights)."""
    from transformers import DetrForObjectDetection

    from explorer.heads.vision import _detr_detector
    from explorer.heads.zero_shot import _clip

    clip = tmp_path_factory.mktemp("clip")
    _clip(clip)
    config, processor = _detr_detector()
    detr = _save(tmp_path_factory.mktemp("detr"), DetrForObjectDetection(config), processor)
    return {"clip": str(clip), "detr": detr}


# ---------------------------------------------------------------------------- 1, 2: AutoModel


def test_dual_encoder_embeds_text_and_image_into_one_space(built: dict, examples: Path) -> None:
    result = explorer.run(built["clip"], "AutoModel", text=["a cat", "a dog"],
                          image=str(examples / "photo.jpg"))
    assert result.labels == ("text: a cat", "text: a dog", "image: photo.jpg")
    assert result.vectors.shape == (3, 16)  # the zoo CLIP's projection_dim
    assert result.pooling == "projection"
    assert any("shared space" in n for n in result.notes)


def test_dual_encoder_with_one_modality_says_what_to_add(built: dict, examples: Path) -> None:
    result = explorer.run(built["clip"], "AutoModel", image=str(examples / "photo.jpg"))
    assert result.vectors.shape == (1, 16)
    assert any("give text too" in n for n in result.notes)


def test_detr_base_model_runs_on_an_image(built: dict, examples: Path) -> None:
    result = explorer.run(built["detr"], "AutoModel", image=str(examples / "shapes.png"))
    assert result.model_class == "DetrModel"
    assert result.vectors.shape[0] == 1
    assert not any("from the encoder" in n for n in result.notes)


def test_post_processing_that_needs_a_missing_library_says_which(
        built: dict, examples: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PP-OCRv5's detector post-processes with OpenCV, an optional library transformers names."""
    from transformers import AutoImageProcessor
    from transformers.utils import requires_backends

    from explorer.errors import NotRunnable

    processor = type(AutoImageProcessor.from_pretrained(built["detr"]))

    def needs_opencv(self: Any, *args: Any, **kwargs: Any) -> Any:
        requires_backends(self, ["cv2"])

    monkeypatch.setattr(processor, "post_process_object_detection", needs_opencv)
    monkeypatch.setitem(__import__("sys").modules, "cv2", None)  # absent, even if installed
    with pytest.raises(NotRunnable, match=r"needs the OpenCV library, which is not installed "
                                          r"here; `pip install opencv-python`"):
        explorer.run(built["detr"], "object-detection", image=str(examples / "shapes.png"))


# ---------------------------------------------------------------------------- 3: no pad token


@pytest.fixture(scope="module")
def gpt2(tmp_path_factory: pytest.TempPathFactory) -> str:
    from transformers import AutoConfig, GPT2Model

    tok = bpe_tokenizer(pad_token=None)
    assert tok.pad_token is None  # GPT-2 and Llama ship this way
    config = AutoConfig.for_model("gpt2", n_embd=32, n_layer=2, n_head=2, vocab_size=len(tok),
                                  n_positions=64)
    return _save(tmp_path_factory.mktemp("gpt2"), GPT2Model(config), tok)


def test_one_text_needs_no_pad_token(gpt2: str) -> None:
    result = explorer.run(gpt2, "AutoModel", text="the cat sat")
    assert result.vectors.shape[0] == 1
    assert not any("pad token" in n for n in result.notes)


def test_a_batch_pads_with_the_end_of_text_token_and_says_so(gpt2: str) -> None:
    result = explorer.run(gpt2, "AutoModel", text=["the cat sat", "a dog sat on the mat"])
    assert result.vectors.shape[0] == 2
    assert any("tokenizer.pad_token = tokenizer.eos_token" in n for n in result.notes)


# ---------------------------------------------------------------------------- 4: seq2seq bases


def test_encoder_decoder_pretraining_gets_decoder_inputs(tmp_path: Path) -> None:
    from transformers import AutoConfig, T5ForConditionalGeneration

    tok = bert_tokenizer()
    config = AutoConfig.for_model("t5", d_model=32, d_ff=64, d_kv=16, num_layers=1, num_heads=2,
                                  vocab_size=len(tok), decoder_start_token_id=tok.pad_token_id,
                                  pad_token_id=tok.pad_token_id)
    folder = _save(tmp_path, T5ForConditionalGeneration(config), tok)
    result = explorer.run(folder, "AutoModelForPreTraining", text="the cat sat")
    assert result.outputs["logits"] == (1, 1, len(tok))
    assert any("start token" in n for n in result.notes)


# ---------------------------------------------------------------------------- 5: several classes


def test_mapping_with_several_classes_picks_the_saved_one(tmp_path: Path) -> None:
    from transformers import (
        AutoConfig,
        DeiTForImageClassificationWithTeacher,
        ViTImageProcessor,
    )

    config = AutoConfig.for_model("deit", num_labels=3, **IMAGE)
    folder = _save(tmp_path, DeiTForImageClassificationWithTeacher(config),
                   ViTImageProcessor(size={"height": 32, "width": 32}))
    res = explorer.resolve(folder)
    assert res.task == "AutoModelForImageClassification"
    assert res.model_class == "DeiTForImageClassificationWithTeacher"
    assert not any("newly initialised" in line or "names none" in line for line in res.trace)
    assert explorer.resolve(folder, "image-classification").model_class == res.model_class


def test_a_class_no_auto_class_maps_defaults_to_the_bare_model(tmp_path: Path) -> None:
    from transformers import AutoConfig, FunnelBaseModel

    tok = bert_tokenizer()
    config = AutoConfig.for_model("funnel", d_model=32, n_head=2, d_head=16, d_inner=64,
                                  block_sizes=[1, 1], vocab_size=len(tok))
    folder = _save(tmp_path, FunnelBaseModel(config), tok)
    res = explorer.resolve(folder)
    assert (res.task, res.model_class) == ("AutoModel", "FunnelBaseModel")
    result = explorer.run(folder, text="the cat sat")
    assert not result.random_weights or not any("newly initialised" in n for n in result.notes)


# ---------------------------------------------------------------------------- 6: saved as parts


def test_ctc_checkpoint_with_parts_but_no_processor_class(tmp_path: Path, examples: Path) -> None:
    import json

    from transformers import AutoConfig, Data2VecAudioForCTC, Wav2Vec2CTCTokenizer

    from explorer.zoo.audio import wav2vec2_features

    vocab = {t: i for i, t in enumerate(["<pad>", "<unk>", "|", *"abcdefghijklmnopqrstuvwxyz"])}
    (tmp_path / "vocab.json").write_text(json.dumps(vocab))
    tok = Wav2Vec2CTCTokenizer(str(tmp_path / "vocab.json"), bos_token=None, eos_token=None)
    config = AutoConfig.for_model("data2vec-audio", hidden_size=32, num_hidden_layers=1,
                                  num_attention_heads=2, intermediate_size=64, conv_dim=(16,) * 7,
                                  num_conv_pos_embeddings=16, num_conv_pos_embedding_groups=4,
                                  vocab_size=len(tok), pad_token_id=tok.pad_token_id)
    # A tokenizer and a feature extractor, saved one by one: no processor class anywhere.
    folder = _save(tmp_path, Data2VecAudioForCTC(config), tok, wav2vec2_features())
    assert (tmp_path / "preprocessor_config.json").is_file()
    result = explorer.run(folder, audio=str(examples / "speech.wav"))
    assert result.model_class == "Data2VecAudioForCTC"
    assert isinstance(result.text, str)


def test_vlm_without_a_chat_template_gets_its_image_token(tmp_path: Path,
                                                         examples: Path) -> None:
    from explorer.heads.multimodal_generation import _llava

    _llava(tmp_path)
    (tmp_path / "chat_template.jinja").unlink(missing_ok=True)  # a raw checkpoint: no template
    for name in ("processor_config.json", "tokenizer_config.json"):
        _drop_key(tmp_path / name, "chat_template")
    result = explorer.run(str(tmp_path), "AutoModelForMultimodalLM", text="what is this",
                          image=str(examples / "photo.jpg"))
    assert any("no chat template: <image>" in n for n in result.notes)


def _drop_key(path: Path, key: str) -> None:
    import json

    if path.is_file():
        data = json.loads(path.read_text())
        data.pop(key, None)
        path.write_text(json.dumps(data))


def test_a_mapped_class_without_logits_is_not_runnable_not_a_bug(tmp_path: Path,
                                                                  examples: Path) -> None:
    from transformers import AutoConfig, AutoModelForImageClassification, PPLCNetImageProcessor

    from explorer.errors import NotRunnable

    # transformers maps pp_lcnet under image classification, but the class returns no logits.
    model = AutoModelForImageClassification.from_config(AutoConfig.for_model("pp_lcnet"))
    folder = _save(tmp_path, model, PPLCNetImageProcessor())
    with pytest.raises(NotRunnable, match="no class scores"):
        explorer.run(folder, image=str(examples / "photo.jpg"))


# ---------------------------------------------------------------------------- 7: tokenizers


def test_fill_mask_without_a_mask_token_names_what_is_missing(tmp_path: Path) -> None:
    from transformers import AutoConfig, BertForMaskedLM

    tok = bpe_tokenizer()  # byte-level BPE: no mask token, like Reformer's or GPT-2's
    assert tok.mask_token is None
    config = AutoConfig.for_model("bert", vocab_size=len(tok), **TINY)
    folder = _save(tmp_path, BertForMaskedLM(config), tok)
    with pytest.raises(BadInput, match="has no mask token"):
        explorer.run(folder, "fill-mask", text="paris is the [MASK] of france")


def test_table_model_for_text_classification_reads_a_table_not_a_text_pair(
        tmp_path: Path, examples: Path) -> None:
    """TAPAS on TabFact checks a sentence against a table: TapasTokenizer takes (table, query)."""
    from transformers import AutoConfig, AutoTokenizer, TapasForSequenceClassification

    from explorer.heads.table_qa import _tapas

    _tapas(tmp_path / "qa")
    tok = AutoTokenizer.from_pretrained(tmp_path / "qa")
    model = TapasForSequenceClassification(AutoConfig.from_pretrained(tmp_path / "qa"))
    folder = _save(tmp_path / "tabfact", model, tok)
    with pytest.raises(BadInput, match="reads a table and a sentence, not two texts"):
        explorer.run(folder, "text-classification", text="a city", text_pair="paris is big")
    with_table = explorer.run(folder, "text-classification", text="paris is big",
                              table=str(examples / "table.csv"))
    alone = explorer.run(folder, "text-classification", text="paris is big")
    assert any("ran on an empty table" in n for n in alone.notes)
    assert not any("empty table" in n for n in with_table.notes)
    assert not np.allclose(with_table.logits, alone.logits)  # the table's cells were read


@pytest.fixture(scope="module")
def canine() -> Any:
    """CANINE: a character-level, pure-Python tokenizer that returns no offsets."""
    from transformers import AutoConfig, CanineTokenizer

    config = AutoConfig.for_model("canine", hidden_size=32, num_hidden_layers=1,
                                  num_attention_heads=2, intermediate_size=64,
                                  num_hash_buckets=64, max_position_embeddings=256)
    return config, CanineTokenizer(model_max_length=256)  # num_labels 2: start / end for QA


def test_token_classification_without_tokenizer_offsets(canine: Any, tmp_path: Path) -> None:
    from transformers import CanineForTokenClassification

    config, tok = canine
    folder = _save(tmp_path, CanineForTokenClassification(config), tok)
    text = "the cat sat"
    result = explorer.run(folder, "token-classification", text=text)
    assert all(text[e.start:e.end] == e.text and e.text for e in result.entities)


def test_question_answering_without_tokenizer_offsets(canine: Any, tmp_path: Path) -> None:
    from transformers import CanineForQuestionAnswering

    config, tok = canine
    folder = _save(tmp_path, CanineForQuestionAnswering(config), tok)
    context = "the book is in paris"
    result = explorer.run(folder, question="where is the book", context=context)
    assert result.answer == context[result.start:result.end]
    assert 0 <= result.start <= result.end <= len(context)
    assert np.isfinite(result.score)  # the span was scored over the context's characters


# ---------------------------------------------------------------------------- 8, 9: speech


def _config_only(folder: Path, model_type: str, architecture: str, *preprocessors: Any) -> str:
    """A checkpoint's config (and preprocessors) without weights: enough for ``resolve``."""
    from transformers import AutoConfig

    config = AutoConfig.for_model(model_type)
    config.architectures = [architecture]
    config.save_pretrained(folder)
    for pre in preprocessors:
        pre.save_pretrained(folder)
    return str(folder)


def test_speech_llm_defaults_to_the_task_that_hears_audio(tmp_path: Path) -> None:
    from transformers import WhisperFeatureExtractor

    speech = _config_only(tmp_path / "speech", "glmasr", "GlmAsrForConditionalGeneration",
                          WhisperFeatureExtractor(), bpe_tokenizer())
    assert explorer.resolve(speech).task == "AutoModelForMultimodalLM"
    text_only = _config_only(tmp_path / "text", "glmasr", "GlmAsrForConditionalGeneration",
                             bpe_tokenizer())
    assert explorer.resolve(text_only).task == "AutoModelForSeq2SeqLM"


def test_tgt_lang_is_an_option_of_speech_synthesis(tmp_path: Path) -> None:
    from transformers import AutoConfig, VitsModel

    tok = bert_tokenizer()
    config = AutoConfig.for_model("vits", vocab_size=len(tok), hidden_size=16,
                                  num_hidden_layers=1, num_attention_heads=2, ffn_dim=32,
                                  flow_size=16, spectrogram_bins=33, upsample_initial_channel=16,
                                  upsample_rates=[4, 4], upsample_kernel_sizes=[8, 8],
                                  resblock_kernel_sizes=[3], resblock_dilation_sizes=[[1, 3]],
                                  prior_encoder_num_flows=1, duration_predictor_num_flows=1)
    folder = _save(tmp_path, VitsModel(config), tok)
    # Not refused as "does not apply": VITS speaks one language and says so.
    with pytest.raises(BadInput, match="takes no tgt_lang"):
        explorer.run(folder, "text-to-speech", text="the cat", tgt_lang="fra")
    assert "tgt_lang" in explorer.get_task("text-to-speech").options


def test_continuous_audio_codec_decodes_its_latents(tmp_path: Path, examples: Path) -> None:
    """PocketTTS's tokenizer encodes into continuous latents and decode() takes ``latents``."""
    from transformers import AutoConfig, EncodecFeatureExtractor, PocketTTSAudioTokenizerModel

    config = AutoConfig.for_model("pocket_tts_audio_tokenizer", hidden_size=32, head_dim=16,
                                  num_attention_heads=2, num_key_value_heads=2,
                                  intermediate_size=64, num_filters=8, upsample_groups=32,
                                  latent_dim=8)
    folder = _save(tmp_path, PocketTTSAudioTokenizerModel(config),
                   EncodecFeatureExtractor(sampling_rate=24000))
    result = explorer.run(folder, "audio-tokenization", audio=str(examples / "speech.wav"))
    assert result.codes.dtype.kind == "f" and result.codes.shape[-1] == 8  # (frames, latent dim)
    assert any("continuous latents" in n for n in result.notes) and result.array.size > 0


# ---------------------------------------------------------------------------- documents


def _has_tesseract() -> bool:
    from explorer.heads.document_qa import _ocr_available

    return _ocr_available()


@pytest.mark.skipif(not _has_tesseract(), reason="needs tesseract-ocr + pytesseract (make test "
                    "installs them)")
def test_document_qa_reads_a_scanned_page_with_ocr(tmp_path: Path, examples: Path) -> None:
    from explorer.heads.document_qa import _layoutlmv3

    _layoutlmv3(tmp_path)
    result = explorer.run(str(tmp_path), "document-question-answering",
                          image=str(examples / "document.png"), question="what is the total")
    assert any("Tesseract OCR" in n for n in result.notes)
    words = result.context.split()
    assert {"INVOICE", "Total"} <= set(words)  # read off the page, not given as text
    assert result.answer and result.answer in result.context
    assert result.words == tuple(words) and len(result.word_boxes) == len(words)
    total = result.word_boxes[words.index("Total")]
    assert 0 <= total[0] < total[2] <= 300 and 700 <= total[1] < total[3] <= 1000  # bottom left
    first, last = result.answer_words
    assert " ".join(words[first:last + 1]) == result.answer


@pytest.mark.skipif(not _has_tesseract(), reason="needs tesseract-ocr + pytesseract")
def test_document_qa_view_shows_the_words_read_and_the_answer_among_them(tmp_path: Path,
                                                                         examples: Path) -> None:
    from explorer import render
    from explorer.heads.document_qa import _layoutlmv3

    _layoutlmv3(tmp_path)
    result = explorer.run(str(tmp_path), "document-question-answering",
                          image=str(examples / "document.png"), question="what is the total")
    assert "page" in render.views(result)
    fig = render.render(result, view="figure")  # the default figure of a document answer
    patches = [p.get_gid() for p in fig.axes[0].patches]
    first, last = result.answer_words
    assert patches.count("answer-word") == last - first + 1
    assert patches.count("word") == len(result.words) - (last - first + 1)
    assert 'alt="page"' in render.to_html(result)


# ---------------------------------------------------------------------------- errors


def test_an_explorer_bug_is_an_internal_error_with_a_log(built: dict, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXPLORER_LOG_DIR", str(tmp_path / "logs"))
    loaded = explorer.load(built["clip"], "AutoModel")

    def broken(ctx: Any) -> Any:
        return ctx.model.no_such_attribute

    buggy = dataclasses.replace(loaded, spec=dataclasses.replace(loaded.spec, runner=broken))
    with pytest.raises(InternalError) as caught:
        explorer.run_loaded(buggy, explorer.make_inputs("a cat"))
    message = str(caught.value)
    assert "\n" not in message and "this is a bug" in message and "CLIPModel" in message
    assert "check the inputs" not in message
    log = Path(caught.value.log_file)
    assert log.parent == tmp_path / "logs" and "no_such_attribute" in log.read_text()
    assert "Traceback" in log.read_text()


def test_a_missing_input_is_still_the_users_mistake(built: dict) -> None:
    with pytest.raises(BadInput) as caught:
        explorer.run(built["clip"], "zero-shot-image-classification", labels=["a cat"])
    assert "image" in str(caught.value)


def test_cli_debug_prints_the_traceback_of_a_bug(built: dict, tmp_path: Path, capsys: Any,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from explorer import cli, runner
    from explorer.errors import internal_error

    monkeypatch.setenv("EXPLORER_LOG_DIR", str(tmp_path))

    def boom(*args: Any, **kwargs: Any) -> Any:
        try:
            raise AssertionError("shape check failed")
        except AssertionError as exc:
            raise internal_error("run a test model", exc) from exc

    monkeypatch.setattr(runner, "run_loaded", boom)
    assert cli.main(["run", built["clip"], "--task", "AutoModel", "--text", "a cat"]) == 2
    quiet = capsys.readouterr().err
    assert quiet.count("\n") == 1 and "this is a bug" in quiet and "Traceback" not in quiet
    assert cli.main(["run", built["clip"], "--task", "AutoModel", "--text", "a cat",
                     "--debug"]) == 2
    loud = capsys.readouterr().err
    assert "Traceback" in loud and "shape check failed" in loud


# ---------------------------------------------------------------------------- hub ids offline


@pytest.fixture
def network_down(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hub is not switched off, but cannot be reached (the tests' network guard refuses)."""
    from huggingface_hub import constants

    from explorer.hub import forget_probe

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", False)
    forget_probe()
    yield
    forget_probe()


def test_unknown_hub_id_without_network_fails_fast_in_one_line(network_down: None,
                                                                capsys: Any) -> None:
    import time

    import torch  # noqa: F401  (imports are not what is timed)
    import transformers  # noqa: F401

    from explorer.errors import CheckpointNotFound

    started = time.perf_counter()
    with pytest.raises(CheckpointNotFound) as caught:
        explorer.run("some-org/no-such-model", text="hello")
    assert time.perf_counter() - started < 5
    assert "not found locally" in str(caught.value)
    assert "cannot be reached to check" in str(caught.value)
    assert "retry" not in capsys.readouterr().err.lower()


def _hf_cache(root: Path, repo: str, snapshot_of: Path) -> None:
    """``snapshot_of``'s files laid out as the HF cache keeps a downloaded repo."""
    import shutil

    commit = "0" * 40
    repo_dir = root / f"models--{repo.replace('/', '--')}"
    (repo_dir / "refs").mkdir(parents=True)
    (repo_dir / "refs" / "main").write_text(commit)
    shutil.copytree(snapshot_of, repo_dir / "snapshots" / commit)


def test_cached_hub_id_runs_without_asking_the_hub(network_down: None, gpt2: str, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from huggingface_hub import constants

    _hf_cache(tmp_path, "some-org/tiny-gpt2", Path(gpt2))
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path))
    res = explorer.resolve("some-org/tiny-gpt2")
    assert res.source == "cache" and Path(res.location).is_dir()
    result = explorer.run("some-org/tiny-gpt2", "AutoModel", text="the cat sat")
    assert result.model_class == "GPT2Model"


@pytest.fixture
def flaky_hub(network_down: None, monkeypatch: pytest.MonkeyPatch) -> Any:
    """A local server standing in for the hub: reachable, but every request answers HTTP 503."""
    import http.server
    import threading

    from huggingface_hub import constants
    from huggingface_hub.utils import _http

    requests: list[str] = []

    class Unavailable(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self) -> None:  # noqa: N802  (http.server's naming)
            requests.append(self.path)
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_HEAD

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Unavailable)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{server.server_address[1]}"
    monkeypatch.setattr(constants, "ENDPOINT", endpoint)
    monkeypatch.setattr(constants, "HUGGINGFACE_CO_URL_TEMPLATE",
                        endpoint + "/{repo_id}/resolve/{revision}/{filename}")
    monkeypatch.setattr(_http.time, "sleep", lambda seconds: None)  # the back-off, not the test
    yield requests
    server.shutdown()


def test_flaky_hub_says_one_line_per_retry_then_one_error(flaky_hub: list[str],
                                                          caplog: Any) -> None:
    from explorer.errors import CheckpointNotFound

    with pytest.raises(CheckpointNotFound) as caught:
        explorer.run("some-org/flaky-model", text="hello")
    assert "HTTP 503" in str(caught.value) and "\n" not in str(caught.value)
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("huggingface_hub")]
    tries = [path for path in flaky_hub if path.endswith("/config.json")]
    retries = len(tries) - 2  # a first try without retries, then the retried request's first
    assert retries >= 1 and len(lines) == retries
    assert all("some-org/flaky-model/config.json failed (HTTP 503); retry" in line
               for line in lines)
    assert not any("thrown while requesting" in r.getMessage() for r in caplog.records)


# ---------------------------------------------------------------------------- big layouts


@pytest.fixture(scope="module")
def classifier() -> Any:
    """A tiny BERT classifier with a 1000-label head, and its tokenizer."""
    from transformers import AutoConfig, BertForSequenceClassification

    tok = bert_tokenizer()
    config = AutoConfig.for_model("bert", vocab_size=len(tok), num_labels=1000, **TINY)
    return BertForSequenceClassification(config).eval(), tok


def test_sharded_safetensors_load(classifier: Any, tmp_path: Path) -> None:
    model, tok = classifier
    model.save_pretrained(tmp_path, max_shard_size="40KB")
    tok.save_pretrained(tmp_path)
    assert (tmp_path / "model.safetensors.index.json").is_file()
    loaded = explorer.load(str(tmp_path), use_cache=False)
    assert loaded.report.newly_initialized == ()


def test_1000_label_head_shows_top_k_only(classifier: Any, tmp_path: Path) -> None:
    model, tok = classifier
    folder = _save(tmp_path, model, tok)
    result = explorer.run(folder, text="the cat sat", top_k=3)
    assert len(result.labels) == 3 and len(result.label_names) == 1000


def test_float16_checkpoint_loads_in_its_dtype(classifier: Any, tmp_path: Path) -> None:
    import copy

    import torch

    model, tok = classifier
    folder = _save(tmp_path, copy.deepcopy(model).to(torch.float16), tok)
    loaded = explorer.load(folder, use_cache=False)
    assert loaded.report.dtype == "float16"
    assert explorer.run_loaded(loaded, explorer.make_inputs("the cat")).labels


def test_pickle_beside_safetensors_uses_safetensors_without_asking(classifier: Any,
                                                                   tmp_path: Path) -> None:
    import torch

    model, tok = classifier
    folder = _save(tmp_path, model, tok)
    torch.save(model.state_dict(), tmp_path / "pytorch_model.bin")  # hub repos often carry both
    assert {"model.safetensors", "pytorch_model.bin"} <= {p.name for p in tmp_path.iterdir()}
    loaded = explorer.load(folder, use_cache=False)  # no allow_pickle: no refusal
    assert loaded.report.newly_initialized == ()
