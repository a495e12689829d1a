"""Zoo recipes for audio tasks: tiny wav2vec2 (CTC, classification, frames, x-vectors), Whisper,
Parakeet RNN-T / TDT, SpeechT5 and VITS text-to-speech, and a DAC audio codec.

The speech models share one tiny wav2vec2 body: a 7-layer conv feature encoder with the real
strides (320 samples → one frame, 20 ms at 16 kHz) but 16 channels, and a 2-layer transformer.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from explorer.toyworld.speech import COMMANDS
from explorer.zoo import Recipe
from explorer.zoo.common import _bpe_files, bpe_tokenizer, label_maps, save_random

SPEECH = "speech.wav"
SENTENCE = "the cat sat on the mat"
LETTERS = "abcdefghijklmnopqrstuvwxyz'"
FRAME_LABELS = ("silence", "speech", "music")
WHISPER_CHUNK_SECONDS = 3  # the feature extractor's window: 300 mel frames → 150 encoder positions
WHISPER_SPECIALS = ("<|startoftranscript|>", "<|en|>", "<|translate|>", "<|transcribe|>",
                    "<|startoflm|>", "<|startofprev|>", "<|nocaptions|>", "<|notimestamps|>")


# ---------------------------------------------------------------------------- wav2vec2 family


def _wav2vec2_config(**kwargs: Any) -> Any:
    from transformers import AutoConfig

    return AutoConfig.for_model(
        "wav2vec2", hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
        intermediate_size=64, conv_dim=(16,) * 7, num_conv_pos_embeddings=16,
        num_conv_pos_embedding_groups=4, **kwargs)


def _wav2vec2_features() -> Any:
    from transformers import Wav2Vec2FeatureExtractor

    return Wav2Vec2FeatureExtractor(feature_size=1, sampling_rate=16000, padding_value=0.0,
                                    do_normalize=True, return_attention_mask=True)


def ctc_tokenizer(directory: Path) -> Any:
    """A letter vocabulary (``|`` separates words, ``<pad>`` is the CTC blank), its file written
    into ``directory``."""
    from transformers import Wav2Vec2CTCTokenizer

    vocab = {t: i for i, t in enumerate(["<pad>", "<unk>", "|", *LETTERS])}
    vocab_file = directory / "vocab.json"
    vocab_file.write_text(json.dumps(vocab))
    # No <s> / </s>: CTC never needs them, and a random head would scatter them in the text.
    return Wav2Vec2CTCTokenizer(str(vocab_file), word_delimiter_token="|", bos_token=None,
                                eos_token=None)


def _ctc(directory: Path) -> None:
    """wav2vec2 + a letter vocabulary."""
    from transformers import Wav2Vec2Processor

    tok = ctc_tokenizer(directory)
    processor = Wav2Vec2Processor(feature_extractor=_wav2vec2_features(), tokenizer=tok)
    config = _wav2vec2_config(vocab_size=len(tok), pad_token_id=tok.pad_token_id,
                              ctc_loss_reduction="mean")
    model = save_random(directory, "AutoModelForCTC", config, processor)
    # Random logits are nearly flat; nudging the blank and the word separator up gives the demo
    # the shape of real CTC output (many blank frames, several words with time offsets).
    import torch

    with torch.no_grad():
        model.lm_head.bias[tok.pad_token_id] += 0.2
        model.lm_head.bias[tok.word_delimiter_token_id] += 0.25
    model.save_pretrained(directory)


def _wav2vec2_head(auto_class: str, **config_kwargs: Any):
    def build(directory: Path) -> None:
        save_random(directory, auto_class, _wav2vec2_config(**config_kwargs), _wav2vec2_features())
    return build


# ---------------------------------------------------------------------------- Whisper


def _whisper_tokenizer() -> Any:
    """The zoo's byte-level BPE plus Whisper's special tokens, then one timestamp token per 20 ms
    of the window (Whisper reads every id above ``<|notimestamps|>`` as a timestamp)."""
    from transformers import WhisperTokenizer

    vocab, merges = _bpe_files()
    vocab = dict(vocab)
    stamps = [f"<|{i * 0.02:.2f}|>" for i in range(WHISPER_CHUNK_SECONDS * 50 + 1)]
    for token in (*WHISPER_SPECIALS, *stamps):
        vocab[token] = len(vocab)
    return WhisperTokenizer(vocab=vocab, merges=list(merges), model_max_length=128,
                            pad_token="<|endoftext|>",
                            additional_special_tokens=["<|endoftext|>", *WHISPER_SPECIALS])


def _whisper(directory: Path) -> None:
    from transformers import (
        AutoConfig,
        GenerationConfig,
        WhisperFeatureExtractor,
        WhisperProcessor,
    )

    tok = _whisper_tokenizer()
    features = WhisperFeatureExtractor(feature_size=80, chunk_length=WHISPER_CHUNK_SECONDS)
    start = tok.convert_tokens_to_ids("<|startoftranscript|>")
    config = AutoConfig.for_model(
        "whisper", vocab_size=len(tok), d_model=32, encoder_layers=2, decoder_layers=2,
        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=64,
        decoder_ffn_dim=64, num_mel_bins=80, max_source_positions=features.nb_max_frames // 2,
        max_target_positions=128, pad_token_id=tok.pad_token_id, bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id, decoder_start_token_id=start, begin_suppress_tokens=None,
        suppress_tokens=None)
    save_random(directory, "AutoModelForSpeechSeq2Seq", config,
                WhisperProcessor(feature_extractor=features, tokenizer=tok))
    # Whisper's generate() reads these from the generation config (English-only, so no language
    # or task tokens); written by hand so it is not re-derived from the model config on load.
    GenerationConfig(
        bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id, decoder_start_token_id=start, max_length=128,
        no_timestamps_token_id=tok.convert_tokens_to_ids("<|notimestamps|>"),
        is_multilingual=False, max_initial_timestamp_index=50,
    ).save_pretrained(directory)


# ---------------------------------------------------------------------------- Parakeet


def _parakeet(kind: str):
    """Parakeet RNN-T / TDT: a tiny FastConformer encoder, an LSTM prediction network, and a
    letter tokenizer whose last token is the transducer blank."""
    auto_class = {"rnnt": "AutoModelForRNNT", "tdt": "AutoModelForTDT"}[kind]

    def build(directory: Path) -> None:
        from tokenizers import Tokenizer, decoders, models, pre_tokenizers
        from transformers import (
            AutoConfig,
            ParakeetFeatureExtractor,
            ParakeetProcessor,
            ParakeetTokenizer,
        )

        pieces = ["<unk>", "<pad>", *("▁" + c for c in LETTERS[:-1]), *LETTERS, "<blank>"]
        backend = Tokenizer(models.BPE(vocab={p: i for i, p in enumerate(pieces)}, merges=[],
                                       unk_token="<unk>"))
        backend.pre_tokenizer = pre_tokenizers.Metaspace()
        backend.decoder = decoders.Metaspace()
        tok = ParakeetTokenizer(tokenizer_object=backend, unk_token="<unk>", pad_token="<pad>",
                                additional_special_tokens=["<blank>"])
        blank = tok.convert_tokens_to_ids("<blank>")
        processor = ParakeetProcessor(ParakeetFeatureExtractor(feature_size=16), tok,
                                      decoder_type=kind)
        encoder = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                       num_key_value_heads=2, intermediate_size=64, subsampling_conv_channels=8,
                       num_mel_bins=16, max_position_embeddings=512)
        config = AutoConfig.for_model(
            f"parakeet_{kind}", vocab_size=len(tok), decoder_hidden_size=32, num_decoder_layers=1,
            max_symbols_per_step=2, encoder_config=encoder, pad_token_id=tok.pad_token_id,
            blank_token_id=blank, decoder_start_token_id=blank)
        save_random(directory, auto_class, config, processor)
    return build


# ---------------------------------------------------------------------------- speech out


def _speecht5(directory: Path) -> None:
    """SpeechT5 text → mel spectrogram. Real checkpoints tokenize with SentencePiece (not a
    dependency here), so the zoo uses its byte-level BPE tokenizer."""
    from transformers import AutoConfig

    tok = bpe_tokenizer()
    config = AutoConfig.for_model(
        "speecht5", vocab_size=len(tok), hidden_size=32, encoder_layers=2,
        encoder_attention_heads=2, encoder_ffn_dim=64, decoder_layers=2, decoder_attention_heads=2,
        decoder_ffn_dim=64, conv_dim=(16,) * 7, num_conv_pos_embeddings=16,
        num_conv_pos_embedding_groups=4, num_mel_bins=16, speech_decoder_prenet_units=32,
        speaker_embedding_dim=16, speech_decoder_postnet_units=32, speech_decoder_postnet_layers=2,
        max_speech_positions=256, max_text_positions=64, encoder_max_relative_position=32,
        pad_token_id=tok.pad_token_id, bos_token_id=tok.eos_token_id,
        eos_token_id=tok.eos_token_id, decoder_start_token_id=tok.eos_token_id)
    model = save_random(directory, "AutoModelForTextToSpectrogram", config, tok)
    # Random stop logits would end the spectrogram after one step; make the model never ask to
    # stop, so it runs to generate()'s length limit (maxlenratio × the text length).
    import torch

    with torch.no_grad():
        model.speech_decoder_postnet.prob_out.bias.fill_(-10.0)
    model.save_pretrained(directory)


def _vits(directory: Path) -> None:
    """VITS (MMS-TTS style): characters in, waveform out, no phonemizer."""
    from transformers import AutoConfig, VitsTokenizer

    chars = ["<pad>", *" abcdefghijklmnopqrstuvwxyz'.,?!-", "<unk>"]
    vocab_file = directory / "vocab.json"
    vocab_file.write_text(json.dumps({c: i for i, c in enumerate(chars)}))
    tok = VitsTokenizer(str(vocab_file), phonemize=False, normalize=True, add_blank=True)
    config = AutoConfig.for_model(
        "vits", vocab_size=len(chars), hidden_size=16, num_hidden_layers=2, num_attention_heads=2,
        ffn_dim=32, flow_size=16, spectrogram_bins=17, upsample_initial_channel=16,
        resblock_kernel_sizes=[3], resblock_dilation_sizes=[[1, 3]],
        duration_predictor_filter_channels=16, duration_predictor_num_flows=2,
        prior_encoder_num_flows=2, prior_encoder_num_wavenet_layers=2,
        posterior_encoder_num_wavenet_layers=2, pad_token_id=0, sampling_rate=16000,
        speaking_rate=4.0)  # random durations are long; keep the clip a few seconds
    save_random(directory, "AutoModelForTextToWaveform", config, tok)


def _dac(directory: Path) -> None:
    """DAC codec: 64 samples → one frame of 2 codebook indices, and back."""
    from transformers import AutoConfig, DacFeatureExtractor

    config = AutoConfig.for_model(
        "dac", encoder_hidden_size=4, downsampling_ratios=[2, 4, 8], upsampling_ratios=[8, 4, 2],
        decoder_hidden_size=16, n_codebooks=2, codebook_size=32, codebook_dim=4, hidden_size=16,
        sampling_rate=16000, hop_length=64)
    save_random(directory, "AutoModelForAudioTokenization", config,
                DacFeatureExtractor(feature_size=1, sampling_rate=16000, hop_length=64))


RECIPES = [
    Recipe("ctc", "AutoModelForCTC", _ctc,
           "tiny wav2vec2 with a letter CTC head (Wav2Vec2Processor)", {"audio": SPEECH}),
    Recipe("automatic-speech-recognition", "AutoModelForSpeechSeq2Seq", _whisper,
           "tiny English-only Whisper (3 s window) with timestamp tokens",
           {"audio": SPEECH, "options": {"return_timestamps": True}}),
    Recipe("audio-classification", "AutoModelForAudioClassification",
           _wav2vec2_head("AutoModelForAudioClassification", **label_maps(COMMANDS)),
           "tiny wav2vec2 with a speech-commands head (yes/no/up/down/left/right/on/off/stop/go)",
           {"audio": SPEECH}),
    Recipe("audio-frame-classification", "AutoModelForAudioFrameClassification",
           _wav2vec2_head("AutoModelForAudioFrameClassification", **label_maps(FRAME_LABELS)),
           "tiny wav2vec2 labelling every 20 ms frame (silence/speech/music)", {"audio": SPEECH}),
    Recipe("audio-xvector", "AutoModelForAudioXVector",
           _wav2vec2_head("AutoModelForAudioXVector", tdnn_dim=(32, 32, 32, 32, 64),
                          xvector_output_dim=16),
           "tiny wav2vec2 with an x-vector (TDNN) speaker-embedding head", {"audio": SPEECH}),
    Recipe("rnnt", "AutoModelForRNNT", _parakeet("rnnt"),
           "tiny Parakeet RNN-T transducer (letters)", {"audio": SPEECH}),
    Recipe("tdt", "AutoModelForTDT", _parakeet("tdt"),
           "tiny Parakeet TDT transducer (letters, token durations)", {"audio": SPEECH}),
    Recipe("text-to-spectrogram", "AutoModelForTextToSpectrogram", _speecht5,
           "tiny SpeechT5 text-to-speech (mel spectrogram out)", {"text": SENTENCE}),
    Recipe("text-to-speech", "AutoModelForTextToWaveform", _vits,
           "tiny VITS (MMS-TTS style) text-to-waveform", {"text": SENTENCE}),
    Recipe("audio-tokenization", "AutoModelForAudioTokenization", _dac,
           "tiny DAC codec: audio → 2 codebooks → audio", {"audio": SPEECH}),
]
