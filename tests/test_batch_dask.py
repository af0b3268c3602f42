"""--engine dask on a small LocalCluster writes the same outputs as the local engine."""
from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("distributed")

from claimcheck.batch.engine_dask import run_dask  # noqa: E402
from claimcheck.batch.engine_local import BatchOptions, run_local  # noqa: E402
from claimcheck.batch.outputs import build_tables  # noqa: E402
from claimcheck.batch.resume import prepare_out_dir  # noqa: E402
from claimcheck.batch.work import AuditorSpec, auditor_for  # noqa: E402

SENTENCES = ("Our stem cells cure multiple sclerosis.", "Results are guaranteed.",
             "Stem cell treatments for MS are still being studied in clinical trials.",
             "There are no side effects at all.", "Only two places remain this month: book now.",
             "Ask your neurologist about the risks before any procedure.")


def _inputs(tmp_path: Path) -> tuple[str, ...]:
    a, b = tmp_path / "site-a", tmp_path / "site-b"
    a.mkdir(), b.mkdir()
    for i in range(24):
        text = " ".join(SENTENCES[j % len(SENTENCES)] for j in range(i % 5 + 1 + i // 6, i % 5 + 3 + i // 6))
        (a if i % 2 else b).joinpath(f"p{i:02}.txt").write_text(f"Clinic {i}. {text}\n", encoding="utf-8")
    (b / "empty.txt").write_text("")
    table = tmp_path / "rows.csv"
    pd.DataFrame({"id": [f"r{i}" for i in range(10)],
                  "text": [f"Row {i}. {SENTENCES[i % len(SENTENCES)]}" for i in range(10)]}
                 ).to_csv(table, index=False)
    return str(a), str(b), str(table)


def _run(engine, inputs, out: Path, spec: AuditorSpec):
    prepare_out_dir(out, resume=False, force=False)
    opts = BatchOptions(inputs=inputs, out=out, spec=spec)
    stats = run_dask(opts, n_workers=2, partition_size=8) if engine == "dask" else run_local(opts)
    flags = tuple(e.id for e in auditor_for(spec).checklist.entries if e.kind != "signal")
    build_tables(out, flags)
    return stats


def test_dask_local_cluster_matches_the_local_engine(tmp_path: Path):
    spec = AuditorSpec(use_model=False)
    inputs = _inputs(tmp_path)
    _run("local", inputs, tmp_path / "local", spec)
    stats = _run("dask", inputs, tmp_path / "dask", spec)
    assert stats.pages == 34 and stats.errors == 1
    cols = ["key", "band", "score", "n_findings", "sha256"]
    local = pd.read_csv(tmp_path / "local" / "pages.csv", keep_default_na=False)
    dask = pd.read_csv(tmp_path / "dask" / "pages.csv", keep_default_na=False)
    assert len(local) == 34
    pd.testing.assert_frame_equal(local[cols], dask[cols])
    for name in ("errors.csv", "sites.csv"):
        assert (tmp_path / "local" / name).read_text() == (tmp_path / "dask" / name).read_text()
    keys = [json.loads(x)["key"] for x in (tmp_path / "dask" / "reports.jsonl").read_text().splitlines()]
    assert sorted(keys) == sorted(local["key"])
