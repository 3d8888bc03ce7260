from audit.context import ChangeContext, _current


class ChangeContextMiddleware:
    """Puts the request's user, id, path and address where the change log can read them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        context = ChangeContext(
            source="api" if request.path.startswith("/api/") else "web",
            path=request.path[:200],
            method=request.method,
            ip=request.META.get("REMOTE_ADDR"),
            request=request,
        )
        request.request_id = context.request_id
        token = _current.set(context)
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)
