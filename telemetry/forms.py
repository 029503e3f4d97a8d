import re

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.functional import cached_property, lazy

from productops.accounts.models import Team
from telemetry import naming, services
from telemetry.models import PLATFORM_CHOICES, PROPERTY_TYPES, Event
from telemetry.properties import SHARED_PROPERTY_FIELDS


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

    @cached_property
    def chosen(self) -> dict:
        """What the person picked, None for a filter left out. The template compares it with every
        option; a key missing from `data` costs a failed lookup (and a dir()) per option."""
        return {name: self.data.get(name) for name in self.fields}


class EventForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.none(), empty_label=None)
    # No max_length here: services.clean_name explains an over-long name better than the default message.
    name = forms.CharField(
        strip=False,
        # Lazy: the message reads the convention only when it is shown.
        error_messages={"required": lazy(services.empty_name_message, str)()},
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

    def clean(self):
        data = super().clean()
        # The service re-checks; asking here shows the message next to the field.
        if "name" in data:
            try:
                services._check_name_free(data["name"], event=self.event)
            except ValidationError as exc:
                self.add_error("name", exc.message_dict["name"])
        return data


class PropertyRowForm(forms.Form):
    """One property of an event. Blank shared fields keep what the catalogue says."""

    name = forms.CharField(
        required=False,
        strip=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    type = forms.ChoiceField(
        required=False,
        choices=[("", "as in the catalogue (string if new)"), *PROPERTY_TYPES],
    )
    required = forms.BooleanField(required=False)
    pii = forms.BooleanField(required=False, label="Personal data")
    allowed_values = forms.CharField(
        required=False,
        max_length=20000,
        label="Allowed values",
        help_text="Comma-separated, e.g. free, pro, team",
    )
    pattern = forms.CharField(
        required=False,
        max_length=500,
        strip=False,
        help_text=r"A regular expression, e.g. ^o-\d+$",
    )
    description = forms.CharField(
        required=False, max_length=2000, help_text="What it means, the same on every event."
    )

    def clean_name(self):
        name = self.cleaned_data["name"]
        if not name.strip():
            return ""
        try:
            return services.clean_name(name, field="name")
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["name"]) from exc

    def clean_allowed_values(self):
        values = [v.strip() for v in self.cleaned_data["allowed_values"].split(",") if v.strip()]
        if len(values) > 500:
            raise ValidationError(
                f"{len(values):,} allowed values; keep it to 500, or use a pattern instead."
            )
        for value in values:
            if len(value) > 200:
                raise ValidationError(f"“{value[:40]}…” is over 200 characters; shorten it.")
        return values

    def clean_pattern(self):
        pattern = self.cleaned_data["pattern"].strip()
        if pattern:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValidationError(
                    f"Not a regular expression ({exc}); fix it or leave the pattern empty."
                ) from exc
        return pattern

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if not data.get("name") and self.has_changed() and not data.get("DELETE"):
            self.add_error("name", "Give the property a name, e.g. order_id, or remove the row.")
        if data.get("allowed_values") and data.get("pattern"):
            self.add_error("pattern", "Give allowed values or a pattern, not both.")
        return data


class BasePropertyRowFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = {}
        for number, form in enumerate(self.forms, start=1):
            name = form.cleaned_data.get("name")
            if not name or form.cleaned_data.get("DELETE"):
                continue
            if name in seen:
                form.add_error(
                    "name", f"“{name}” is already property {seen[name]}; keep one row per property."
                )
            seen.setdefault(name, number)

    def rows(self) -> list[dict]:
        """What the service takes: the event's own fields always, shared ones only where set."""
        rows = []
        for number, form in enumerate(self.forms, start=1):
            data = form.cleaned_data
            if not data.get("name") or data.get("DELETE"):
                continue
            row = {"row": number, "name": data["name"], "required": data["required"]}
            for field in SHARED_PROPERTY_FIELDS:
                if field in form.changed_data:
                    row[field] = data[field]
            rows.append(row)
        return rows

    def error_summary(self) -> list[str]:
        """Each error with the row and the field it belongs to."""
        summary = list(self.non_form_errors())
        for number, form in enumerate(self.forms, start=1):
            for field, errors in form.errors.items():
                label = form.fields[field].label or field.replace("_", " ").capitalize()
                summary += [f"Property {number}, {label.lower()}: {e}" for e in errors]
        return summary


PropertyRowFormSet = forms.formset_factory(
    PropertyRowForm,
    formset=BasePropertyRowFormSet,
    extra=0,
    can_delete=True,
    max_num=200,
    validate_max=True,
    absolute_max=200,
)


def property_rows_initial(event) -> list[dict]:
    return [
        {
            "name": ep.property.name,
            "type": ep.property.type,
            "required": ep.required,
            "pii": ep.property.pii,
            "allowed_values": ", ".join(ep.property.allowed_values),
            "pattern": ep.property.pattern,
            "description": ep.property.description,
        }
        for ep in event.event_properties.select_related("property")
    ]


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

    prefix = forms.CharField(
        required=False,
        max_length=40,
        strip=False,
        label="Prefix for our event names",
        help_text="Optional, e.g. “Checkout ” or “checkout_”: our events must start with it. "
        "It only adds a check for our events; the organisation's rules still apply.",
    )
    required_properties = forms.CharField(
        required=False,
        max_length=4000,
        label="Properties every one of our events sends",
        help_text="Optional, comma-separated, e.g. order_id, market.",
    )

    def clean_required_properties(self):
        return _split(self.cleaned_data["required_properties"])

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
        ("yaml", "This portal's YAML export (tracking plan with teams and aliases)"),
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
