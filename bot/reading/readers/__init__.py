"""One reader per format; each turns a file into a bot.reading.blocks.SourceDocument.

(Transition: the line-based reader of the old model lives in _lines until the block readers land.)
"""

from bot.reading.readers._lines import SUFFIXES, read_document

__all__ = ["SUFFIXES", "read_document"]
