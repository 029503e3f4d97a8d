import zoneinfo

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from productops.accounts.email_change import email_in_use
from productops.accounts.models import Membership, Team, User

TIME_ZONE_CHOICES = [(tz, tz.replace("_", " ")) for tz in sorted(zoneinfo.available_timezones())]


class SignInForm(AuthenticationForm):
    # One message for every failure: it must not reveal which usernames exist.
    error_messages = {
        "invalid_login": "That username and password do not match. Check both and try again.",
        "inactive": "That username and password do not match. Check both and try again.",
    }


class ProfileForm(forms.ModelForm):
    # Not a model field here: a new address is only requested, and takes effect once
    # confirmed from its inbox (email_change.py). Saving the form never changes it.
    email = forms.EmailField(
        label="Email address",
        required=False,
        max_length=254,
        help_text="Changing it sends a confirmation link to the new address; "
        "the current one stays until you confirm.",
    )
    time_zone = forms.ChoiceField(
        choices=TIME_ZONE_CHOICES, help_text="Dates and times are shown to you in this zone."
    )

    field_order = ["display_name", "email", "time_zone", "notification_preference"]

    class Meta:
        model = User
        fields = ["display_name", "time_zone", "notification_preference"]
        labels = {"display_name": "Name", "notification_preference": "Email me"}
        widgets = {"notification_preference": forms.RadioSelect}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("email", self.instance.email)

    def clean_email(self):
        # Left empty: keep the current address.
        email = self.cleaned_data["email"].strip() or self.instance.email
        if email.lower() != (self.instance.email or "").lower() and email_in_use(
            email=email, user=self.instance
        ):
            raise forms.ValidationError(
                "Another account already uses this address. Use your own work address."
            )
        return email

    def clean_display_name(self):
        name = " ".join(self.cleaned_data["display_name"].split())
        if not name:
            raise forms.ValidationError("Enter the name colleagues know you by.")
        return name


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=80,
        error_messages={"required": "Give the token a name so you can recognise it later."},
        help_text="Say what will use it, e.g. 'CI lint job' — you will see this name in the list.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if not name:
            raise forms.ValidationError("Give the token a name so you can recognise it later.")
        if self.user.api_tokens.active().filter(name__iexact=name).exists():
            raise forms.ValidationError(
                "You already have an active token with this name; pick another."
            )
        return name


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "mission", "product_area"]
        widgets = {"mission": forms.Textarea(attrs={"rows": 3})}


class MembershipForm(forms.Form):
    username = forms.CharField(max_length=150, help_text="The colleague's sign-in name.")
    role = forms.ChoiceField(choices=Membership.Role.choices, initial=Membership.Role.MEMBER)

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = User.objects.filter(username__iexact=username, is_active=True).first()
        if user is None:
            raise forms.ValidationError(
                f"No active colleague signs in as '{username}'. Check the spelling."
            )
        if Membership.objects.filter(user=user, team=self.team).exists():
            raise forms.ValidationError(f"{user.name} is already in {self.team.name}.")
        return user


def add_service_errors(form, error: ValidationError) -> None:
    """A workflow's ValidationError onto the form: on its fields where the form has them, else on top."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
