from django.db import models
from django.utils.translation import gettext_lazy as _


class SpotKind(models.TextChoices):
    SCENIC_AREA = "scenic_area", _("Scenic area")  # 景区
    SCENIC_VILLAGE = "scenic_village", _("Scenic village")  # 景区村庄 (assessed on the sheet)
    ATTRACTION = "attraction", _("Attraction")  # 景点
    VENUE = "venue", _("Venue")  # 场馆
    FARM_RESTAURANT = "farm_restaurant", _("Farm restaurant")  # 农家乐
    HOMESTAY = "homestay", _("Homestay")  # 民宿
    OTHER = "other", _("Other")


class GradeScheme(models.TextChoices):
    # 旅游景区质量等级 (national, A to AAAAA) and 浙江 A 级景区村庄 (provincial, A to AAA).
    NATIONAL = "national", _("National scenic-area grade")
    SCENIC_VILLAGE = "scenic_village", _("Zhejiang scenic-village grade")


class Grade(models.TextChoices):
    A = "A", "A"
    AA = "AA", "AA"
    AAA = "AAA", "AAA"
    AAAA = "AAAA", "AAAA"
    AAAAA = "AAAAA", "AAAAA"


class OperatorKind(models.TextChoices):
    FARM_RESTAURANT = "farm_restaurant", _("Farm restaurant")  # 农家乐
    HOMESTAY = "homestay", _("Homestay")  # 民宿


class Premises(models.TextChoices):
    OWNED = "owned", _("Owned")
    RENTED = "rented", _("Rented")


class CountMethod(models.TextChoices):
    TICKETS = "tickets", _("Tickets sold")
    GATE = "gate", _("Gate counter")
    ESTIMATE = "estimate", _("Estimate")
