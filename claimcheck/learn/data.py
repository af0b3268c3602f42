"""The training data in data/training/: labelled sentences and documents, and their hash.

sentences/*.jsonl: {"id", "text", "labels": [flag or signal ids], "condition", "product",
"voice", "hard_negative"}; documents/*.jsonl: {"id", "kind": offer|information, "genre",
"condition", "product", "text"}. Files are read in name order; the hash covers every file's
name and bytes, so a model card can say exactly which data made the model.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from ..errors import DataError

DOC_KINDS = ("offer", "information")


@dataclass(frozen=True)
class LabelledSentence:
    id: str
    text: str
    labels: tuple[str, ...]
    condition: str
    product: str
    voice: str
    hard_negative: bool


@dataclass(frozen=True)
class LabelledDocument:
    id: str
    text: str
    kind: str
    genre: str
    condition: str
    product: str


@dataclass(frozen=True)
class TrainingSet:
    sentences: tuple[LabelledSentence, ...]
    documents: tuple[LabelledDocument, ...]
    sha256: str
    files: tuple[str, ...]

    def label_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for s in self.sentences:
            for label in s.labels:
                counts[label] = counts.get(label, 0) + 1
        return dict(sorted(counts.items()))


def _files(root: Path, sub: str) -> list[Path]:
    return sorted((root / sub).glob("*.jsonl"))


def training_hash(root: Path) -> str:
    """sha256 over (relative name, bytes) of every training file, in name order."""
    digest = hashlib.sha256()
    for path in _files(root, "sentences") + _files(root, "documents"):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _records(path: Path):
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise DataError(f"{path.name} line {n}: not valid JSON ({exc.msg})", code="CC401") from None
        if not isinstance(record, dict):
            raise DataError(f"{path.name} line {n}: each line must be a JSON object", code="CC401")
        yield n, record


def _require(path: Path, n: int, record: dict, keys: tuple[str, ...]) -> None:
    missing = [k for k in keys if k not in record]
    if missing:
        raise DataError(f"{path.name} line {n}: missing {', '.join(missing)}", code="CC402")


def load_training(root: Path, known_labels: frozenset[str] | None = None) -> TrainingSet:
    """Read and validate the training data; unknown labels and duplicate ids are errors."""
    sentences, documents, seen = [], [], set()
    for path in _files(root, "sentences"):
        for n, r in _records(path):
            _require(path, n, r, ("id", "text", "labels"))
            labels = tuple(r["labels"])
            if known_labels is not None and set(labels) - known_labels:
                bad = ", ".join(sorted(set(labels) - known_labels))
                raise DataError(f"{path.name} line {n}: unknown label(s) {bad}", code="CC403")
            if r["id"] in seen:
                raise DataError(f"{path.name} line {n}: duplicate id {r['id']}", code="CC404")
            seen.add(r["id"])
            sentences.append(LabelledSentence(
                str(r["id"]), str(r["text"]), labels, str(r.get("condition", "general")),
                str(r.get("product", "none")), str(r.get("voice", "")), bool(r.get("hard_negative"))))
    for path in _files(root, "documents"):
        for n, r in _records(path):
            _require(path, n, r, ("id", "text", "kind"))
            if r["kind"] not in DOC_KINDS:
                raise DataError(f"{path.name} line {n}: kind must be offer or information", code="CC403")
            if r["id"] in seen:
                raise DataError(f"{path.name} line {n}: duplicate id {r['id']}", code="CC404")
            seen.add(r["id"])
            documents.append(LabelledDocument(
                str(r["id"]), str(r["text"]), r["kind"], str(r.get("genre", "")),
                str(r.get("condition", "general")), str(r.get("product", "none"))))
    if not sentences or not documents:
        raise DataError(f"{root}: no training sentences or documents found", code="CC405")
    files = tuple(p.relative_to(root).as_posix()
                  for p in _files(root, "sentences") + _files(root, "documents"))
    return TrainingSet(tuple(sentences), tuple(documents), training_hash(root), files)
