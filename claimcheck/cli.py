"""Command line: a thin layer over the Python API. Exit codes follow linters:
0 clean, 1 a report reached --fail-on, 2 usage or input error (one line, no traceback).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from . import __version__
from .errors import ClaimcheckError
from .cli_options import checklist_options, model_options
from .score import BAND_ORDER

FORMATS = ("text", "json", "jsonl", "markdown", "html")
_SUFFIX = {"text": ".txt", "json": ".json", "jsonl": ".jsonl", "markdown": ".md", "html": ".html"}


def _fail(message: str) -> None:
    click.echo(f"claimcheck: {message}", err=True)
    sys.exit(2)


def _auditor(checklist_dirs, replace, only, disable, no_model=False, model_only=False):
    from .auditor import Auditor

    if no_model and model_only:
        _fail("--no-model and --model-only cannot be used together")
    return Auditor(tuple(checklist_dirs), replace=replace, only=tuple(only),
                   disable=tuple(disable), use_model=not no_model,
                   use_rules=not model_only).load()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="claimcheck")
def main():
    """Audit stem-cell clinic marketing copy against a documented red-flag checklist."""


@main.command()
@click.argument("paths", nargs=-1)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="text", show_default=True,
              help="Report format.")
@click.option("--fail-on", type=click.Choice(BAND_ORDER), default=None,
              help="Exit 1 when a report reaches this band.")
@click.option("--explain", is_flag=True, help="Show rules, score breakdown and dismissed hits.")
@click.option("--output-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Write one report file per input here instead of printing.")
@click.option("--max-bytes", type=click.IntRange(min=1), default=10_000_000, show_default=True,
              help="Refuse inputs larger than this (never truncated).")
@click.option("--color/--no-color", default=None, help="Colour terminal output (default: if a TTY).")
@click.option("--allow-private", is_flag=True,
              help="Let URL inputs reach private and loopback addresses (e.g. 127.0.0.1).")
@checklist_options
@model_options
def audit(paths, fmt, fail_on, explain, output_dir, max_bytes, color, allow_private, checklist_dirs,
          replace_checklist, only, disable, no_model, model_only):
    """Audit PATHS (text, HTML or PDF files, http(s):// URLs, or - for standard input; none
    means standard input)."""
    from .ingest import read_input
    from .render import render

    paths = paths or ("-",)
    if fmt == "html" and len(paths) > 1 and output_dir is None:
        _fail("--format html with several inputs needs --output-dir (one page per input)")
    try:
        auditor = _auditor(checklist_dirs, replace_checklist, only, disable, no_model, model_only)
    except ClaimcheckError as exc:
        _fail(str(exc))
    if color is None:
        color = fmt == "text" and output_dir is None and sys.stdout.isatty()
    input_errors = 0
    reached = False
    reports = []
    for path in paths:
        try:
            report = auditor.audit_document(read_input(path, max_bytes=max_bytes,
                                                           allow_private=allow_private))
        except ClaimcheckError as exc:
            click.echo(f"claimcheck: {exc}", err=True)
            input_errors += 1
            continue
        reports.append(report)
        if fail_on and BAND_ORDER.index(report.risk.band) >= BAND_ORDER.index(fail_on):
            reached = True
        if output_dir is not None:
            output_dir.mkdir(parents=True, exist_ok=True)
            name = "stdin" if path == "-" else Path(path).name
            target = output_dir / f"{name}{_SUFFIX[fmt]}"
            target.write_text(render(report, fmt, explain=explain) + "\n", encoding="utf-8")
            click.echo(f"{path}: {report.risk.band} ({report.risk.score}) -> {target}")
        elif fmt != "json":
            click.echo(render(report, fmt, explain=explain, color=color))
    if fmt == "json" and output_dir is None and reports:
        if len(paths) == 1:
            click.echo(render(reports[0], "json", explain=explain))
        else:
            from .render.serialize import report_to_dict

            click.echo(json.dumps([report_to_dict(r) for r in reports], indent=2, ensure_ascii=False))
    if input_errors:
        sys.exit(2)
    sys.exit(1 if reached else 0)


@main.group()
def checklist():
    """List, show and validate checklist entries."""


@checklist.command("list")
@checklist_options
def checklist_list(checklist_dirs, replace_checklist, only, disable):
    """One line per entry: id, kind, severity, title."""
    try:
        cl = _auditor(checklist_dirs, replace_checklist, only, disable).checklist
    except ClaimcheckError as exc:
        _fail(str(exc))
    for e in cl.entries:
        click.echo(f"{e.id:32} {e.kind:9} {e.severity or '-':9} {e.title}")


@checklist.command("show")
@click.argument("entry_id")
@checklist_options
def checklist_show(entry_id, checklist_dirs, replace_checklist, only, disable):
    """Everything about one entry."""
    try:
        cl = _auditor(checklist_dirs, replace_checklist, only, disable).checklist
        e = cl.get(entry_id)
    except KeyError:
        _fail(f"[CC203] unknown checklist id: {entry_id} (see `claimcheck checklist list`)")
    except ClaimcheckError as exc:
        _fail(str(exc))
    click.echo(f"{e.id} ({e.kind}, severity {e.severity or '-'}): {e.title}\n")
    click.echo(f"For patients: {e.explanation}\n")
    if e.regulator_note:
        click.echo(f"For regulators: {e.regulator_note}\n")
    if e.question:
        click.echo(f"Ask the clinic: {e.question}\n")
    click.echo(f"Sources: {', '.join(e.sources)}")
    for rule in e.rules:
        if rule.kind == "model":
            click.echo(f"  rule {rule.id} (model): P({rule.label or e.id}) >= {rule.threshold}")
        else:
            click.echo(f"  rule {rule.id} ({rule.kind}): {rule.pattern}")
    if e.filled_by:
        click.echo(f"  filled by: {', '.join(e.filled_by)}")
    click.echo(f"File: {e.path}")


@checklist.command("reference")
def checklist_reference_cmd():
    """Print the Markdown checklist reference that the README embeds."""
    from .checklist import load_checklist
    from .reference import checklist_reference

    try:
        click.echo(checklist_reference(load_checklist()))
    except ClaimcheckError as exc:
        _fail(str(exc))


@checklist.command("validate")
@click.argument("dirs", nargs=-1, type=click.Path(file_okay=False, path_type=Path))
@click.option("--replace-checklist", is_flag=True, help="Validate DIRS alone, without the bundled checklist.")
def checklist_validate(dirs, replace_checklist):
    """Load and compile every entry (bundled plus DIRS); exit 2 naming the first bad file."""
    try:
        auditor = _auditor(dirs, replace_checklist, (), ()).load()
    except ClaimcheckError as exc:
        _fail(str(exc))
    click.echo(f"ok: {len(auditor.checklist.entries)} entries, checklist version {auditor.checklist.version}")


@main.command("eval")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.option("--markdown", is_flag=True, help="Print Markdown tables.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="HealthRelease: first N rows.")
@checklist_options
@model_options
def eval_cmd(paths, as_json, markdown, limit, checklist_dirs, replace_checklist, only, disable,
             no_model, model_only):
    """Score the auditor on labelled data: a folder in the dev format (labels.jsonl + docs/),
    or a HealthRelease .jsonl file (or the folder holding healthrelease.jsonl)."""
    from .evaluate.dev import evaluate_dev
    from .evaluate.healthrelease import evaluate_healthrelease
    from .evaluate.tables import format_dev, format_healthrelease

    try:
        auditor = _auditor(checklist_dirs, replace_checklist, only, disable, no_model, model_only)
        results = {}
        for path in paths:
            hr = path if path.suffix == ".jsonl" else path / "healthrelease.jsonl"
            if hr.is_file():
                res = evaluate_healthrelease(hr, auditor, limit=limit)
                results[str(path)] = res
                if not as_json:
                    click.echo(format_healthrelease(res, markdown=markdown))
            else:
                res = evaluate_dev(path, auditor)
                results[str(path)] = res
                if not as_json:
                    click.echo(format_dev(res, markdown=markdown))
    except ClaimcheckError as exc:
        _fail(str(exc))
    if as_json:
        click.echo(json.dumps({k: v.to_dict() for k, v in results.items()}, indent=2))



@main.command("train")
@click.option("--training-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Training data folder (default: the bundled data/training).")
@click.option("--models-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the models, cards and metrics.json (default: models/).")
@click.option("--no-cv", is_flag=True, help="Skip cross-validation (faster; metrics without CV).")
def train_cmd(training_dir, models_dir, no_cv):
    """Rebuild every learned model from the training data (fixed seeds: the same data gives
    the same metrics), writing the skops files, model cards and metrics.json."""
    from .learn.train import train_all

    try:
        result = train_all(training_dir, models_dir, cross_validate=not no_cv)
    except ClaimcheckError as exc:
        _fail(str(exc))
    m = result.metrics
    click.echo(f"trained on {m['sentence_model']['n_sentences']} sentences and "
               f"{m['doctype_model']['n_documents']} documents (data sha256 {m['training_sha256'][:12]})")
    cv = m["sentence_model"].get("cv_random_folds")
    if cv:
        click.echo(f"sentence model, 5-fold CV micro: {cv['micro']}")
        click.echo(f"document model, 5-fold CV: {m['doctype_model']['cv_random_folds']}")
    for path in result.written:
        click.echo(f"wrote {path}")


from .batch.cli import batch  # noqa: E402  (click options only; the engines load on use)

main.add_command(batch)


if __name__ == "__main__":
    main()
