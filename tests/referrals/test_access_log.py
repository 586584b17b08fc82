"""Every read of personal data through the API leaves a row: who, what, how; and only the
owner's supervisors read that log."""

from __future__ import annotations

from referrals import selectors
from referrals.models import AccessLog, State
from tests.referrals.conftest import get, post


def rows(**filters):
    return AccessLog.objects.filter(**filters)


def test_the_case_list_logs_one_row_per_listed_case(world):
    cases = [world.case() for _ in range(3)]
    world.case(actor=world.third_worker, consent_to=())  # not listed: never logged
    AccessLog.objects.all().delete()

    response = get(world.sender_worker, "/api/v1/cases/")

    assert response.status_code == 200
    logged = rows(user=world.sender_worker)
    assert logged.count() == 3
    assert {row.case_id for row in logged} == {case.pk for case in cases}
    assert {(row.action, row.channel) for row in logged} == {("list", "api")}
    assert all(row.referral_id is None for row in logged)
    assert AccessLog.objects.count() == 3


def test_the_case_detail_logs_one_view(world):
    case = world.case()

    get(world.sender_supervisor, f"/api/v1/cases/{case.pk}/")

    row = AccessLog.objects.get()
    assert (row.user, row.case, row.referral, row.action, row.channel) == (
        world.sender_supervisor,
        case,
        None,
        "view",
        "api",
    )


def test_a_refused_read_logs_nothing(world):
    case = world.case()
    referral = world.referral(State.SUBMITTED, case=case)

    for user in (world.receiver_worker, world.third_worker, world.sender_admin):
        assert get(user, f"/api/v1/cases/{case.pk}/").status_code == 404
    for user in (world.third_worker, world.coordinator, world.former):
        assert get(user, f"/api/v1/referrals/{referral.pk}/").status_code == 404

    assert not AccessLog.objects.exists()


def test_the_referral_detail_logs_a_view_by_either_side(world):
    referral = world.referral(State.SUBMITTED)

    get(world.receiver_worker, f"/api/v1/referrals/{referral.pk}/")
    get(world.sender_worker, f"/api/v1/referrals/{referral.pk}/")
    get(world.receiver_worker, f"/api/v1/referrals/{referral.pk}/")

    logged = rows(referral=referral)
    assert logged.count() == 3
    assert [row.user for row in logged.order_by("id")] == [
        world.receiver_worker,
        world.sender_worker,
        world.receiver_worker,
    ]
    assert {(row.case_id, row.action, row.channel) for row in logged} == {
        (referral.case_id, "view", "api")
    }


def test_the_referral_list_logs_one_row_per_listed_referral(world):
    case = world.case()
    referrals = [
        world.referral(State.SUBMITTED, case=case, category=category)
        for category in ("food", "health", "legal_aid")
    ]

    get(world.receiver_supervisor, "/api/v1/referrals/?box=inbox")

    logged = rows(user=world.receiver_supervisor)
    assert logged.count() == 3
    assert {row.referral_id for row in logged} == {r.pk for r in referrals}
    assert {(row.action, row.channel) for row in logged} == {("list", "api")}


def test_the_receivers_list_logs_nothing_for_revoked_referrals(world):
    case = world.case()
    kept = world.referral(State.SUBMITTED, case=case, category="food")
    withdrawn = world.referral(State.WITHDRAWN, case=case, category="health")

    response = get(world.receiver_worker, "/api/v1/referrals/?box=inbox")

    assert {row["id"] for row in response.data["results"]} == {kept.pk, withdrawn.pk}
    assert list(rows(user=world.receiver_worker).values_list("referral_id", flat=True)) == [kept.pk]
    AccessLog.objects.all().delete()
    get(world.receiver_worker, f"/api/v1/referrals/{withdrawn.pk}/")
    assert not AccessLog.objects.exists()
    # The sender still reads it, and that is logged.
    get(world.sender_worker, "/api/v1/referrals/?box=outbox")
    assert set(rows(user=world.sender_worker).values_list("referral_id", flat=True)) == {
        kept.pk,
        withdrawn.pk,
    }


