"""Web ingestion: HTML pages to the text a visitor reads (with sections), PDF brochures, URLs.

The fixture pages (tests/fixtures/html/, invented clinics) plant claims in the places clinic
marketing puts them (hero, testimonial slider, FAQ accordion, pricing table, sidebar) and
noise a visitor does not read as copy; planted.json lists both per page.
"""
from __future__ import annotations

import hashlib
import http.server
import io
import json
import sys
import threading
import types
from functools import cache
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from claimcheck.cli import main
from claimcheck.errors import InputError
from claimcheck.ingest import read_input
from claimcheck.paths import schema_file
from claimcheck.web.extract import decode_html, detect_kind, document_from_bytes
from claimcheck.web.html import SECTION_NAMES, extract_html

FIXTURES = Path(__file__).parent / "fixtures" / "html"
PLANTED = {k: v for k, v in json.loads((FIXTURES / "planted.json").read_text("utf-8")).items()
           if not k.startswith("_")}
PAGES = sorted(PLANTED)
VALIDATOR = jsonschema.Draft202012Validator(json.loads(schema_file().read_text(encoding="utf-8")))


@cache
def auditor():
    """Rules only where the learned layer exists: these tests are about ingestion, not models."""
    import inspect

    from claimcheck.auditor import Auditor

    if "use_model" in inspect.signature(Auditor).parameters:
        return Auditor(use_model=False).load()
    return Auditor().load()


def audit_args(*args: str) -> list[str]:
    """`claimcheck audit ARGS`, rules only when the CLI has --no-model."""
    from claimcheck.cli import audit

    rules_only = ["--no-model"] if any(p.name == "no_model" for p in audit.params) else []
    return ["audit", *rules_only, *args]


@cache
def page_doc(name: str):
    return read_input(str(FIXTURES / name))


def error_of(fn, *args, **kwargs) -> InputError:
    with pytest.raises(InputError) as info:
        fn(*args, **kwargs)
    assert "\n" not in str(info.value)
    return info.value


# --- extraction ------------------------------------------------------------------------------


def test_there_are_at_least_six_fixture_pages():
    assert len(PAGES) >= 6
    assert all((FIXTURES / name).is_file() for name in PAGES)


@pytest.mark.parametrize("name", PAGES)
def test_every_planted_claim_is_in_the_extracted_text(name):
    doc = page_doc(name)
    for claim in PLANTED[name]["claims"]:
        assert claim["text"] in doc.text, claim["text"]


@pytest.mark.parametrize("name", PAGES)
def test_no_nav_footer_cookie_or_hidden_text_is_extracted(name):
    doc = page_doc(name)
    for noise in PLANTED[name]["noise"]:
        assert noise not in doc.text, noise


@pytest.mark.parametrize("name", PAGES)
def test_nothing_is_duplicated(name):
    doc = page_doc(name)
    blocks = [b for b in doc.text.split("\n\n")]
    assert len(blocks) == len(set(blocks))
    for once in PLANTED[name].get("once", []):
        assert doc.text.count(once) == 1


@pytest.mark.parametrize("name", PAGES)
def test_sections_tile_the_text_with_exact_offsets(name):
    doc = page_doc(name)
    assert doc.sections and doc.text
    pos = 0
    for s in doc.sections:
        assert s.name in SECTION_NAMES
        assert pos <= s.start < s.end <= len(doc.text)
        assert doc.text[pos:s.start].strip() == ""  # only separators between sections
        assert doc.text[s.start:s.end] == doc.text[s.start:s.end].strip()
        pos = s.end
    assert doc.text[pos:].strip() == ""


@pytest.mark.parametrize("name", PAGES)
def test_planted_claims_sit_in_their_section(name):
    doc = page_doc(name)
    for claim in PLANTED[name]["claims"]:
        start = doc.text.index(claim["text"])
        names = [s.name for s in doc.sections if s.start <= start < s.end]
        assert names == [claim["section"]], claim["text"]


def test_blocks_are_separated_so_headings_and_list_items_are_sentences():
    page = extract_html(
        "<html><body><main><h2>Walk again</h2><p>Our cells rebuild nerves</p>"
        "<ul><li>No surgery</li><li>No <b>risk</b> at all</li></ul></main></body></html>")
    assert page.text == "Walk again\n\nOur cells rebuild nerves\n\nNo surgery\n\nNo risk at all"
    assert [s.name for s in page.sections] == ["heading", "main", "list"]
    sentences = auditor()._segmenter.split(page.text)
    assert [s.text for s in sentences] == ["Walk again", "Our cells rebuild nerves", "No surgery",
                                           "No risk at all"]


