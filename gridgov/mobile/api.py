"""The mobile part's JSON API under /api/v1/: the member's offline bundle and to-do counts."""

import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Router, Schema

from gridgov.mobile import queries

router = Router(tags=["mobile"])

# The bundle holds masked data only, so the phone may keep it (its service worker caches it for
# offline use); it must still ask again every time (ETag: an unchanged grid costs a 304).
BUNDLE_CACHE_CONTROL = "private, no-cache"


@router.get(
    "/phone/bundle",
    response={200: dict, 304: None},
    summary="The member's offline bundle (grids, buildings, households masked, places, cases)",
)
def phone_bundle(request: HttpRequest):
    """One call with what the phone caches for offline use: the member's own grids (boundary),
    buildings, households (head's name masked, no identifiers), places and open cases, plus
    parts other apps add. Send the `ETag` back as `If-None-Match`: an unchanged bundle answers
    304 with no body."""
    body = queries.bundle_bytes(queries.bundle(request.user))
    etag = queries.etag_of(body)
    wanted = {t.strip() for t in request.headers.get("If-None-Match", "").split(",")}
    if etag in wanted or "*" in wanted:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["ETag"] = etag
    response["Cache-Control"] = BUNDLE_CACHE_CONTROL
    return response


class TodoItemOut(Schema):
    kind: str
    kind_label: str = ""
    title: str
    url: str
    due: datetime.datetime | None = None
    area_name: str = ""


_TODO_KEYS = ("kind", "kind_label", "title", "url", "due", "area_name")


class TodoOut(Schema):
    count: int
    items: list[TodoItemOut]


@router.get("/phone/todo", response=TodoOut, summary="The member's to-do list on the phone")
def phone_todo(request: HttpRequest):
    """Cases to verify or handle on the spot, and the items other parts add (tasks, visits due,
    notices to acknowledge), nearest due first."""
    items = queries.todo_items(request.user)
    return TodoOut(
        count=len(items),
        items=[TodoItemOut.model_validate({k: i[k] for k in _TODO_KEYS if k in i}) for i in items],
    )
