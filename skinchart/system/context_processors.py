from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from skinchart.accounts.permissions import Capability, capabilities_of


def clinic(request: HttpRequest) -> dict[str, Any]:
    caps = capabilities_of(request.user)
    return {
        "DEMO_MODE": settings.DEMO_MODE,
        "nav": {
            "clients": Capability.VIEW_CLIENTS in caps,
            "catalogue": Capability.VIEW_DOCUMENTS in caps,
            "products": Capability.MANAGE_PRODUCTS in caps,
            "staff": Capability.MANAGE_STAFF in caps,
            "audit": Capability.VIEW_AUDIT in caps,
            "break_glass_review": Capability.APPROVE_DOCUMENTS in caps,
        },
    }
