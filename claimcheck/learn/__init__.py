"""The learned layer: scikit-learn models on top of the rule core.

- estimators.py: the sentence flag classifier (multi-label) and the document-type classifier
- explain.py: which words pushed a sentence towards a label
- data.py: the training data in data/training/ and its hash
- store.py: skops files with an explicit list of trusted types
- train.py, cards.py: `claimcheck train` (fixed seeds, metrics, model cards)
- runtime.py: the models as one more matcher kind for the auditor

Nothing here loads at import time; the auditor loads the models on first use.
"""
