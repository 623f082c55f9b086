"""Response headers every page and API response of the app carries."""

from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response the app renders (HIPAA minimum necessary: no copy
    of a member page, an API response, a letter or an export left in a browser or proxy cache).

    Every response, not only authenticated ones: an API key is checked inside the DRF view, after
    middleware, so `request.user` here says nothing about whether a response carries PHI, and the
    app has no public page worth caching. Static files never reach it (WhiteNoise, or runserver's
    static handler, answers them first with their own long-lived headers).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, no_store=True)
        return response
