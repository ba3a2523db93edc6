"""Events: the status and results of work the API queued (adds, deletes by filter)."""

from __future__ import annotations

from .common import Call, Result, Surface, event_json, paginate

surface = Surface("events")


@surface.operation("getEvent")
def get_event(call: Call) -> Result:
    return 200, event_json(call.service.event(call.scope, call.params["event_id"]))


@surface.operation("listEvents")
def list_events(call: Call) -> Result:
    """The project's events, newest first, as a DRF page."""
    events = [event_json(event) for event in call.service.events(call.scope)]
    return 200, paginate(call, events, call.params.get("page"), call.params.get("page_size"))
