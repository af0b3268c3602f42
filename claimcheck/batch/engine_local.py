"""The batch driver: inputs -> (fetch on a thread pool) -> audit on an executor -> journal.

Fetching is I/O-bound, so a thread pool runs B's Fetcher; auditing is CPU-bound, so items go
in chunks to a process pool (or, with workers=1, one thread) whose workers each build their
Auditor once. The Dask engine reuses this driver with a cluster-backed executor. The driver
writes every finished item to the journal at once, so an interrupted run can resume.
"""
from __future__ import annotations

import logging
import queue
import threading
from concurrent.futures import FIRST_COMPLETED, Executor, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterator

from .inputs import Expander, ItemError, WorkItem, host_of, url_item
from .resume import Journal, done_keys
from .work import AuditorSpec, Outcome, audit_items, init_worker

log = logging.getLogger("claimcheck")

_END = object()


@dataclass(frozen=True)
class BatchOptions:
    """Everything a batch run needs, as given on the command line."""

    inputs: tuple[str, ...]
    out: Path
    spec: AuditorSpec = field(default_factory=AuditorSpec)
    resume: bool = False
    workers: int = 1
    fetch_workers: int = 8
    crawl: bool = False
    depth: int = 1
    max_pages: int = 100
    rate: float = 1.0
    allow_private: bool = False
    max_bytes: int = 10_000_000
    user_agent: str = ""
    progress: bool = False


@dataclass(frozen=True)
class RunStats:
    pages: int  # written in this run
    errors: int
    skipped: int  # already done (resume)


def local_executor(workers: int, spec: AuditorSpec) -> Executor:
    """One thread for workers=1 (no pickling; it reuses the Auditor the driver built), else a
    process pool. On Linux the pool forks every worker at once, before any driver thread
    starts, so each inherits the driver's loaded Auditor instead of spending seconds loading
    its own; elsewhere workers are spawned and load it in the initializer."""
    if workers <= 1:
        return ThreadPoolExecutor(1, thread_name_prefix="claimcheck-audit",
                                  initializer=init_worker, initargs=(spec,))
    import multiprocessing
    import sys
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if sys.platform == "linux" else "spawn"
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method),
                               initializer=init_worker, initargs=(spec,))
    pool.submit(int).result()  # launches the workers now (fork: all at once, single-threaded)
    return pool


def run_local(opts: BatchOptions) -> RunStats:
    executor = local_executor(opts.workers, opts.spec)
    try:
        return drive(opts, executor, chunk=16, in_flight=max(2, 2 * opts.workers))
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _fetcher(opts: BatchOptions):
    from ..web.fetch import Fetcher

    kwargs = dict(rate=opts.rate, max_bytes=opts.max_bytes, allow_private=opts.allow_private)
    if opts.user_agent:
        kwargs["user_agent"] = opts.user_agent
    return Fetcher(**kwargs)


class _Web:
    """The fetcher and raw store, created on first use (a batch of files needs neither)."""

    def __init__(self, opts: BatchOptions):
        self.opts = opts
        self._lock = threading.Lock()
        self._fetcher = self._store = None

    def fetcher(self):
        with self._lock:
            if self._fetcher is None:
                self._fetcher = _fetcher(self.opts)
            return self._fetcher

    def store(self):
        with self._lock:
            if self._store is None:
                from ..web.rawstore import RawStore

                self._store = RawStore(self.opts.out)
            return self._store

    def close(self) -> None:
        if self._fetcher is not None:
            self._fetcher.close()


def _fetch_error(key: str, arg: str, reason: str) -> ItemError:
    from ..web.fetch import error_code

    return ItemError(key, arg, "fetch", error_code(reason), " ".join(reason.split()))


def from_fetch(result, item: WorkItem, web: _Web) -> list[WorkItem | ItemError]:
    """A FetchResult as the item to audit, or an error."""
    if not result.ok:
        return [_fetch_error(item.key, item.input, result.error or f"HTTP {result.status}")]
    web.store().put(result.raw)
    final = result.final_url or result.url
    return [replace(item, kind="bytes", raw=result.raw, final_url=final, status=result.status,
                    fetched_at=result.fetched_at, content_type=result.content_type,
                    site=host_of(final) or item.site)]


