"""Model hits inside the auditor (context, information texts, explanations), `claimcheck train`
determinism, and the shipped artefacts matching the training data."""
from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner

from claimcheck import paths
from claimcheck.auditor import Auditor
from claimcheck.cli import main
from claimcheck.learn.data import load_training, training_hash
from claimcheck.learn.runtime import DOCTYPE_MODEL, METRICS_FILE, SENTENCE_MODEL, LearnedLayer
from claimcheck.learn.train import train_all
from claimcheck.render import render

CURE = ["Our cells cure multiple sclerosis for good.", "Patients are cured of ALS after one infusion.",
        "We cure Parkinson's disease with your own stem cells.", "Say goodbye to MS: our treatment cures it.",
        "This protocol cures autism in a few weeks.", "Stem cells cured her lupus completely and forever.",
        "Our infusions cure diabetes so you can stop insulin.", "We cure COPD and give you your lungs back.",
        "Cure your arthritis with one injection of cord cells.", "The cells cure the disease at its root."]
OTHER = ["The clinic is open from nine to five on weekdays.", "Parking is available behind the hospital.",
         "Our nurses will meet you at the airport on arrival.", "Multiple sclerosis affects the nervous system.",
         "The hotel has a pool and a restaurant for families.", "Please bring your MRI scans on a USB stick.",
         "Knee pain is common after the age of fifty years.", "Call us to book a consultation with a nurse.",
         "Treatment days start with a blood test at eight.", "Our team speaks English, Spanish and Arabic.",
         "We offer stem cell treatment at our clinic in Cancun.", "Book your consultation today online."]


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny")
    training = root / "training"
    (training / "sentences").mkdir(parents=True)
    (training / "documents").mkdir()
    lines = [{"id": f"t-{i}", "text": t, "labels": ["cure-claim"] if t in CURE else []}
             for i, t in enumerate(CURE + OTHER)]
    (training / "sentences" / "t.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")
    docs = [{"id": f"d-{i}", "kind": "offer" if i % 2 == 0 else "information",
             "text": " ".join((CURE if i % 2 == 0 else OTHER)[i % 5:i % 5 + 4])} for i in range(12)]
    (training / "documents" / "d.jsonl").write_text("\n".join(json.dumps(x) for x in docs) + "\n")
    checklist = root / "checklist"
    checklist.mkdir()
    entry = yaml.safe_load((paths.checklist_dir() / "cure-claim.yaml").read_text())
    entry["detect"]["rules"] = [{"id": "learned", "kind": "model", "threshold": 0.5}]
    (checklist / "cure-claim.yaml").write_text(yaml.safe_dump(entry))
    models = root / "models"
    train_all(training, models, cross_validate=False)
    return root


def _model_only_auditor(tiny):
    return Auditor((tiny / "checklist",), replace=True, models_dir=tiny / "models").load()


def test_a_model_hit_is_a_finding_that_says_why(tiny):
    report = _model_only_auditor(tiny).audit(
        "We offer stem cell treatment at our clinic in Cancun. Our stem cells cure multiple sclerosis "
        "for good. Book your consultation today: packages start at USD 9,500.")
    assert report.doc_type.kind == "offer"
    [finding] = [f for f in report.findings if f.kind == "claim" and "cure" in f.evidence.text]
    assert finding.matcher == "model" and finding.rule == "cure-claim/learned"
    assert finding.model.probability >= finding.model.threshold == 0.5
    assert finding.model.terms and finding.trigger.text in finding.model.terms
    assert report.text[finding.trigger.start:finding.trigger.end] == finding.trigger.text
    text = render(report, "text")
    assert "the learned model fired: probability" in text
    data = json.loads(render(report, "json"))
    assert data["findings"][0]["model"]["terms"] == list(finding.model.terms)
    assert 0 <= data["document_type"]["offer_probability"] <= 1


def test_context_switches_off_a_model_hit_and_says_so(tiny):
    auditor = _model_only_auditor(tiny)
    sentence = "Be wary of any clinic that says its stem cells cure multiple sclerosis for good."
    layer = LearnedLayer(tiny / "models")
    from claimcheck.learn.features import counts

    assert layer.sentence_model.proba_from_counts(counts([sentence]))[0, 0] >= 0.5  # it would fire
    report = auditor.audit("We offer stem cell treatment at our clinic in Cancun. " + sentence)
    assert not [f for f in report.findings if f.kind == "claim" and "wary" in f.evidence.text]
    [d] = [d for d in report.dismissed if "wary" in d.evidence.text]
    assert d.rule == "cure-claim/learned" and d.reason.startswith("context:")


