"""Model cards (Markdown) written beside each model by `claimcheck train`."""
from __future__ import annotations

from collections import Counter

from .data import TrainingSet

_FAILURES_SENTENCE = """\
- Trained only on text the team wrote (see data/training/DATA_CARD.md): real clinic copy uses
  phrasings, languages and page layouts it has never seen. Cross-validated scores below are on
  that same kind of text and overstate real-world accuracy.
- A bag of n-grams has no notion of whose voice speaks: a warning or a quotation that shares
  words with a claim can score high. The auditor's context stage (negation, warnings, reported
  speech...) runs on model hits exactly as on rule hits; do not use the model without it.
- It reads one sentence at a time: a claim split over two sentences, or a price in another
  sentence than the "study", is missed.
- English only. Short fragments (one or two words) get unreliable probabilities.
- Labels with few positives (see counts) are the least reliable; evidence-mismatch depends on
  knowing which treatment the evidence was about, which the evidence base decides, not this model.
"""

_FAILURES_DOCTYPE = """\
- Trained on short documents (4-12 sentences) the team wrote; long pages, pages mixing a blog
  post with a booking form, and non-English pages are outside what it has seen.
- Patient forum posts that enthusiastically recommend a clinic sit near the boundary.
- It is one input to the document-type decision, never the only one: the cue rules in
  data/doctype.yaml and the text's own-voice claims weigh in, and the report lists all three.
"""


def _table(rows: list[tuple], header: tuple) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join("-" if v is None else str(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _common(metrics: dict, training: TrainingSet) -> str:
    versions = ", ".join(f"{k} {v}" for k, v in metrics["versions"].items())
    return (f"- Training data: `data/training/` ({', '.join(metrics['training_files'])}), "
            f"sha256 `{metrics['training_sha256']}` (checked by tests/test_learn_artefacts.py).\n"
            f"- Built by `claimcheck train` (seed {metrics['seed']}) with claimcheck "
            f"{metrics['tool_version']}; {versions}.\n"
            f"- File format: skops; loading refuses any type outside `claimcheck.learn.store.TRUSTED`.\n")


def sentence_card(metrics: dict, training: TrainingSet) -> str:
    m = metrics["sentence_model"]
    voices = Counter(s.voice for s in training.sentences)
    conditions = Counter(s.condition for s in training.sentences)
    cv = m.get("cv_random_folds", {}).get("labels", {})
    lopo = m.get("cv_leave_one_part_out", {}).get("labels", {})
    rows = [(label, m["label_counts"].get(label, 0), cv.get(label, {}).get("precision@0.5"),
             cv.get(label, {}).get("recall@0.5"), cv.get(label, {}).get("average_precision"),
             lopo.get(label, {}).get("f1@0.5"), cv.get(label, {}).get("threshold_for_precision_0.9"))
            for label in m["labels"]]
    return f"""# Model card: sentence-flags

Multi-label sentence classifier: for each checklist claim flag and mitigating signal, the
calibrated probability that a sentence of clinic or health copy asserts it.

## Intended use
One matcher kind inside claimcheck (`kind: model` rules in `data/checklist/`), on top of the
rules, so that recall generalises past the phrasings the rules know. Every model hit goes
through the same context stage (negation, warnings, reported speech...) and evidence checks as
a rule hit, and the finding names the probability and the words that drove it. Not for use on
its own, not for medical or legal decisions, and not for non-English text.

## Model
Hashed (crc32) word 1-2-grams (2^16 columns) and character 3-4-grams inside words (2^17
columns), TF-IDF weighted (smooth idf, sublinear tf, each space L2-normalised;
`claimcheck/learn/features.py`), one L2 logistic regression
per label (liblinear, C=4, balanced class weights), Platt-calibrated on 5-fold out-of-fold
decision values (`CalibratedClassifierCV(method="sigmoid", ensemble=False)`);
{m['n_features']:,} columns, {len(m['labels'])} labels. Hashing keeps the file free of a
vocabulary (fast to load, small in memory); colliding n-grams share a weight.

## Training data
{_common(metrics, training)}- {m['n_sentences']:,} sentences, {m['hard_negatives']:,} of them hard negatives
  (red-flag words negated, warned about, reported, hedged), {m['no_label']:,} with no label.
- Voices: {', '.join(f'{k} {v}' for k, v in voices.most_common())}.
- Conditions ({len(conditions)}): {', '.join(f'{k} {v}' for k, v in conditions.most_common())}.

## Metrics (cross-validated on our own training data; not the target)
Random 5-fold, per label, and the F1 when each author's part is held out in turn (new
phrasing habits); "threshold" is the lowest probability at which out-of-fold precision
reaches 0.9 (a guide for the checklist thresholds).

{_table(rows, ("label", "positives", "precision@0.5", "recall@0.5", "avg precision", "F1 part held out", "threshold"))}

Micro (random folds): {m.get('cv_random_folds', {}).get('micro')};
part held out: {m.get('cv_leave_one_part_out', {}).get('micro')}.

Measured on real texts (the dev set, HealthRelease and our blind holdouts): see
`notebooks/evaluation.ipynb` and the README.

## Known failure modes
{_FAILURES_SENTENCE}"""


def doctype_card(metrics: dict, training: TrainingSet) -> str:
    m = metrics["doctype_model"]
    genres = Counter((d.genre, d.kind) for d in training.documents)
    cv = m.get("cv_random_folds", {})
    return f"""# Model card: doctype

Binary document classifier: does a text offer or promote a treatment (clinic, broker,
careful transplant centre, a regulator quoting a seller) or inform (patient organisation,
news, academic abstract, forum, consumer advice)?

## Intended use
One of three inputs to claimcheck's document-type decision (with the cue rules and the text's
own-voice claims), which decides whether omission flags apply. Not for use on its own.

## Model
The same hashed word and character n-grams as the sentence model (a page's n-grams are
counted once and read by both), TF-IDF weighted with idf from the training documents, L2 logistic
regression (liblinear, C=4, balanced), Platt-calibrated on 5-fold out-of-fold decision values;
{m['n_features']:,} columns.

## Training data
{_common(metrics, training)}- {m['n_documents']} documents, {m['offer']} offers.
- Genres: {', '.join(f'{g}/{k} {n}' for (g, k), n in sorted(genres.items()))}.

## Metrics (cross-validated on our own documents; not the target)
Random 5-fold: accuracy {cv.get('accuracy@0.5')}, Brier {cv.get('brier')}.
Measured on real texts: see `notebooks/evaluation.ipynb` and the README.

## Known failure modes
{_FAILURES_DOCTYPE}"""
