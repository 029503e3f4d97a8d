"""Response headers that keep personal pages out of shared and browser caches."""

NO_STORE = "private, no-store"


class NoStoreMiddleware:
    """Cache-Control: private, no-store on every page and on everything a signed-in person gets.

    A proxy or the browser's back button must not replay someone's inbox, panel or
    tokens to the next person at the machine. A view that chose its own caching keeps
    it; static files never reach this middleware (WhiteNoise answers them first).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.has_header("Cache-Control"):
            return response
        user = getattr(request, "user", None)
        is_html = response.get("Content-Type", "").startswith("text/html")
        if is_html or (user is not None and user.is_authenticated):
            response["Cache-Control"] = NO_STORE
        return response
