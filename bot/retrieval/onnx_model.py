"""all-MiniLM-L6-v2 (or any sentence-transformers transformer with mean pooling: BERT-like, MPNet) through ONNX Runtime.

Why: on 2 CPU cores ONNX Runtime embeds clauses about 2-3x faster than torch with the same vectors
(cosine 1.000000 on 2,000 real clauses; benchmarks/embedding_speed.py), and a process that finds the
exported model in its cache never imports torch, so a server or a re-index starts seconds sooner.

The export runs once, locally and offline, from the model directory (torch.onnx over the transformer with
mean pooling and normalisation in the graph), is checked against sentence-transformers on probe texts,
and is kept in a cache folder; nothing is ever fetched.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import logging
import os
import tempfile
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)
EXPORT_VERSION = "1"  # change when the exported graph changes: older exports are then made again
PROBES = ("Staff must not accept friend requests from pupils or ex-pupils on personal social media.",
          "DSL", "Who do I report a concern to? " * 40)  # the last one is cut at the model's maximum length


class NotExportable(Exception):
    """The model directory is not one this exporter handles (the torch backend is used instead)."""


def exportable(model_dir: Path) -> bool:
    """A BERT-like transformer with mean pooling and a fast tokenizer, as all-MiniLM-L6-v2 is."""
    try:
        modules = json.loads((model_dir / "modules.json").read_text("utf-8"))
        pooling = next(m for m in modules if m["type"].endswith("Pooling"))
        config = json.loads((model_dir / pooling["path"] / "config.json").read_text("utf-8"))
    except (OSError, ValueError, KeyError, StopIteration):
        return False
    wanted = {"pooling_mode_mean_tokens": True, "pooling_mode_cls_token": False, "pooling_mode_max_tokens": False,
              "pooling_mode_mean_sqrt_len_tokens": False}
    return all(config.get(k, False) == v for k, v in wanted.items()) and (model_dir / "tokenizer.json").is_file()


def cached_export(model_dir: Path, model_id: str, cache_dir: Path) -> Path:
    """The exported model for *model_dir*, exported into *cache_dir* first if it is not there yet."""
    if not exportable(model_dir):
        raise NotExportable(f"{model_dir}: not a mean-pooling model with tokenizer.json")
    name = hashlib.sha256(f"{model_id}\0{EXPORT_VERSION}".encode()).hexdigest()[:16]
    target = cache_dir / f"{model_dir.resolve().name}-{name}.onnx"
    if not target.is_file():
        log.info("exporting %s to ONNX (once) into %s", model_dir, target)
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".export-", suffix=".onnx")
        os.close(fd)
        try:
            try:
                _export(model_dir, Path(tmp))
            except (RuntimeError, ImportError) as exc:  # torch.onnx's errors, or its onnx package missing
                raise NotExportable(f"{model_dir}: ONNX export failed ({exc})") from exc
            _check(model_dir, Path(tmp))
            os.chmod(tmp, 0o644)  # mkstemp makes it private; a server may run as another user
            os.replace(tmp, target)  # atomic: two processes exporting at once both end with a whole file
        finally:
            Path(tmp).unlink(missing_ok=True)
    return target


def _export(model_dir: Path, target: Path) -> None:
    import torch
    from transformers import AutoModel

    class MeanPooled(torch.nn.Module):
        """The transformer, the mean of its token vectors under the attention mask, unit length: what
        sentence-transformers' Transformer, Pooling(mean) and Normalize modules compute."""

        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids: Any, attention_mask: Any, *token_type_ids: Any) -> Any:
            extra = {"token_type_ids": token_type_ids[0]} if token_type_ids else {}
            hidden = self.inner(input_ids=input_ids, attention_mask=attention_mask, **extra).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(pooled, p=2, dim=1)

    model = AutoModel.from_pretrained(str(model_dir), attn_implementation="eager").eval()
    ids = torch.ones((2, 8), dtype=torch.long)
    # BERT-like models read token types; MPNet (all-mpnet-base-v2) has none, and its graph takes two inputs.
    typed = "token_type_ids" in inspect.signature(model.forward).parameters
    names = ["input_ids", "attention_mask", *(["token_type_ids"] if typed else [])]
    inputs = (ids, torch.ones_like(ids), *([torch.zeros_like(ids)] if typed else []))
    with warnings.catch_warnings():  # the tracer's notes about shapes it fixes (none matter without a KV cache)
        warnings.simplefilter("ignore")
        torch.onnx.export(MeanPooled(model), inputs, str(target),
                          input_names=names, output_names=["embedding"], opset_version=17, dynamo=False,
                          dynamic_axes={**{n: {0: "batch", 1: "tokens"} for n in names}, "embedding": {0: "batch"}})


def _check(model_dir: Path, exported: Path) -> None:
    """The export must give sentence-transformers' vectors (cosine >= 0.9999 on the probes), or it is not kept."""
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(model_dir), device="cpu")
    reference = model.encode(list(PROBES), normalize_embeddings=True, show_progress_bar=False)
    ours = OnnxEncoder(exported, model_dir).encode(list(PROBES))
    worst = float(np.min(np.sum(reference * ours, axis=1)))
    if worst < 0.9999:
        raise NotExportable(f"the ONNX export of {model_dir} differs from the model (cosine {worst:.6f})")


class OnnxEncoder:
    """Tokenizes with the model's own tokenizer.json and runs the exported graph, longest texts first in
    batches of similar length (little padding)."""

    def __init__(self, exported: Path, model_dir: Path, threads: int = 0, batch_size: int = 32) -> None:
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads  # 0: ONNX Runtime's default, one per physical core
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(exported), options, providers=["CPUExecutionProvider"])
        self._tokenizer = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
        self._tokenizer.no_padding()  # tokenizer.json pads to 128; batches are padded to their longest here
        self._tokenizer.enable_truncation(_max_tokens(model_dir))
        self.batch_size = batch_size
        self._typed = any(i.name == "token_type_ids" for i in self._session.get_inputs())
        width = self._session.get_outputs()[0].shape[1]
        self.dimension = width if isinstance(width, int) else 0

    def encode(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        out: np.ndarray | None = None
        for rows in _length_batches([len(e.ids) for e in encodings], self.batch_size):
            width = max(len(encodings[i].ids) for i in rows)
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            for r, i in enumerate(rows):
                ids[r, :len(encodings[i].ids)] = encodings[i].ids
                mask[r, :len(encodings[i].ids)] = 1
            feed = {"input_ids": ids, "attention_mask": mask}
            if self._typed:
                feed["token_type_ids"] = np.zeros_like(ids)
            vectors = self._session.run(None, feed)[0]
            if out is None:
                out = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
            out[rows] = vectors
            if progress:
                progress(len(rows))
        return out if out is not None else np.zeros((0, self.dimension), dtype=np.float32)


def _length_batches(lengths: list[int], size: int) -> Iterator[list[int]]:
    """Row numbers in batches of *size*, longest first, so each batch pads to a similar length."""
    order = sorted(range(len(lengths)), key=lambda i: -lengths[i])
    for start in range(0, len(order), size):
        yield order[start:start + size]


def _max_tokens(model_dir: Path) -> int:
    try:
        return int(json.loads((model_dir / "sentence_bert_config.json").read_text("utf-8"))["max_seq_length"])
    except (OSError, ValueError, KeyError):
        return 256
