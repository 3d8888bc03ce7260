"""The tourism admin: read-only lists for staff (writes go through the services)."""

from django.contrib import admin

from core.admin import ReadOnlyAdmin
from tourism.models import (
    Assessment,
    Association,
    CumulativeFigure,
    GradeAward,
    MonthlyFigure,
    Operator,
    Route,
    Spot,
)

for model in (
    Spot,
    GradeAward,
    Assessment,
    Association,
    Operator,
    Route,
    MonthlyFigure,
    CumulativeFigure,
):
    admin.site.register(model, ReadOnlyAdmin)