def test_hidden_text_is_dropped_but_hidden_slides_and_answers_are_kept():
    html = """<html><body><main><p>Visible copy here.</p>
      <p style="display:none">Hidden promo text.</p><p hidden>Hidden attribute text.</p>
      <div aria-hidden="true"><p>Aria hidden text.</p></div>
      <div class="carousel"><div class="item" style="display:none"><p>Second slide text.</p></div></div>
      <div class="accordion"><div class="panel" hidden><p>Collapsed answer text.</p></div></div>
      </main></body></html>"""
    text = extract_html(html).text
    assert "Visible copy here." in text
    assert "Second slide text." in text and "Collapsed answer text." in text
    for hidden in ("Hidden promo", "Hidden attribute", "Aria hidden"):
        assert hidden not in text


def test_a_hero_inside_the_site_header_is_kept_without_the_logo_and_menu():
    html = """<html><body><header class="site-header"><a class="logo">Cellvane Clinic</a>
      <ul class="menu"><li><a href="/">Cure stories</a></li></ul>
      <div class="hero"><h1>Our stem cells cure ALS</h1></div></header>
      <main><p>Welcome to the clinic.</p></main></body></html>"""
    page = extract_html(html)
    assert page.text == "Our stem cells cure ALS\n\nWelcome to the clinic."
    assert page.sections[0].name == "hero"


def test_pricing_table_rows_keep_their_cells_together():
    html = ("<html><body><table><tr><th>Plan</th><th>Price</th></tr>"
            "<tr><td>Gold</td><td>$9,000</td></tr></table></body></html>")
    page = extract_html(html)
    assert page.text == "Plan | Price\n\nGold | $9,000"
    assert [s.name for s in page.sections] == ["pricing"]


# --- auditing the pages ----------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
def test_planted_claims_are_flagged_with_flag_and_section(name):
    doc = page_doc(name)
    report = auditor().audit_document(doc)
    for claim in PLANTED[name]["claims"]:
        start = doc.text.index(claim["text"])
        end = start + len(claim["text"])
        hits = [f for f in report.findings if f.kind == "claim" and f.flag == claim["flag"]
                and f.evidence.start < end and start < f.evidence.end]
        assert hits, (claim["text"], [(f.flag, f.evidence and f.evidence.text) for f in report.findings])
        assert {f.section for f in hits} == {claim["section"]}


@pytest.mark.parametrize("name", PAGES)
def test_finding_offsets_slice_the_extracted_text(name):
    doc = page_doc(name)
    report = auditor().audit_document(doc)
    assert report.findings
    for f in report.findings:
        if f.evidence is not None:
            assert doc.text[f.evidence.start:f.evidence.end] == f.evidence.text
            assert doc.text[f.trigger.start:f.trigger.end] == f.trigger.text
            assert f.section in SECTION_NAMES


def test_plain_text_documents_have_no_sections_and_findings_no_section():
    report = auditor().audit("Our stem cells cure MS.")
    assert all(f.section is None for f in report.findings)
    assert "origin" not in json.loads(_render(report, "json"))


def _render(report, fmt):
    from claimcheck.render import render

    return render(report, fmt)


def test_renderers_show_the_section():
    report = auditor().audit_document(page_doc("hero.html"))
    for fmt in ("text", "markdown", "html"):
        assert "in: hero" in _render(report, fmt)
    data = json.loads(_render(report, "json"))
    VALIDATOR.validate(data)
    assert {f["section"] for f in data["findings"] if f["kind"] == "claim"} == {"hero", "main"}


# --- decoding --------------------------------------------------------------------------------


def _page(body: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}</head><body><main><p>{body}</p></main></body></html>"


def test_meta_charset_is_honoured():
    raw = _page("Our “proven” therapy – café naïve patients", '<meta charset="windows-1252">').encode("cp1252")
    doc = document_from_bytes(raw, "old.html")
    assert doc.text == "Our “proven” therapy – café naïve patients"
    assert doc.encoding == "cp1252"
    assert doc.content_sha256 == hashlib.sha256(raw).hexdigest()


def test_http_charset_wins_over_meta_and_latin1_means_cp1252():
    raw = _page("Sch\u00f6ne “Heilung”", '<meta charset="utf-8">').encode("cp1252")
    doc = document_from_bytes(raw, "x.html", content_type="text/html; charset=ISO-8859-1")
    assert doc.text == "Sch\u00f6ne “Heilung”" and doc.encoding == "cp1252"


def test_http_equiv_charset_and_wrong_or_unknown_declarations_fall_back():
    head = '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-15">'
    assert decode_html(_page("\u20ac 9.500", head).encode("iso-8859-15"), "", "x")[1] == "iso8859-15"
    # declared UTF-8 but the bytes are cp1252: the ingest decoder reads them
    text, enc = decode_html(_page("caf\u00e9").encode("cp1252"), "text/html; charset=utf-8", "x")
    assert "caf\u00e9" in text and enc == "cp1252"
    text, enc = decode_html(_page("ok").encode(), "text/html; charset=klingon", "x")
    assert "ok" in text and enc == "utf-8"


