"""Every route of the site, Django's and django-ninja's alike, as a URL that reaches it.

The fuzz tests walk the URL resolver (ninja mounts its API routes there too) and fill each
route's parameters with a value its pattern accepts, so a new route is fuzzed without anyone
listing it.
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass

from django.urls import URLResolver, get_resolver
from django.utils.regex_helper import normalize

# Tried in order for each parameter until the whole pattern matches.
SAMPLES = ("1", "x", "auth", "user", "engine", "application", "mhsd-2015-401", "main")
BAD_MARK = "x\x00y"  # a value a str/slug-like parameter would carry into the view


@dataclass(frozen=True)
class Route:
    regex: str  # the whole path, anchored
    template: str  # %(name)s placeholders
    params: tuple[str, ...]
    name: str
    methods: tuple[str, ...] = ("GET", "POST")  # what a Django view may take; ninja's say theirs

    def url(self, bad: str | None = None) -> str | None:
        """A path reaching the route; with `bad`, the first parameter that accepts it carries it
        (None when no parameter does)."""
        values, placed = {}, bad is None
        for param in self.params:
            if not placed and re.fullmatch(self.regex, "/" + self._fill({**values, param: bad})):
                values[param], placed = bad, True
                continue
            for sample in SAMPLES:
                values[param] = sample
                if self._partial_ok(values):
                    break
        path = "/" + self._fill(values)
        if not placed or not re.fullmatch(self.regex, path):
            return None
        return path

    def _fill(self, values: dict) -> str:
        return self.template % {p: values.get(p, "1") for p in self.params}

    def _partial_ok(self, values: dict) -> bool:
        for rest in (dict.fromkeys(self.params, s) for s in SAMPLES):
            if re.fullmatch(self.regex, "/" + self._fill({**rest, **values})):
                return True
        return False


def _walk(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        regex = pattern.pattern.regex.pattern.lstrip("^").removesuffix(r"\Z").removesuffix("$")
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern, prefix + regex)
        else:
            yield prefix + regex, pattern


def _ninja_methods(callback) -> tuple[str, ...] | None:
    """The HTTP methods of a django-ninja path (its view closes over the PathView)."""
    path_view = (
        inspect.getclosurevars(callback).nonlocals.get("self") if inspect.isfunction(callback) else None
    )
    operations = getattr(path_view, "operations", None)
    if not operations:
        return None
    return tuple(sorted({method for operation in operations for method in operation.methods}))


def all_routes() -> list[Route]:
    routes = []
    for regex, pattern in _walk(get_resolver()):
        template, params = normalize(regex)[0]
        name = pattern.name or getattr(pattern.callback, "__name__", "?")
        methods = _ninja_methods(pattern.callback) or Route.methods
        routes.append(Route("/" + regex, template, tuple(params), name, methods))
    return routes
