from django import forms
from django.utils import timezone

from productops.accounts.models import Team, User
from strategy import rendering
from strategy.models import PART_MAX, TEMPLATE_PARTS, Disposition, Point, Strategy

BODY_TOO_LONG = "This text is too long (%(show_value)s characters); the limit is %(limit_value)s. Link to detail instead."


class StrategyForm(forms.ModelForm):
    audience_teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.order_by("name"),
        widget=forms.CheckboxSelectMultiple,
        help_text="Their members read the strategy and give feedback.",
    )
    delegates = forms.ModelMultipleChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("display_name", "username"),
        required=False,
        help_text="People who may edit, publish and answer points with you.",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    class Meta:
        model = Strategy
        fields = [
            "title",
            "audience_teams",
            "delegates",
            *[name for name, _, _ in TEMPLATE_PARTS],
            "body",
            "context_links",
            "decision_due",
            "vote_budget",
        ]
        widgets = {name: forms.Textarea(attrs={"rows": 5}) for name, _, _ in TEMPLATE_PARTS} | {
            "body": forms.Textarea(attrs={"rows": 8}),
            "context_links": forms.Textarea(attrs={"rows": 3}),
            "decision_due": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        help_texts = {
            name: f"{hint} Markdown; ### headings become their own sections."
            for name, _, hint in TEMPLATE_PARTS
        } | {
            "body": "Optional further sections in Markdown (## headings).",
            "vote_budget": "Dots each person may spread across points after the reveal (1-20).",
        }
        labels = {name: heading for name, heading, _ in TEMPLATE_PARTS}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, _, _ in TEMPLATE_PARTS:
            self.fields[name].max_length = PART_MAX
            self.fields[name].error_messages["max_length"] = BODY_TOO_LONG
        self.fields["body"].error_messages["max_length"] = BODY_TOO_LONG
        self.fields["vote_budget"].min_value = 1
        self.fields["vote_budget"].max_value = 20

    def clean_body(self):
        text = self.cleaned_data["body"]
        message = rendering.too_long(text)
        if message:
            raise forms.ValidationError(message)
        return text

    def parts(self) -> dict:
        data = dict(self.cleaned_data)
        return {k: v for k, v in data.items() if k not in ("audience_teams", "delegates")}


class PublishForm(forms.Form):
    change_summary = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What changed and why, in a sentence or two. Readers see it first.",
    )
    closes_at = forms.DateTimeField(
        required=False,
        label="Feedback window closes",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="In your time zone. Nobody sees anyone else's feedback until then — not even you.",
    )
    override_reason = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Admin override reason",
        help_text="Only for a ProductOps admin publishing while points lack a disposition. Recorded in the audit log.",
    )

    second_round_hours = forms.IntegerField(
        required=False,
        min_value=0,
        max_value=72,
        initial=0,
        label="Second round (hours, 0 for none)",
        help_text="Authors of answered points about the changed sections say whether the answer satisfies them; sealed until it closes.",
    )

    def __init__(self, *args, first=False, admin=False, **kwargs):
        super().__init__(*args, **kwargs)
        if first:
            self.fields["closes_at"].required = True
            self.fields["change_summary"].initial = "First version, open for feedback."
            del self.fields["second_round_hours"]
        else:
            del self.fields["closes_at"]
        if not admin:
            del self.fields["override_reason"]


class ReadConfirmationForm(forms.Form):
    summary = forms.CharField(
        max_length=280,
        min_length=10,
        label="In one line: what is the core bet?",
        help_text="In your own words. The owner sees everyone's summaries side by side to spot where the draft is unclear.",
    )


