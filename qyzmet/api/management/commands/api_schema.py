"""`manage.py api_schema [--output docs/openapi.json]`: the API's OpenAPI document, as served at
/api/v1/openapi.json. The committed copy in docs/ is checked against the app by the test suite."""

import json

from django.core.management.base import BaseCommand

from qyzmet.api.api import api


class Command(BaseCommand):
    help = "Write the back-office API's OpenAPI document (stdout, or --output FILE)."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="file to write (e.g. docs/openapi.json)")

    def handle(self, *args, output=None, **options):
        text = json.dumps(api.get_openapi_schema(), indent=2, ensure_ascii=False) + "\n"
        if output:
            with open(output, "w", encoding="utf-8") as f:
                f.write(text)
        else:
            self.stdout.write(text, ending="")
