"""Structured logs: every line a JSON object carrying the request id of the request it is about.

django-structlog's RequestMiddleware gives each request an id, binds it (with the user and the
client address) to every log line written while the request runs, logs each request's end and
logs every unhandled exception with its traceback (`request_failed`), whatever DEBUG says.
Django's own loggers and the libraries' go through the same formatter, so their lines carry the
request id too. The id goes back to the client in the `X-Request-ID` header, and the 500 page
shows it, so a complaint can be matched to its traceback.
"""

from __future__ import annotations

import structlog

REQUEST_ID_HEADER = "X-Request-ID"

# What every line gets, whether written through structlog or through the standard library.
_SHARED = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def logging_config(*, debug: bool, level: str = "INFO") -> dict:
    """The LOGGING setting, and structlog configured to hand its events to it. JSON lines on
    stderr; for a developer (DEBUG on) the same events as readable text."""
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_SHARED,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.UnicodeDecoder(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    renderer = structlog.dev.ConsoleRenderer(colors=False) if debug else structlog.processors.JSONRenderer()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    *([] if debug else [structlog.processors.format_exc_info]),
                    renderer,
                ],
                "foreign_pre_chain": _SHARED,
            }
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": "WARNING"},
        "loggers": {
            "django_structlog": {"level": level},
            "qyzmet": {"level": level},
            "axes": {"level": "WARNING"},
            # django-structlog logs each server error with its traceback and request id already;
            # Django's own "Internal Server Error" line would say the same thing twice.
            "django.request": {"level": "CRITICAL"},
        },
    }


def current_request_id() -> str | None:
    return structlog.contextvars.get_contextvars().get("request_id")


def _stamp(response) -> None:
    request_id = current_request_id()
    if request_id and response is not None:
        response[REQUEST_ID_HEADER] = request_id


def _on_finished(sender, request, logger, response, log_kwargs, **kwargs) -> None:
    _stamp(response)


def _on_failed(sender, request, response, logger, exception, **kwargs) -> None:
    _stamp(response)


def _bind_client_address(sender, request, logger, log_kwargs, **kwargs) -> None:
    # REMOTE_ADDR, as the sign-in throttle counts it (settings: QYZMET_CLIENT_IP_HEADER); cheaper
    # than django-structlog's own guess from forwarding headers, which a client can forge anyway.
    from django.conf import settings

    address = request.META.get(settings.AXES_IPWARE_META_PRECEDENCE_ORDER[0]) or request.META.get(
        "REMOTE_ADDR"
    )
    structlog.contextvars.bind_contextvars(ip=address)


def connect() -> None:
    from django_structlog import signals

    signals.bind_extra_request_metadata.connect(_bind_client_address, dispatch_uid="qyzmet-client-address")
    signals.bind_extra_request_finished_metadata.connect(_on_finished, dispatch_uid="qyzmet-request-id")
    signals.update_failure_response.connect(_on_failed, dispatch_uid="qyzmet-request-id-failed")