def test_utf16_html_with_bom():
    raw = b"\xff\xfe" + _page("Stem cells cure autism.").encode("utf-16-le")
    assert document_from_bytes(raw, "u16.html").text == "Stem cells cure autism."


# --- dispatch and errors ---------------------------------------------------------------------


def test_detect_kind():
    assert detect_kind(b"%PDF-1.4 ...") == "pdf"
    assert detect_kind(b"<!doctype html><p>x") == "html"
    assert detect_kind(b"  <!-- c --><html>") == "html"
    assert detect_kind(b"Plain words", "text/plain") == "text"
    assert detect_kind(b"Plain words", "", "page.htm") == "html"
    assert detect_kind(b"Plain words", "", "https://x.example/a.html?q=1") == "html"
    assert detect_kind(b"\x89PNG...", "image/png") == "image/png"


def test_document_from_bytes_keeps_web_fields():
    raw = _page("Our stem cells cure Parkinson's.").encode()
    doc = document_from_bytes(raw, "https://clinic.example/p", content_type="text/html",
                              url="https://clinic.example/p", final_url="https://clinic.example/p/",
                              fetched_at="2026-11-24T10:00:00.000Z", http_status=200)
    assert (doc.url, doc.final_url, doc.http_status) == (
        "https://clinic.example/p", "https://clinic.example/p/", 200)
    assert doc.fetched_at == "2026-11-24T10:00:00.000Z" and doc.content_type == "text/html"
    report = auditor().audit_document(doc)
    data = json.loads(_render(report, "json"))
    VALIDATOR.validate(data)
    assert data["origin"] == {"url": "https://clinic.example/p", "final_url": "https://clinic.example/p/",
                              "fetched_at": "2026-11-24T10:00:00.000Z", "http_status": 200,
                              "content_type": "text/html"}


def test_plain_text_bytes_use_the_ingest_decoder():
    doc = document_from_bytes("Stem cells “cure” MS.".encode("cp1252"), "a.txt")
    assert doc.text == "Stem cells “cure” MS." and doc.encoding == "cp1252" and doc.sections == ()


@pytest.mark.parametrize("raw, kwargs, code", [
    (b"", {}, "CC111"),
    (b"<html><body><nav><a>Home</a></nav><script>x()</script></body></html>", {}, "CC111"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", {"content_type": "image/png"}, "CC110"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", {}, "CC110"),
    (b"   \n ", {"content_type": "text/plain"}, "CC111"),
])
def test_unusable_bytes_are_coded_input_errors(raw, kwargs, code):
    assert error_of(document_from_bytes, raw, "x", **kwargs).code == code


# --- PDF -------------------------------------------------------------------------------------


def minimal_pdf(lines: list[str]) -> bytes:
    """A one-page PDF with a Helvetica text line per item, xref offsets computed."""
    ops = ["BT", "/F1 12 Tf", "72 720 Td", "14 TL"]
    for line in lines:
        safe = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({safe}) Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return out.getvalue()


BROCHURE = ["Helix Cord Cell Centre", "Our stem cells cure ALS in weeks.", "Book your stay today."]


def test_pdf_brochure_round_trips_and_is_audited(tmp_path):
    raw = minimal_pdf(BROCHURE)
    path = tmp_path / "brochure.pdf"
    path.write_bytes(raw)
    doc = read_input(str(path))
    for line in BROCHURE:
        assert line in doc.text
    assert doc.encoding == "pdf" and doc.content_sha256 == hashlib.sha256(raw).hexdigest()
    report = auditor().audit_document(doc)
    assert "cure-claim" in {f.flag for f in report.findings}
    # a PDF is read whatever its name says
    renamed = tmp_path / "brochure.txt"
    renamed.write_bytes(raw)
    assert read_input(str(renamed)).text == doc.text