def fetch_item(item: WorkItem, web: _Web) -> list[WorkItem | ItemError]:
    try:
        return from_fetch(web.fetcher().fetch(item.url), item, web)
    except Exception as exc:  # the Fetcher promises not to raise; a bug costs one URL only
        log.exception("fetching %s failed", item.url)
        return [_fetch_error(item.key, item.input, f"[CC120] {type(exc).__name__}: {exc}")]


def source(opts: BatchOptions, web: _Web) -> Iterator[WorkItem | ItemError]:
    """Every input's items; with --crawl the URL inputs are seeds and the crawl's pages follow."""
    expander = Expander(max_bytes=opts.max_bytes)
    seeds: list[WorkItem] = []
    for x in expander.expand(opts.inputs):
        if isinstance(x, WorkItem) and x.kind == "sitemap":
            yield from _sitemap(x, web)
        elif opts.crawl and isinstance(x, WorkItem) and x.kind == "url":
            seeds.append(x)
        else:
            yield x
    if not seeds:
        return
    from ..web.crawl import crawl

    by_url = {s.url: s for s in seeds}
    crawled: set[str] = set()
    for result in crawl([s.url for s in seeds], web.fetcher(), depth=opts.depth,
                        max_pages=opts.max_pages, workers=opts.fetch_workers):
        seed = by_url.get(result.url)
        item = url_item(result.url, seed.input if seed else "crawl")
        crawled.add(item.key)
        yield from from_fetch(result, item, web)
    for seed in seeds:  # a seed is an input: say why it has no page rather than drop it
        if seed.key not in crawled:
            yield ItemError(seed.key, seed.input, "fetch", "CC136",
                            f"{seed.url} was not crawled: it duplicates a page already crawled "
                            f"(same final URL or content), or --max-pages {opts.max_pages} was reached")


def _sitemap(item: WorkItem, web: _Web) -> Iterator[WorkItem | ItemError]:
    """The pages a sitemap URL lists (indexes followed, by B's sitemap_pages)."""
    from ..web.crawl import sitemap_pages

    pages = sitemap_pages(web.fetcher(), item.url)
    if not pages:
        yield ItemError(item.key, item.input, "fetch", "CC133",
                        f"sitemap {item.url} could not be fetched or lists no pages")
    for url in pages:
        yield url_item(url, item.input)


def drive(opts: BatchOptions, executor: Executor, *, chunk: int, in_flight: int,
          make_source: Callable | None = None) -> RunStats:
    """Run every item through fetch and audit, appending outcomes to the journal as they come."""
    state = _State(done_keys(opts.out) if opts.resume else set())
    web = _Web(opts)
    items: queue.Queue = queue.Queue(maxsize=256)
    producer = threading.Thread(target=_produce, args=(make_source or source, opts, web, items),
                                name="claimcheck-inputs", daemon=True)
    producer.start()
    buffers: dict[str, list[WorkItem]] = {}
    fetching: dict[Future, WorkItem] = {}
    auditing: dict[Future, list[WorkItem]] = {}
    try:
        with Journal(opts.out) as journal, _progress(opts.progress) as bar, \
                ThreadPoolExecutor(opts.fetch_workers, thread_name_prefix="claimcheck-fetch") as pool:

            def submit(batch: list[WorkItem]) -> None:
                try:
                    auditing[executor.submit(audit_items, batch, opts.spec)] = batch
                except Exception as exc:  # a broken pool: record the chunk rather than lose it
                    failed: Future = Future()
                    failed.set_exception(exc)
                    for outcome in _outcomes(failed, batch):
                        journal.error(outcome.error)
                        bar.add(done=1)

            def to_audit(x: WorkItem) -> None:
                buffers.setdefault(x.partition, []).append(x)
                if len(buffers[x.partition]) >= chunk:
                    submit(buffers.pop(x.partition))

            def accept(x) -> None:
                if not state.take(x.key):
                    return
                bar.add(total=1)
                if isinstance(x, ItemError):
                    journal.error(x)
                    bar.add(done=1)
                elif x.kind == "url":
                    fetching[pool.submit(fetch_item, x, web)] = x
                else:
                    to_audit(x)

            ended = False
            while True:
                busy = bool(fetching or auditing or buffers)
                while not ended and len(auditing) < in_flight and len(fetching) < 4 * opts.fetch_workers:
                    try:
                        x = items.get(timeout=0.02 if busy else 0.5)
                    except queue.Empty:
                        break
                    if x is _END:
                        ended = True
                    elif isinstance(x, BaseException):
                        raise x
                    else:
                        accept(x)
                if buffers and len(auditing) < in_flight and (ended or items.empty()):
                    for part in list(buffers):  # idle capacity: do not wait for a full chunk
                        submit(buffers.pop(part))
                if not (fetching or auditing):
                    if ended and not buffers:
                        break
                    continue
                finished, _ = wait([*fetching, *auditing], timeout=0.2, return_when=FIRST_COMPLETED)
                for fut in finished:
                    if fut in fetching:
                        url_done = _fetched(fetching.pop(fut), fut.result(), accept, to_audit, journal)
                        bar.add(done=url_done)
                    else:
                        for outcome in _outcomes(fut, auditing.pop(fut)):
                            if outcome.error is not None:
                                journal.error(outcome.error)
                            else:
                                journal.page(outcome.line)
                            bar.add(done=1)
    finally:
        web.close()
    producer.join(timeout=1)
    return RunStats(journal.pages, journal.errors, state.skipped)


