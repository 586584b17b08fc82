from django.urls import path

from referrals import external_views, privacy_views, views

app_name = "referrals"

urlpatterns = [
    path("cases/", views.case_list, name="case-list"),
    path("cases/new/", views.case_create, name="case-create"),
    path("cases/access-log/", views.access_log, name="access-log"),
    path("cases/rights/", privacy_views.rights_lookup, name="rights-lookup"),
    path("cases/<int:pk>/", views.case_detail, name="case-detail"),
    path("cases/<int:pk>/rights/", privacy_views.rights, name="rights"),
    path("cases/<int:pk>/subject-access/", privacy_views.subject_access, name="subject-access"),
    path("cases/<int:pk>/erase/", privacy_views.erase, name="erase"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case-edit"),
    path("cases/<int:pk>/consents/", views.consent_create, name="consent-create"),
    path(
        "cases/<int:pk>/consents/<int:consent_pk>/withdraw/",
        views.consent_withdraw,
        name="consent-withdraw",
    ),
    path("cases/<int:pk>/refer/", views.referral_create, name="referral-create"),
    path(
        "cases/<int:pk>/refer-off-platform/",
        external_views.external_referral_create,
        name="external-create",
    ),
    path(
        "external-referrals/<int:pk>/",
        external_views.external_referral_detail,
        name="external-detail",
    ),
    path(
        "external-referrals/<int:pk>/outcome/",
        external_views.external_referral_outcome,
        name="external-outcome",
    ),
    path(
        "external-referrals/<int:pk>/slip/",
        external_views.external_referral_slip,
        name="external-slip",
    ),
    path("referrals/", views.referral_list, name="list"),
    path("referrals/<int:pk>/", views.referral_detail, name="detail"),
    path("referrals/<int:pk>/consent/", views.referral_consent, name="referral-consent"),
    path("referrals/<int:pk>/discard/", views.referral_discard, name="discard"),
    path("referrals/<int:pk>/slip/", external_views.referral_slip, name="slip"),
    path("referrals/<int:pk>/refer-onwards/", views.referral_refer_onwards, name="refer-onwards"),
    path("referrals/<int:pk>/<slug:action>/", views.referral_action, name="action"),
]
