"""One way to answer a request the edge refuses: JSON under /api/, a small page elsewhere.

The page does not extend the site's base template on purpose: that template repeats the request's
own path and needs the session and CSRF machinery, which have not run yet at the edge (and the
path may be the very thing refused).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation

API_PREFIX = "/api/"


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def language_of(request: HttpRequest) -> str:
    """The language the visitor chose (cookie) or their browser asks for; the site's default else."""
    try:
        return translation.get_language_from_request(request)
    except Exception:  # a malformed Accept-Language or cookie must not stop the answer  # noqa: BLE001
        from django.conf import settings

        return settings.LANGUAGE_CODE


def problem(
    request: HttpRequest,
    status: int,
    title,
    detail,
    *,
    retry_after: int | None = None,
    extra: dict | None = None,
    template: str = "edge/problem.html",
    context: dict | None = None,
) -> HttpResponse:
    """An error answer in the visitor's language. `title` and `detail` are lazy translations, or
    callables without arguments for texts with placeholders (a lazy text formatted with % is
    translated at once, in whatever language is active then, not the visitor's)."""
    with translation.override(language_of(request)):
        title, detail = (str(text() if callable(text) else text) for text in (title, detail))
        if wants_json(request):
            body = {"detail": detail, **(extra or {})}
            if retry_after is not None:
                body["retry_after"] = retry_after
            response: HttpResponse = JsonResponse(body, status=status)
        else:
            html = render_to_string(
                template,
                {
                    "title": title,
                    "detail": detail,
                    "retry_after": retry_after,
                    "method": request.method,
                    "LANGUAGE_CODE": translation.get_language(),
                    **(context or {}),
                },
            )
            response = HttpResponse(html, status=status)
        response["Content-Language"] = translation.get_language()
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    response["Cache-Control"] = "no-store"
    return response
