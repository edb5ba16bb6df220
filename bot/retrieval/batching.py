"""Micro-batching for a server: questions embedded at the same moment share one model call.

A single question's forward pass spends about as long in Python (module calls, tokenizer set-up) as in
the matrix products, and Python holds the GIL. One worker thread takes every question waiting at that
moment and embeds them in one batch: at low load a question goes alone (no added wait); under load the
Python overhead is shared by the batch and the products use every core.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from bot.retrieval.embeddings import Embedder


@dataclass
class _Request:
    text: str
    done: threading.Event = field(default_factory=threading.Event)
    vector: np.ndarray | None = None
    error: BaseException | None = None


class BatchingEmbedder:
    def __init__(self, inner: Embedder, max_batch: int = 32) -> None:
        self.inner = inner
        self.max_batch = max_batch
        self._queue: queue.SimpleQueue[_Request] = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self._start = threading.Lock()

    @property
    def model_id(self) -> str:
        return self.inner.model_id

    def encode(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        if len(texts) != 1 or progress is not None:  # indexing: already batched
            return self.inner.encode(texts, progress)
        request = _Request(texts[0])
        self._ensure_worker()
        self._queue.put(request)
        request.done.wait()
        if request.error is not None:
            raise request.error
        assert request.vector is not None
        return request.vector[None, :]

    def _ensure_worker(self) -> None:
        with self._start:
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._run, name="embedding-batcher", daemon=True)
                self._worker.start()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            try:
                vectors = self.inner.encode([r.text for r in batch])
                for request, vector in zip(batch, vectors):
                    request.vector = vector
            except Exception:  # one text the model refuses must not fail the others: each on its own
                for request in batch:
                    self._alone(request)
            except BaseException as exc:  # handed to every waiting caller, who raises it
                for request in batch:
                    request.error = exc
            for request in batch:
                request.done.set()

    def _alone(self, request: _Request) -> None:
        try:
            request.vector = self.inner.encode([request.text])[0]
        except BaseException as exc:  # only this caller gets the error
            request.error = exc
