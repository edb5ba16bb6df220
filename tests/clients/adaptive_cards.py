"""Microsoft's own Adaptive Cards renderer (npm `adaptivecards` 2.11, whose newest schema is 1.5: what
Teams desktop supports) in headless Chromium: each card parsed, validated and rendered, with every parse
and validation event it reports.

Markdown in TextBlocks is rendered with markdown-it (the renderer's documented hook, `onProcessMarkdown`;
the renderer alone shows Markdown as typed), so what a person reads — links, escapes — is what is checked.
Both packages come from tests/clients/node_modules (`make clients`); nothing is fetched at run time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

CLIENTS = Path(__file__).resolve().parent
MODULES = CLIENTS / "node_modules"
SCRIPTS = (MODULES / "adaptivecards" / "dist" / "adaptivecards.min.js",
           MODULES / "markdown-it" / "dist" / "markdown-it.min.js")
MAX_VERSION = (1, 5)

_RENDER = """(cards) => {
  const md = window.markdownit({html: false, linkify: false});
  AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {
    result.outputHtml = md.render(text);
    result.didProcess = true;
  };
  const name = (e) => AdaptiveCards.ValidationEvent[e] || String(e);
  return cards.map((json) => {
    const card = new AdaptiveCards.AdaptiveCard();
    const context = new AdaptiveCards.SerializationContext(AdaptiveCards.Versions.v1_5);
    card.parse(json, context);
    const parse = [];
    for (let i = 0; i < context.eventCount; i++) {
      const e = context.getEventAt(i);
      parse.push({event: name(e.event), message: e.message});
    }
    const validation = card.validateProperties().validationEvents.map(
      (e) => ({event: name(e.event), message: e.message}));
    const box = document.createElement("div");
    box.style.width = "600px";
    document.body.appendChild(box);
    const element = card.render();
    if (element) box.appendChild(element);
    return {
      version: card.version ? [card.version.major, card.version.minor] : null,
      parse, validation, rendered: !!element,
      text: element ? element.innerText : "",
      links: element ? [...element.querySelectorAll("a")].map((a) => a.getAttribute("href")) : [],
      buttons: element ? [...element.querySelectorAll("button")].map((b) => b.innerText.trim()) : [],
    };
  });
}"""


def missing() -> str:
    """Why the renderer cannot run here, or ""."""
    absent = [str(p.relative_to(CLIENTS)) for p in SCRIPTS if not p.is_file()]
    return f"{', '.join(absent)} not installed: run `make clients` (npm ci in tests/clients)" if absent else ""


def render_all(page: Any, cards: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each card's {version, parse, validation, rendered, text, links, buttons} from the real renderer in
    *page* (a Playwright page); console errors and warnings are returned with the first card's result."""
    console: list[str] = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    page.set_content("<!doctype html><html><head><meta charset='utf-8'></head><body></body></html>")
    for script in SCRIPTS:
        page.add_script_tag(path=str(script))
    results: list[dict[str, Any]] = page.evaluate(_RENDER, cards)
    for result in results:
        result["console"] = console
    return results
