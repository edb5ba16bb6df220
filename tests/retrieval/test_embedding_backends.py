"""The ONNX Runtime backend gives the model's own vectors (so it shares the embedding cache's model_id),
is exported once and reused from its cache, and a model it cannot export is said so plainly."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.errors import ConfigError
from bot.reading.corpus import load_corpus
from bot.retrieval import onnx_model
from bot.retrieval.embeddings import SentenceTransformerEmbedder
from bot.retrieval.search import clause_embedding_text
from tests.conftest import CORPUS


def test_a_model_the_exporter_does_not_handle_is_a_clear_error_on_the_onnx_backend(tmp_path: Path) -> None:
    model = tmp_path / "cls-model"
    (model / "1_Pooling").mkdir(parents=True)
    (model / "modules.json").write_text(json.dumps([{"idx": 1, "name": "1", "path": "1_Pooling",
                                                     "type": "sentence_transformers.models.Pooling"}]))
    (model / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_cls_token": True}))
    assert not onnx_model.exportable(model)
    with pytest.raises(ConfigError, match="cannot run on ONNX Runtime"):
        SentenceTransformerEmbedder(str(model), backend="onnx", cache_dir=tmp_path / "cache").load()


def test_length_batches_put_similar_lengths_together() -> None:
    batches = list(onnx_model._length_batches([3, 50, 7, 49, 2], size=2))
    assert batches == [[1, 3], [2, 0], [4]]


@pytest.mark.slow
def test_onnx_vectors_are_the_models_vectors_and_the_export_is_reused(tmp_path: Path) -> None:
    texts = [clause_embedding_text(c) for c in load_corpus(CORPUS).clauses][:300]
    texts += ["DSL", "Report it. " * 200]  # a very short text beside one cut at the model's 256 tokens
    cache = tmp_path / "models"
    onnx = SentenceTransformerEmbedder(backend="onnx", cache_dir=cache)
    torch = SentenceTransformerEmbedder(backend="torch")
    ticks: list[int] = []
    got, want = onnx.encode(texts, progress=ticks.append), torch.encode(texts)
    assert onnx.loaded_backend == "onnx" and torch.loaded_backend == "torch"
    assert onnx.model_id == torch.model_id and sum(ticks) == len(texts)
    cosine = np.sum(got * want, axis=1)
    assert cosine.min() > 0.99999 and np.allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)
    exported = list(cache.glob("*.onnx"))
    assert len(exported) == 1
    # A new process finds the export in the cache: it neither exports again nor imports torch.
    probe = ("import sys; from pathlib import Path; from bot.retrieval.embeddings import SentenceTransformerEmbedder;"
             f"e = SentenceTransformerEmbedder(cache_dir=Path({str(cache)!r})); e.encode(['DSL']);"
             "print(e.loaded_backend, 'torch' in sys.modules)")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    assert run.stdout.split() == ["onnx", "False"]
    assert list(cache.glob("*.onnx")) == exported
