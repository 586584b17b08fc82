"""Terms of reference (versions, adoption by a meeting's decision, endorsements) and referral
pathways (steps made of directory services, which they follow as they change)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from coordination import services
from coordination.models import Decision, Occurrence
from organisations.models import CapacityStatus, Service
from tests.coordination.conftest import api
from tests.factories import ServiceFactory, member


def decision_of(world, group=None, *, actor=None) -> Decision:
    group = group or world.group
    meeting = world.meeting(group=group, actor=actor or world.coordinator, rrule="")
    occurrence, _ = Occurrence.objects.get_or_create(
        meeting=meeting, original_start=meeting.first_start
    )
    return Decision.objects.create(occurrence=occurrence, text="We adopt it.")


def test_terms_are_written_adopted_by_a_decision_and_endorsed_by_each_member(world):
    coordinator = api(world.coordinator)
    created = coordinator.post(
        "/api/v1/terms/",
        {
            "group": world.group.pk,
            "mandate": "Refer migrants to the right help, without duplication.",
            "meeting_frequency": "Monthly",
            "commitments": [
                {"organisation": world.cso.pk, "commitment": "Shelter", "focal_point": "Ms A"}
            ],
        },
        format="json",
    )
    assert created.status_code == 201, created.data
    terms_url = f"/api/v1/terms/{created.data['id']}/"
    group_terms = f"/api/v1/coordination-groups/{world.group.pk}/terms/"
    assert created.data["version"] == 1
    assert api(world.member_worker).get(group_terms).status_code == 404  # nothing adopted yet

    other_decision = decision_of(
        world, world.other_group, actor=world.other_group.coordinators.get()
    )
    refused = coordinator.post(f"{terms_url}adopt/", {"decision": other_decision.pk}, format="json")
    assert refused.status_code == 400
    assert "decision" in refused.data
    adopted = coordinator.post(
        f"{terms_url}adopt/", {"decision": decision_of(world).pk}, format="json"
    )
    assert adopted.status_code == 200, adopted.data
    assert coordinator.patch(terms_url, {"mandate": "Other"}, format="json").status_code == 409

    endorse = {"organisation": world.cso.pk}
    assert (
        api(world.member_worker).post(f"{terms_url}endorse/", endorse, format="json").status_code
        == 403
    )
    assert (
        api(world.member_supervisor)
        .post(f"{terms_url}endorse/", endorse, format="json")
        .status_code
        == 200
    )
    assert (
        api(world.member_supervisor)
        .post(f"{terms_url}endorse/", endorse, format="json")
        .status_code
        == 409
    )

    shown = api(world.member_worker).get(group_terms)
    assert shown.status_code == 200
    assert [e["organisation"] for e in shown.data["endorsements"]] == [world.cso.pk]
    assert world.cso.pk not in [o["id"] for o in shown.data["not_endorsed"]]
    assert world.office.pk in [o["id"] for o in shown.data["not_endorsed"]]
    assert shown.data["commitments"][0]["focal_point"] == "Ms A"
    assert api(world.outsider).get(group_terms).status_code == 404
    assert api(world.outsider).get(terms_url).status_code == 404


def test_a_new_version_carries_the_commitments_over_and_the_old_one_stays_readable(world):
    first = services.terms_create(
        actor=world.coordinator,
        group=world.group,
        mandate="Version one",
        commitments={world.cso.pk: ("Shelter", "Ms A")},
    )
    services.terms_adopt(actor=world.coordinator, terms_id=first.pk, decision=decision_of(world))
    second = services.terms_create(
        actor=world.coordinator, group=world.group, mandate="Version two", change_note="Scope"
    )

    versions = api(world.member_worker).get(f"/api/v1/terms/?group={world.group.pk}").data
    group_terms = api(world.member_worker).get(
        f"/api/v1/coordination-groups/{world.group.pk}/terms/"
    )

    assert [(t["version"], t["is_adopted"]) for t in versions["results"]] == [(2, False), (1, True)]
    assert versions["results"][0]["commitments"][0]["commitment"] == "Shelter"
    assert second.change_note == "Scope"
    assert group_terms.data["version"] == 1  # the draft is not the adopted version


def test_only_coordinators_write_terms_and_pathways(world):
    terms = api(world.member_supervisor).post(
        "/api/v1/terms/", {"group": world.group.pk, "mandate": "Ours"}, format="json"
    )
    pathway = api(world.member_supervisor).post(
        "/api/v1/pathways/",
        {"group": world.group.pk, "category": "food", "city": "Sfax", "title": "Food"},
        format="json",
    )

    assert terms.status_code == 403
    assert pathway.status_code == 403


def test_a_pathway_follows_a_change_to_its_service(world):
    shelter = ServiceFactory(
        organisation=world.cso, category="emergency_shelter", city="Sfax", name="Night shelter"
    )
    created = api(world.coordinator).post(
        "/api/v1/pathways/",
        {
            "group": world.group.pk,
            "category": "emergency_shelter",
            "city": "Sfax",
            "title": "A bed tonight",
            "steps": [
                {"title": "Call the hotline", "guidance": "Any hour"},
                {"title": "Go to the shelter", "services": [shelter.pk]},
            ],
        },
        format="json",
    )
    assert created.status_code == 201, created.data

    Service.objects.filter(pk=shelter.pk).update(
        capacity_status=CapacityStatus.FULL, opening_hours="18:00–08:00"
    )
    found = api(world.member_worker).get("/api/v1/pathways/?category=emergency_shelter&city=sfax")

    (pathway,) = found.data["results"]
    step = pathway["steps"][1]
    assert [s["title"] for s in pathway["steps"]] == ["Call the hotline", "Go to the shelter"]
    assert step["services"][0]["capacity_status"] == "full"
    assert step["services"][0]["opening_hours"] == "18:00–08:00"
    assert api(world.outsider).get("/api/v1/pathways/").data["results"] == []
    assert api(world.member_worker).get("/api/v1/pathways/?category=food").data["results"] == []
    assert api(world.member_worker).get("/api/v1/pathways/?category=coffee").status_code == 400


def test_a_pathway_names_active_services_only(world):
    closed = ServiceFactory(organisation=world.cso, is_active=False)

    response = api(world.coordinator).post(
        "/api/v1/pathways/",
        {
            "group": world.group.pk,
            "category": "food",
            "city": "Sfax",
            "title": "Food",
            "steps": [{"title": "Eat", "services": [closed.pk]}],
        },
        format="json",
    )

    assert response.status_code == 400
    assert "steps" in response.data


def test_the_pathway_list_reads_a_fixed_number_of_queries(world):
    def count(pathways: int) -> int:
        for number in range(pathways):
            services.pathway_create(
                actor=world.coordinator,
                group=world.group,
                category="food",
                city="Sfax",
                title=f"Food {number}",
                steps=[
                    {"title": "One", "services": [ServiceFactory(organisation=world.cso).pk]},
                    {"title": "Two", "services": [ServiceFactory(organisation=world.office).pk]},
                ],
            )
        user = type(world.member_worker).objects.get(pk=world.member_worker.pk)
        with CaptureQueriesContext(connection) as queries:
            response = api(user).get("/api/v1/pathways/?page_size=200")
        assert response.status_code == 200
        return len(queries)

    assert count(2) == count(30)


def test_a_decision_to_adopt_is_needed_before_endorsing(world):
    terms = services.terms_create(actor=world.coordinator, group=world.group, mandate="Draft")
    supervisor = member(world.office, "admin", username="office.admin")

    response = api(supervisor).post(
        f"/api/v1/terms/{terms.pk}/endorse/", {"organisation": world.office.pk}, format="json"
    )

    assert response.status_code == 409


def test_a_published_pathway_never_shows_a_confidential_or_private_service(world):
    from coordination import selectors

    public = ServiceFactory(organisation=world.cso, name="Open clinic", is_public=True)
    secret = ServiceFactory(
        organisation=world.cso, name="Refuge", category="gbv_response", location_confidential=True
    )
    private = ServiceFactory(organisation=world.office, name="Internal desk")
    pathway = services.pathway_create(
        actor=world.coordinator,
        group=world.group,
        category="gbv_response",
        city="Sfax",
        title="Safety first",
        steps=[{"title": "A safe place", "services": [secret, public, private]}],
    )
    client = api(world.coordinator)
    url = f"/api/v1/pathways/{pathway.pk}/"

    early = client.patch(url, {"is_published": True}, format="json")
    services.pathway_adopt(
        actor=world.coordinator, pathway_id=pathway.pk, decision=decision_of(world)
    )
    published = client.patch(url, {"is_published": True}, format="json")

    assert early.status_code == 409  # adopted first
    assert published.status_code == 200
    assert published.data["is_published"] is True
    (shown,) = selectors.published_pathways(category="gbv_response", city="sfax")
    (step,) = shown.steps.all()
    assert [s.name for s in step.public_services] == ["Open clinic"]
    # The members still see every service of the step.
    assert len(client.get(url).data["steps"][0]["services"]) == 3
