"""The in-process memory of platform deliveries (the default without a database, and the database's
stand-in while it is down)."""

from __future__ import annotations

import threading

from bot.core.deliveries import MAX_KEY_CHARS, MemoryDeliveries, delivery_key


def test_a_delivery_is_new_once_until_its_ttl_is_over() -> None:
    now = [100.0]
    seen = MemoryDeliveries(clock=lambda: now[0])
    assert seen.first_time("slack", "A1:T1:Ev1", 60) and not seen.first_time("slack", "A1:T1:Ev1", 60)
    assert seen.first_time("teams", "A1:T1:Ev1", 60)  # another platform: another delivery
    now[0] += 60
    assert not seen.first_time("slack", "A1:T1:Ev1", 60)  # its last second
    now[0] += 0.5
    assert seen.first_time("slack", "A1:T1:Ev1", 60) and len(seen) == 1  # the teams one expired too


def test_remember_and_seen_do_not_answer_first_time_for_each_other() -> None:
    now = [0.0]
    seen = MemoryDeliveries(clock=lambda: now[0])
    assert not seen.seen("slack", "k")
    seen.remember("slack", "k", 10)
    assert seen.seen("slack", "k") and not seen.first_time("slack", "k", 10)
    now[0] = 11
    assert not seen.seen("slack", "k") and seen.first_time("slack", "k", 10)


def test_the_memory_is_capped_soonest_to_expire_forgotten_first() -> None:
    seen = MemoryDeliveries(size=2, clock=lambda: 0.0)
    assert seen.first_time("p", "long", 100) and seen.first_time("p", "short", 10)
    assert seen.first_time("p", "middle", 50) and len(seen) == 2
    assert seen.first_time("p", "short", 10)  # forgotten: it was the soonest to expire
    assert not seen.first_time("p", "long", 100)


def test_long_keys_are_hashed_and_stay_distinct() -> None:
    a, b = delivery_key("x" * 300, 1), delivery_key("x" * 300, 2)
    assert a != b and a.startswith("sha256:") and len(a) <= MAX_KEY_CHARS
    assert delivery_key("A1", "T1", "Ev1") == "A1:T1:Ev1"
    assert delivery_key(a) == a  # hashing twice changes nothing


def test_threads_racing_one_key_get_one_first_time() -> None:
    seen = MemoryDeliveries()
    start, results = threading.Barrier(8), []

    def race() -> None:
        start.wait()
        results.append(seen.first_time("slack", "same", 60))

    threads = [threading.Thread(target=race) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 7 + [True]
