"""HTML page -> the text a visitor reads, with page sections (hero, testimonial, faq...).

Why not trafilatura alone: it is built to find *the article*, so it drops exactly what clinic
marketing puts outside it: hero banners, testimonial sliders, FAQ accordions, pricing tables
(benchmarks/bench_html.py measures this on tests/fixtures/html/). So the page is read twice:

1. trafilatura (favour recall) gives the main content it recognises;
2. a DOM walk (lxml.html) gives every visible text block in page order, after removing what a
   visitor does not read as copy: scripts, styles, nav and menus, the site header and footer,
   cookie/consent banners, social share bars, form controls, and hidden or aria-hidden elements.
   Hidden slides of a slider/carousel and collapsed FAQ answers are kept (a visitor sees them
   on the next slide or click); carousel clones are dropped.

A block is kept when it sits in a recognised region (hero, testimonial, faq, pricing, the
<main>/<article>), is a heading, or trafilatura kept its text; a leftover block outside all of
those is kept unless it is mostly links (a menu that escaped the nav rules). Duplicate blocks
(the same normalised text again) are dropped, so nothing is audited twice.

Output: blocks joined by a blank line (the segmenter then sees headings and list items as
separate sentences) and Sections with exact offsets into that text.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from ..types import Section

log = logging.getLogger("claimcheck")

SECTION_NAMES = ("hero", "heading", "main", "testimonial", "faq", "pricing", "list", "other")
BLOCK_SEPARATOR = "\n\n"

# Elements whose content is never page copy.
_DROP_TAGS = frozenset((
    "script", "style", "noscript", "template", "svg", "math", "iframe", "object", "embed",
    "canvas", "video", "audio", "picture", "img", "head", "title", "meta", "link", "nav",
    "select", "option", "optgroup", "input", "textarea", "datalist", "output", "progress",
    "meter", "dialog",
))
_FORM_CONTROLS = frozenset(("label", "button", "fieldset", "legend"))
# Elements that start a new block of text; everything else is inline.
_BLOCK_TAGS = frozenset((
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "details",
    "div", "dl", "dt", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5",
    "h6", "header", "hgroup", "hr", "html", "li", "main", "ol", "p", "pre", "section", "summary",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
))
_CELL_TAGS = frozenset(("td", "th"))
_HEADINGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
_NOISE_ROLES = frozenset(("navigation", "menu", "menubar", "banner", "contentinfo", "search",
                          "dialog", "alertdialog"))
# class/id tokens (split on space, '-' and '_'), lower-cased.
_NOISE_TOKENS = frozenset((
    "nav", "navbar", "navigation", "menu", "menubar", "breadcrumb", "breadcrumbs", "cookie",
    "cookies", "consent", "gdpr", "share", "sharing", "sharebar", "social", "skip", "topbar",
    "sr", "visually", "screenreader", "prev", "next", "arrow", "arrows", "dots", "pagination",
    "pager", "controls",
))
_NOISE_CLASSES = frozenset(("footer", "site-footer", "page-footer", "masthead-nav",
                            "sr-only", "visually-hidden", "screen-reader-text"))
_CLONE_TOKENS = frozenset(("clone", "cloned", "duplicate"))
# Containers whose hidden children are shown on interaction (next slide, open the answer).
_REVEAL_TOKENS = frozenset((
    "slide", "slides", "slider", "carousel", "swiper", "slick", "glide", "splide", "accordion",
    "collapse", "faq", "faqs", "panel", "tab", "tabs", "testimonial", "testimonials",
))
_REGION_TOKENS = (
    ("testimonial", frozenset(("testimonial", "testimonials", "review", "reviews",
                               "quotes", "story", "stories", "patient-story"))),
    ("faq", frozenset(("faq", "faqs", "accordion", "question", "questions", "answer", "qa"))),
    ("pricing", frozenset(("pricing", "price", "prices", "plans", "package", "packages",
                           "cost", "costs", "fees"))),
    ("hero", frozenset(("hero", "banner", "jumbotron", "splash", "intro", "cta",
                        "headline", "lead"))),
)
_TOKEN_SPLIT = re.compile(r"[\s_\-]+")
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_SPACE = re.compile(r"[^\S\n]+")
_CURRENCY = re.compile(r"[$€£¥₹]\s?\d|\d\s?(?:USD|EUR|GBP)\b")
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)


@dataclass(frozen=True)
class Block:
    """One block of visible text, its section name, and whether trafilatura kept it."""

    text: str
    section: str
    in_trafilatura: bool = False


@dataclass(frozen=True)
class PageText:
    """The extracted text of a page and its sections (text[s.start:s.end] for each)."""

    text: str
    sections: tuple[Section, ...]
    blocks: tuple[Block, ...] = ()


def _tokens(el) -> set[str]:
    raw = f"{el.get('class', '')} {el.get('id', '')}".lower()
    return {t for t in _TOKEN_SPLIT.split(raw) if t}


def _classes(el) -> set[str]:
    return set(f"{el.get('class', '')} {el.get('id', '')}".lower().split())


def _is_hidden(el) -> bool:
    return (el.get("hidden") is not None or el.get("aria-hidden", "").lower() == "true"
            or bool(_HIDDEN_STYLE.search(el.get("style", ""))))


def _is_noise(el, tokens: set[str]) -> bool:
    tag = el.tag
    if tag in _DROP_TAGS:
        return True
    if tag == "footer":  # page and article footers; a quote's footer names who said it
        return next(el.iterancestors("blockquote"), None) is None
    if (el.get("role") or "").lower() in _NOISE_ROLES:
        return True
    return bool(tokens & _NOISE_TOKENS or _classes(el) & _NOISE_CLASSES
                or (tag == "input" and el.get("type") == "hidden"))


def _region(el, tokens: set[str]) -> str | None:
    """The marketing region an element itself marks (by tag, class/id tokens or schema.org)."""
    tag = el.tag
    itemtype = (el.get("itemtype") or "").lower()
    if tag == "details" or "faqpage" in itemtype or itemtype.endswith("/question"):
        return "faq"
    if "review" in itemtype:
        return "testimonial"
    for name, words in _REGION_TOKENS:
        if tokens & words:
            return name
    if tag == "blockquote":
        return "testimonial"
    return None


def _contains_region(el, name: str) -> bool:
    return any(_region(d, _tokens(d)) == name for d in el.iterdescendants() if isinstance(d.tag, str))


class _Walker:
    """Collects visible text blocks in document order with the context that names them."""

    def __init__(self):
        self.blocks: list[tuple[str, str | None, bool, str, float]] = []
        self._buf: list[str] = []
        self._link_chars = 0

    def walk(self, el, *, region: str | None, in_main: bool, reveal: bool, in_form: bool,
             kind: str, in_link: bool = False) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        if not tag:  # comment or processing instruction: only its tail is text
            return
        tag = tag.lower()
        tokens = _tokens(el)
        if _is_noise(el, tokens) or (in_form and tag in _FORM_CONTROLS):
            return
        if tokens & _CLONE_TOKENS:
            return
        if _is_hidden(el):
            if el.get("aria-hidden", "").lower() == "true" or not (reveal or tokens & _REVEAL_TOKENS):
                return
        if (tag == "header" or "site-header" in _classes(el)) and not in_main:
            # The site header: keep only a hero inside it, never the logo or menus.
            if not (_region(el, tokens) == "hero" or _contains_region(el, "hero")):
                return
            if _region(el, tokens) != "hero":
                for child in el:
                    if isinstance(child.tag, str) and (
                            _region(child, _tokens(child)) == "hero" or _contains_region(child, "hero")):
                        self.walk(child, region=region, in_main=in_main, reveal=reveal,
                                  in_form=in_form, kind=kind)
                return
        region = _region(el, tokens) or region
        in_main = in_main or tag in ("main", "article") or (el.get("role") or "") == "main"
        reveal = reveal or bool(tokens & _REVEAL_TOKENS) or tag == "details"
        in_form = in_form or tag == "form"
        if tag in _HEADINGS or tag in ("summary", "dt"):
            kind = "heading"
        elif tag == "li":
            kind = "list"
        elif tag == "table" and region is None and _CURRENCY.search(el.text_content() or ""):
            region = "pricing"
        block = tag in _BLOCK_TAGS
        if tag == "br":
            self._buf.append("\n")
        if block and tag not in _CELL_TAGS:
            self.flush(region, in_main, kind)
        if tag in _CELL_TAGS and self._buf and "".join(self._buf).strip():
            self._buf.append(" | ")
        link = in_link or tag == "a"
        if el.text:
            self._append(el.text, link)
        for child in el:
            self.walk(child, region=region, in_main=in_main, reveal=reveal, in_form=in_form,
                      kind=kind, in_link=link)
            if child.tail:
                self._append(child.tail, in_link)
        if block and tag not in _CELL_TAGS:
            self.flush(region, in_main, kind)

    def _append(self, text: str, link: bool) -> None:
        self._buf.append(text)
        if link:
            self._link_chars += len(text.strip())

    def flush(self, region: str | None, in_main: bool, kind: str) -> None:
        raw = "".join(self._buf)
        links, self._buf, self._link_chars = self._link_chars, [], 0
        lines = [_SPACE.sub(" ", line).strip() for line in raw.split("\n")]
        text = "\n".join(line for line in lines if line)
        if text:
            self.blocks.append((text, region, in_main, kind, links / max(1, len(text))))


def _normal(text: str) -> str:
    return " ".join(text.split()).lower()


def trafilatura_text(html: str) -> str:
    """What trafilatura alone extracts (favouring recall, tables kept), or "" when nothing."""
    import trafilatura

    out = trafilatura.extract(html, favor_recall=True, include_tables=True,
                              include_comments=False, include_links=False, include_images=False,
                              deduplicate=False)
    return out or ""


def _parse(html: str):
    import lxml.html
    from lxml.etree import ParserError

    html = _XML_DECL.sub("", html, count=1)
    try:  # huge_tree: libxml2 otherwise drops everything nested deeper than 256 elements
        return lxml.html.document_fromstring(html, parser=lxml.html.HTMLParser(huge_tree=True))
    except (ParserError, ValueError):
        return None


def extract_html(html: str) -> PageText:
    """The visible marketing text of a page, in page order, with its sections."""
    root = _parse(html)
    if root is None:
        return PageText("", ())
    traf = _normal(trafilatura_text(html))
    body = root.find("body")
    walker = _Walker()
    try:
        walker.walk(body if body is not None else root, region=None, in_main=False, reveal=False,
                    in_form=False, kind="")
        walker.flush(None, False, "")
    except RecursionError:
        # Pathologically deep markup: read every text line, unlabelled, rather than fail.
        log.warning("HTML nested too deeply for the page-structure walk; reading its plain text")
        from lxml.etree import strip_elements

        strip_elements(root, *(_DROP_TAGS - {"head"}), "head", with_tail=False)
        walker.blocks = [(line, None, False, "", 0.0)
                         for line in (_SPACE.sub(" ", x).strip() for x in root.itertext()) if line]
    kept: list[Block] = []
    seen: set[str] = set()
    for text, region, in_main, kind, link_share in walker.blocks:
        norm = _normal(text)
        if norm in seen:
            continue
        in_traf = bool(traf) and norm in traf
        if region:
            section = region
        elif kind in ("heading", "list"):
            section = kind
        elif in_main or in_traf:
            section = "main"
        elif link_share >= 0.6:
            continue  # a menu that escaped the nav rules
        else:
            section = "other"
        if kind == "list" and link_share >= 0.6 and not (region or in_main or in_traf):
            continue
        seen.add(norm)
        kept.append(Block(text, section, in_traf))
    return _assemble(kept)


def _assemble(blocks: list[Block]) -> PageText:
    """Join blocks with blank lines; one Section per run of blocks with the same name."""
    parts: list[str] = []
    sections: list[Section] = []
    pos = 0
    for block in blocks:
        if parts:
            parts.append(BLOCK_SEPARATOR)
            pos += len(BLOCK_SEPARATOR)
        start, end = pos, pos + len(block.text)
        parts.append(block.text)
        pos = end
        if sections and sections[-1].name == block.section:
            sections[-1] = Section(sections[-1].start, end, block.section)
        else:
            sections.append(Section(start, end, block.section))
    return PageText("".join(parts), tuple(sections), tuple(blocks))
