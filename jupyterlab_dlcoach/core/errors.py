"""Domain errors. Services raise these; the one base handler maps them to HTTP answers."""


class CoachError(Exception):
    """Base class: a problem the user can cause and fix, with an HTTP status."""

    status = 400

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def to_json(self) -> dict:
        body = {"message": self.message}
        if self.field is not None:
            body["field"] = self.field
        return body


class BadInput(CoachError):
    """A request field is missing or invalid; the message names the field and the fix."""

    status = 400


class Forbidden(CoachError):
    """The request is understood but refused, e.g. a path that leaves the server root."""

    status = 403


class NotFound(CoachError):
    status = 404


class Conflict(CoachError):
    """The resource is in a state that does not allow this, e.g. deleting a running job."""

    status = 409


class StoreBusy(CoachError):
    """Another program holds the run store's write lock longer than a request waits for it."""

    status = 503
