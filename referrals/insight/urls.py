from django.urls import path

from referrals.insight import views

app_name = "insight"

urlpatterns = [
    path("referrals/", views.referral_statistics, name="referrals"),
    path("profile/", views.migration_profile, name="profile"),
]
