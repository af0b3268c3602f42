"""claimcheck batch over local inputs: every input ends in pages or errors, tables are right."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from claimcheck.cli import main

CLINIC = ("Reverse your MS with our stem cells. Our treatment cures multiple sclerosis and "
          "is completely safe, with no side effects. Book today: places are limited.")
CAREFUL = ("Stem cell treatments for MS are experimental. Be wary of clinics that promise a "
           "cure. Ask your neurologist about approved clinical trials.")
HTML = ("<html><head><title>Nova Cell Clinic</title></head><body><h1>Cure your arthritis</h1>"
        "<p>Our stem cells cure knee osteoarthritis in one visit. Guaranteed results.</p>"
        "</body></html>")


def run(*args: str):
    result = CliRunner().invoke(main, ["batch", "--no-model", *args])
    return result


def tables(out: Path):
    pages = pd.read_csv(out / "pages.csv", keep_default_na=False)
    errors = pd.read_csv(out / "errors.csv", keep_default_na=False)
    return pages, errors


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    d = tmp_path / "in"
    (d / "sub").mkdir(parents=True)
    (d / "clinic.txt").write_text(CLINIC, encoding="utf-8")
    (d / "careful.txt").write_text(CAREFUL, encoding="utf-8")
    (d / "sub" / "page.html").write_text(HTML, encoding="utf-8")
    (d / "bad.bin").write_bytes(b"\x00\x01\x02binary\x00" * 50)
    (d / "empty.txt").write_bytes(b"")
    (d / ".hidden").mkdir()
    (d / ".hidden" / "secret.txt").write_text(CLINIC, encoding="utf-8")
    (d / ".DS_Store").write_bytes(b"\x00\x00")
    return d


def test_directory_of_mixed_inputs_ends_in_pages_or_errors(mixed: Path, tmp_path: Path):
    out = tmp_path / "out"
    result = run(str(mixed), "--out", str(out))
    assert result.exit_code == 0, result.output
    assert f"3 pages, 2 errors -> {out}" in result.output
    pages, errors = tables(out)
    names = {Path(k).name for k in pages["key"]}
    assert names == {"clinic.txt", "careful.txt", "page.html"}  # hidden files skipped
    assert {Path(k).name: s for k, s in zip(errors["key"], errors["stage"])} == {
        "bad.bin": "extract", "empty.txt": "extract"}
    assert all(c.startswith("CC") for c in errors["code"])
    # ranked: scores descending; clinic copy above the careful page
    assert list(pages["score"]) == sorted(pages["score"], reverse=True)
    by_name = {Path(k).name: row for k, row in zip(pages["key"], pages.to_dict("records"))}
    assert by_name["clinic.txt"]["score"] > by_name["careful.txt"]["score"]
    assert by_name["clinic.txt"]["cure-claim"] >= 1
    assert by_name["page.html"]["n_findings"] >= 1
    for col in ("key", "url", "final_url", "status", "fetched_at", "sha256", "doc_type", "band",
                "score", "n_findings", "no-risk-disclosure"):
        assert col in pages.columns
    assert "cites-source" not in pages.columns  # signals are not count columns
    parquet = pd.read_parquet(out / "pages.parquet")
    assert list(parquet["key"]) == list(pages["key"])
    lines = [json.loads(x) for x in (out / "reports.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {x["key"] for x in lines} == set(pages["key"])
    assert all("origin" in x and "risk" in x and "findings" in x for x in lines)
    sites = pd.read_csv(out / "sites.csv", keep_default_na=False)
    assert list(sites["site"]) == [str(mixed)] and sites["pages"][0] == 3
    assert sites["worst_band"][0] == by_name["clinic.txt"]["band"]
    assert "cure-claim: " in sites["top_findings"][0]


def test_missing_input_is_an_error_row_not_a_crash(tmp_path: Path):
    good = tmp_path / "clinic.txt"
    good.write_text(CLINIC, encoding="utf-8")
    out = tmp_path / "out"
    result = run(str(good), str(tmp_path / "nope.txt"), "--out", str(out))
    assert result.exit_code == 0, result.output
    pages, errors = tables(out)
    assert len(pages) == 1 and list(errors["code"]) == ["CC131"]
    assert list(errors["stage"]) == ["read"]


def test_too_large_file_is_refused_not_truncated(tmp_path: Path):
    big = tmp_path / "big.txt"
    big.write_text(CLINIC * 20, encoding="utf-8")
    out = tmp_path / "out"
    assert run(str(big), "--out", str(out), "--max-bytes", "100").exit_code == 0
    pages, errors = tables(out)
    assert pages.empty and list(errors["code"]) == ["CC132"]


def test_non_empty_out_dir_needs_resume_or_force(mixed: Path, tmp_path: Path):
    out = tmp_path / "out"
    out.mkdir()
    (out / "something").write_text("x")
    result = run(str(mixed), "--out", str(out))
    assert result.exit_code == 2 and "[CC130]" in result.output
    assert "Traceback" not in result.output
    assert run(str(mixed), "--out", str(out), "--force").exit_code == 0
    assert len(tables(out)[0]) == 3


def test_resume_skips_done_keys_and_ignores_a_torn_last_line(mixed: Path, tmp_path: Path):
    out = tmp_path / "out"
    assert run(str(mixed), "--out", str(out)).exit_code == 0
    reports = out / "reports.jsonl"
    lines = reports.read_text(encoding="utf-8").splitlines(keepends=True)
    # a crash mid-write: the second page's line is half there
    reports.write_text(lines[0] + lines[1][: len(lines[1]) // 2], encoding="utf-8")
    result = run(str(mixed), "--out", str(out), "--resume")
    assert result.exit_code == 0, result.output
    assert "already done" in result.output
    pages, errors = tables(out)
    assert len(pages) == 3 and pages["key"].is_unique
    assert len(errors) == 2
    for line in reports.read_text(encoding="utf-8").splitlines():
        json.loads(line)  # the torn line was cut, not glued to the next


def _write_table(path: Path, rows: list[dict]) -> None:
    df = pd.DataFrame(rows)
    if path.suffix == ".csv":
        df.to_csv(path, index=False)
    else:
        df.to_parquet(path, index=False)


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_table_inputs_with_text_id_and_source(tmp_path: Path, suffix: str):
    table = tmp_path / f"pages{suffix}"
    _write_table(table, [
        {"id": "a1", "text": CLINIC, "source": "https://nova-cell.example/ms"},
        {"id": "a2", "text": CAREFUL, "source": "charity leaflet"},
        {"id": "a3", "text": "   ", "source": "blank"},
    ])
    out = tmp_path / "out"
    result = run(str(table), "--out", str(out))
    assert result.exit_code == 0, result.output
    pages, errors = tables(out)
    resolved = str(table.resolve())
    assert set(pages["key"]) == {f"{resolved}#a1", f"{resolved}#a2"}
    assert list(errors["key"]) == [f"{resolved}#a3"]
    lines = [json.loads(x) for x in (out / "reports.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {x["input"] for x in lines} == {"https://nova-cell.example/ms", "charity leaflet"}


def test_table_without_text_or_url_column_is_an_error(tmp_path: Path):
    table = tmp_path / "wrong.csv"
    _write_table(table, [{"body": CLINIC}])
    out = tmp_path / "out"
    assert run(str(table), "--out", str(out)).exit_code == 0
    pages, errors = tables(out)
    assert pages.empty and list(errors["code"]) == ["CC133"]
    assert "no `text` or `url` column" in errors["reason"][0]


def test_table_rows_without_id_are_keyed_by_row_number(tmp_path: Path):
    table = tmp_path / "t.csv"
    _write_table(table, [{"text": CLINIC}, {"text": CAREFUL}])
    out = tmp_path / "out"
    assert run(str(table), "--out", str(out)).exit_code == 0
    resolved = str(table.resolve())
    assert set(tables(out)[0]["key"]) == {f"{resolved}#1", f"{resolved}#2"}


def _warc(path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    def response(writer, uri, status, ctype, body, extra=()):
        headers = StatusAndHeaders(status, [("Content-Type", ctype), *extra], protocol="HTTP/1.1")
        rec = writer.create_warc_record(uri, "response", payload=io.BytesIO(body),
                                        http_headers=headers)
        writer.write_record(rec)

    with open(path, "wb") as f:
        w = WARCWriter(f, gzip=True)
        w.write_record(w.create_warcinfo_record(path.name, {"software": "test"}))
        response(w, "https://nova-cell.example/ms", "200 OK", "text/html; charset=utf-8",
                 HTML.encode())
        response(w, "https://nova-cell.example/about.txt", "200 OK", "text/plain", CLINIC.encode())
        response(w, "https://nova-cell.example/logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n")
        response(w, "https://nova-cell.example/old", "301 Moved Permanently", "text/html", b"",
                 extra=[("Location", "https://nova-cell.example/ms")])
        w.write_record(w.create_warc_record("https://nova-cell.example/ms", "request",
                                            payload=io.BytesIO(b"GET /ms HTTP/1.1\r\n\r\n")))


def test_warc_response_records_keep_their_origin(tmp_path: Path):
    warc = tmp_path / "crawl.warc.gz"
    _warc(warc)
    out = tmp_path / "out"
    result = run(str(warc), "--out", str(out))
    assert result.exit_code == 0, result.output
    pages, errors = tables(out)
    assert set(pages["url"]) == {"https://nova-cell.example/ms", "https://nova-cell.example/about.txt"}
    assert set(pages["status"]) == {200}
    assert all(k.startswith(str(warc.resolve()) + "#<urn:uuid:") for k in pages["key"])
    assert all(pages["fetched_at"].str.match(r"\d{4}-\d\d-\d\dT"))
    reasons = " ".join(errors["reason"])
    assert len(errors) == 2 and "image/png" in reasons and "HTTP 301" in reasons
    lines = [json.loads(x) for x in (out / "reports.jsonl").read_text(encoding="utf-8").splitlines()]
    html_line = next(x for x in lines if x["origin"]["url"].endswith("/ms"))
    assert html_line["origin"]["content_type"].startswith("text/html")
    sites = pd.read_csv(out / "sites.csv", keep_default_na=False)
    assert list(sites["site"]) == ["nova-cell.example"]


def test_corrupt_warc_is_an_error_row(tmp_path: Path):
    warc = tmp_path / "broken.warc"
    warc.write_bytes(b"this is not a warc file at all\r\n" * 10)
    out = tmp_path / "out"
    assert run(str(warc), "--out", str(out)).exit_code == 0
    pages, errors = tables(out)
    assert pages.empty and list(errors["code"]) == ["CC134"]


def test_process_pool_gives_the_same_results_as_one_worker(mixed: Path, tmp_path: Path):
    one, two = tmp_path / "one", tmp_path / "two"
    assert run(str(mixed), "--out", str(one), "--workers", "1").exit_code == 0
    assert run(str(mixed), "--out", str(two), "--workers", "2").exit_code == 0
    cols = ["key", "band", "score", "n_findings"]
    assert tables(one)[0][cols].equals(tables(two)[0][cols])


def test_batch_help_says_how_to_use_a_dask_cluster():
    result = CliRunner().invoke(main, ["batch", "--help"])
    assert result.exit_code == 0
    assert "--scheduler" in result.output and "dask worker tcp://" in result.output


def test_batch_with_the_learned_models_matches_a_single_audit(mixed: Path, tmp_path: Path):
    """The default mode (rules + models) through the worker pool gives the same report as
    `claimcheck audit` on the same file."""
    from claimcheck.auditor import Auditor
    from claimcheck.ingest import read_input

    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["batch", str(mixed), "--out", str(out), "--workers", "2", "--quiet"])
    assert result.exit_code == 0, result.output
    reports = {Path(r["key"]).name: r for r in map(json.loads, (out / "reports.jsonl").read_text().splitlines())}
    clinic = reports["clinic.txt"]
    assert clinic["document_type"]["offer_probability"] is not None
    direct = Auditor().load().audit_document(read_input(str(mixed / "clinic.txt")))
    assert clinic["risk"]["score"] == direct.risk.score
    assert [f["flag"] for f in clinic["findings"]] == [f.flag for f in direct.findings]
    assert any(f["model"] for f in clinic["findings"])
