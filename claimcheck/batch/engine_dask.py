"""The Dask engine: the same driver, with partitions audited on a Dask cluster.

Point it at a running cluster with --scheduler tcp://HOST:8786 (start one with
`dask scheduler` and `dask worker tcp://HOST:8786` on each machine, each with claimcheck
installed); without --scheduler a LocalCluster of worker processes (one per core) is started.
Partitions never mix input files, WARC files or table chunks (or hosts, for fetched pages), and
hold at most `partition_size` items. Items travel as bytes or text, so workers need no access
to the driver's files; each worker process builds one Auditor and reuses it for every partition.
The driver appends each partition's results to the journal as it completes, so --resume works.
"""
from __future__ import annotations

import logging
import os

from ..errors import InputError
from .engine_local import BatchOptions, RunStats, drive

log = logging.getLogger("claimcheck")

PARTITION_SIZE = 50


def run_dask(opts: BatchOptions, scheduler: str | None = None, *,
             n_workers: int | None = None, partition_size: int = PARTITION_SIZE) -> RunStats:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise InputError("--engine dask needs dask.distributed: pip install 'claimcheck[dask]'",
                         code="CC139") from None
    cluster = None
    try:
        if scheduler:
            client = Client(scheduler, timeout="20s")
        else:
            cluster = LocalCluster(n_workers=n_workers or os.cpu_count() or 1, threads_per_worker=1,
                                   processes=True, dashboard_address=":0")
            client = Client(cluster)
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        raise InputError(f"cannot reach the Dask scheduler {scheduler or '(local)'}: {exc}",
                         code="CC139") from None
    try:
        n = max(1, sum(w.get("nthreads", 1) for w in client.scheduler_info()["workers"].values()))
        log.info("dask: %d worker threads at %s", n, client.scheduler.address)
        return drive(opts, client.get_executor(pure=False), chunk=partition_size,
                     in_flight=2 * n + 1)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
