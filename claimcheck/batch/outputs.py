"""The tables, rebuilt from the journal at the end of every run (also a resumed one):
pages.csv / pages.parquet (one row per page, ranked by score), sites.csv (one row per site or
input group) and errors.csv (every input that did not become a page). Written atomically.
"""
from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from .resume import ERRORS, REPORTS, read_lines

log = logging.getLogger("claimcheck")

BAND_RANK = {"low": 0, "moderate": 1, "high": 2, "critical": 3}
SEVERITY_RANK = {"low": 0, "medium": 1, "high": 2, "critical": 3}
PAGE_COLUMNS = ("key", "url", "final_url", "status", "fetched_at", "sha256", "doc_type", "band",
                "score", "n_findings")
ERROR_COLUMNS = ("key", "input", "stage", "code", "reason")
SITE_COLUMNS = ("site", "pages", "worst_band", "max_score", "flags", "top_findings")
QUOTE_CHARS = 160


def build_tables(out: Path, flag_ids: tuple[str, ...]) -> tuple[int, int]:
    """Write the four tables from reports.jsonl and errors.jsonl; return (pages, errors).
    flag_ids: the claim and omission ids of the loaded checklist (one count column each)."""
    pages: dict[str, dict] = {}
    strongest: dict[str, list[tuple]] = {}
    for rec in read_lines(out / REPORTS):
        if "key" in rec:
            pages[rec["key"]] = _page_row(rec, flag_ids)  # the last line for a key wins
            strongest[rec["key"]] = _strong_findings(rec)
    errors: dict[str, dict] = {}
    for rec in read_lines(out / ERRORS):
        if "key" in rec and rec["key"] not in pages:
            errors[rec["key"]] = {c: rec.get(c, "") for c in ERROR_COLUMNS}
    page_df = _pages_frame(pages, flag_ids)
    _atomic(out / "pages.csv", lambda p: page_df.drop(columns=["_site"]).to_csv(p, index=False))
    _atomic(out / "pages.parquet",
            lambda p: page_df.drop(columns=["_site"]).to_parquet(p, index=False, engine="pyarrow"))
    site_df = _sites_frame(page_df, strongest)
    _atomic(out / "sites.csv", lambda p: site_df.to_csv(p, index=False))
    import pandas as pd

    err_df = pd.DataFrame(list(errors.values()), columns=list(ERROR_COLUMNS))
    _atomic(out / "errors.csv", lambda p: err_df.to_csv(p, index=False))
    return len(pages), len(errors)


def _page_row(rec: dict, flag_ids: tuple[str, ...]) -> dict:
    origin = rec.get("origin") or {}
    counts = dict.fromkeys(flag_ids, 0)
    for f in rec.get("findings", ()):
        if f.get("flag") in counts:
            counts[f["flag"]] += 1
    risk = rec.get("risk") or {}
    return {
        "key": rec["key"], "url": origin.get("url", ""), "final_url": origin.get("final_url", ""),
        "status": origin.get("status"), "fetched_at": origin.get("fetched_at", ""),
        "sha256": rec.get("content_sha256", ""),
        "doc_type": (rec.get("document_type") or {}).get("kind", ""),
        "band": risk.get("band", ""), "score": risk.get("score", 0),
        "n_findings": len(rec.get("findings", ())), **counts,
        "_site": origin.get("site") or origin.get("input", ""),
    }


def _strong_findings(rec: dict) -> list[tuple]:
    """(strength, flag, "flag: quote (url)") for a page's claim findings, strongest first."""
    origin = rec.get("origin") or {}
    where = origin.get("final_url") or origin.get("url") or rec.get("input", "")
    out = []
    for f in rec.get("findings", ()):
        ev = f.get("evidence") or {}
        if not ev.get("text"):
            continue  # omissions quote nothing
        quote = " ".join(ev["text"].split())
        if len(quote) > QUOTE_CHARS:
            quote = quote[: QUOTE_CHARS - 1] + "…"
        strength = SEVERITY_RANK.get(f.get("severity"), 0) * float(f.get("weight", 1.0))
        out.append((strength, f.get("flag"), f"{f.get('flag')}: {quote} ({where})"))
    return sorted(out, key=lambda t: -t[0])


def _pages_frame(pages: dict[str, dict], flag_ids: tuple[str, ...]):
    import pandas as pd

    columns = [*PAGE_COLUMNS, *flag_ids, "_site"]
    df = pd.DataFrame(list(pages.values()), columns=columns)
    df["status"] = df["status"].astype("Int64")
    df["score"] = df["score"].astype("int64")
    for c in ("n_findings", *flag_ids):
        df[c] = df[c].astype("int64")
    return df.sort_values(["score", "key"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _sites_frame(page_df, strongest: dict[str, list[tuple]]):
    import pandas as pd

    flag_cols = [c for c in page_df.columns if c not in PAGE_COLUMNS and c != "_site"]
    rows = []
    for site, group in page_df.groupby("_site", sort=False):
        worst = max(group["band"], key=lambda b: BAND_RANK.get(b, -1))
        seen = [c for c in flag_cols if group[c].sum() > 0]
        top = sorted((s for key in group["key"] for s in strongest.get(key, ())),
                     key=lambda t: -t[0])
        picked = _pick_three(top)
        rows.append({"site": site, "pages": len(group), "worst_band": worst,
                     "max_score": int(group["score"].max()), "flags": "; ".join(seen),
                     "top_findings": " | ".join(picked)})
    df = pd.DataFrame(rows, columns=list(SITE_COLUMNS))
    return df.sort_values(["max_score", "site"], ascending=[False, True], kind="stable")


def _pick_three(ranked: list[tuple]) -> list[str]:
    """The three strongest findings, preferring three different flags over repeats of one."""
    picked, flags = [], set()
    for _, flag, text in ranked:
        if flag not in flags and len(picked) < 3:
            picked.append(text)
            flags.add(flag)
    for _, _, text in ranked:
        if len(picked) >= 3:
            break
        if text not in picked:
            picked.append(text)
    return picked


def _atomic(path: Path, write) -> None:
    """write(tmp_path) then rename over path: readers never see a half-written table."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
