from __future__ import annotations

from uuid import UUID

from django.http import HttpRequest
from ninja import Query, Router, Status

from skinchart.accounts.permissions import Capability
from skinchart.api.auth import requires
from skinchart.api.schemas import ClientIn, ClientOut, ErrorOut
from skinchart.clients import actions
from skinchart.clients.access import get_client_for_user
from skinchart.clients.forms import ClientForm, ClientSearchForm
from skinchart.clients.models import Client

router = Router(tags=["clients"])

SEARCH_LIMIT = 50


class InvalidInput(Exception):
    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("invalid input")
        self.errors = errors


@router.get(
    "/clients", auth=requires(Capability.VIEW_CLIENTS), response={200: list[ClientOut], 403: ErrorOut, 422: ErrorOut}
)
def search_clients(request: HttpRequest, q: Query[str] = "") -> list[Client]:
    form = ClientSearchForm({"q": q})
    if not form.is_valid():
        raise InvalidInput({k: [str(m) for m in v] for k, v in form.errors.items()})
    return list(Client.objects.search(form.cleaned_data["q"])[:SEARCH_LIMIT])


@router.post(
    "/clients",
    auth=requires(Capability.EDIT_CLIENTS),
    response={201: ClientOut, 403: ErrorOut, 409: ErrorOut, 422: ErrorOut},
)
def create_client(request: HttpRequest, payload: ClientIn) -> Status[Client]:
    data = payload.dict()
    if data["date_of_birth"] is not None:
        data["date_of_birth"] = data["date_of_birth"].isoformat()
    form = ClientForm({k: ("" if v is None else v) for k, v in data.items()})
    if not form.is_valid():
        raise InvalidInput({k: [str(m) for m in v] for k, v in form.errors.items()})
    client = actions.register_client(actor=request.user, data=dict(form.cleaned_data), request=request)
    return Status(201, client)


@router.get(
    "/clients/{code}", auth=requires(Capability.VIEW_CLIENTS), response={200: ClientOut, 403: ErrorOut, 404: ErrorOut}
)
def get_client(request: HttpRequest, code: UUID) -> Client:
    return get_client_for_user(request, code)
