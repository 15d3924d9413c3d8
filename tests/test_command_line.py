"""One command line: `python -m qyzmet` runs the platform's commands and hands any other to Django."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands

from qyzmet.cli import build_parser, main

ROOT = Path(__file__).resolve().parents[1]


def test_a_command_the_platform_does_not_define_is_djangos(capsys):
    assert main(["check"]) == 0
    assert "System check identified no issues" in capsys.readouterr().out


def test_no_platform_command_hides_one_of_djangos():
    assert build_parser().commands and not (build_parser().commands & set(get_commands()))


def test_the_platforms_commands_exist_only_on_its_own_command_line():
    apps = {app for app in get_commands().values() if isinstance(app, str)}
    assert not {app for app in apps if app.startswith("qyzmet")}, "a management command of the platform"


def test_help_lists_the_platforms_commands_and_djangos(capsys):
    assert main(["help"]) == 0
    out = capsys.readouterr().out
    assert "regulations" in out and "timeline" in out and "migrate" in out and "runserver" in out


@pytest.mark.django_db
def test_regulations_load_puts_the_catalogue_in_the_database(capsys):
    assert main(["regulations", "load"]) == 0
    assert capsys.readouterr().out.startswith("regulations: 0 created, 0 updated, 22 unchanged")


@pytest.mark.django_db
def test_tick_runs_the_periodic_job_once(capsys):
    assert main(["tick"]) == 0
    assert capsys.readouterr().out.startswith("engine-tick: steps_overdue=0 applications_overdue=0")


@pytest.mark.django_db
def test_an_api_token_for_nobody_is_refused(capsys):
    assert main(["api", "token", "nobody"]) == 1
    assert "no user 'nobody'" in capsys.readouterr().err


def test_manage_py_is_another_name_for_the_same_command_line():
    done = subprocess.run(
        [sys.executable, "manage.py", "regulations", "validate", "mhsd-2015-401"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "regulations valid" in done.stdout