def test_the_model_alone_never_makes_a_text_an_offer(tiny):
    report = _model_only_auditor(tiny).audit("Our stem cells cure multiple sclerosis for good.")
    assert report.doc_type.kind == "information"
    assert not [f for f in report.findings if f.kind == "claim"]
    [d] = report.dismissed
    assert d.reason.startswith("model: the learned model raises claims only")


def test_in_a_text_that_informs_only_rules_raise_claims(tiny):
    auditor = _model_only_auditor(tiny)
    text = ("Patient guidance from the MS Society. Researchers are studying stem cells in trials. "
            "Our cells cure multiple sclerosis for good. Talk to your neurologist before travelling.")
    report = auditor.audit(text)
    if report.doc_type.kind == "information":
        assert not [f for f in report.findings if f.kind == "claim"]
        assert any(d.reason.startswith("model: the learned model raises claims only") for d in report.dismissed)
    else:  # the cues call it an offer: then the model hit stands
        assert [f.flag for f in report.findings if f.kind == "claim"] == ["cure-claim"]


def test_training_twice_gives_identical_metrics(tiny, tmp_path):
    first = train_all(tiny / "training", tmp_path / "a").metrics
    second = train_all(tiny / "training", tmp_path / "b").metrics
    assert first == second
    assert json.loads((tmp_path / "a" / METRICS_FILE).read_text()) == first
    assert "cv_random_folds" in first["sentence_model"]


def test_train_command_writes_models_cards_and_metrics(tiny, tmp_path):
    result = CliRunner().invoke(main, ["train", "--training-dir", str(tiny / "training"),
                                       "--models-dir", str(tmp_path), "--no-cv"])
    assert result.exit_code == 0, result.output
    for name in (SENTENCE_MODEL, DOCTYPE_MODEL, METRICS_FILE, "sentence-flags.card.md", "doctype.card.md"):
        assert (tmp_path / name).is_file()
    bad = CliRunner().invoke(main, ["train", "--training-dir", str(tmp_path / "empty"),
                                    "--models-dir", str(tmp_path / "m")])
    assert bad.exit_code == 2 and "CC405" in bad.output and "Traceback" not in bad.output


def test_shipped_models_match_the_training_data():
    """The artefacts in models/ were built from exactly the data in data/training/."""
    metrics = json.loads((paths.models_dir() / METRICS_FILE).read_text())
    assert metrics["training_sha256"] == training_hash(paths.training_dir()), \
        "data/training changed since the models were built: run `claimcheck train`"
    for card in ("sentence-flags.card.md", "doctype.card.md"):
        assert metrics["training_sha256"] in (paths.models_dir() / card).read_text()


def test_shipped_training_data_meets_the_brief():
    training = load_training(paths.training_dir())
    assert len(training.sentences) >= 2500 and len(training.documents) >= 300
    assert len({s.condition for s in training.sentences} - {"general"}) >= 12
    products = {s.product for s in training.sentences}
    for needed in ("ahsct", "msc-umbilical-cord", "msc-adipose", "msc-bone-marrow", "svf", "exosomes",
                   "cord-blood", "prp", "stem-cells-unspecified"):
        assert needed in products
    assert sum(s.hard_negative for s in training.sentences) >= 500
    assert {d.kind for d in training.documents} == {"offer", "information"}


def test_every_model_rule_names_a_label_of_the_shipped_model():
    auditor = Auditor().load()
    layer, rules = auditor._learned
    model_entries = {e.id for e in auditor.checklist.entries if any(r.kind == "model" for r in e.rules)}
    assert {r.flag_id for r in rules} == model_entries
    assert set(layer.sentence_model.classes_) >= model_entries


def test_a_model_rule_takes_near_and_unless_like_any_rule(tiny, tmp_path):
    """near/unless on a model rule are checked the way the regex matcher checks them, case-aware
    patterns ((?-i:...)) on the original text included."""
    entry = yaml.safe_load((tiny / "checklist" / "cure-claim.yaml").read_text())
    entry["detect"]["rules"] = [{"id": "learned", "kind": "model", "threshold": 0.5,
                                 "near": ["(?-i:MS)"], "unless": [r"\bparkinson"]}]
    (tmp_path / "cure-claim.yaml").write_text(yaml.safe_dump(entry))
    auditor = Auditor((tmp_path,), replace=True, models_dir=tiny / "models").load()
    offer = "We offer stem cell treatment at our clinic in Cancun. "

    def cured(sentence):
        report = auditor.audit(offer + sentence)
        return [f.flag for f in report.findings if f.kind == "claim" and sentence in f.evidence.text]

    assert cured("Our stem cells cure MS for good.") == ["cure-claim"]
    assert cured("Our stem cells cure ms for good.") == []  # near is case-aware here
    assert cured("Our stem cells cure MS and Parkinson's for good.") == []  # unless holds
