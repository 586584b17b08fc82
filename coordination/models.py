"""Coordination groups: the city, CSOs and international organisations that divide the work."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from organisations.models import Organisation


class CoordinationGroup(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    description = models.TextField(_("description"), blank=True)
    convening_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="convened_groups",
        verbose_name=_("convening organisation"),
    )
    members = models.ManyToManyField(
        Organisation, related_name="coordination_groups", verbose_name=_("member organisations")
    )
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="coordinated_groups",
        blank=True,
        verbose_name=_("coordinators"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("coordination group")
        verbose_name_plural = _("coordination groups")

    def __str__(self) -> str:
        return self.name