def test_moderating_logs_nothing(world):
    pending = world.referral(State.PENDING_MODERATION, actor=world.unverified_worker)

    get(world.coordinator, "/api/v1/referrals/?box=moderation")
    get(world.coordinator, f"/api/v1/referrals/{pending.pk}/")
    post(world.coordinator, f"/api/v1/referrals/{pending.pk}/approve/")

    assert not AccessLog.objects.filter(user=world.coordinator).exists()


def test_supervisors_of_the_owner_read_the_log(world):
    referral = world.referral(State.SUBMITTED)
    get(world.receiver_worker, f"/api/v1/referrals/{referral.pk}/")
    get(world.sender_worker, f"/api/v1/cases/{referral.case_id}/")
    foreign = world.case(actor=world.third_worker, consent_to=())
    get(world.third_worker, f"/api/v1/cases/{foreign.pk}/")

    log = selectors.access_log_for(user=world.sender_supervisor, organisation=world.sender)

    assert log.count() == 2
    assert {(row.user, row.case_id) for row in log} == {
        (world.receiver_worker, referral.case_id),
        (world.sender_worker, referral.case_id),
    }
    assert [row.referral for row in log if row.user == world.receiver_worker] == [referral]


def test_nobody_else_reads_the_log(world):
    referral = world.referral(State.SUBMITTED)
    get(world.receiver_worker, f"/api/v1/referrals/{referral.pk}/")
    assert AccessLog.objects.exists()

    for user in (
        world.sender_worker,
        world.sender_admin,
        world.receiver_supervisor,
        world.third_worker,
        world.coordinator,
        world.former,
    ):
        assert not selectors.access_log_for(user=user, organisation=world.sender).exists()
    # A supervisor of the receiver reads only its own organisation's cases (none here).
    assert not selectors.access_log_for(
        user=world.receiver_supervisor, organisation=world.receiver
    ).exists()


def test_the_api_gives_supervisors_the_log_as_the_web_does(world):
    referral = world.referral(State.SUBMITTED)
    get(world.receiver_worker, f"/api/v1/referrals/{referral.pk}/")

    response = get(world.sender_supervisor, "/api/v1/access-log/")

    assert response.status_code == 200, response.data
    rows = response.data["results"]
    assert [(row["by"], row["case"]) for row in rows] == [
        (world.receiver_worker.get_full_name() or world.receiver_worker.username, referral.case_id)
    ]
    assert rows[0]["through_organisation"] == world.receiver.pk
    assert rows[0]["case_reference"] == referral.case.reference
    for user in (world.sender_worker, world.sender_admin, world.coordinator):
        assert get(user, "/api/v1/access-log/").status_code == 403
    # The receiver's supervisor reads their own organisation's log only: no row of the sender's.
    assert get(world.receiver_supervisor, "/api/v1/access-log/").data["results"] == []
    other = get(world.sender_supervisor, f"/api/v1/access-log/?organisation={world.receiver.pk}")
    assert other.status_code == 403


def test_the_case_list_searches_by_reference_or_name_as_the_web_does(world):
    amina = world.case(given_name="Amina")
    omar = world.case(given_name="Omar")

    by_name = get(world.sender_worker, "/api/v1/cases/?search=omar")
    by_reference = get(world.sender_worker, f"/api/v1/cases/?search={amina.reference[-4:]}")

    assert [c["id"] for c in by_name.data["results"]] == [omar.pk]
    assert [c["id"] for c in by_reference.data["results"]] == [amina.pk]
    # Only the listed case's read is logged.
    assert AccessLog.objects.filter(case=amina, action="list").count() == 1
    foreign = get(world.sender_worker, f"/api/v1/cases/?organisation={world.third.pk}")
    assert foreign.data["results"] == []
