from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from bot.retrieval.batching import BatchingEmbedder
from tests.doubles.hash_embedder import HashEmbedder


class SlowRecorder(HashEmbedder):
    """Records each batch size; slow enough that questions pile up behind a running batch."""

    def __init__(self) -> None:
        super().__init__()
        self.batches: list[int] = []
        self.fail = False

    def encode(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        self.batches.append(len(texts))
        time.sleep(0.02)
        if self.fail:
            raise RuntimeError("model broke")
        return super().encode(texts, progress)


def test_concurrent_questions_share_batches_and_get_their_own_vectors() -> None:
    inner = SlowRecorder()
    batching = BatchingEmbedder(inner)
    texts = [f"question number {n} about facebook" for n in range(24)]
    with ThreadPoolExecutor(12) as pool:
        got = list(pool.map(lambda t: batching.encode([t])[0], texts))
    expected = HashEmbedder().encode(texts)
    assert np.allclose(np.stack(got), expected)
    assert sum(inner.batches) == 24 and max(inner.batches) > 1  # merged, every question once
    assert batching.model_id == inner.model_id


def test_a_lone_question_is_not_kept_waiting_and_indexing_passes_straight_through() -> None:
    inner = SlowRecorder()
    batching = BatchingEmbedder(inner)
    batching.encode(["just me"])
    batching.encode(["a", "b", "c"])  # an indexing batch goes to the model as it is
    assert inner.batches == [1, 3]


def test_a_model_error_reaches_every_waiting_caller() -> None:
    inner = SlowRecorder()
    inner.fail = True
    batching = BatchingEmbedder(inner)
    errors: list[BaseException] = []

    def ask() -> None:
        try:
            batching.encode(["q"])
        except RuntimeError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=ask) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert len(errors) == 4
    inner.fail = False
    assert batching.encode(["after"]).shape == (1, inner.dim)  # the worker survived
    with pytest.raises(RuntimeError):
        inner.fail = True
        batching.encode(["again"])


class RefusesOne(SlowRecorder):
    """A model that cannot take one particular text (as a tokenizer refuses a lone surrogate)."""

    def encode(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        if any("poison" in t for t in texts):
            self.batches.append(len(texts))
            raise ValueError("cannot encode this text")
        return super().encode(texts, progress)


def test_one_text_the_model_refuses_fails_only_its_own_caller() -> None:
    inner = RefusesOne()
    batching = BatchingEmbedder(inner)
    texts = [f"question {n}" for n in range(15)] + ["poison"] + [f"question {n}" for n in range(15, 30)]

    def ask(text: str) -> str:
        try:
            batching.encode([text])
            return "ok"
        except ValueError:
            return "refused"

    with ThreadPoolExecutor(16) as pool:
        outcomes = dict(zip(texts, pool.map(ask, texts)))
    assert outcomes.pop("poison") == "refused"
    assert set(outcomes.values()) == {"ok"}  # every other question got its vector
