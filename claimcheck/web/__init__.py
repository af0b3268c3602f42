"""Web input: HTML pages and PDF brochures to Documents (extract, html, pdf), fetching and
crawling (fetch, crawl, rawstore). Modules are imported where used; nothing loads here."""
