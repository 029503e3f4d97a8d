from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from productops.accounts.models import Team, User
from research import fatigue, targeting
from research.models import (
    COMPANY_SIZES,
    PLANS,
    REGIONS,
    USAGE_LEVELS,
    AttributeDefinition,
    ResearchRequest,
)

MAX_INCENTIVE = 2000


def _choices(values, blank="Any"):
    return [("", blank)] + [(v, v) for v in values]


def _attrs(attrs: dict) -> str:
    """What django/forms/widgets/attrs.html prints."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class FlatSelect(forms.Select):
    """forms.Select printed in Python, to the character what its templates print.

    The panel's filter row has seven selects; Django renders each option through two template
    includes, which cost the page more CPU (~4 ms) than its fifty table rows. Grouped choices
    and multiple selection, which the filters never use, go to Django's templates."""

    def render(self, name, value, attrs=None, renderer=None):
        # Not list(): a ModelChoiceIterator would count its queryset first for the length hint.
        choices = [choice for choice in self.choices]
        if self.allow_multiple_selected or any(
            isinstance(label, (list, tuple)) for _, label in choices
        ):
            return super().render(name, value, attrs, renderer)
        wanted = self.format_value(value)
        options = []
        chosen = False
        for option_value, label in choices:
            option_value = "" if option_value is None else str(option_value)
            selected = not chosen and option_value in wanted
            chosen |= selected
            options.append(
                f'\n  <option value="{escape(option_value)}"{" selected" if selected else ""}>'
                f"{escape(label)}</option>\n"
            )
        return mark_safe(  # noqa: S308 - every value is escaped
            f'<select name="{escape(name)}"{_attrs(self.build_attrs(self.attrs, attrs))}>'
            f"{''.join(options)}\n</select>"
        )


class PanelFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=100, label="Search")
    plan = forms.ChoiceField(required=False, choices=_choices(PLANS), widget=FlatSelect)
    region = forms.ChoiceField(required=False, choices=_choices(REGIONS), widget=FlatSelect)
    company_size = forms.ChoiceField(
        required=False, choices=_choices(COMPANY_SIZES), label="Company size", widget=FlatSelect
    )
    usage_level = forms.ChoiceField(
        required=False, choices=_choices(USAGE_LEVELS), label="Usage", widget=FlatSelect
    )
    country = forms.CharField(required=False, max_length=60)
    status = forms.ChoiceField(
        required=False,
        widget=FlatSelect,
        choices=[
            ("", "Any"),
            ("eligible", "Eligible now"),
            ("cooling", "Cooling down"),
            ("never", "Not contactable"),
        ],
        label="Eligibility",
    )

    def __init__(self, *args, definitions=(), **kwargs):
        super().__init__(*args, **kwargs)
        # Declared attributes filter too; numbers by a range.
        self.custom_fields = []
        for d in definitions:
            label = d.label or d.name
            if d.type == AttributeDefinition.Type.NUMBER:
                for end in ("min", "max"):
                    self.fields[f"attr_{d.name}_{end}"] = forms.FloatField(
                        required=False, label=f"{label} ({'from' if end == 'min' else 'to'})"
                    )
                    self.custom_fields.append((f"attr_{d.name}_{end}", d, end))
                continue
            if d.type == AttributeDefinition.Type.CHOICE:
                field = forms.ChoiceField(
                    required=False, choices=_choices(d.allowed_values), widget=FlatSelect
                )
            elif d.type == AttributeDefinition.Type.BOOLEAN:
                field = forms.ChoiceField(
                    required=False,
                    choices=[("", "Any"), ("yes", "Yes"), ("no", "No")],
                    widget=FlatSelect,
                )
            else:
                field = forms.CharField(required=False, max_length=200)
            field.label = label
            self.fields[f"attr_{d.name}"] = field
            self.custom_fields.append((f"attr_{d.name}", d, None))
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def filter(self, qs, *, with_email: bool):
        data = self.cleaned_data
        qs = qs.search(data.get("q") or "", with_email=with_email)
        for field in ("plan", "region", "company_size", "usage_level"):
            if data.get(field):
                qs = qs.filter(**{field: data[field]})
        if data.get("country"):
            qs = qs.filter(country__iexact=data["country"].strip())
        qs = self.filter_custom(qs)
        now = timezone.now()
        if data.get("status") == "eligible":
            qs = qs.filter(next_eligible_at__lte=now)
        elif data.get("status") == "cooling":
            qs = qs.filter(next_eligible_at__gt=now)
        elif data.get("status") == "never":
            qs = qs.filter(next_eligible_at__isnull=True)
        return qs

    def filter_custom(self, qs):
        """Only the declared attributes' filters (the API filters built-in ones itself)."""
        data = self.cleaned_data
        for key, d, end in self.custom_fields:
            value = data.get(key)
            if value in (None, ""):
                continue
            column = f"attributes__{d.name}"
            if end:
                qs = qs.filter(**{f"{column}__{'gte' if end == 'min' else 'lte'}": value})
            elif d.type == AttributeDefinition.Type.BOOLEAN:
                qs = qs.filter(**{column: value == "yes"})
            elif d.type == AttributeDefinition.Type.TEXT:
                qs = qs.filter(**{f"{column}__iexact": value.strip()})
            else:
                qs = qs.filter(**{column: value})
        return qs


