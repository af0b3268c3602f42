"""claimcheck batch over URLs, sitemaps and a crawl of the local web farm (127.0.0.1 only)."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from click.testing import CliRunner
from webfarm import webfarm  # noqa: F401  (session fixture)

from claimcheck.batch.inputs import normalise_url
from claimcheck.cli import main

WEB = ("--allow-private", "--rate", "0", "--no-model")


def run(*args: str):
    return CliRunner().invoke(main, ["batch", *WEB, *args])


def tables(out: Path):
    pages = pd.read_csv(out / "pages.csv", keep_default_na=False)
    errors = pd.read_csv(out / "errors.csv", keep_default_na=False)
    return pages, errors


def outcome(pages, errors, url: str) -> tuple[str, str]:
    """("page", final_url) or ("error", code) for an input URL; fails if it is in neither."""
    key = normalise_url(url)
    hit = pages[pages["key"] == key]
    if len(hit):
        return "page", hit["final_url"].iloc[0]
    hit = errors[errors["key"] == key]
    assert len(hit) == 1, f"{url} is in neither pages.csv nor errors.csv"
    return "error", hit["code"].iloc[0]


def test_url_list_of_special_pages_each_ends_in_the_right_table(webfarm, tmp_path: Path):  # noqa: F811
    webfarm.reset()
    urls = [e["url"] for e in webfarm.expected.values()]
    listing = tmp_path / "special.urls"
    listing.write_text("# the farm's special cases\n" + "\n".join(urls) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run(str(listing), webfarm.pages[0], "--out", str(out))
    assert result.exit_code == 0, result.output
    pages, errors = tables(out)
    assert len(pages) + len(errors) == len(urls) + 1
    exp = webfarm.expected
    got = {name: outcome(pages, errors, e["url"]) for name, e in exp.items()}
    for name in ("redirect-301", "redirect-302"):
        assert got[name] == ("page", exp[name]["final_url"])
    assert got["to-private"] == ("page", exp["to-private"]["final_url"])  # --allow-private
    for name in ("redirect-chain", "missing", "image", "blocked", "always-500", "big",
                 "big-declared"):
        assert got[name] == ("error", exp[name]["error_code"]), name
    for name in ("text", "slow", "flaky-500", "rate-429"):
        assert got[name][0] == "page", (name, got[name])
    kind, code = got["pdf"]  # a PDF with no text: fetched, then refused by extraction
    assert kind == "error" and code.startswith("CC11")
    assert errors.set_index("key").loc[normalise_url(exp["pdf"]["url"]), "stage"] == "extract"
    assert errors.set_index("key").loc[normalise_url(exp["missing"]["url"]), "stage"] == "fetch"
    assert outcome(pages, errors, webfarm.pages[0])[0] == "page"
    assert (out / "raw").is_dir() and any((out / "raw").rglob("*"))  # fetched bytes kept
    row = pages[pages["key"] == normalise_url(webfarm.pages[0])].iloc[0]
    assert row["status"] == 200 and row["fetched_at"] and len(row["sha256"]) == 64


def test_sitemap_url_input_audits_the_pages_it_lists(webfarm, tmp_path: Path):  # noqa: F811
    site = webfarm.sites[3]
    listed = {u for u in webfarm.pages if u.startswith(site) and webfarm.page_info[u].in_sitemap}
    out = tmp_path / "out"
    result = run(site + "sitemap.xml", "--out", str(out))
    assert result.exit_code == 0, result.output
    pages, errors = tables(out)
    assert set(pages["key"]) | set(errors["key"]) == {normalise_url(u) for u in listed}


def test_crawl_of_the_whole_farm_loses_no_page(webfarm, tmp_path: Path):  # noqa: F811
    webfarm.reset()
    depth = 3  # the tree's deepest page is at 3
    out = tmp_path / "out"
    result = run(*webfarm.sites, "--crawl", "--depth", str(depth), "--max-pages", "5000",
                 "--out", str(out), "--workers", "2")
    assert result.exit_code == 0, result.output
    pages, errors = tables(out)
    expected = {normalise_url(u) for u in webfarm.page_info}  # depth 3 reaches every page
    assert len(expected) == 500
    assert set(pages["key"]) | set(errors["key"]) == expected
    assert pages["key"].is_unique and errors["key"].is_unique
    disallowed = {normalise_url(u) for u, info in webfarm.page_info.items()
                  if info.disallowed} & expected
    assert disallowed and set(errors.loc[errors["code"] == "CC123", "key"]) == disallowed
    assert set(errors["key"]) == disallowed  # nothing else fails on the farm
    sites = pd.read_csv(out / "sites.csv", keep_default_na=False)
    assert len(sites) == len(webfarm.sites)
    assert sites["pages"].sum() == len(pages)
    flagged = sites[sites["max_score"] > 0]
    assert len(flagged) and all("(http://127.0.0.1:" in t for t in flagged["top_findings"] if t)
