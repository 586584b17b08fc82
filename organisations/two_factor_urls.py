from django.urls import path

from organisations import two_factor_views as views

app_name = "two_factor"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("setup/", views.setup, name="setup"),
    path("verify/", views.verify, name="verify"),
    path("backup-codes/", views.backup_codes, name="backup-codes"),
    path("disable/", views.disable, name="disable"),
]
