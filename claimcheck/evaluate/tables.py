"""Render evaluation results as text tables (rich, no colour off a TTY) or Markdown tables.

Each formatter builds plain (title, header, rows) tables once, so both outputs show the same
numbers; `claimcheck eval` prints the returned string.
"""
from __future__ import annotations

import io
import re
import shutil
import sys
from collections.abc import Sequence

from .dev import BANDS, DOC_KINDS, DevResult, DevScores
from .healthrelease import HRResult
from .metrics import macro_f1

Table = tuple[str, Sequence[str], Sequence[Sequence[str]]]


_NUMERIC = re.compile(r"-|[\d./]+%?")


def _num(x: float) -> str:
    return f"{x:.3f}"


def _md_cell(s: str) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")


def _markdown(tables: Sequence[Table], notes: Sequence[str]) -> str:
    out = []
    for title, header, rows in tables:
        out.append(f"### {title}\n")
        out.append("| " + " | ".join(_md_cell(h) for h in header) + " |")
        out.append("|" + "|".join("---" for _ in header) + "|")
        out.extend("| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows)
        out.append("")
    out.extend(f"- {n}" for n in notes)
    return "\n".join(out).rstrip() + "\n"


def _rich(tables: Sequence[Table], notes: Sequence[str], color: bool | None) -> str:
    from rich import box
    from rich.console import Console
    from rich.table import Table as RichTable

    if color is None:
        color = sys.stdout.isatty()
    width = shutil.get_terminal_size((140, 24)).columns if color else 140
    buf = io.StringIO()
    console = Console(
        file=buf, width=width, force_terminal=color, no_color=not color,
        color_system="standard" if color else None, highlight=False,
    )
    for title, header, rows in tables:
        t = RichTable(title=title, box=box.SIMPLE_HEAD if color else box.ASCII, title_justify="left",
                      min_width=len(title) + 2)
        for i, h in enumerate(header):
            numeric = i > 0 and all(_NUMERIC.fullmatch(str(row[i])) for row in rows)
            t.add_column(h, justify="right" if numeric else "left", overflow="fold")
        for row in rows:
            t.add_row(*(str(c) for c in row))
        console.print(t)
    for n in notes:
        console.print(n, markup=False)
    return buf.getvalue()


def _render(tables: Sequence[Table], notes: Sequence[str], markdown: bool, color: bool | None) -> str:
    return _markdown(tables, notes) if markdown else _rich(tables, notes, color)


# -- dev ---------------------------------------------------------------------------------


def _dev_summary(result: DevResult) -> Table:
    a, b = result.all.headline(), result.without_regulator.headline()
    counts = {"docs", "traps", "low_clean_docs", "low_clean_violations"}
    rows = [[k.replace("_", " "), *(str(h[k]) if k in counts else _num(h[k]) for h in (a, b))] for k in a]
    return "Dev summary", ["figure", "all docs", "without regulator-quote"], rows


def _flag_table(title: str, counts_all: dict, counts_wo: dict) -> Table:
    rows = []
    for flag, c in counts_all.items():
        w = counts_wo.get(flag)
        if c.empty:  # nothing labelled, nothing reported: no figure to show
            rows.append([flag, 0, 0, 0, "-", "-", "-", "-"])
            continue
        rows.append([flag, c.tp, c.fp, c.fn, _num(c.precision), _num(c.recall), _num(c.f1),
                     "-" if w is None or w.empty else _num(w.f1)])
    return title, ["flag", "TP", "FP", "FN", "P", "R", "F1", "F1 w/o RQ"], rows


def _sentence_table(s: DevScores) -> Table:
    rows = []
    for flag, c in s.sentence.items():
        a = s.sentence_any[flag]
        if c.empty:
            continue
        rows.append([flag, c.gold, c.gold_hit, _num(c.recall), _num(a.recall), c.pred, c.pred_hit,
                     _num(c.precision), _num(a.precision)])
    m, ma = s.sentence_micro, s.sentence_any_micro
    rows.append(["(micro)", m.gold, m.gold_hit, _num(m.recall), _num(ma.recall), m.pred, m.pred_hit,
                 _num(m.precision), _num(ma.precision)])
    return ("Sentence level, claim flags (all docs)",
            ["flag", "labelled", "recalled", "recall", "recall any-flag", "findings", "on label",
             "precision", "precision any-flag"], rows)


def _confusion(title: str, conf: dict[str, dict[str, int]], order: Sequence[str]) -> Table:
    cols = list(order) + sorted({p for row in conf.values() for p in row} - set(order))
    rows = [[g] + [conf[g].get(p, 0) for p in cols] for g in order if g in conf]
    return title, ["labelled \\ predicted"] + cols, rows


def format_dev(result: DevResult, *, markdown: bool = False, color: bool | None = None) -> str:
    """The dev evaluation as text tables (or Markdown with ``markdown=True``)."""
    s, w = result.all, result.without_regulator
    tables: list[Table] = [
        _dev_summary(result),
        _flag_table("Document level, claim flags", s.claim_doc, w.claim_doc),
        _flag_table(f"Document level, omissions ({s.n_omission_docs} offer docs)", s.omission_doc, w.omission_doc),
        _flag_table("Document level, signals", s.signal_doc, w.signal_doc),
        _sentence_table(s),
        _confusion("Band confusion (all docs)", s.band_confusion, BANDS),
        _confusion("Document type confusion (all docs)", s.doctype_confusion, DOC_KINDS),
        ("Per document", ["id", "kind", "band", "predicted", "score", "type", "missed", "extra"],
         [[d.id, d.kind, d.band, d.predicted_band, d.score, d.predicted_kind,
           ", ".join(d.missed) or "-", ", ".join(d.extra) or "-"] for d in result.documents]),
    ]
    if s.traps_covered:
        tables.append(("Trap sentences flagged (should not be)", ["doc", "flags", "sentence"],
                       [[t.doc, ", ".join(t.flags), t.sentence] for t in s.traps_covered]))
    if s.low_violations:
        tables.append(("Claim flags on low docs with no labelled claim", ["doc", "flags"],
                       [[d, ", ".join(f)] for d, f in s.low_violations]))
    if result.unlocatable:
        tables.append(("Labelled sentences not found in the audited text", ["doc", "label", "sentence"],
                       [[u.doc, u.label, u.sentence] for u in result.unlocatable]))
    notes = [
        f"{s.n_docs} docs audited in {result.wall_seconds:.2f} s; claim macro-F1 (flags with support "
        f"or predictions) {macro_f1(s.claim_doc.values()):.3f}.",
        f"Not scored (unlabelled in dev): {', '.join(result.unscored)}. Omissions are scored on "
        "clinic and careful-clinic docs only.",
    ]
    if s.omissions_out_of_scope:
        notes.append("Omission findings on non-offer docs (not scored): "
                     + "; ".join(f"{d} ({', '.join(f)})" for d, f in s.omissions_out_of_scope))
    if result.misaligned_spans:
        notes.append(f"{result.misaligned_spans} evidence spans do not match text[start:end].")
    if result.skipped:
        notes.append(f"Skipped (auditor refused): {', '.join(result.skipped)}")
    return _render(tables, notes, markdown, color)


# -- HealthRelease -----------------------------------------------------------------------


def format_healthrelease(result: HRResult, *, markdown: bool = False, color: bool | None = None) -> str:
    """The HealthRelease evaluation as text tables (or Markdown with ``markdown=True``)."""
    rows = []
    for c in result.criteria:
        sat, neg = c.scores.counts("satisfactory"), c.scores.counts("not_satisfactory")
        conf = c.scores.confusion
        rows.append([
            c.criterion, c.scores.n, f"{sat.support}/{neg.support}",
            f"{conf['satisfactory']['satisfactory']}/{conf['satisfactory']['not_satisfactory']}/"
            f"{conf['not_satisfactory']['satisfactory']}/{conf['not_satisfactory']['not_satisfactory']}",
            _num(sat.precision), _num(sat.recall), _num(neg.precision), _num(neg.recall),
            _num(c.scores.macro_f1), _num(c.baseline.macro_f1),
        ])
    tables: list[Table] = [(
        "HealthRelease criteria (positive = satisfactory, not_applicable left out)",
        ["criterion", "n", "sat/not", "SS/SN/NS/NN", "P sat", "R sat", "P not", "R not",
         "macro-F1", "majority macro-F1"], rows,
    ), ("Mapping", ["criterion", "satisfactory when"], [[c.criterion, c.rule] for c in result.criteria])]
    per_text = result.wall_seconds / result.n_audited if result.n_audited else 0.0
    notes = [
        f"{result.n_audited}/{result.n_rows} releases audited in {result.wall_seconds:.2f} s "
        f"({1000 * per_text:.1f} ms each); mean macro-F1 {result.mean_macro_f1:.3f}.",
        "SS/SN/NS/NN = gold/predicted: satisfactory or not. Majority = constant answer of the "
        "more frequent class.",
    ]
    if result.skipped:
        notes.append(f"Skipped (auditor refused): {', '.join(result.skipped)}")
    return _render(tables, notes, markdown, color)
