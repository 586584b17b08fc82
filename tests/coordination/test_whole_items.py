"""A list's items in a PATCH body are whole: a role, a commitment or a step without its required
field is a 400 naming it, never a 500 (schemathesis found the contingency plan's)."""

from __future__ import annotations

from coordination import services
from tests.coordination.conftest import api


def test_an_item_without_its_required_field_is_a_400_in_a_patch(world):
    plan = services.plan_create(
        actor=world.coordinator, group=world.group, title="Heat", scenario="A heat wave"
    )
    terms = services.terms_create(actor=world.coordinator, group=world.group, mandate="Refer")
    pathway = services.pathway_create(
        actor=world.coordinator, group=world.group, category="food", city="Sfax", title="Food"
    )
    client = api(world.coordinator)

    for url, body, field in (
        (f"/api/v1/contingency-plans/{plan.pk}/", {"roles": [{"role": "Beds"}]}, "roles"),
        (f"/api/v1/terms/{terms.pk}/", {"commitments": [{"commitment": "Beds"}]}, "commitments"),
        (f"/api/v1/pathways/{pathway.pk}/", {"steps": [{"guidance": "Call"}]}, "steps"),
    ):
        response = client.patch(url, body, format="json")
        assert response.status_code == 400, (url, response.status_code)
        assert field in response.data
