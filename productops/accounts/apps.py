from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "productops.accounts"
    label = "accounts"
    verbose_name = "Accounts and teams"

    def ready(self):
        from productops import page_cache

        page_cache.connect()


class PortalAdminConfig(admin_apps.AdminConfig):
    """Django admin with the portal's site: ProductOps admins only, every change audited."""

    default = False  # AccountsConfig stays this module's own app
    default_site = "productops.accounts.admin_site.PortalAdminSite"
