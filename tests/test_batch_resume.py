"""A batch killed with SIGKILL mid-run resumes to every page exactly once."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
N = 300
CLAIMS = ("Our stem cells cure {c}.", "Results are guaranteed for {c}.",
          "Ask your doctor whether a trial for {c} is right for you.",
          "87% of our {c} patients improve.", "There are no side effects.")
CONDITIONS = ("MS", "Parkinson's disease", "autism", "knee osteoarthritis", "COPD")


def _texts(d: Path) -> None:
    d.mkdir()
    for i in range(N):
        c = CONDITIONS[i % len(CONDITIONS)]
        body = " ".join(s.format(c=c) for s in CLAIMS[: 1 + i % len(CLAIMS)])
        (d / f"page{i:03}.txt").write_text(f"Clinic {i}. {body} Call us on 555-{i:04}.\n",
                                           encoding="utf-8")


def _cmd(inp: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "claimcheck", "batch", str(inp), "--out", str(out),
            "--no-model", "--workers", "1", *extra]


def _env() -> dict:
    return {**os.environ, "CI": "true", "PYTHONPATH": str(ROOT)}


def _lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.is_file() else 0


def test_sigkill_mid_run_then_resume_has_every_page_exactly_once(tmp_path: Path):
    inp, out = tmp_path / "in", tmp_path / "out"
    _texts(inp)
    proc = subprocess.Popen(_cmd(inp, out), env=_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while _lines(out / "reports.jsonl") < 20:
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "batch wrote no reports in time"
            time.sleep(0.005)
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    written = _lines(out / "reports.jsonl")
    assert 20 <= written < N, "the kill came too late to test resuming"
    assert not (out / "pages.csv").exists()  # tables are only built at the end

    done = subprocess.run(_cmd(inp, out, "--resume"), env=_env(), capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert "already done" in done.stdout
    pages = pd.read_csv(out / "pages.csv", keep_default_na=False)
    assert len(pages) == N and pages["key"].is_unique
    assert {Path(k).name for k in pages["key"]} == {f"page{i:03}.txt" for i in range(N)}
    errors = pd.read_csv(out / "errors.csv", keep_default_na=False)
    assert errors.empty
    for line in (out / "reports.jsonl").read_text(encoding="utf-8").splitlines():
        json.loads(line)
