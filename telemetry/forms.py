import re

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from productops.accounts.models import Team
from telemetry import naming, services
from telemetry.models import PLATFORM_CHOICES, PROPERTY_TYPES, Event


def _split(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"[,\n]", text or "") if part.strip()]


class PayloadField(forms.JSONField):
    """An empty payload shows as an empty box, not as `null`."""

    def prepare_value(self, value):
        if value in (None, {}, ""):
            return ""
        return super().prepare_value(value)


class CatalogueFilterForm(forms.Form):
    q = forms.CharField(required=False, max_length=200, label="Search")
    team = forms.SlugField(required=False, max_length=80)
    status = forms.ChoiceField(required=False, choices=[("", "Any status"), *Event.Status.choices])
    platform = forms.ChoiceField(required=False, choices=[("", "Any platform"), *PLATFORM_CHOICES])
    lint = forms.ChoiceField(
        required=False, choices=[("", "Any lint state"), *Event.LintState.choices]
    )
    tag = forms.CharField(required=False, max_length=40)


class EventForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), empty_label=None)
    # No max_length here: services.clean_name explains an over-long name better than the default message.
    name = forms.CharField(
        strip=False,
        error_messages={
            "required": "The name is empty; type the event's name, e.g. “Order Completed”."
        },
        help_text="Type it the way you would send it; the convention check and similar events appear as you type.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    description = forms.CharField(
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Plain text: when it fires and what it means.",
    )
    status = forms.ChoiceField(choices=Event.Status.choices, initial=Event.Status.ACTIVE)
    platforms = forms.MultipleChoiceField(
        required=False, choices=PLATFORM_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    tags = forms.CharField(
        required=False, max_length=400, help_text="Comma-separated, e.g. funnel, checkout"
    )
    properties = forms.CharField(
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text="One per line: name type [required], e.g. “order_id string required”.",
    )
    example_payload = PayloadField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text='A JSON object as your code sends it, e.g. {"order_id": "o-123", "revenue": 42.5}',
    )

    def __init__(self, *args, user, event=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        if event is not None:
            self.fields["team"].queryset = Team.objects.filter(pk=event.team_id)
            self.fields["team"].disabled = True
        else:
            self.fields["team"].queryset = Team.objects.for_user(user).order_by("name")
            # A team's own words change the verdict, so switching team re-checks the name.
            self.fields["team"].widget.attrs.update(
                {
                    "hx-get": reverse("telemetry:event_new"),
                    "hx-vals": '{"check": "1"}',
                    "hx-include": "#id_name",
                    "hx-target": "#lint-result",
                    "hx-swap": "outerHTML",
                    "hx-trigger": "change",
                }
            )

    def clean_name(self):
        try:
            return services.clean_name(self.cleaned_data["name"], field="name")
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["name"]) from exc

    def clean_tags(self):
        try:
            return services.clean_tags(_split(self.cleaned_data["tags"]))
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["tags"]) from exc

    def clean_example_payload(self):
        value = self.cleaned_data["example_payload"]
        if value in (None, ""):
            return {}
        if not isinstance(value, dict):
            raise ValidationError(
                'The example payload must be a JSON object, e.g. {"order_id": "o-123"}.'
            )
        return value

    def clean_properties(self):
        rows = []
        types = {t for t, _ in PROPERTY_TYPES}
        for number, line in enumerate(
            (self.cleaned_data["properties"] or "").splitlines(), start=1
        ):
            parts = line.split()
            if not parts:
                continue
            name = parts[0]
            type_ = parts[1].lower() if len(parts) > 1 else "string"
            if type_ not in types:
                raise ValidationError(
                    f"Line {number}: “{type_}” is not a type; use one of {', '.join(sorted(types))}."
                )
            try:
                name = services.clean_name(name, field="properties")
            except ValidationError as exc:
                raise ValidationError(
                    f"Line {number}: {exc.message_dict['properties'][0]}"
                ) from exc
            rows.append({"name": name, "type": type_, "required": "required" in parts[2:]})
        return rows

    def clean(self):
        data = super().clean()
        # The service re-checks; asking here shows the message next to the field.
        if "name" in data:
            try:
                services._check_name_free(data["name"], event=self.event)
            except ValidationError as exc:
                self.add_error("name", exc.message_dict["name"])
        return data


class ExceptionForm(forms.Form):
    reason = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why this name stays: legacy dashboards, a partner's spec, … Everyone can read it.",
    )


CHOICE_KEYS = {
    "event_case": [
        ("title", "Title Case words"),
        ("snake", "snake_case"),
        ("camel", "camelCase"),
        ("dotted", "category.name dotted snake_case"),
    ],
    "property_case": [
        ("snake", "snake_case"),
        ("camel", "camelCase"),
        ("title", "Title Case"),
        ("dotted", "dotted"),
    ],
    "word_order": [
        ("object_action", "Object then action (Product Viewed)"),
        ("action_object", "Action then object (Viewed Product)"),
    ],
    "tense": [("past", "Past tense"), ("present", "Present tense"), ("any", "Any tense")],
}
HELP = {
    "reserved_prefixes": "Comma-separated, e.g. $, mp_, ga_",
    "reserved_names": "One per line.",
    "abbreviations": "One per line: short = long, e.g. btn = button",
    "actions": "One per line: base = past, e.g. click = clicked",
    "objects": "Known objects, comma-separated or one per line.",
    "synonyms": "One group per line, comma-separated: sign up, signup, register",
    "forbidden_chars": "Characters not allowed in names, typed together.",
}


