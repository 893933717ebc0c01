"""Every route and verb of the extension refuses unauthenticated requests, the websocket included."""

import re
import warnings

import pytest
from jupyter_server.utils import JupyterServerAuthWarning, url_path_join
from tornado.httpclient import HTTPClientError
from tornado.web import RequestHandler

from jupyterlab_dlcoach.server.routes import NAMESPACE, route_table

FAKE_ID = "0123456789ab"
# A matching XSRF cookie and header: the request gets past tornado's XSRF check, so a 403 can only
# come from the authentication decorators.
XSRF = "c0ffee" * 6
NO_USER = {"Authorization": "", "Cookie": f"_xsrf={XSRF}", "X-XSRFToken": XSRF}


def our_routes(serverapp):
    """(path regex, handler class) of every rule the server routes to this extension."""
    found = []
    for rule in serverapp.web_app.default_router.rules:
        for inner in getattr(rule.target, "rules", []):
            regex = getattr(inner.matcher, "regex", None)
            if regex is not None and f"/{NAMESPACE}/" in regex.pattern:
                found.append((regex.pattern, inner.target))
    return found


def verbs(handler):
    """The verbs a handler answers, less jupyter_server's own CORS preflight (OPTIONS, which is
    deliberately open and answers nothing but headers)."""
    found = []
    for verb in handler.SUPPORTED_METHODS:
        method = getattr(handler, verb.lower())
        if method is RequestHandler._unimplemented_method:
            continue
        if getattr(method, "__allow_unauthenticated", False):
            assert verb == "OPTIONS", f"{verb} of {handler.__name__} is open to anyone"
            assert method.__module__.startswith("jupyter_server."), f"{handler.__name__} opens OPTIONS itself"
            continue
        found.append(verb)
    return found


def concrete_path(pattern, base_url):
    path = re.sub(r"\(\?P<\w+>[^)]*\)", FAKE_ID, pattern).rstrip("$")
    return path[len(base_url) :] if path.startswith(base_url) else path


def test_the_walk_covers_the_route_table(jp_serverapp):
    assert len(our_routes(jp_serverapp)) == len(route_table()) >= 10


async def test_every_verb_refuses_anonymous_requests(jp_serverapp, jp_fetch, jp_base_url):
    checked = 0
    for pattern, handler in our_routes(jp_serverapp):
        path = concrete_path(pattern, jp_base_url)
        for verb in verbs(handler):
            body = "{}" if verb in ("POST", "PUT", "PATCH") else None
            anonymous = await jp_fetch(path, method=verb, body=body, headers=NO_USER, raise_error=False)
            assert anonymous.code in (401, 403), f"{verb} {path} answered {anonymous.code} without a user"
            assert b"xsrf" not in anonymous.body.lower(), "refused by the XSRF check, not by authentication"
            # The same request with the token gets through to the handler.
            known = await jp_fetch(path, method=verb, body=body, raise_error=False)
            assert known.code not in (401, 403), f"{verb} {path}: {known.code} {known.body!r}"
            checked += 1
    assert checked >= 13


async def test_the_websocket_refuses_anonymous_connections(jp_ws_fetch):
    with pytest.raises(HTTPClientError) as refused:
        await jp_ws_fetch(NAMESPACE, "stream", headers={"Authorization": ""})
    assert refused.value.code == 403
    socket = await jp_ws_fetch(NAMESPACE, "stream")
    socket.close()


def test_no_handler_lacks_an_auth_decorator(jp_serverapp):
    """jupyter_server's own check (the one behind JupyterServerAuthWarning) finds nothing of ours."""
    web_app = jp_serverapp.web_app
    assert web_app.settings["allow_unauthenticated_access"] is False
    rules = [(url_path_join("/never-routed", p), h) for p, h in route_table()]
    for matcher, handler in rules:
        assert web_app._check_handler_auth(matcher, handler) == []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        # A host pattern no request ever has: the same code path that loads an extension's handlers.
        web_app.add_handlers(r"^auth-check\.invalid$", rules)
    ours = [w for w in caught if issubclass(w.category, JupyterServerAuthWarning)]
    assert ours == [], [str(w.message) for w in ours]