def _bound(field, low: int, high: int) -> None:
    """Bounds on a model form's integer field: validators, so they hold server-side too."""
    field.min_value, field.max_value = low, high
    field.validators += [MinValueValidator(low), MaxValueValidator(high)]
    field.widget.attrs.update(min=low, max=high)


class ResearchRequestForm(forms.ModelForm):
    """The request with its criteria as one field per attribute, so it works without JavaScript."""

    incentive = forms.DecimalField(
        required=False,
        min_value=0,
        max_value=MAX_INCENTIVE,
        decimal_places=2,
        initial=0,
        label="Incentive per participant",
        help_text="In your currency; 0 for none.",
    )
    dimensions = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Keep representative on",
        help_text=f"Up to {targeting.MAX_DIMENSIONS}; the sample mirrors the eligible panel on these.",
    )

    class Meta:
        model = ResearchRequest
        fields = [
            "title",
            "team",
            "goal",
            "method",
            "session_minutes",
            "participants_needed",
            "deadline",
        ]
        widgets = {
            "goal": forms.Textarea(attrs={"rows": 3}),
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        labels = {
            "session_minutes": "Session length (minutes)",
            "participants_needed": "Participants",
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.catalogue = targeting.attribute_catalogue()
        teams = Team.objects.all() if user.is_productops_admin else Team.objects.for_user(user)
        if self.instance.pk:
            teams = teams | Team.objects.filter(pk=self.instance.team_id)
        self.fields["team"].queryset = teams.distinct()
        _bound(self.fields["session_minutes"], 5, 480)
        _bound(self.fields["participants_needed"], 1, 500)
        self.fields["dimensions"].choices = [
            (name, spec["label"])
            for name, spec in self.catalogue.items()
            if spec["type"] != "number"
        ]
        self.criteria_fields = []
        for name, spec in self.catalogue.items():
            key = f"crit_{name}"
            if spec["values"]:
                self.fields[key] = forms.MultipleChoiceField(
                    required=False,
                    label=spec["label"],
                    choices=[(v, v) for v in spec["values"]],
                    widget=forms.CheckboxSelectMultiple,
                )
            elif spec["type"] == "boolean":
                self.fields[key] = forms.MultipleChoiceField(
                    required=False,
                    label=spec["label"],
                    choices=[("true", "Yes"), ("false", "No")],
                    widget=forms.CheckboxSelectMultiple,
                )
            elif spec["type"] == "number":
                continue  # numeric filters are for the API: {"min": .., "max": ..}
            else:
                self.fields[key] = forms.CharField(
                    required=False,
                    label=spec["label"],
                    max_length=300,
                    help_text="Comma-separated; empty for any.",
                )
            self.criteria_fields.append(key)
        if self.instance.pk:
            for name, values in (self.instance.criteria or {}).items():
                if f"crit_{name}" in self.fields and isinstance(values, list):
                    spec = self.catalogue[name]
                    if spec["type"] == "boolean":
                        self.initial[f"crit_{name}"] = ["true" if v else "false" for v in values]
                    else:
                        self.initial[f"crit_{name}"] = (
                            values if spec["values"] else ", ".join(values)
                        )
            self.initial["dimensions"] = self.instance.dimensions
            self.initial["incentive"] = Decimal(self.instance.incentive_cents) / 100

    def clean_title(self):
        return " ".join(self.cleaned_data["title"].split())

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise ValidationError("The deadline is in the past; pick a future date.")
        return deadline

    def raw_criteria(self) -> dict:
        raw = {}
        for key in self.criteria_fields:
            value = self.cleaned_data.get(key)
            if isinstance(value, str):
                value = [v.strip() for v in value.split(",") if v.strip()]
            if value:
                raw[key.removeprefix("crit_")] = list(value)
        return raw

    def clean(self):
        data = super().clean()
        try:
            data["criteria"] = targeting.criteria_clean(
                self.raw_criteria(), catalogue=self.catalogue
            )
        except ValidationError as e:
            self.add_error(None, e.message_dict.get("criteria", e.messages))
        try:
            data["dimensions"] = targeting.dimensions_clean(
                data.get("dimensions"), catalogue=self.catalogue
            )
        except ValidationError as e:
            self.add_error("dimensions", e.message_dict["dimensions"])
        return data

    def save(self, commit=True):
        request = super().save(commit=False)
        request.criteria = self.cleaned_data.get("criteria", {})
        request.dimensions = self.cleaned_data.get("dimensions", [])
        request.incentive_cents = int((self.cleaned_data.get("incentive") or 0) * 100)
        if not request.pk:
            request.researcher = self.user
        if commit:
            request.save()
        return request

    def changes(self) -> dict:
        """The edited values, as research.request_edits.request_update takes them."""
        data = self.cleaned_data
        changes = {field: data[field] for field in self.Meta.fields}
        changes["criteria"] = data.get("criteria", {})
        changes["dimensions"] = data.get("dimensions", [])
        changes["incentive_cents"] = int((data.get("incentive") or 0) * 100)
        return changes


class RequestCancelForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=500,
        label="Why cancel it?",
        help_text="The team and the admins read this; the request stops counting as an overlap.",
    )


class AttributeForm(forms.Form):
    """Declare or edit a custom participant attribute; rules live in research.attributes."""

    name = forms.CharField(
        max_length=40,
        help_text="The key in imports and criteria: lower-case letters, digits and underscores. "
        "It cannot change later.",
    )
    label = forms.CharField(
        max_length=80, required=False, help_text="Shown in forms; the name if left empty."
    )
    type = forms.ChoiceField(choices=AttributeDefinition.Type.choices)
    allowed_values = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 5}),
        label="Allowed values",
        help_text="One per line, for 'one of a list' only.",
    )

    def __init__(self, *args, definition=None, **kwargs):
        if definition is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": definition.name,
                    "label": definition.label,
                    "type": definition.type,
                    "allowed_values": "\n".join(map(str, definition.allowed_values or [])),
                },
            )
        super().__init__(*args, **kwargs)
        if definition is not None:
            self.fields["name"].disabled = True
            self.fields["name"].help_text = "Names never change: criteria and imports use them."

    def clean_allowed_values(self):
        return [v.strip() for v in self.cleaned_data["allowed_values"].splitlines() if v.strip()]


