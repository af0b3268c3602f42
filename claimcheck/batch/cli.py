"""`claimcheck batch INPUT... --out DIR`: parse options, run an engine, rebuild the tables.

Only click is imported here; the engines load when the command runs.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..cli_options import checklist_options

BATCH_HELP = """Audit many pages: files, folders, CSV/Parquet tables, URL lists, sitemaps,
WARC files and URLs, into a ranked table.

\b
INPUT is any of:
  page.txt / page.html / page.pdf   a file (folders are read recursively, hidden files skipped)
  table.csv / table.parquet         rows with a `text` or `url` column (optional `id`, `source`)
  list.urls, list.txt               one URL per line (# comments); a .txt only if every line is a URL
  sitemap.xml, https://.../sitemap.xml   the URLs it lists
  crawl.warc(.gz)                   response records with HTML, text or PDF content
  https://clinic.example/           a page (with --crawl: a seed to crawl from)

\b
DIR receives:
  reports.jsonl   one full report per page, with its key and origin (appended as pages finish)
  pages.csv, pages.parquet   one row per page, ranked by score, a count column per flag
  sites.csv       one row per site (host, or input file): worst band, flags, strongest findings
  errors.csv      every input that is not a page, with its stage and a coded reason
  raw/            fetched bytes, by SHA-256

Resume: an interrupted batch continues with --resume (finished pages are skipped; fetch
errors are retried). Without --resume an existing non-empty DIR is refused unless --force.

\b
Dask: --engine dask starts a LocalCluster (one worker process per core), or uses your cluster:
  dask scheduler                      # on the scheduler host (port 8786)
  dask worker tcp://HOST:8786         # on each worker machine, with claimcheck installed
  claimcheck batch pages/ --out run1 --engine dask --scheduler tcp://HOST:8786
Pages are sent to the workers as bytes, so workers need no access to your files.
"""


def _default_workers() -> int:
    # One audit process per core. Measured on 2 cores (benchmarks/bench_batch.py): a farm crawl
    # ran at 68.9 pages/s with 2 workers vs 53.7 with 1, HealthRelease 9.9 s vs 10.6 s.
    return os.cpu_count() or 1


@click.command("batch", help=BATCH_HELP)
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Output folder.")
@click.option("--resume", is_flag=True, help="Continue an interrupted batch in --out.")
@click.option("--force", is_flag=True, help="Start over in a non-empty --out.")
@click.option("--engine", type=click.Choice(["local", "dask"]), default="local", show_default=True,
              help="local: thread pool fetches, process pool audits; dask: a Dask cluster audits.")
@click.option("--scheduler", metavar="ADDRESS", default=None,
              help="Dask scheduler, e.g. tcp://host:8786 (default: start a LocalCluster).")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Audit processes (local engine) or LocalCluster workers (dask); default: one "
                   "per core. 1 audits in a thread of the main process.")
@click.option("--fetch-workers", type=click.IntRange(min=1), default=8, show_default=True,
              help="Threads fetching URLs.")
@click.option("--crawl", is_flag=True, help="Crawl from the URL inputs (same site only).")
@click.option("--depth", type=click.IntRange(min=0), default=1, show_default=True,
              help="Crawl depth in links from a seed.")
@click.option("--max-pages", type=click.IntRange(min=1), default=100, show_default=True,
              help="Crawl at most this many pages.")
@click.option("--rate", type=click.FloatRange(min=0), default=1.0, show_default=True,
              help="Requests per second per host (0 = no limit).")
@click.option("--allow-private", is_flag=True,
              help="Allow fetching private and loopback addresses (local test servers).")
@click.option("--max-bytes", type=click.IntRange(min=1), default=10_000_000, show_default=True,
              help="Refuse files and pages larger than this (never truncated).")
@click.option("--user-agent", default="", help="User-Agent for fetching (default: claimcheck's).")
@click.option("--no-model", is_flag=True, help="Rules only: do not use a learned model.")
@click.option("--format", "fmt", type=click.Choice(["jsonl"]), default="jsonl", show_default=True,
              help="Format of reports (reports.jsonl).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@checklist_options
def batch(inputs, out, resume, force, engine, scheduler, workers, fetch_workers, crawl, depth,
          max_pages, rate, allow_private, max_bytes, user_agent, no_model, fmt, quiet,
          checklist_dirs, replace_checklist, only, disable):
    from ..errors import ClaimcheckError

    try:
        stats, pages, errors = _run(
            inputs, out, resume=resume, force=force, engine=engine, scheduler=scheduler,
            workers=workers, fetch_workers=fetch_workers, crawl=crawl, depth=depth,
            max_pages=max_pages, rate=rate, allow_private=allow_private, max_bytes=max_bytes,
            user_agent=user_agent, use_model=not no_model, quiet=quiet,
            checklist=(tuple(str(d) for d in checklist_dirs), replace_checklist, tuple(only),
                       tuple(disable)))
    except ClaimcheckError as exc:
        click.echo(f"claimcheck: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo(f"claimcheck: interrupted; continue with --resume --out {out}", err=True)
        sys.exit(130)
    skipped = f", {stats.skipped} already done" if stats.skipped else ""
    click.echo(f"claimcheck batch: {pages} pages, {errors} errors{skipped} -> {out}")


def _run(inputs, out: Path, *, resume, force, engine, scheduler, workers, fetch_workers, crawl,
         depth, max_pages, rate, allow_private, max_bytes, user_agent, use_model, quiet, checklist):
    from .engine_local import BatchOptions, run_local
    from .outputs import build_tables
    from .resume import prepare_out_dir
    from .work import AuditorSpec, auditor_for

    dirs, replace, only, disable = checklist
    spec = AuditorSpec(dirs, replace, only, disable, use_model)
    # Build the Auditor here: a bad --checklist folder or a missing model fails now, once, not
    # in every worker; the thread engine (--workers 1) then reuses this very Auditor.
    loaded = auditor_for(spec).checklist
    flag_ids = tuple(e.id for e in loaded.entries if e.kind in ("claim", "omission"))
    prepare_out_dir(out, resume=resume, force=force)
    progress = not quiet and sys.stderr.isatty() and os.environ.get("CI", "").lower() != "true"
    opts = BatchOptions(inputs=tuple(inputs), out=out, spec=spec, resume=resume,
                        workers=workers or _default_workers(), fetch_workers=fetch_workers,
                        crawl=crawl, depth=depth, max_pages=max_pages, rate=rate,
                        allow_private=allow_private, max_bytes=max_bytes, user_agent=user_agent,
                        progress=progress)
    if engine == "dask":
        from .engine_dask import run_dask

        stats = run_dask(opts, scheduler, n_workers=workers)
    else:
        stats = run_local(opts)
    pages, errors = build_tables(out, flag_ids)
    return stats, pages, errors
