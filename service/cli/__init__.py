"""Command-line groups: `flask --app wsgi <group> <command>`."""

from flask import Flask


def register_commands(app: Flask) -> None:
    from service.cli import audit, calendar, demo, indicators, jobs, nlp, users

    for module in (users, demo, audit, jobs, indicators, nlp, calendar):
        app.cli.add_command(module.group)
