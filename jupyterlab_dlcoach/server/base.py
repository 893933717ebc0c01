"""The one base handler: JSON in and out, domain errors mapped to 400/403/404/409."""

import json
import sqlite3

from jupyter_server.base.handlers import APIHandler
from jupyter_server.extension.handler import ExtensionHandlerMixin

from jupyterlab_dlcoach.core.errors import BadInput, CoachError, StoreBusy

AUTH_RESOURCE = "dlcoach"
# An error body quotes the user's input at most this much: a 10 MB field must not come back as 10 MB.
MAX_MESSAGE_CHARS = 600
MAX_FIELD_CHARS = 100


def capped(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def as_coach_error(err):
    """A store locked by another program for longer than a write waits is busy, not a server fault."""
    if isinstance(err, sqlite3.OperationalError) and ("locked" in str(err) or "busy" in str(err)):
        return StoreBusy(
            "The coach's run store is busy: another program holds its lock. Try again in a moment; if it "
            "stays busy, close the other program (another JupyterLab, a notebook) that writes to it."
        )
    return err


class CoachErrorsMixin:
    """Answer a domain error as JSON with its status, and log it as the user's mistake, not a crash."""

    def write_error(self, status_code: int, **kwargs) -> None:
        err = as_coach_error((kwargs.get("exc_info") or (None, None))[1])
        if isinstance(err, CoachError):
            self.set_status(err.status)
            self.set_header("Content-Type", "application/json")
            body = err.to_json()
            body["message"] = capped(str(body["message"]), MAX_MESSAGE_CHARS)
            if body.get("field") is not None:
                body["field"] = capped(str(body["field"]), MAX_FIELD_CHARS)
            self.finish(json.dumps(body))
            return
        super().write_error(status_code, **kwargs)

    def log_exception(self, typ, value, tb) -> None:
        value = as_coach_error(value)
        if isinstance(value, CoachError):
            path = capped(self.request.path, MAX_FIELD_CHARS)
            self.log.info("%s %s: %s", self.request.method, path, capped(value.message, MAX_MESSAGE_CHARS))
            return
        super().log_exception(typ, value, tb)


class CoachHandler(CoachErrorsMixin, ExtensionHandlerMixin, APIHandler):
    """Thin handler: parses input, calls a service, writes JSON. No domain logic here."""

    auth_resource = AUTH_RESOURCE

    @property
    def coach(self):
        """The running :class:`~jupyterlab_dlcoach.server.app.DLCoachApp`."""
        return self.extensionapp

    def json_body(self) -> dict:
        return parse_json_object(self.request.body, '{"dataset": "shapes"}')

    def write_json(self, data, status: int = 200) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps(data))


# A run id in a route: twelve hex digits (store.new_id).
RUN_ID = r"(?P<run_id>[0-9a-f]{12})"


class ServiceHandler(CoachHandler):
    async def prepare(self):
        await super().prepare()
        # The start hook may not have run (pytest-jupyter never calls it); starting is idempotent.
        self.coach.start_services()


def parse_json_object(raw: bytes, example: str) -> dict:
    """A request body that must be a JSON object; empty is {}. Anything else is a 400 in plain words."""
    if not raw:
        return {}
    try:
        body = json.loads(raw)
    except RecursionError as e:
        raise BadInput("The request body is nested too deeply. Send a flat JSON object.", field="body") from e
    except ValueError as e:
        raise BadInput(f"The request body is not valid JSON: {e}. Send a JSON object.", field="body") from e
    if not isinstance(body, dict):
        raise BadInput(f"The request body must be a JSON object, e.g. {example}.", field="body")
    return body
