"""One token pass over texts cut into pieces: exact piece embeddings, a faithful text embedding."""

from __future__ import annotations

import numpy as np
import pytest

from cxloop.text import Analyzer
from cxloop.text.corpora import Dataset
from cxloop.text.encoder import UseEncoder
from cxloop.text.segment import clause_core, split_sentences


@pytest.fixture(scope="module")
def encoder(analyzer: Analyzer) -> UseEncoder:
    enc = analyzer.encoder
    assert isinstance(enc, UseEncoder)
    return enc


def _held_out(dataset: Dataset, n: int) -> list[str]:
    return [e.text for name in ("zh-Hans", "zh-Hant", "en") for e in dataset.test[name][:n]]


def test_a_single_piece_is_encoded_exactly_as_the_encoder_does(
    encoder: UseEncoder, dataset: Dataset
) -> None:
    texts = [*_held_out(dataset, 40), "ขอเลื่อนนัดช่างเป็นวันศุกร์ค่ะ", "", "  ", "好" * 900]
    whole = encoder.encode(texts)
    pieces = encoder.encode_pieces([[t] for t in texts])
    np.testing.assert_allclose(pieces.texts, whole, atol=2e-6)
    np.testing.assert_allclose(pieces.pieces(range(len(texts))), whole, atol=2e-6)


def test_each_piece_is_embedded_as_if_alone_and_the_text_from_all_its_tokens(
    encoder: UseEncoder, dataset: Dataset
) -> None:
    texts = [t for t in _held_out(dataset, 300) if len(split_sentences(t)) > 1][:120]
    assert len(texts) >= 60
    groups = [[clause_core(t[s:e]) for s, e in split_sentences(t)] for t in texts]
    encoded = encoder.encode_pieces(groups)
    flat = [p for g in groups for p in g]
    np.testing.assert_allclose(encoded.pieces(range(len(flat))), encoder.encode(flat), atol=2e-6)
    # the text's embedding differs from the whole text's only where n-gram windows meet a cut
    cosine = np.einsum("ij,ij->i", encoded.texts, encoder.encode(texts))
    assert float(np.median(cosine)) > 0.95 and float(cosine.min()) > 0.6
    # ... and not from its first piece's, say: it carries every piece
    first = encoder.encode([g[0] for g in groups])
    assert float(np.median(np.einsum("ij,ij->i", encoded.texts, first))) < float(np.median(cosine))


def test_results_do_not_depend_on_the_batch(encoder: UseEncoder, dataset: Dataset) -> None:
    texts = _held_out(dataset, 30)
    groups = [[t[s:e] for s, e in split_sentences(t)] or [t] for t in texts]
    together = encoder.encode_pieces(groups)
    for k in (0, 17, len(groups) - 1):
        alone = encoder.encode_pieces([groups[k]])
        np.testing.assert_allclose(alone.texts[0], together.texts[k], atol=2e-6)


def test_blank_pieces_stay_out_of_the_text(encoder: UseEncoder) -> None:
    a = "The technician was great."
    b = "Billing is a mess."
    encoded = encoder.encode_pieces([[a, "", b], [a, b], ["", " "]])
    np.testing.assert_allclose(encoded.texts[0], encoded.texts[1], atol=2e-6)
    np.testing.assert_allclose(encoded.texts[2], encoder.encode(["."])[0], atol=2e-6)
    np.testing.assert_allclose(encoded.pieces([1]), encoder.encode(["."]), atol=2e-6)
    with pytest.raises(ValueError, match="at least one piece"):
        encoder.encode_pieces([[a], []])


def test_sentence_sentiment_is_that_of_the_sentence_analysed_alone(analyzer: Analyzer) -> None:
    text = "The technician was great and fixed it fast. But billing is a mess, charged me twice!"
    ins = analyzer.analyze([text])[0]
    assert [s.sentiment.label for s in ins.sentences] == ["positive", "negative"]
    for s in ins.sentences:
        alone = analyzer.analyze([clause_core(s.text)])[0].sentiment
        assert s.sentiment.score == pytest.approx(alone.score, abs=1e-4)


def test_a_text_pools_its_pieces_tokens_without_the_inner_start_and_end(
    encoder: UseEncoder,
) -> None:
    from cxloop.text.pieces import _net, _token_features

    backend = encoder._model._model
    pieces = ["The technician was great", "but", "billing is a mess", "二次收費"]
    seqs = [backend.sp.encode(p, out_type=int, add_bos=True, add_eos=True) for p in pieces]
    rows = []
    for k, seq in enumerate(seqs):
        feats, _, _ = _token_features(backend, [seq])
        rows.append(feats[(1 if k else 0) : (len(seq) - 1 if k < len(seqs) - 1 else len(seq))])
    tokens = np.vstack(rows)
    expected = _net(backend, tokens.sum(0, keepdims=True), np.float32([len(tokens)]))
    got = encoder.encode_pieces([pieces]).texts
    np.testing.assert_allclose(got, expected, atol=2e-6)
