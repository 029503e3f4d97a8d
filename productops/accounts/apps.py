from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "productops.accounts"
    label = "accounts"
    verbose_name = "Accounts and teams"
