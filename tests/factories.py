"""factory_boy factories shared by every app's tests."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth import get_user_model

from organisations import permissions, services
from organisations.models import (
    CapacityStatus,
    Membership,
    Organisation,
    OrganisationKind,
    Partnership,
    Service,
    ServiceCategory,
)

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = OrganisationKind.CSO
    city = "Sfax"
    is_verified = True

    @factory.post_generation
    def groups(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            permissions.role_groups_ensure(organisation=obj)


class MunicipalityFactory(OrganisationFactory):
    kind = OrganisationKind.MUNICIPALITY
    name = factory.Sequence(lambda n: f"Municipality {n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Service {n}")
    category = ServiceCategory.FOOD
    city = factory.LazyAttribute(lambda s: s.organisation.city)
    capacity_status = CapacityStatus.AVAILABLE


class PartnershipFactory(factory.django.DjangoModelFactory):
    """A partnership in force since 2025 with no end date, unless told otherwise."""

    class Meta:
        model = Partnership

    municipality = factory.SubFactory(MunicipalityFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    starts_on = datetime.date(2025, 1, 1)
    ends_on = None
    scope = "Joint accompaniment"


def member(organisation: Organisation, role: str = "caseworker", **user_fields: object) -> object:
    """A user with an active membership (and its group) in the organisation."""
    user = UserFactory(**user_fields)
    services.membership_add(organisation=organisation, user=user, role=role)
    return user


def membership_of(user: object, organisation: Organisation) -> Membership:
    return Membership.objects.get(user=user, organisation=organisation)
