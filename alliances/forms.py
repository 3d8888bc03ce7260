"""Forms of the alliances pages (the services validate again)."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from alliances.choices import (
    AttendanceStatus,
    DecisionRule,
    DutyStatus,
    MeetingKind,
    QuorumRule,
    VoteChoice,
)
from alliances.exceptions import MeetingError
from alliances.selectors import series_days

__all__ = [
    "AgendaItemForm",
    "AttendanceForm",
    "DecisionForm",
    "DutyFilterForm",
    "DutyRowForm",
    "DutyUpdateForm",
    "EvidenceForm",
    "MeetingForm",
    "MinutesForm",
    "SeriesForm",
    "VoteGridForm",
    "duty_formset",
]

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

# A progress report says started or done; "planned" is the state before any report and
# "verified" is a city admin's check (`verify_duty`).
REPORTABLE_CHOICES = [
    (value, label)
    for value, label in DutyStatus.choices
    if value in (DutyStatus.IN_PROGRESS, DutyStatus.DONE)
]


class DutyFilterForm(forms.Form):
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), ("open", _("Open (not done)")), *DutyStatus.choices],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, owners=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", _("All owners")), *owners]


class DutyUpdateForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=REPORTABLE_CHOICES)
    percent = forms.IntegerField(
        label=_("Progress (%)"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("Done is 100%."),
    )
    on = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Today if empty."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def clean_on(self):
        return self.cleaned_data["on"] or timezone.localdate()


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("File"))
    title = forms.CharField(label=_("Title"), required=False, max_length=200)


# ---------------------------------------------------------------------------------------------
# Running a meeting. Choices come from rows the page has already read (no query per form);
# the services check every rule again.


class MeetingForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("Title"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("Starts at"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    consortium = forms.ChoiceField(
        label=_("Consortium"),
        required=False,
        help_text=_("For a consortium's meeting: quorum then counts its members."),
    )
    quorum_rule = forms.ChoiceField(
        label=_("Quorum"), choices=QuorumRule.choices, initial=QuorumRule.MAJORITY
    )

    def __init__(self, *args, consortia=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["consortium"].choices = [
            ("", _("The whole alliance")),
            *((str(c.pk), c.name) for c in consortia),
        ]


class SeriesForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=MeetingKind.choices, initial=MeetingKind.ROUNDTABLE
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    first_on = forms.DateField(label=_("First meeting on"), widget=DATE)
    every_months = forms.IntegerField(
        label=_("Every (months)"), min_value=1, max_value=24, initial=3
    )
    until = forms.DateField(
        label=_("Until"), widget=DATE, help_text=_("No meeting of the series after this day.")
    )
    start_time = forms.TimeField(
        label=_("Start time"), initial="14:00", widget=forms.TimeInput(attrs={"type": "time"})
    )
    location = forms.CharField(label=_("Location"), max_length=200, required=False)
    quorum_rule = forms.ChoiceField(
        label=_("Quorum"), choices=QuorumRule.choices, initial=QuorumRule.MAJORITY
    )

    def clean(self):
        data = super().clean()
        first, until = data.get("first_on"), data.get("until")
        if first and until and until < first:
            self.add_error("until", _("The series ends on or after its first meeting."))
        elif first and until and data.get("every_months"):
            try:
                series_days(first, data["every_months"], until)
            except MeetingError as error:
                self.add_error("until", str(error))
        return data


class AgendaItemForm(forms.Form):
    title = forms.CharField(label=_("Agenda item"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AttendanceForm(forms.Form):
    """One row per member on the meeting day: status (or not recorded) and who came."""

    NOT_RECORDED = ""

    def __init__(self, *args, roll=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.roll = list(roll)
        for entry in self.roll:
            key, row = entry["key"], entry["row"]
            self.fields[f"status_{key}"] = forms.ChoiceField(
                label=entry["name"],
                required=False,
                choices=[(self.NOT_RECORDED, _("not recorded")), *AttendanceStatus.choices],
                initial=row.status if row is not None else self.NOT_RECORDED,
            )
            self.fields[f"attendee_{key}"] = forms.CharField(
                label=_("Attended by"),
                required=False,
                max_length=100,
                initial=row.attendee if row is not None else "",
            )

    def rows(self):
        for entry in self.roll:
            key = entry["key"]
            yield {**entry, "status": self[f"status_{key}"], "attendee": self[f"attendee_{key}"]}

    def entries(self) -> list[tuple]:
        """(member, status, attendee) for every row with a status (blank rows are left as
        they are: attendance is corrected, never removed)."""
        data = self.cleaned_data
        return [
            (entry["member"], data[f"status_{entry['key']}"], data[f"attendee_{entry['key']}"])
            for entry in self.roll
            if data[f"status_{entry['key']}"]
        ]

    def clean(self):
        data = super().clean()
        if not any(data.get(f"status_{entry['key']}") for entry in self.roll):
            raise forms.ValidationError(_("Record at least one member's attendance."))
        return data


class MinutesForm(forms.Form):
    text = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 8}))


class DecisionForm(forms.Form):
    text = forms.CharField(label=_("Decision"), widget=forms.Textarea(attrs={"rows": 2}))
    agenda_item = forms.ChoiceField(label=_("Agenda item"), required=False)
    rule = forms.ChoiceField(
        label=_("Rule"), choices=DecisionRule.choices, initial=DecisionRule.SIMPLE_PRESENT
    )

    def __init__(self, *args, agenda=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.agenda = {str(item.pk): item for item in agenda}
        self.fields["agenda_item"].choices = [
            ("", "—"),
            *((key, item.title) for key, item in self.agenda.items()),
        ]

    def clean_agenda_item(self):
        return self.agenda.get(self.cleaned_data["agenda_item"])


class VoteGridForm(forms.Form):
    """One row per member present: for / against / abstain (or no vote yet)."""

    def __init__(self, *args, voters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.voters = list(voters)
        for entry in self.voters:
            self.fields[f"vote_{entry['key']}"] = forms.ChoiceField(
                label=entry["name"],
                required=False,
                choices=VoteChoice.choices,
                widget=forms.RadioSelect,
            )

    def rows(self):
        for entry in self.voters:
            yield {**entry, "field": self[f"vote_{entry['key']}"]}

    def votes(self) -> list[tuple]:
        data = self.cleaned_data
        return [
            (entry["member"], data[f"vote_{entry['key']}"])
            for entry in self.voters
            if data[f"vote_{entry['key']}"]
        ]

    def clean(self):
        data = super().clean()
        if not any(data.get(f"vote_{entry['key']}") for entry in self.voters):
            raise forms.ValidationError(_("Choose at least one member's vote."))
        return data


class DutyRowForm(forms.Form):
    title = forms.CharField(label=_("Duty"), max_length=200)
    owner = forms.ChoiceField(label=_("Owner"))
    owner_name = forms.CharField(label=_("Responsible person"), max_length=100, required=False)
    due_on = forms.DateField(label=_("Due on"), widget=DATE)

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.owners = owners or {}
        self.fields["owner"].choices = [
            ("", "—"),
            *((key, entry["name"]) for key, entry in self.owners.items()),
        ]

    def clean_owner(self):
        return self.owners[self.cleaned_data["owner"]]["member"]


DUTY_ROWS = 3


def duty_formset(decision, owners: dict, data=None):
    """A few duty rows for a passed decision; blank rows are ignored."""
    formset_class = forms.formset_factory(
        DutyRowForm, extra=DUTY_ROWS - 1, min_num=1, validate_min=True, max_num=20
    )
    return formset_class(data, prefix=f"duties-{decision.pk}", form_kwargs={"owners": owners})
