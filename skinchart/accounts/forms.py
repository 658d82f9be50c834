from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from skinchart.accounts.models import Registration, Role, Site, User
from skinchart.lib.forms import DanishDateField


class LoginForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class TokenForm(forms.Form):
    token = forms.CharField(
        label=_("Code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True, "size": 12}
        ),
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery codes."),
    )


class ReauthForm(TokenForm):
    password = forms.CharField(
        label=_("Password"),
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    field_order = ["password", "token"]


class PasswordChangeForm(forms.Form):
    new_password = forms.CharField(
        label=_("New password"),
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    repeat = forms.CharField(
        label=_("Repeat the new password"),
        max_length=1024,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["new_password"].help_text = _(
            "At least %(min)d characters. A sentence of a few words is easy to remember and hard to guess."
        ) % {"min": settings.PASSWORD_MIN_LENGTH}

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        new, repeat = data.get("new_password"), data.get("repeat")
        if new and repeat and new != repeat:
            self.add_error("repeat", _("The two passwords are not the same."))
        if new:
            if self.user.check_password(new):
                self.add_error("new_password", _("Choose a password you have not used here before."))
            try:
                password_validation.validate_password(new, self.user)
            except forms.ValidationError as exc:
                self.add_error("new_password", exc)
        return data


class StaffForm(forms.ModelForm):
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=Role.choices, widget=forms.CheckboxSelectMultiple, required=True
    )
    sites = forms.ModelMultipleChoiceField(
        label=_("Sites"), queryset=Site.objects.all(), widget=forms.CheckboxSelectMultiple, required=False
    )

    class Meta:
        model = User
        fields = ["username", "first_name", "last_name", "email", "authorisation_id"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("first_name", "last_name", "email"):
            self.fields[name].required = True
        if self.instance.pk:
            self.fields["username"].disabled = True
            self.initial["roles"] = sorted(self.instance.role_set)
            self.initial["sites"] = list(self.instance.sites.all())

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if self.instance.pk:
            return self.instance.username
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This username is taken."))
        return username

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        clinical = {Role.DOCTOR, Role.NURSE}
        if clinical.intersection(data.get("roles") or []) and not data.get("authorisation_id"):
            self.add_error(
                "authorisation_id",
                _("Doctors and nurses need their authorisation ID from the Danish Patient Safety Authority."),
            )
        return data

    def account_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class RegistrationForm(forms.ModelForm):
    valid_from = DanishDateField(label=_("Valid from"))
    valid_to = DanishDateField(label=_("Valid to"), required=False)

    class Meta:
        model = Registration
        fields = ["treatment_category", "site", "valid_from", "valid_to", "supervising_doctor"]

    def __init__(self, *args: Any, practitioner: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.practitioner = practitioner
        doctor_field = self.fields["supervising_doctor"]
        assert isinstance(doctor_field, forms.ModelChoiceField)  # noqa: S101 — a ForeignKey's form field
        doctor_field.queryset = (
            User.objects.filter(is_active=True, staff_roles__role=Role.DOCTOR).exclude(pk=practitioner.pk).distinct()
        )

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        start, end = data.get("valid_from"), data.get("valid_to")
        if start and end and end < start:
            self.add_error("valid_to", _("The end date is before the start date."))
        is_doctor = self.practitioner.has_role(Role.DOCTOR)
        if not is_doctor and not data.get("supervising_doctor"):
            self.add_error(
                "supervising_doctor", _("A helper (nurse or cosmetologist) is registered under a supervising doctor.")
            )
        if not self.practitioner.has_role(Role.DOCTOR, Role.NURSE, Role.COSMETOLOGIST):
            raise forms.ValidationError(_("Only doctors, nurses and cosmetologists can be registered for treatments."))
        return data

    def registration_data(self) -> dict[str, Any]:
        return {**self.cleaned_data, "practitioner": self.practitioner}


class EndRegistrationForm(forms.Form):
    valid_to = DanishDateField(label=_("Last valid day"))
