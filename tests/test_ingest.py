"""Input handling: encodings, binary refusal, size limits, and one coded error per failure."""
from __future__ import annotations

import gzip
import hashlib
import io
import os
import zipfile

import pytest

from claimcheck import ingest
from claimcheck.errors import InputError
from claimcheck.ingest import decode_bytes, document_from_text, read_input

COPY = "Stem cells repair myelin in MS — “guaranteed” results, naïve café patients, 95% success.\n"


def write(tmp_path, name: str, data: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(data)
    return str(path)


def error_of(fn, *args, **kwargs) -> InputError:
    with pytest.raises(InputError) as info:
        fn(*args, **kwargs)
    err = info.value
    assert "\n" not in str(err)
    assert str(err).startswith(f"[{err.code}] ")
    return err


# --- encodings -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, encoding",
    [
        (COPY.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + COPY.encode("utf-8"), "utf-8-sig"),
        (b"\xff\xfe" + COPY.encode("utf-16-le"), "utf-16-le"),
        (b"\xfe\xff" + COPY.encode("utf-16-be"), "utf-16-be"),
        (b"\xff\xfe\x00\x00" + COPY.encode("utf-32-le"), "utf-32-le"),
        (COPY.encode("utf-16-le"), "utf-16-le"),
        (COPY.encode("utf-16-be"), "utf-16-be"),
    ],
)
def test_unicode_encodings_decode_to_the_same_text(tmp_path, data, encoding):
    doc = read_input(write(tmp_path, "page.txt", data))
    assert doc.text == COPY  # BOM removed
    assert doc.encoding == encoding
    assert doc.content_sha256 == hashlib.sha256(data).hexdigest()


def test_cp1252_text_with_smart_quotes(tmp_path):
    text = "Our “proven” therapy for ALS – no side effects… Book now for €4,900."
    data = text.encode("cp1252")
    doc = read_input(write(tmp_path, "old.txt", data))
    assert (doc.text, doc.encoding) == (text, "cp1252")
    assert doc.content_sha256 == hashlib.sha256(data).hexdigest()


def test_latin1_when_cp1252_has_no_mapping(tmp_path):
    # 0x81 is undefined in cp1252; latin-1 maps every byte, so the text still decodes losslessly
    data = "Clínica de células madre para el Parkinson".encode("latin-1") + b" \x81."
    doc = read_input(write(tmp_path, "es.txt", data))
    assert doc.encoding == "latin-1"
    assert doc.text == data.decode("latin-1")


def test_utf8_with_a_stray_cp1252_byte_keeps_the_utf8(tmp_path):
    data = "Réparation du cartilage du genou — ".encode("utf-8") + b"r\xe9sultats garantis."
    doc = read_input(write(tmp_path, "mixed.txt", data))
    assert doc.encoding == "utf-8+cp1252"
    assert doc.text == "Réparation du cartilage du genou — résultats garantis."


def test_text_is_kept_exactly_line_endings_included(tmp_path):
    data = "Walk again\r\nafter stroke\rtoday.\n\tNo surgery.  \u00a0".encode("utf-8")
    doc = read_input(write(tmp_path, "crlf.txt", data))
    assert doc.text == "Walk again\r\nafter stroke\rtoday.\n\tNo surgery.  \u00a0"
    assert doc.content_sha256 == hashlib.sha256(data).hexdigest()  # hash of the raw bytes


def test_source_is_the_path_string(tmp_path):
    path = write(tmp_path, "copd.txt", b"Breathe again with stem cells for COPD.")
    assert read_input(path).source == path


def test_decode_bytes_returns_text_and_encoding():
    assert decode_bytes("Autism therapy".encode("utf-16-le"), "x") == ("Autism therapy", "utf-16-le")
    assert decode_bytes(b"plain ascii", "x") == ("plain ascii", "utf-8")


# --- stdin -----------------------------------------------------------------------------------


def test_stdin_dash_reads_the_given_binary_stream():
    data = b"\xef\xbb\xbfKnee osteoarthritis reversed in 2 weeks.\r\n"
    doc = read_input("-", stdin=io.BytesIO(data))
    assert doc.source == "-"
    assert doc.text == "Knee osteoarthritis reversed in 2 weeks.\r\n"
    assert doc.encoding == "utf-8-sig"
    assert doc.content_sha256 == hashlib.sha256(data).hexdigest()


def test_stdin_over_limit_is_refused_not_truncated():
    err = error_of(read_input, "-", max_bytes=10, stdin=io.BytesIO(b"x" * 11))
    assert err.code == "CC105"
    assert "standard input (-)" in err.message and "10-byte limit" in err.message


def test_stdin_empty():
    assert error_of(read_input, "-", stdin=io.BytesIO(b"")).code == "CC103"


# --- errors ----------------------------------------------------------------------------------


def test_missing_file(tmp_path):
    path = str(tmp_path / "nope.txt")
    err = error_of(read_input, path)
    assert err.code == "CC101" and path in err.message


def test_directory(tmp_path):
    err = error_of(read_input, str(tmp_path))
    assert err.code == "CC102" and str(tmp_path) in err.message


