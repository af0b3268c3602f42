"""CLI behaviour: exit codes like a linter, --only/--disable, custom checklists, input errors."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from claimcheck.cli import main
from claimcheck.paths import examples_dir

CLINIC = examples_dir() / "clinic_ms_msc.txt"
CAREFUL = examples_dir() / "careful_centre_ahsct.txt"


def run(*args, input=None):
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_every_command_has_help_text():
    for args in ([], ["audit"], ["checklist"], ["checklist", "list"], ["checklist", "show"],
                 ["checklist", "validate"], ["eval"]):
        result = run(*args, "--help")
        assert result.exit_code == 0
        assert "Usage:" in result.output and len(result.output.splitlines()) > 3


def test_clean_text_exits_0_and_fail_on_exits_1():
    assert run("audit", str(CAREFUL), "--fail-on", "high").exit_code == 0
    result = run("audit", str(CLINIC), "--fail-on", "high")
    assert result.exit_code == 1
    assert "cure-claim" in result.output or "Claims" in result.output


def test_without_fail_on_findings_still_exit_0():
    assert run("audit", str(CLINIC)).exit_code == 0


def test_stdin_and_dash(tmp_path):
    text = CLINIC.read_text(encoding="utf-8")
    for args in (["audit", "-", "--format", "json"], ["audit", "--format", "json"]):
        result = run(*args, input=text)
        assert result.exit_code == 0
        data = json.loads(result.output)
        assert data["input"] == "-"
        assert data["risk"]["band"] in ("high", "critical")


def test_jsonl_one_line_per_input_naming_it():
    result = run("audit", str(CLINIC), str(CAREFUL), "--format", "jsonl")
    lines = result.output.strip().splitlines()
    assert len(lines) == 2
    assert [json.loads(line)["input"] for line in lines] == [str(CLINIC), str(CAREFUL)]


def test_json_with_several_inputs_is_an_array():
    data = json.loads(run("audit", str(CLINIC), str(CAREFUL), "--format", "json").output)
    assert isinstance(data, list) and len(data) == 2


def _flags(output):
    data = json.loads(output)
    return {f["flag"] for f in data["findings"]} | {s["signal"] for s in data["signals"]}


def test_disable_switches_an_entry_off():
    before = _flags(run("audit", str(CLINIC), "--format", "json").output)
    assert "cure-claim" in before
    after = _flags(run("audit", str(CLINIC), "--format", "json", "--disable", "cure-claim").output)
    assert "cure-claim" not in after
    assert after == before - {"cure-claim"}


def test_only_runs_just_those_entries():
    flags = _flags(run("audit", str(CLINIC), "--format", "json", "--only", "risk-minimisation",
                       "--only", "no-risk-disclosure").output)
    # "no side effects" is a claim, not a disclosure: the offer names no risk, so the gap fires too
    assert flags == {"risk-minimisation", "no-risk-disclosure"}


def test_only_an_omission_still_detects_its_signals():
    data = json.loads(run("audit", str(CAREFUL), "--format", "json", "--only", "no-risk-disclosure").output)
    assert data["findings"] == []  # the careful centre names risks, so the gap is filled
    assert data["signals"] == []   # ... but signals not asked for are not reported


def test_unknown_id_is_a_usage_error():
    result = CliRunner().invoke(main, ["audit", str(CLINIC), "--disable", "no-such-flag"])
    assert result.exit_code == 2
    assert "unknown checklist id" in result.output
    assert "Traceback" not in result.output


def test_custom_checklist_folder_adds_an_entry(tmp_path):
    from test_checklist_load import GOOD

    d = tmp_path / "mine"
    d.mkdir()
    (d / "miracle-language.yaml").write_text(GOOD.format(id="miracle-language"), encoding="utf-8")
    text = "Our miracle treatment for knee arthritis works in days."
    flags = _flags(run("audit", "--checklist", str(d), "--format", "json", input=text).output)
    assert "miracle-language" in flags
    assert "miracle-language" in run("checklist", "list", "--checklist", str(d)).output
    assert run("checklist", "validate", str(d)).exit_code == 0


def test_invalid_custom_checklist_exits_2_naming_the_file(tmp_path):
    d = tmp_path / "bad"
    d.mkdir()
    (d / "broken.yaml").write_text("id: broken\nkind: claim\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["checklist", "validate", str(d)])
    assert result.exit_code == 2
    assert "broken.yaml" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize(("setup", "message"), [
    (lambda p: p, "CC101"),                                         # missing file
    (lambda p: (p.mkdir(), p)[1], "CC102"),                         # directory
    (lambda p: (p.write_bytes(b""), p)[1], "CC103"),                # empty
    (lambda p: (p.write_bytes(b"  \n\t "), p)[1], "CC103"),         # whitespace only
    (lambda p: (p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x01\x02binary"), p)[1], "CC104"),  # binary
    (lambda p: (p.write_bytes(b"%PDF-1.7\x00\x01\x02broken"), p)[1], "CC114"),  # broken PDF
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, setup, message):
    path = setup(tmp_path / "input.txt")
    result = CliRunner().invoke(main, ["audit", str(path)])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_over_limit_input_is_refused_not_truncated(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("Our stem cells cure MS. " * 100, encoding="utf-8")
    result = CliRunner().invoke(main, ["audit", str(path), "--max-bytes", "1000"])
    assert result.exit_code == 2 and "CC105" in result.output


def test_one_bad_input_among_good_ones_still_reports_the_good(tmp_path):
    result = CliRunner().invoke(main, ["audit", str(CLINIC), str(tmp_path / "missing.txt"),
                                       "--format", "jsonl"])
    assert result.exit_code == 2
    assert json.loads(result.stdout.strip().splitlines()[0])["input"] == str(CLINIC)


def test_html_output_dir(tmp_path):
    result = run("audit", str(CLINIC), str(CAREFUL), "--format", "html", "--output-dir", str(tmp_path))
    assert result.exit_code == 0
    pages = sorted(p.name for p in tmp_path.iterdir())
    assert pages == ["careful_centre_ahsct.txt.html", "clinic_ms_msc.txt.html"]


def test_html_with_several_inputs_needs_output_dir():
    result = CliRunner().invoke(main, ["audit", str(CLINIC), str(CAREFUL), "--format", "html"])
    assert result.exit_code == 2


def test_checklist_show_and_unknown():
    assert "cure-claim" in run("checklist", "show", "cure-claim").output
    result = CliRunner().invoke(main, ["checklist", "show", "nope"])
    assert result.exit_code == 2 and "unknown checklist id" in result.output
