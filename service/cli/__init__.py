"""Command-line groups: `flask --app wsgi <group> <command>`."""

from flask import Flask

from service.cli import audit, calendar, demo, indicators, jobs, nlp, users

GROUPS = (users, demo, audit, jobs, indicators, nlp, calendar)


def register_commands(app: Flask) -> None:
    for module in GROUPS:
        app.cli.add_command(module.group)