@pytest.mark.parametrize("data", [b"", b"  \n\t\r\n ", b"\xef\xbb\xbf", b"\xff\xfe \x00\n\x00"])
def test_empty_or_whitespace_only(tmp_path, data):
    path = write(tmp_path, "blank.txt", data)
    err = error_of(read_input, path)
    assert err.code == "CC103" and path in err.message


@pytest.mark.parametrize(
    "data, kind",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (gzip.compress(b"stem cells cure everything"), "gzip"),
        (b"\x7fELF\x02\x01\x01" + b"\x00" * 40, "ELF"),
    ],
)
def test_binary_magic_numbers(tmp_path, data, kind):
    path = write(tmp_path, "page.txt", data)
    err = error_of(read_input, path)
    assert err.code == "CC104"
    assert f"{path} is binary (looks like {kind}" in err.message
    assert "claimcheck audits text" in err.message


def test_pdf_is_read_not_refused_as_binary(tmp_path):
    # PDFs go to claimcheck.web.pdf (tests/test_web_extract.py); a broken one says so, coded.
    err = error_of(read_input, write(tmp_path, "page.txt", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"))
    assert err.code in ("CC113", "CC114") and "PDF" in err.message


def test_zip_docx_is_binary(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<w:t>Cure your MS</w:t>")
    err = error_of(read_input, write(tmp_path, "brochure.docx", buf.getvalue()))
    assert err.code == "CC104" and "ZIP" in err.message


def test_nul_bytes_not_explained_by_utf16_are_binary(tmp_path):
    data = b"Parkinson's\x00\x00\x00\x00\x07\x00 clinic report " * 3
    err = error_of(read_input, write(tmp_path, "blob.bin", data))
    assert err.code == "CC104" and "NUL" in err.message


def test_many_control_characters_are_binary(tmp_path):
    data = bytes(range(1, 9)) * 20 + b"stroke recovery"
    err = error_of(read_input, write(tmp_path, "ctl.txt", data))
    assert err.code == "CC104" and "control characters" in err.message


def test_a_few_control_characters_are_tolerated(tmp_path):
    data = b"Spinal cord injury \x1b programme " * 5 + b"ends here."
    assert read_input(write(tmp_path, "ok.txt", data)).encoding == "utf-8"


def test_too_large_file_names_size_limit_and_flag(tmp_path):
    path = write(tmp_path, "big.txt", b"Autism cured. " * 100)
    err = error_of(read_input, path, max_bytes=1000)
    assert err.code == "CC105"
    assert path in err.message and "1,400 bytes" in err.message and "1,000-byte limit" in err.message
    assert "--max-bytes" in err.message
    assert read_input(path, max_bytes=1400).text == "Autism cured. " * 100  # exactly at the limit


def test_undecodable_bom_mismatch(tmp_path):
    path = write(tmp_path, "bad.txt", b"\xef\xbb\xbfStem cells \xff\xfe heal")
    err = error_of(read_input, path)
    assert err.code == "CC106" and path in err.message


def test_unreadable_file_via_permission_error(tmp_path, monkeypatch):
    path = write(tmp_path, "locked.txt", b"Our MSCs regrow cartilage.")

    def deny(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(ingest, "open", deny, raising=False)
    err = error_of(read_input, path)
    assert err.code == "CC107" and path in err.message and "Permission denied" in err.message


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read anything")
def test_unreadable_file_via_chmod(tmp_path):
    path = write(tmp_path, "locked.txt", b"Our MSCs regrow cartilage.")
    os.chmod(path, 0)
    try:
        assert error_of(read_input, path).code == "CC107"
    finally:
        os.chmod(path, 0o600)


def test_max_bytes_must_be_positive(tmp_path):
    with pytest.raises(ValueError):
        read_input(write(tmp_path, "a.txt", b"text"), max_bytes=0)


# --- document_from_text ----------------------------------------------------------------------


def test_document_from_text_hashes_utf8_and_keeps_text_exactly():
    text = "Stem cell therapy for COPD.\r\nNo risks.\r"
    doc = document_from_text(text, source="https://clinic.example/copd")
    assert doc.text == text
    assert doc.content_sha256 == hashlib.sha256(text.encode("utf-8")).hexdigest()
    assert (doc.source, doc.encoding) == ("https://clinic.example/copd", "utf-8")


def test_document_from_text_matches_read_input_for_utf8(tmp_path):
    text = "Cord blood infusions for cerebral palsy — 9 in 10 families see change.\n"
    path = write(tmp_path, "cp.txt", text.encode("utf-8"))
    assert document_from_text(text, source=path) == read_input(path)


@pytest.mark.parametrize("text", ["", "   ", "\n\t \u3000"])
def test_document_from_text_refuses_empty(text):
    assert error_of(document_from_text, text).code == "CC103"


def test_document_from_text_refuses_lone_surrogates():
    assert error_of(document_from_text, "Heal MS \ud800 now").code == "CC106"


def test_odd_paths_keep_messages_on_one_line(tmp_path):
    assert error_of(read_input, "").code == "CC101"
    err = error_of(read_input, str(tmp_path / "two\nlines.txt"))
    assert err.code == "CC101" and "two\\nlines.txt" in err.message
