"""The learned layer: estimator conventions, explanations, the skops trust list, training
determinism, the model matcher kind in the checklist, and model hits going through context."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression

from claimcheck.auditor import Auditor
from claimcheck.checklist import parse_entry
from claimcheck.errors import ChecklistError, DataError
from claimcheck.learn.data import load_training, training_hash
from claimcheck.learn.estimators import DocTypeClassifier, SentenceFlagClassifier
from claimcheck.learn.explain import token_contributions, top_terms
from claimcheck.learn.store import load_model, save_model

# A tiny corpus of our own: enough for the mechanics, not for quality.
_CURE = ["Our cells cure multiple sclerosis for good.", "Patients are cured of ALS after one infusion.",
         "We cure Parkinson's with your own stem cells.", "Say goodbye to MS: our treatment cures it.",
         "This protocol cures autism in weeks.", "Stem cells cured her lupus completely."]
_OTHER = ["The clinic is open from nine to five.", "Parking is available behind the hospital.",
          "Our nurses will meet you at the airport.", "Multiple sclerosis affects the nervous system.",
          "The hotel has a pool and a restaurant.", "Please bring your MRI scans on a USB stick.",
          "Knee pain is common after the age of fifty.", "Call us to book a consultation."]
TEXTS = _CURE + _OTHER
Y = np.array([[1, 0] if t in _CURE else [0, 1] for t in TEXTS])
LABELS = ["cure-claim", "other"]


@pytest.fixture(scope="module")
def tiny_model():
    return SentenceFlagClassifier(labels=LABELS, cv=3).fit(TEXTS, Y)


def test_estimators_follow_sklearn_conventions(tiny_model):
    params = tiny_model.get_params()
    assert params["labels"] == LABELS and params["C"] == 4.0
    fresh = clone(tiny_model)
    assert not hasattr(fresh, "coef_")  # __init__ stores arguments only; state ends in _
    assert fresh.fit(TEXTS, Y) is fresh
    assert tiny_model.coef_.shape == (2, tiny_model.n_features_in_)


def test_probabilities_are_calibrated_and_rank_the_classes(tiny_model):
    p = tiny_model.predict_proba(["Our stem cells cure MS for good.", "The hotel has a pool."])
    assert p.shape == (2, 2) and ((p >= 0) & (p <= 1)).all()
    assert p[0, 0] > p[1, 0]


def test_fit_rejects_a_label_matrix_of_the_wrong_width():
    with pytest.raises(ValueError, match="one column per label"):
        SentenceFlagClassifier(labels=["a"]).fit(TEXTS, Y)


def test_doctype_classifier_predicts_named_classes():
    docs = [" ".join(_CURE[:3]), " ".join(_OTHER[:3]), " ".join(_CURE[3:]), " ".join(_OTHER[3:6]),
            " ".join(_CURE[1:4]), " ".join(_OTHER[5:])]
    y = [1, 0, 1, 0, 1, 0]
    model = DocTypeClassifier(cv=3).fit(docs, y)
    assert list(model.classes_) == ["information", "offer"]
    assert set(model.predict(docs)) <= {"information", "offer"}
    assert model.predict_proba(docs).sum(axis=1) == pytest.approx(np.ones(6))


def test_token_contributions_point_at_words_in_the_text(tiny_model):
    text = "We cure Parkinson's with your own stem cells."
    contributions = token_contributions(tiny_model, text, 0)
    assert all(text[c.start:c.end] == c.text for c in contributions)
    top = top_terms(contributions, k=3)
    assert top and all(c.weight > 0 for c in top)
    assert "cure" in [c.text.lower() for c in top]
    # the words' contributions account for most of the decision value, less the intercept
    total = sum(c.weight for c in contributions)
    margin = tiny_model.decision_function([text])[0, 0] - tiny_model.intercept_[0]
    assert total > 0 and margin > 0 and 0.5 * margin <= total <= 1.05 * margin


def test_skops_round_trip_and_refusal_of_untrusted_types(tiny_model, tmp_path):
    path = tmp_path / "m.skops"
    save_model(tiny_model, path)
    again = load_model(path)
    assert np.allclose(again.predict_proba(TEXTS), tiny_model.predict_proba(TEXTS))

    import skops.io as sio

    foreign = tmp_path / "foreign.skops"
    sio.dump(LogisticRegression().fit([[0], [1]], [0, 1]), foreign)
    with pytest.raises(DataError, match=r"CC413.*untrusted"):
        load_model(foreign)
    with pytest.raises(DataError, match="CC410"):
        save_model(LogisticRegression(), tmp_path / "x.skops")
    (tmp_path / "junk.skops").write_bytes(b"not a zip file")
    with pytest.raises(DataError, match="CC412"):
        load_model(tmp_path / "junk.skops")
    with pytest.raises(DataError, match=r"CC411.*--no-model"):
        load_model(tmp_path / "missing.skops")


def test_the_auditor_reads_the_same_model_without_scikit_learn(tiny_model, tmp_path):
    from claimcheck.learn.features import counts
    from claimcheck.learn.scorer import read_scorer

    path = tmp_path / "m.skops"
    save_model(tiny_model, path)
    scorer = read_scorer(path)
    assert scorer.classes_ == tuple(LABELS)
    assert np.allclose(scorer.proba_from_counts(counts(TEXTS)), tiny_model.predict_proba(TEXTS))
    import skops.io as sio

    foreign = tmp_path / "foreign.skops"
    sio.dump(LogisticRegression().fit([[0], [1]], [0, 1]), foreign)
    with pytest.raises(DataError, match="CC41[34]"):
        read_scorer(foreign)


def test_a_runtime_audit_does_not_import_scikit_learn():
    import subprocess
    import sys

    code = ("import sys; from claimcheck import Auditor; "
            "r = Auditor().audit('We offer stem cell infusions. Our cells cure MS for good.'); "
            "assert r.doc_type.offer_probability is not None; "
            "print('sklearn' in sys.modules, 'skops' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def _write_training(root: Path, sentences: list[dict], documents: list[dict]) -> Path:
    (root / "sentences").mkdir(parents=True)
    (root / "documents").mkdir()
    (root / "sentences" / "a.jsonl").write_text("\n".join(json.dumps(s) for s in sentences) + "\n")
    (root / "documents" / "a.jsonl").write_text("\n".join(json.dumps(d) for d in documents) + "\n")
    return root


def test_training_data_is_validated(tmp_path):
    bad = _write_training(tmp_path / "t", [{"id": "x", "text": "hi", "labels": ["no-such-flag"]}],
                          [{"id": "d", "text": "doc", "kind": "offer"}])
    with pytest.raises(DataError, match=r"CC403.*no-such-flag"):
        load_training(bad, frozenset({"cure-claim"}))
    dup = _write_training(tmp_path / "u", [{"id": "x", "text": "a", "labels": []},
                                           {"id": "x", "text": "b", "labels": []}],
                          [{"id": "d", "text": "doc", "kind": "offer"}])
    with pytest.raises(DataError, match="CC404"):
        load_training(dup)
    kind = _write_training(tmp_path / "v", [{"id": "x", "text": "a", "labels": []}],
                           [{"id": "d", "text": "doc", "kind": "advert"}])
    with pytest.raises(DataError, match="CC403"):
        load_training(kind)


def test_training_hash_changes_with_any_byte(tmp_path):
    root = _write_training(tmp_path / "t", [{"id": "x", "text": "a", "labels": []}],
                           [{"id": "d", "text": "doc", "kind": "offer"}])
    before = training_hash(root)
    assert training_hash(root) == before
    path = root / "sentences" / "a.jsonl"
    path.write_text(path.read_text().replace('"a"', '"b"'))
    assert training_hash(root) != before


def _entry(rule: dict) -> dict:
    return {"id": "miracle", "kind": "claim", "title": "t", "severity": "low", "explanation": "e",
            "regulator_note": "r", "sources": ["isscr-patient-handbook"], "question": "q",
            "detect": {"rules": [rule]}, "examples": {"flag": ["a"], "pass": ["b"]}}


def test_model_rules_parse_and_bad_ones_name_the_file():
    entry = parse_entry(Path("miracle.yaml"), _entry({"id": "learned", "kind": "model", "threshold": 0.85,
                                                      "label": "cure-claim"}))
    rule = entry.rules[0]
    assert (rule.kind, rule.threshold, rule.label, rule.pattern) == ("model", 0.85, "cure-claim", None)
    for bad, why in [({"id": "m", "kind": "model"}, "threshold"),
                     ({"id": "m", "kind": "model", "threshold": 1.5}, "threshold"),
                     ({"id": "m", "kind": "model", "threshold": 0.5, "pattern": "x"}, "not 'pattern'"),
                     ({"id": "m", "kind": "regex", "pattern": "x", "threshold": 0.5}, "model rules only")]:
        with pytest.raises(ChecklistError, match=rf"miracle\.yaml.*{why}"):
            parse_entry(Path("miracle.yaml"), _entry(bad))


def test_a_model_rule_on_a_label_the_model_lacks_is_a_checklist_error(tmp_path):
    raw = _entry({"id": "learned", "kind": "model", "threshold": 0.9, "label": "miracle-language"})
    import yaml

    (tmp_path / "miracle.yaml").write_text(yaml.safe_dump(raw))
    with pytest.raises(ChecklistError, match=r"CC208.*miracle-language"):
        Auditor((tmp_path,)).load()


def test_no_model_mode_loads_no_model(tmp_path):
    auditor = Auditor(use_model=False, models_dir=tmp_path / "nothing-here").load()
    report = auditor.audit("Our stem cells cure MS for good. Book today.")
    assert report.doc_type.offer_probability is None
    assert all(f.matcher != "model" and f.model is None for f in report.findings)
    with pytest.raises(ValueError):
        Auditor(use_model=False, use_rules=False)


def test_missing_models_are_a_clear_error(tmp_path):
    with pytest.raises(DataError, match=r"CC411.*--no-model"):
        Auditor(models_dir=tmp_path).load()


def test_page_counts_are_the_sum_of_sentence_counts_and_leave_the_rows_alone():
    from claimcheck.learn import features

    sentences = ["Our stem cells cure MS.", "Book now: only three places left!", "Stem cells, stem cells."]
    rows = features.counts(sentences)
    before = rows.toarray().copy()
    page = features.row_sum(rows)
    assert np.array_equal(rows.toarray(), before)  # summing must not reorder the rows in place
    assert np.allclose(page.toarray()[0], before.sum(axis=0))
    # no bigram joins the last word of one sentence to the first of the next
    apart = features.counts(["alpha beta", "gamma delta"])
    together = features.counts(["alpha beta gamma delta"])
    assert features.row_sum(apart).nnz < together.nnz
    # the same text counts the same alone or in a batch
    assert np.array_equal(features.counts([sentences[1]]).toarray()[0], before[1])