class PointForm(forms.Form):
    VOICES = [("me", "As myself"), ("team", "On behalf of my team"), ("anonymous", "Anonymously")]

    type = forms.ChoiceField(
        choices=[c for c in Point.Type.choices], widget=forms.RadioSelect, initial="question"
    )
    section_key = forms.ChoiceField(label="About", required=False)
    quote = forms.CharField(
        max_length=500,
        required=False,
        label="Quoted passage (optional)",
        help_text="Paste the words you are responding to.",
    )
    body = forms.CharField(
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Your point",
        help_text="For an alternative: the different bet.",
    )
    rationale = forms.CharField(
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why",
        help_text="Required for pushback, concerns and alternatives.",
    )
    cost = forms.CharField(
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="What it would cost",
        help_text="Alternatives only.",
    )
    confidence = forms.ChoiceField(
        choices=[("", "Not stated"), *Point.Confidence.choices],
        required=False,
        label="How confident are you?",
    )
    voice = forms.ChoiceField(choices=VOICES, widget=forms.RadioSelect, initial="me", label="Speak")
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(),
        required=False,
        help_text="Needed to speak for a team or anonymously.",
    )
    is_clarifying = forms.BooleanField(
        required=False,
        label="Clarifying question",
        help_text="About what the text means, not whether it is right. The owner may answer it during the window, and everyone sees both.",
    )

    assumption = forms.ChoiceField(
        label="Aimed at an assumption (optional)",
        required=False,
        help_text="Critique the assumption rather than its author.",
    )

    def __init__(self, *args, sections=(), teams=None, assumptions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assumption"].choices = [
            ("", "None"),
            *[(str(a.public_id), a.text[:120]) for a in assumptions],
        ]
        self.fields["section_key"].choices = [
            ("", "The strategy as a whole"),
            *[(s.key, s.title) for s in sections],
        ]
        self.fields["team"].queryset = teams if teams is not None else Team.objects.none()


class ReplyForm(forms.Form):
    body = forms.CharField(max_length=4000, widget=forms.Textarea(attrs={"rows": 2}), label="Reply")


class DispositionForm(forms.Form):
    # No default: one careless Save must not answer every point the same way.
    status = forms.ChoiceField(choices=[("", "Choose…"), *Disposition.Status.choices])
    reason = forms.CharField(
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Required, in at least a sentence, unless adopted as written.",
    )
    section_key = forms.ChoiceField(required=False, label="Where the next version changes")

    def __init__(self, *args, sections=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section_key"].choices = [
            ("", "No specific section"),
            *[(s.key, s.title) for s in sections],
        ]


class TransitionForm(forms.Form):
    target = forms.ChoiceField(choices=Strategy.Phase.choices)
    override_reason = forms.CharField(max_length=2000, required=False)


def default_close():
    return (timezone.localtime() + timezone.timedelta(days=7)).replace(
        minute=0, second=0, microsecond=0
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label="Attach a document",
        help_text="PDF, image, CSV, spreadsheet or text; up to 10 MB. Readers of the strategy can download it.",
    )


class SessionForm(forms.Form):
    title = forms.CharField(max_length=160, initial="Review session")
    starts_at = forms.DateTimeField(
        label="Starts (your time zone)",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    length_minutes = forms.IntegerField(
        label="Length (minutes)", min_value=10, max_value=240, initial=45
    )
    send_before_hours = forms.IntegerField(
        label="Send the agenda and pre-read this many hours before",
        min_value=1,
        max_value=168,
        initial=24,
    )


class AgendaItemForm(forms.Form):
    title = forms.CharField(max_length=300)
    minutes = forms.IntegerField(min_value=1, max_value=240, initial=5)


class DecisionRecordForm(forms.Form):
    decided = forms.CharField(
        label="What was decided", max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )
    given_up = forms.CharField(
        label="What was given up", max_length=4000, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.ModelChoiceField(queryset=None, label="Owner of the decision")
    review_on = forms.DateField(
        label="Review date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = people


class CommitmentForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[("commit", "Commit"), ("dissent", "Commit, with registered dissent")],
        widget=forms.RadioSelect,
        initial="commit",
        label="Your commitment",
    )
    statement = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Your dissent",
        help_text="Dissent only: what you disagree with.",
    )
    prediction = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Your prediction",
        help_text="Dissent only: what would happen that would prove you right.",
    )
