"""Click options shared by the commands (`audit`, `eval`, `checklist`, `batch`): one definition,
so the same flag means the same thing everywhere."""
from __future__ import annotations

from pathlib import Path

import click


def model_options(fn):
    """--no-model (rules only) and --model-only (the learned layer alone, for ablation)."""
    fn = click.option("--model-only", is_flag=True,
                      help="Use only the learned model rules, not the hand-written ones (ablation).")(fn)
    return click.option("--no-model", is_flag=True,
                        help="Rules only: do not load or run the learned models.")(fn)


_checklist_options = [
    click.option("--checklist", "checklist_dirs", multiple=True,
                 type=click.Path(file_okay=False, path_type=Path),
                 help="Folder of extra checklist entries (*.yaml); repeatable."),
    click.option("--replace-checklist", is_flag=True,
                 help="Use only the --checklist folders, not the bundled checklist."),
    click.option("--only", multiple=True, metavar="ID", help="Run only this entry; repeatable."),
    click.option("--disable", multiple=True, metavar="ID", help="Switch this entry off; repeatable."),
]


def checklist_options(fn):
    """--checklist, --replace-checklist, --only and --disable."""
    for option in reversed(_checklist_options):
        fn = option(fn)
    return fn
