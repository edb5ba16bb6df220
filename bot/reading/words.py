"""Ordinary English words: the lower-case words of Webster's Second International (public domain, shipped
by the `english-words` package). Proper nouns ("Facebook", "Ratcliff") are not among them, which is what
the readers and the contact finder use it for."""

from __future__ import annotations

from functools import cache


@cache
def _dictionary() -> frozenset[str]:
    from english_words import get_english_words_set

    return frozenset(w for w in get_english_words_set(["web2"], alpha=True) if w.islower())


def is_dictionary_word(word: str) -> bool:
    """*word* (any case), or its plural's singular, is an ordinary English word."""
    words, w = _dictionary(), word.lower()
    return w in words or (w.endswith("s") and (w[:-1] in words or w[:-2] in words or w[:-3] + "y" in words))
