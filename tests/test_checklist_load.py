"""Checklist entries are validated at load; errors name the file."""
from __future__ import annotations

import pytest

from claimcheck.checklist import load_checklist
from claimcheck.errors import ChecklistError

PUBLIC_IDS = {
    "guaranteed-outcome", "cure-claim", "uncited-statistic", "investigational-as-established",
    "overbroad-indication", "risk-minimisation", "testimonial-as-evidence",
    "regulatory-misrepresentation", "repair-overclaim", "pressure-tactic", "pay-to-participate",
    "evidence-mismatch", "no-risk-disclosure", "no-oversight", "no-patient-selection",
    "no-cost-disclosure", "cites-source", "discloses-risk", "states-investigational",
    "states-selection", "states-oversight", "discloses-cost",
}

GOOD = """\
id: {id}
kind: claim
title: Says the treatment is miraculous
severity: medium
explanation: Calling a treatment a miracle is hype, not evidence.
regulator_note: Miracle language is a marker of unsubstantiated marketing.
sources: [isscr-patient-handbook]
question: What published evidence supports this?
detect:
  rules:
    - id: miracle
      kind: regex
      pattern: '\\bmiracle (?:cure|treatment)\\b'
examples:
  flag: ["Our miracle treatment for arthritis works in days."]
  pass: ["There is no miracle cure for arthritis."]
"""


def _write(tmp_path, name, text):
    d = tmp_path / "extra"
    d.mkdir(exist_ok=True)
    (d / name).write_text(text, encoding="utf-8")
    return d


def test_bundled_ids_are_the_public_contract():
    assert set(load_checklist().ids) == PUBLIC_IDS


def test_extra_folder_extends_the_bundled_checklist(tmp_path):
    d = _write(tmp_path, "miracle-language.yaml", GOOD.format(id="miracle-language"))
    ids = load_checklist((d,)).ids
    assert "miracle-language" in ids and "cure-claim" in ids


def test_replace_uses_only_the_given_folder(tmp_path):
    d = _write(tmp_path, "miracle-language.yaml", GOOD.format(id="miracle-language"))
    assert load_checklist((d,), replace=True).ids == ("miracle-language",)


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda t: t + "colour: red\n", "unknown key(s): colour"),
    (lambda t: t.replace("severity: medium\n", ""), "missing field(s): severity"),
    (lambda t: t.replace("severity: medium", "severity: dire"), "'severity' must be one of"),
    (lambda t: t.replace("kind: regex", "kind: telepathy"), "kind must be one of"),
    (lambda t: t.replace("[isscr-patient-handbook]", "[no-such-source]"), "unknown source key"),
    (lambda t: t.replace("      pattern:", "      colour: red\n      pattern:"), "unknown key(s) in rule"),
    (lambda t: t.replace("pass: [", "pass: []\n  extra: ["), "'examples' must be a mapping"),
    (lambda t: t.replace("title: Says", "title: [unclosed Says"), "not valid YAML"),
])
def test_invalid_entries_are_errors_naming_the_file(tmp_path, mutate, message):
    d = _write(tmp_path, "miracle-language.yaml", mutate(GOOD.format(id="miracle-language")))
    with pytest.raises(ChecklistError) as exc:
        load_checklist((d,))
    assert "miracle-language.yaml" in str(exc.value)
    assert message in str(exc.value)


def test_id_must_match_file_name(tmp_path):
    d = _write(tmp_path, "other-name.yaml", GOOD.format(id="miracle-language"))
    with pytest.raises(ChecklistError, match="must equal the file name"):
        load_checklist((d,))


def test_invalid_regex_is_reported_when_compiled(tmp_path):
    from claimcheck.auditor import Auditor

    bad = GOOD.format(id="miracle-language").replace("(?:cure|treatment)", "(?:cure|treatment")
    d = _write(tmp_path, "miracle-language.yaml", bad)
    with pytest.raises(ChecklistError, match="miracle-language.yaml rule miracle: invalid regex"):
        Auditor((d,)).load()


def test_select_rejects_unknown_ids():
    with pytest.raises(ChecklistError, match="unknown checklist id"):
        load_checklist().select(only=("no-such-flag",))
