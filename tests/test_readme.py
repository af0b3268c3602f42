"""The README stays true: the checklist reference, the two set-up commands, the command list."""
from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from claimcheck.checklist import load_checklist
from claimcheck.cli import main
from claimcheck.reference import BEGIN, END, checklist_reference

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _setup_commands() -> list[str]:
    block = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(?:bash|sh)\n(.+?)\n```", block, flags=re.S)


def test_checklist_reference_is_in_sync_with_data():
    start, end = README.index(BEGIN), README.index(END) + len(END)
    assert README[start:end] == checklist_reference(load_checklist()), \
        "README checklist reference is stale: run `claimcheck checklist reference` and paste it"


def test_exactly_two_setup_commands_and_ci_runs_the_test_one():
    commands = _setup_commands()
    assert len(commands) == 2, commands
    audit_cmd, test_cmd = commands
    assert "pip install" in audit_cmd and "claimcheck audit data/examples/" in audit_cmd
    example = re.search(r"(data/examples/\S+)", audit_cmd).group(1)
    assert (ROOT / example).is_file()
    assert "pip install" in test_cmd and "pytest" in test_cmd
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert test_cmd.strip() in ci.splitlines()


def test_every_cli_command_is_documented():
    for name, command in main.commands.items():
        assert f"claimcheck {name}" in README, name
        for sub in getattr(command, "commands", {}):
            assert f"claimcheck {name} {sub}" in README, (name, sub)


def test_cli_help_runs_for_documented_commands():
    assert CliRunner().invoke(main, ["--help"]).exit_code == 0
