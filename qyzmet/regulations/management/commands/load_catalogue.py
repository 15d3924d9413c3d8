from django.core.management.base import BaseCommand, CommandError

from qyzmet.regulations.catalogue_sync import CatalogueInvalid, sync_catalogue


class Command(BaseCommand):
    help = "Validate the regulation files and load them into the database."

    def handle(self, *args, **options):
        try:
            counts = sync_catalogue()
        except CatalogueInvalid as exc:
            raise CommandError(f"the catalogue has problems, nothing loaded:\n{exc}") from exc
        self.stdout.write(
            "regulations: {created} created, {updated} updated, {unchanged} unchanged".format(**counts)
        )
