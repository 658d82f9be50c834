"""What each staff role may do. docs/permissions.md shows this table to people;
a test keeps the two in step.

Views never test roles directly: they ask `user_can(user, Capability.X)` (or use
`require_capability`), so the matrix lives here and only here.
"""

from __future__ import annotations

from enum import StrEnum

from skinchart.accounts.models import Role


class Capability(StrEnum):
    VIEW_CLIENTS = "view_clients"  # find clients, see contact data
    EDIT_CLIENTS = "edit_clients"  # register clients, edit contact data
    REVEAL_CPR = "reveal_cpr"  # show a CPR number in full, on purpose, logged
    VIEW_CLINICAL = "view_clinical"  # journal, plans, photos, consent, sessions
    PRE_CONSULT = "pre_consult"  # do a pre-consultation and choose treatment (REG-2)
    TREAT = "treat"  # perform a treatment session
    VIEW_DOCUMENTS = "view_documents"  # read treatment definitions and client guides
    EDIT_DOCUMENTS = "edit_documents"  # draft client guides and definitions
    APPROVE_DOCUMENTS = "approve_documents"  # approve client guides, treatment definitions
    GIVE_INFORMATION = "give_information"  # give a client the written information (REG-4)
    ASSESS_CLIENTS = "assess_clients"  # decide on clients the screening sends to a doctor
    MANAGE_PRODUCTS = "manage_products"  # products, batches (lots) and stock
    RECALL_LOOKUP = "recall_lookup"  # which clients received a batch (across all clients)
    MANAGE_STAFF = "manage_staff"  # accounts, roles, registrations, sites
    VIEW_AUDIT = "view_audit"  # read the audit and access log


ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.DOCTOR: frozenset(
        {
            Capability.VIEW_CLIENTS,
            Capability.EDIT_CLIENTS,
            Capability.REVEAL_CPR,
            Capability.VIEW_CLINICAL,
            Capability.PRE_CONSULT,
            Capability.TREAT,
            Capability.VIEW_DOCUMENTS,
            Capability.EDIT_DOCUMENTS,
            Capability.APPROVE_DOCUMENTS,
            Capability.GIVE_INFORMATION,
            Capability.ASSESS_CLIENTS,
            Capability.MANAGE_PRODUCTS,
            Capability.RECALL_LOOKUP,
            Capability.VIEW_AUDIT,
        }
    ),
    Role.NURSE: frozenset(
        {
            Capability.VIEW_CLIENTS,
            Capability.EDIT_CLIENTS,
            Capability.REVEAL_CPR,
            Capability.VIEW_CLINICAL,
            Capability.PRE_CONSULT,
            Capability.TREAT,
            Capability.VIEW_DOCUMENTS,
            Capability.GIVE_INFORMATION,
            Capability.MANAGE_PRODUCTS,
            Capability.RECALL_LOOKUP,
        }
    ),
    Role.COSMETOLOGIST: frozenset(
        {
            Capability.VIEW_CLIENTS,
            Capability.EDIT_CLIENTS,
            Capability.VIEW_CLINICAL,
            Capability.TREAT,
            Capability.VIEW_DOCUMENTS,
        }
    ),
    Role.RECEPTION: frozenset(
        {Capability.VIEW_CLIENTS, Capability.EDIT_CLIENTS, Capability.REVEAL_CPR, Capability.VIEW_DOCUMENTS}
    ),
    Role.ADMIN: frozenset(
        {
            Capability.MANAGE_STAFF,
            Capability.VIEW_AUDIT,
            Capability.VIEW_DOCUMENTS,
            Capability.EDIT_DOCUMENTS,
            Capability.MANAGE_PRODUCTS,
        }
    ),
}


def capabilities_of(user: object) -> frozenset[Capability]:
    role_set: frozenset[str] = getattr(user, "role_set", frozenset())
    if not getattr(user, "is_active", False):
        return frozenset()
    caps: set[Capability] = set()
    for role in role_set:
        caps |= ROLE_CAPABILITIES.get(role, frozenset())
    return frozenset(caps)


def user_can(user: object, capability: Capability) -> bool:
    return capability in capabilities_of(user)