class AccountForm(forms.Form):
    renewal_date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text="The renewal quiet period counts back from this day.",
    )
    owner = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True),
        required=False,
        label="Account owner",
        empty_label="— nobody in the portal —",
    )
    owner_name = forms.CharField(
        max_length=120, required=False, label="Owner as the CRM names them"
    )
    owner_flagged = forms.BooleanField(
        required=False,
        label="The owner asks not to contact this account",
        help_text="While set, no one at the account is invited (if the fatigue rules respect it).",
    )
    owner_flag_reason = forms.CharField(
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="The owner's reason",
        help_text="Required with the flag, e.g. 'escalation open until the outage review'.",
    )


class OverrideForm(forms.Form):
    request = forms.ModelChoiceField(
        queryset=ResearchRequest.objects.none(),
        help_text="The override lets only this request past the cooldown, and ends with it.",
    )
    rule = forms.ChoiceField(
        choices=[(r, fatigue.RULE_NAMES[r]) for r in sorted(fatigue.OVERRIDABLE)]
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["request"].queryset = overridable_requests(user)

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text="Why this person must be contacted again now. Audited; ProductOps reads these.",
    )


def overridable_requests(user):
    """Open requests this person may override a cooldown for: their own, or any for admins."""
    qs = ResearchRequest.objects.open().filter(deadline__gte=timezone.localdate())
    if not user.is_productops_admin:
        qs = qs.filter(researcher=user)
    return qs.select_related("team")


