"""Slack's published Block Kit and chat.postMessage limits, as a checker (Slack has no local client to
render a message with). Each figure is Slack's own, from its reference pages:

- Blocks: "You can include up to 50 blocks in each message, and 100 blocks in modals or Home tabs"
  (https://api.slack.com/reference/block-kit/blocks).
- Section (…/blocks#section): text "Maximum length for the text in this field is 3000 characters";
  fields "Maximum number of items is 10. Maximum length for the text in each item is 2000 characters";
  block_id "Maximum length for this field is 255 characters" (the same for every block).
- Header (…/blocks#header): text is a plain_text object, "Maximum length for the text in this field is
  150 characters".
- Context (…/blocks#context): elements, "Maximum number of items is 10".
- Actions (…/blocks#actions): elements, "There is a maximum of 25 elements in each action block".
- Button (https://api.slack.com/reference/block-kit/block-elements#button): text, plain_text only,
  "Maximum length for the text in this field is 75 characters"; action_id "Maximum length is 255
  characters", unique among the action_ids of its block; value "Maximum length is 2000 characters";
  url "Maximum length is 3000 characters"; style "primary" or "danger".
- Text objects (https://api.slack.com/reference/block-kit/composition-objects#text): type plain_text or
  mrkdwn, text at least 1 character; `emoji` only on plain_text, `verbatim` only on mrkdwn.
- chat.postMessage (https://api.slack.com/methods/chat.postMessage): the top-level `text` is the
  notification and fallback; Slack truncates messages over 40,000 characters (and advises keeping
  `text` to 4,000).

`problems(text, blocks)` lists every limit a message breaks; slack_sdk's own block models
(`Block.parse(...).validate_json()`, Slack's Python SDK) are run over each block as a second opinion.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block

MESSAGE_BLOCKS = 50
SURFACE_BLOCKS = 100  # a Home tab or a modal
SECTION_TEXT = 3000
SECTION_FIELDS, FIELD_TEXT = 10, 2000
BLOCK_ID = 255
HEADER_TEXT = 150
CONTEXT_ELEMENTS = 10
ACTIONS_ELEMENTS = 25
BUTTON_TEXT, ACTION_ID, BUTTON_VALUE, BUTTON_URL = 75, 255, 2000, 3000
TEXT_TRUNCATED = 40_000
TEXT_ADVISED = 4_000


def problems(text: str, blocks: Sequence[dict[str, Any]], max_blocks: int = MESSAGE_BLOCKS) -> list[str]:
    out: list[str] = []
    if not text.strip():
        out.append("no top-level text (notifications and screen readers need it)")
    if len(text) > TEXT_ADVISED:
        out.append(f"text is {len(text)} characters (Slack advises at most {TEXT_ADVISED}, truncates past "
                   f"{TEXT_TRUNCATED})")
    if len(blocks) > max_blocks:
        out.append(f"{len(blocks)} blocks (at most {max_blocks})")
    block_ids = [b["block_id"] for b in blocks if "block_id" in b]
    if len(block_ids) != len(set(block_ids)):
        out.append(f"block_id repeated: {block_ids}")
    for n, block in enumerate(blocks):
        out.extend(f"block {n} ({block.get('type')}): {p}" for p in _block(block))
        out.extend(f"block {n}: slack_sdk: {p}" for p in _sdk(block))
    return out


def _block(block: dict[str, Any]) -> list[str]:
    kind = block.get("type")
    out = [f"block_id over {BLOCK_ID}"] if len(block.get("block_id", "")) > BLOCK_ID else []
    if kind == "section":
        if "text" not in block and "fields" not in block:
            out.append("a section needs text or fields")
        if "text" in block:
            out += _text(block["text"], SECTION_TEXT)
        fields = block.get("fields", [])
        if len(fields) > SECTION_FIELDS:
            out.append(f"{len(fields)} fields (at most {SECTION_FIELDS})")
        for field in fields:
            out += _text(field, FIELD_TEXT)
    elif kind == "header":
        out += _text(block.get("text", {}), HEADER_TEXT, plain=True)
    elif kind == "context":
        elements = block.get("elements", [])
        if not 1 <= len(elements) <= CONTEXT_ELEMENTS:
            out.append(f"{len(elements)} context elements (1 to {CONTEXT_ELEMENTS})")
        for element in elements:
            out += _text(element, SECTION_TEXT) if element.get("type") in ("mrkdwn", "plain_text") \
                else [f"context element of type {element.get('type')!r}"] if element.get("type") != "image" else []
    elif kind == "actions":
        elements = block.get("elements", [])
        if not 1 <= len(elements) <= ACTIONS_ELEMENTS:
            out.append(f"{len(elements)} action elements (1 to {ACTIONS_ELEMENTS})")
        ids = [e.get("action_id") for e in elements if e.get("action_id")]
        if len(ids) != len(set(ids)):
            out.append(f"action_id repeated in one block: {ids}")
        for element in elements:
            out += _button(element) if element.get("type") == "button" else []
    elif kind != "divider":
        out.append(f"block type {kind!r} is not one this checker knows")
    return out


def _button(button: dict[str, Any]) -> list[str]:
    out = _text(button.get("text", {}), BUTTON_TEXT, plain=True)
    if len(button.get("action_id", "")) > ACTION_ID:
        out.append(f"action_id over {ACTION_ID} characters")
    if len(button.get("value", "")) > BUTTON_VALUE:
        out.append(f"button value over {BUTTON_VALUE} characters")
    if len(button.get("url", "")) > BUTTON_URL:
        out.append(f"button url over {BUTTON_URL} characters")
    if button.get("style") not in (None, "primary", "danger"):
        out.append(f"button style {button.get('style')!r}")
    return out


def _text(obj: dict[str, Any], limit: int, plain: bool = False) -> list[str]:
    kind, text = obj.get("type"), obj.get("text", "")
    out = []
    if kind not in ("plain_text", "mrkdwn") or (plain and kind != "plain_text"):
        out.append(f"text object of type {kind!r}" + (" (must be plain_text)" if plain else ""))
    if not isinstance(text, str) or not text:
        out.append("empty text")
    elif len(text) > limit:
        out.append(f"text of {len(text)} characters (at most {limit})")
    if "emoji" in obj and kind != "plain_text":
        out.append("emoji is for plain_text only")
    if "verbatim" in obj and kind != "mrkdwn":
        out.append("verbatim is for mrkdwn only")
    return out


def _sdk(block: dict[str, Any]) -> list[str]:
    try:
        parsed = Block.parse(block)
    except (TypeError, KeyError) as exc:  # a field its model does not have ("verbatim" on plain_text)
        return [f"slack_sdk cannot read it: {exc}"]
    if parsed is None:
        return [f"slack_sdk does not know block type {block.get('type')!r}"]
    try:
        parsed.validate_json()
    except SlackObjectFormationError as exc:
        return [str(exc)]
    return []