def _pypdf_writer_bytes(encrypt: str | None = None) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    if encrypt is not None:
        writer.encrypt(user_password=encrypt, owner_password="owner", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def test_image_only_or_empty_pdf_is_a_clear_error():
    err = error_of(document_from_bytes, _pypdf_writer_bytes(), "scan.pdf")
    assert err.code == "CC113" and "no text layer" in err.message


def test_encrypted_pdf_is_a_clear_error():
    err = error_of(document_from_bytes, _pypdf_writer_bytes(encrypt="secret"), "locked.pdf")
    assert err.code == "CC112" and "encrypted" in err.message


def test_broken_pdf_is_a_clear_error():
    err = error_of(document_from_bytes, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "bad.pdf")
    assert err.code in ("CC113", "CC114")


# --- command line ----------------------------------------------------------------------------


def test_cli_audits_an_html_fixture_as_json():
    result = CliRunner().invoke(main, audit_args(str(FIXTURES / "faq.html"), "--format", "json"))
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    VALIDATOR.validate(data)
    flagged = {(f["flag"], f["section"]) for f in data["findings"] if f["kind"] == "claim"}
    assert ("guaranteed-outcome", "faq") in flagged
    assert "origin" not in data


def test_cli_audits_a_pdf(tmp_path):
    path = tmp_path / "brochure.pdf"
    path.write_bytes(minimal_pdf(BROCHURE))
    result = CliRunner().invoke(main, audit_args(str(path), "--format", "jsonl"))
    assert result.exit_code in (0, 1), result.output
    assert "cure-claim" in result.stdout


def test_cli_pdf_error_is_one_line_exit_2(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(_pypdf_writer_bytes())
    result = CliRunner().invoke(main, audit_args(str(path)))
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "[CC113]" in result.stderr


class _Fetched(types.SimpleNamespace):
    @property
    def ok(self):
        return not self.error


def _fake_fetch(monkeypatch, result, seen):
    import claimcheck.web.fetch as fetch

    def fake(url, **kwargs):
        seen.append((url, kwargs))
        return result

    monkeypatch.setattr(fetch, "fetch_url", fake)


def test_cli_url_fetch_failure_is_one_line_exit_2(monkeypatch):
    seen = []
    _fake_fetch(monkeypatch, _Fetched(url="http://127.0.0.1:9/x", final_url="", status=None,
                                      content_type="", fetched_at="", raw=b"", sha256="",
                                      error="[CC123] connection refused"), seen)
    result = CliRunner().invoke(main, audit_args("http://127.0.0.1:9/x", "--allow-private"))
    assert result.exit_code == 2
    assert result.stderr.strip() == ("claimcheck: [CC123] http://127.0.0.1:9/x could not be "
                                     "fetched: connection refused")
    assert seen[0][1]["allow_private"] is True


def test_cli_url_is_fetched_and_extracted(monkeypatch):
    seen = []
    raw = (FIXTURES / "hero.html").read_bytes()
    _fake_fetch(monkeypatch, _Fetched(url="https://nova.example/ms", final_url="https://nova.example/ms/",
                                      status=200, content_type="text/html; charset=utf-8",
                                      fetched_at="2026-11-24T10:00:00.000Z", raw=raw,
                                      sha256=hashlib.sha256(raw).hexdigest(), error=""), seen)
    result = CliRunner().invoke(main, audit_args("https://nova.example/ms", "--format", "json"))
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    VALIDATOR.validate(data)
    assert data["input"] == "https://nova.example/ms"
    assert data["origin"]["final_url"] == "https://nova.example/ms/"
    assert data["origin"]["http_status"] == 200
    assert ("cure-claim", "hero") in {(f["flag"], f["section"]) for f in data["findings"]}
    assert seen[0][1]["allow_private"] is False


@pytest.fixture
def local_site():
    """A tiny HTTP server on 127.0.0.1 serving the fixture pages (no other network)."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(FIXTURES), **kwargs)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_cli_audits_a_url_on_localhost_with_allow_private(local_site):
    url = f"{local_site}/slider.html"
    result = CliRunner().invoke(main, audit_args(url, "--allow-private", "--format", "json"))
    assert result.exit_code in (0, 1), result.output
    data = json.loads(result.stdout)
    VALIDATOR.validate(data)
    assert data["origin"]["url"] == url and data["origin"]["http_status"] == 200
    assert data["origin"]["content_type"].startswith("text/html")
    assert "testimonial" in {f["section"] for f in data["findings"]}


def test_cli_refuses_a_localhost_url_without_allow_private(local_site):
    result = CliRunner().invoke(main, audit_args(f"{local_site}/hero.html"))
    assert result.exit_code == 2
    assert result.stderr.startswith("claimcheck: [CC12") and result.stderr.count("\n") == 1


def test_pathologically_deep_markup_is_still_read():
    html = ("<html><body>" + "<div>" * 1500 + "<p>Our stem cells cure MS.</p>" + "</div>" * 1500
            + "<script>track()</script></body></html>")
    page = extract_html(html)
    assert page.text == "Our stem cells cure MS."
    assert page.sections[0].name == "other"


def test_html_on_standard_input_is_extracted():
    raw = (FIXTURES / "hero.html").read_bytes()
    doc = read_input("-", stdin=io.BytesIO(raw))
    assert doc.source == "-" and doc.sections
    assert "Reverse your MS with the power of your own cells" in doc.text and "<h1>" not in doc.text
