import importlib

from django.conf import settings
from django.core.management.base import BaseCommand

from productops.accounts import demo


class Command(BaseCommand):
    help = "Create (or refresh) the demo organisation. Safe to run twice."

    def handle(self, *args, **options):
        demo.seed(stdout=self.stdout)
        self.stdout.write("Demo organisation: teams and people ready.")
        for app in settings.PORTAL_APPS:
            try:
                module = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError:
                continue
            module.seed(stdout=self.stdout)
            self.stdout.write(f"Demo data for {app} ready.")
        self.stdout.write(
            self.style.SUCCESS("Sign in as admin, ceo, rita or dev with the password 'demo'.")
        )
