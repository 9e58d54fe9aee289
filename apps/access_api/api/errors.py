"""The one place where access service errors become HTTP errors, each naming its field."""
from werkzeug.exceptions import Conflict, HTTPException, NotFound, UnprocessableEntity

from apps.access_api.service.roles import (EndNotAhead, GrantAlreadyEnded, UnknownGrant,
                                           UnknownUser)
from apps.access_api.service.users import UserExists

# error -> (HTTP error, where the field is, the field, what is wrong with it, the message).
# Every e-mail that can be unknown arrives in the path (/api/users/{email}/...); a taken one,
# in a body.
STATUS = {
    UnknownUser: (NotFound, "path", "email", "unknown user", "no user {0}"),
    UserExists: (Conflict, "json", "email", "a user with this e-mail exists",
                 "a user with the e-mail {0} exists"),
    UnknownGrant: (NotFound, "path", "grant_id", "unknown grant",
                   "the user has no grant {0}"),
    GrantAlreadyEnded: (Conflict, "path", "grant_id", "already ended",
                        "grant {0} has already ended"),
    EndNotAhead: (UnprocessableEntity, "json", "endsAt", "must be after now", "{0}"),
}


def register_error_handlers(app, api) -> None:
    def http_error(error: Exception):
        error_class, location, field, problem, message = STATUS[type(error)]
        raised: HTTPException = error_class()
        raised.data = {"message": message.format(*error.args),
                       "errors": {location: {field: [problem]}}}
        return api.handle_http_exception(raised)

    for error_type in STATUS:
        app.register_error_handler(error_type, http_error)