def _fetched(item: WorkItem, results: list, accept, to_audit, journal) -> int:
    """Route a fetch's results; return 1 when the URL itself is finished (error or sitemap)."""
    own = False
    for x in results:
        if x.key != item.key:
            accept(x)  # URLs listed by a sitemap
        elif isinstance(x, ItemError):
            journal.error(x)
            return 1
        else:
            own = True
            to_audit(x)
    return 0 if own else 1


def _outcomes(fut: Future, batch: list[WorkItem]) -> list[Outcome]:
    try:
        return fut.result()
    except Exception as exc:  # a worker died (OOM, crash): its chunk is recorded, not lost
        log.error("an audit worker failed: %s", exc)
        return [Outcome(i.key, error=ItemError(i.key, i.input, "audit", "CC138",
                                               f"audit worker failed: {type(exc).__name__}: {exc}"))
                for i in batch]


class _State:
    """Keys already handled (dedup within a run) and done before (resume)."""

    def __init__(self, done: set[str]):
        self.done = done
        self.seen: set[str] = set()
        self.skipped = 0

    def take(self, key: str) -> bool:
        if key in self.done:
            self.skipped += 1
            return False
        if key in self.seen:
            return False
        self.seen.add(key)
        return True


def _produce(make_source, opts: BatchOptions, web: _Web, out: queue.Queue) -> None:
    try:
        for x in make_source(opts, web):
            out.put(x)
    except BaseException as exc:  # surfaced in the driver thread
        out.put(exc)
    finally:
        out.put(_END)


class _NoBar:
    def add(self, total: int = 0, done: int = 0) -> None:
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None


class _RichBar(_NoBar):
    """Counts and ETA; the total grows as inputs expand (crawls and sitemaps are open-ended)."""

    def __enter__(self):
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                                   TimeElapsedColumn, TimeRemainingColumn)

        self._progress = Progress(TextColumn("auditing"), BarColumn(), MofNCompleteColumn(),
                                  TimeElapsedColumn(), TimeRemainingColumn(),
                                  console=Console(stderr=True), transient=True)
        self._progress.__enter__()
        self._task = self._progress.add_task("batch", total=0)
        return self

    def add(self, total: int = 0, done: int = 0) -> None:
        if total:
            self._progress.update(self._task, total=self._progress.tasks[0].total + total)
        if done:
            self._progress.advance(self._task, done)

    def __exit__(self, *exc):
        return self._progress.__exit__(*exc)


def _progress(enabled: bool):
    return _RichBar() if enabled else _NoBar()