class ConventionForm(forms.Form):
    """Built from Convention.to_dict(): every rule of the engine is editable without a code change."""

    preset = forms.ChoiceField(choices=[])
    note = forms.CharField(
        max_length=500, required=False, help_text="Why it changed, for the history."
    )

    def __init__(self, *args, initial_rules: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.shapes = {}
        self.fields["preset"].choices = [(p, p) for p in naming.PRESETS] + [("custom", "custom")]
        for key, value in initial_rules.items():
            label = key.replace("_", " ").capitalize()
            if key in CHOICE_KEYS and isinstance(value, str):
                field = forms.ChoiceField(choices=CHOICE_KEYS[key], label=label)
                if value not in dict(CHOICE_KEYS[key]):
                    field.choices = [*field.choices, (value, value)]
                initial = value
                shape = "str"
            elif isinstance(value, bool):
                field, initial, shape = (
                    forms.BooleanField(required=False, label=label),
                    value,
                    "bool",
                )
            elif isinstance(value, int):
                field, initial, shape = (
                    forms.IntegerField(min_value=1, max_value=1000, label=label),
                    value,
                    "int",
                )
            elif isinstance(value, str):
                field, initial, shape = (
                    forms.CharField(required=False, max_length=200, label=label, strip=False),
                    value,
                    "str",
                )
            elif isinstance(value, dict):
                field = forms.CharField(
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 4}),
                    label=label,
                    max_length=50000,
                )
                initial, shape = "\n".join(f"{k} = {v}" for k, v in value.items()), "dict"
            elif isinstance(value, list | tuple) and any(
                isinstance(v, list | tuple) for v in value
            ):
                field = forms.CharField(
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 4}),
                    label=label,
                    max_length=50000,
                )
                initial, shape = "\n".join(", ".join(group) for group in value), "groups"
            elif isinstance(value, list | tuple | set | frozenset):
                multiline = key in {"reserved_names"}
                field = forms.CharField(
                    required=False,
                    widget=forms.Textarea(attrs={"rows": 4}),
                    label=label,
                    max_length=50000,
                )
                initial = ("\n" if multiline else ", ").join(sorted(str(v) for v in value))
                shape = "list"
            else:
                continue
            field.help_text = HELP.get(key, "")
            field.initial = initial
            self.fields[f"rule_{key}"] = field
            self.shapes[key] = shape

    def rules(self) -> dict:
        rules = {}
        for key, shape in self.shapes.items():
            value = self.cleaned_data.get(f"rule_{key}")
            if shape == "dict":
                pairs = {}
                for number, line in enumerate((value or "").splitlines(), start=1):
                    if not line.strip():
                        continue
                    if "=" not in line:
                        raise ValidationError(
                            {f"rule_{key}": f"Line {number}: write it as “short = long”."}
                        )
                    left, right = (p.strip() for p in line.split("=", 1))
                    if not left or not right:
                        raise ValidationError(
                            {f"rule_{key}": f"Line {number}: both sides are needed."}
                        )
                    pairs[left.lower()] = right.lower()
                value = pairs
            elif shape == "groups":
                value = [_split(line) for line in (value or "").splitlines() if _split(line)]
            elif shape == "list":
                value = _split(value)
            rules[key] = value
        return rules

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            rules = self.rules()
            naming.Convention.from_dict(rules)
        except ValidationError:
            raise
        except (ValueError, TypeError) as exc:
            raise ValidationError(f"The convention does not hold together: {exc}") from exc
        data["rules"] = rules
        return data


class VocabularyForm(forms.Form):
    actions = forms.CharField(
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="One per line: base = past, e.g. rebook = rebooked",
    )
    objects = forms.CharField(
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Your domain's nouns, comma-separated or one per line, e.g. voucher, wishlist",
    )

    def clean_actions(self):
        pairs = {}
        for number, line in enumerate(self.cleaned_data["actions"].splitlines(), start=1):
            if not line.strip():
                continue
            if "=" not in line:
                raise ValidationError(
                    f"Line {number}: write it as “base = past”, e.g. “rebook = rebooked”."
                )
            base, past = (p.strip() for p in line.split("=", 1))
            pairs[base] = past
        return pairs

    def clean_objects(self):
        return _split(self.cleaned_data["objects"])


class ImportUploadForm(forms.Form):
    FORMATS = [
        ("csv", "CSV (one row per event or per event property)"),
        ("xlsx", "Excel .xlsx (same layout)"),
        ("jsonschema", "JSON Schema per event (Segment Protocols, Avo)"),
        ("glean", "Glean metrics.yaml"),
    ]
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), empty_label=None, help_text="New events belong to this team."
    )
    format = forms.ChoiceField(choices=FORMATS)
    file = forms.FileField(help_text="Up to 5 MB.")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = Team.objects.for_user(user).order_by("name")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > 5 * 1024 * 1024:
            raise ValidationError(
                "The file is over 5 MB; split the tracking plan into smaller files."
            )
        if upload.size == 0:
            raise ValidationError(
                "The file is empty; export the tracking plan again and upload that file."
            )
        return upload
