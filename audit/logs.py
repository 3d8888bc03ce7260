"""Structured logs: every line carries the change log's request id (and a worker's task id).

`ContextFilter` (on the console handler of settings.LOGGING) copies onto each record the
request id that `audit.middleware.ChangeContextMiddleware` put in the change context — the
same id the change log stores with every change set of that request — so a log line and
the changes it talks about are found by one id. Inside a worker task it adds the task's id
and name. With LOG_FORMAT=json (the default) the lines are JSON objects:

    {"time": "...", "level": "WARNING", "logger": "core.jobs", "message": "...",
     "request_id": "5f0c…", "task_id": null, "task": null}

`RequestLogMiddleware` (LOG_REQUESTS=true) writes one line per request: method, path,
status, milliseconds and user.
"""

from __future__ import annotations

import logging
import time

from audit.context import _current

__all__ = ["ContextFilter", "RequestLogMiddleware"]

requests_log = logging.getLogger("baotuan.requests")


def _task():
    try:
        from celery import current_task
    except ImportError:  # pragma: no cover - celery is a dependency
        return None
    task = current_task
    return task if task and task.request.id else None


class ContextFilter(logging.Filter):
    """Adds `request_id` (the change context's, or None outside any) and, in a worker,
    `task_id` and `task` to every record; never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _current.get()
        record.request_id = str(context.request_id) if context is not None else None
        task = _task()
        record.task_id = task.request.id if task else None
        record.task = task.name if task else None
        return True


class RequestLogMiddleware:
    """One INFO line per request on the `baotuan.requests` logger."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        user = getattr(request, "user", None)
        requests_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status_code,
                "ms": round((time.perf_counter() - started) * 1000, 1),
                "user": user.get_username() if user is not None and user.is_authenticated else None,
            },
        )
        return response
