from django.urls import path

from organisations import import_views, views

app_name = "organisations"

urlpatterns = [
    path("", views.organisation_list, name="list"),
    path("switch/", views.switch_organisation, name="switch"),
    path("import/", import_views.directory_import, name="import"),
    path("import/template.csv", import_views.import_template, name="import-template"),
    path("services/", views.service_list, name="services"),
    path("matrix/", views.matrix, name="matrix"),
    path(
        "partnerships/<int:pk>/document/", views.partnership_document, name="partnership-document"
    ),
    path("<int:pk>/", views.organisation_detail, name="detail"),
    path("<int:pk>/edit/", views.organisation_edit, name="edit"),
    path("<int:pk>/services/new/", views.service_create, name="service-create"),
    path("<int:pk>/services/<int:service_pk>/edit/", views.service_edit, name="service-edit"),
    path(
        "<int:pk>/services/<int:service_pk>/capacity/",
        views.service_capacity,
        name="service-capacity",
    ),
    path(
        "<int:pk>/services/<int:service_pk>/archive/", views.service_archive, name="service-archive"
    ),
    path("<int:pk>/members/", views.member_list, name="members"),
    path("<int:pk>/members/<int:membership_pk>/role/", views.member_role, name="member-role"),
    path(
        "<int:pk>/members/<int:membership_pk>/intake/",
        views.member_intake,
        name="member-intake",
    ),
    path(
        "<int:pk>/members/<int:membership_pk>/deactivate/",
        views.member_deactivate,
        name="member-deactivate",
    ),
    path(
        "<int:pk>/members/<int:membership_pk>/reactivate/",
        views.member_reactivate,
        name="member-reactivate",
    ),
]
