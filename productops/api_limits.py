"""How much one API request may ask for: page size and the shape of ids in URLs."""

from rest_framework import pagination, routers
from rest_framework.settings import api_settings

# One page never holds more than this, whatever ?limit= says: a list is read page by page.
MAX_PAGE_SIZE = 500


class Pagination(pagination.LimitOffsetPagination):
    max_limit = MAX_PAGE_SIZE
    limit_query_description = (
        f"Number of results to return per page (default {api_settings.PAGE_SIZE}, "
        f"at most {MAX_PAGE_SIZE}; a larger value is lowered to {MAX_PAGE_SIZE})."
    )

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 0
            if parameter["name"] == self.limit_query_param:
                parameter["schema"]["maximum"] = MAX_PAGE_SIZE
        return parameters


# Ids are whole numbers; anything else in their place is "not found", never a database error.
ID_PATTERN = r"[0-9]{1,18}"


class _IdLookups:
    def get_lookup_regex(self, viewset, lookup_prefix=""):
        lookup_field = getattr(viewset, "lookup_field", "pk")
        if lookup_field in ("pk", "id", "number") and not hasattr(viewset, "lookup_value_regex"):
            viewset.lookup_value_regex = ID_PATTERN
        return super().get_lookup_regex(viewset, lookup_prefix)


class Router(_IdLookups, routers.SimpleRouter):
    pass


class RootRouter(_IdLookups, routers.DefaultRouter):
    pass
