"""The API lane: spec operations served past Flask, the rest handed to it, routes remembered
within a bound."""

from __future__ import annotations

from mock_server.server import MockConfig, create_app
from mock_server.server.lane import ROUTE_CACHE, ApiLane
from tests.conftest import KEY_A, auth


def _lane(app) -> ApiLane:
    return app.wsgi_app.app  # EncodedSlashes(ApiLane(...))


def test_the_lane_answers_spec_paths_and_flask_the_rest():
    app = create_app(MockConfig())
    client = app.test_client()
    assert client.get("/v1/ping/", headers=auth(KEY_A)).status_code == 200
    assert client.get("/v1/ping", headers=auth(KEY_A)).status_code == 308  # Flask's slash redirect
    assert client.get("/nowhere/", headers=auth(KEY_A)).get_json() == {"detail": "Not found."}
    assert client.get("/_mock/state").status_code == 200  # the harness is Flask's
    routes = _lane(app)._routes
    assert routes[("/v1/ping/", "GET")] is not None
    assert routes[("/v1/ping", "GET")] is None and routes[("/_mock/state", "GET")] is None


def test_remembered_routes_stay_within_their_bound():
    app = create_app(MockConfig())
    client = app.test_client()
    for n in range(ROUTE_CACHE + 50):
        assert client.get(f"/v1/memories/{n:08d}-0000-4000-8000-000000000000/", headers=auth(KEY_A)).status_code == 404
    assert len(_lane(app)._routes) <= ROUTE_CACHE