class OptOutForm(forms.Form):
    reason = forms.CharField(
        max_length=300,
        help_text="How the person asked, e.g. “replied STOP to the invitation”. Audited; only they can opt back in.",
    )


class RulesForm(forms.Form):
    max_invitations = forms.IntegerField(
        min_value=0, max_value=100, label="Invitations allowed in the window"
    )
    invitation_window_days = forms.IntegerField(
        min_value=0, max_value=730, label="Invitation window (days)"
    )
    invitation_cooldown_days = forms.IntegerField(
        min_value=0, max_value=365, label="Cooldown after an invitation (days)"
    )
    session_cooldown_days = forms.IntegerField(
        min_value=0, max_value=730, label="Cooldown after a session (days)"
    )
    max_sessions_per_year = forms.IntegerField(
        min_value=0, max_value=100, label="Sessions per participant per year"
    )
    account_max_sessions_per_quarter = forms.IntegerField(
        min_value=0, max_value=10000, label="Sessions per account per quarter"
    )
    account_max_minutes_per_quarter = forms.IntegerField(
        min_value=0, max_value=100000, label="Participant-minutes per account per quarter"
    )
    incentive_cap = forms.DecimalField(
        min_value=0, max_value=100000, decimal_places=2, label="Incentives per participant per year"
    )
    no_show_limit = forms.IntegerField(min_value=0, max_value=20, label="No-shows before exclusion")
    no_show_exclusion_days = forms.IntegerField(
        min_value=0, max_value=730, label="No-show exclusion (days)"
    )
    renewal_quiet_days = forms.IntegerField(
        min_value=0, max_value=365, label="Quiet days before an account renews"
    )
    respect_owner_flag = forms.BooleanField(
        required=False, label="Respect account owners' do-not-contact flags"
    )
    note = forms.CharField(
        max_length=300, label="What changed and why", help_text="Kept with the new version."
    )

    METHODS = [m for m in ResearchRequest.Method]

    def __init__(self, *args, rules: fatigue.Rules, **kwargs):
        initial = rules.to_dict()
        initial["incentive_cap"] = rules.incentive_cap_cents_per_year / 100
        for method in self.METHODS:
            initial[f"method_{method.value}"] = rules.max_sessions_per_year_by_method.get(
                method.value
            )
        super().__init__(*args, initial=initial, **kwargs)
        for method in self.METHODS:
            self.fields[f"method_{method.value}"] = forms.IntegerField(
                required=False,
                min_value=0,
                max_value=100,
                label=f"{method.label} sessions per year",
                help_text="Empty: only the overall limit applies.",
            )

    def rules(self) -> fatigue.Rules:
        d = dict(self.cleaned_data)
        d.pop("note")
        d["incentive_cap_cents_per_year"] = int(d.pop("incentive_cap") * 100)
        by_method = {}
        for method in self.METHODS:
            value = d.pop(f"method_{method.value}", None)
            if value is not None:
                by_method[method.value] = value
        d["max_sessions_per_year_by_method"] = by_method
        return fatigue.Rules.from_dict(d)


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        help_text="CSV (UTF-8) or Excel .xlsx, up to 50 MB, one participant per row."
    )
    sheet = forms.CharField(
        required=False,
        max_length=100,
        help_text="Excel only: the worksheet to import, when the workbook has several.",
    )


class ImportMappingForm(forms.Form):
    def __init__(self, *args, headers, targets, guessed, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "— not in this file —")] + [(h, h) for h in headers]
        for name, (label, required) in targets.items():
            self.fields[name] = forms.ChoiceField(
                required=False,
                choices=choices,
                label=label + (" *" if required else ""),
                initial=guessed.get(name, ""),
            )

    def mapping(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if v}
