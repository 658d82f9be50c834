"""docs/permissions.md shows people the same matrix the code enforces."""

from __future__ import annotations

from pathlib import Path

from skinchart.accounts.models import Role
from skinchart.accounts.permissions import ROLE_CAPABILITIES, Capability

DOC = Path(__file__).resolve().parents[3] / "docs" / "permissions.md"
ROLES = [Role.DOCTOR, Role.NURSE, Role.COSMETOLOGIST, Role.RECEPTION, Role.ADMIN]


def documented_matrix() -> dict[str, list[str]]:
    rows = [line.split("|")[1:-1] for line in DOC.read_text(encoding="utf-8").splitlines() if line.startswith("| ")]
    return {cells[0].strip(): [cell.strip() for cell in cells[1:]] for cells in rows[2:]}


def test_the_document_lists_every_capability_with_the_roles_that_hold_it() -> None:
    expected = {cap.value: ["yes" if cap in ROLE_CAPABILITIES[role] else "—" for role in ROLES] for cap in Capability}
    assert documented_matrix() == expected
