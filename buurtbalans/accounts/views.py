"""Logging in (password, then a code from an app), setting up the app, passwords, and the administrator's users.

Views stay thin: throttling lives in `throttle.py`, changes in `services.py`, reads in `selectors.py`.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from buurtbalans.accounts import mfa, services, throttle
from buurtbalans.accounts.forms import (
    CodeForm,
    EnrolForm,
    LoginForm,
    PasswordChangeForm,
    ResetRequestForm,
    SetPasswordForm,
    UserCreateForm,
    UserRolesForm,
    lock_message,
    mfa_role_labels,
)
from buurtbalans.accounts.models import RecoveryCodeDevice
from buurtbalans.accounts.notices import PASSWORD_CHANGED, security_notice_send
from buurtbalans.accounts.selectors import corporation_user_get, corporation_user_list
from buurtbalans.accounts.sessions import SESSION_HAS_APP
from buurtbalans.core.exports import Column, export_response, personal_data_export_record, requested_format
from buurtbalans.core.models import Role
from buurtbalans.core.permissions import membership_of


def second_step_exempt(view):
    """Mark a view that a user who still has to give a code may open (see SecondStepMiddleware)."""
    view.second_step_exempt = True
    return view


def _next_url(request, default: str = "home") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    return reverse(default)


def _with_next(name: str, next_url: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': next_url})}"


# --- logging in ---------------------------------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    """Step one: user name and password, behind the throttle; a locked login gets status 429 and the time."""

    form_class = LoginForm
    template_name = "core/login.html"
    redirect_authenticated_user = True

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.lock is not None:
            response.status_code = 429
        return response


login_view = second_step_exempt(LoginView.as_view())
logout_view = second_step_exempt(auth_views.LogoutView.as_view())


def _refuse_locked(request, lock: throttle.Lock):
    logout(request)
    messages.error(request, lock_message(lock))
    return redirect("login")


@second_step_exempt
@require_http_methods(["GET", "POST"])
def mfa_verify(request):
    """Step two: a code from the app, or one of the recovery codes."""
    user = request.user
    next_url = _next_url(request)
    if user.is_verified():
        return redirect(next_url)
    if not mfa.is_enrolled(user):
        request.session[SESSION_HAS_APP] = False
        return redirect(_with_next("accounts_mfa_setup", next_url) if mfa.user_requires_mfa(user) else next_url)
    address = throttle.client_address(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        lock = throttle.current_lock(user.get_username(), address)
        if lock is not None:
            return _refuse_locked(request, lock)
        device = _matching_device(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            # More rights than a moment ago: a new session id, as after the password (ASVS 3.2.1).
            request.session.cycle_key()
            throttle.login_success_record(username=user.get_username())
            if isinstance(device, RecoveryCodeDevice):
                messages.warning(
                    request,
                    _("You used a recovery code. You have %(count)d left. Make new ones under 'Two-step verification'.")
                    % {"count": mfa.recovery_codes_left(user)},
                )
            return redirect(next_url)
        lock = throttle.login_failure_record(username=user.get_username(), address=address)
        if lock is not None:
            return _refuse_locked(request, lock)
        form.add_error("code", _("This code is not right. Type the code your app shows now, or a recovery code."))
    return render(
        request, "accounts/mfa_verify.html", {"form": form, "next": next_url}, status=400 if form.errors else 200
    )


def _matching_device(user, code: str):
    """The device that accepts the code: the app for six digits, the recovery codes otherwise (each used once)."""
    if code.isdigit() and len(code) == 6:
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
    else:
        devices = RecoveryCodeDevice.objects.filter(user=user, confirmed=True)
    for device in devices:
        if device.verify_token(code):
            return device
    return None


@second_step_exempt
@require_http_methods(["GET", "POST"])
def mfa_setup(request):
    """Set up an app: scan the QR code (or type the key), confirm with a code, then keep the recovery codes.

    Someone with an app who has not given a code yet cannot set up another one here: the password alone must never
    be enough to replace the second step.
    """
    user = request.user
    next_url = _next_url(request)
    if mfa.is_enrolled(user) and not user.is_verified():
        return redirect(_with_next("accounts_mfa_verify", next_url))
    device = services.mfa_unconfirmed_device(user)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            codes = services.mfa_enrol_confirm(user=user, device=device, membership=membership_of(user))
            otp_login(request, device)
            request.session.cycle_key()
            request.session[SESSION_HAS_APP] = True
            return render(request, "accounts/mfa_recovery_codes.html", {"codes": codes, "next": next_url, "new": True})
        form.add_error(
            "code",
            _("This code is not right. Check that the time on your phone is right and type the code that shows now."),
        )
    context = {
        "form": form,
        "next": next_url,
        "qr_svg": mfa.qr_svg(device),
        "key_text": mfa.key_text(device),
        "required": mfa.user_requires_mfa(user),
    }
    return render(request, "accounts/mfa_setup.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def mfa_manage(request):
    """The user's own page: is an app set up, how many recovery codes are left; new recovery codes."""
    user = request.user
    enrolled = mfa.is_enrolled(user)
    if request.method == "POST":
        if not enrolled:
            return redirect("accounts_mfa_manage")
        codes = services.mfa_recovery_codes_renew(user=user, membership=membership_of(user))
        return render(
            request, "accounts/mfa_recovery_codes.html", {"codes": codes, "next": reverse("accounts_mfa_manage")}
        )
    context = {
        "enrolled": enrolled,
        "required": mfa.user_requires_mfa(user),
        "codes_left": mfa.recovery_codes_left(user) if enrolled else 0,
        "nav": "account",
    }
    return render(request, "accounts/mfa_manage.html", context)


# --- passwords ----------------------------------------------------------------------------------------------------


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change your own password; a wrong current password counts as a failed login (someone at an unlocked screen
    must not be able to guess it here without limit)."""

    template_name = "accounts/password_change.html"
    form_class = PasswordChangeForm
    success_url = reverse_lazy("accounts_mfa_manage")

    def form_invalid(self, form):
        if "old_password" in form.errors:
            lock = throttle.login_failure_record(
                username=self.request.user.get_username(), address=throttle.client_address(self.request)
            )
            if lock is not None:
                return _refuse_locked(self.request, lock)
        return super().form_invalid(form)

    def form_valid(self, form):
        response = super().form_valid(form)
        services.password_changed(user=self.request.user, membership=membership_of(self.request.user))
        messages.success(self.request, _("Your password is changed."))
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    form_class = SetPasswordForm

    def form_valid(self, form):
        response = super().form_valid(form)
        security_notice_send(form.user, PASSWORD_CHANGED)
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = ResetRequestForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        email, address = form.cleaned_data["email"], throttle.client_address(self.request)
        if not throttle.password_reset_request_allowed(email=email, address=address):
            # The same "check your mail" page as always: the form tells nobody whether an address is known.
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


password_change = PasswordChangeView.as_view()
password_reset = PasswordResetView.as_view()
password_reset_done = auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html")
password_reset_confirm = PasswordResetConfirmView.as_view()
password_reset_complete = auth_views.PasswordResetCompleteView.as_view(
    template_name="registration/password_reset_complete.html"
)


# --- the administrator's users ------------------------------------------------------------------------------------


def _require_admin(user):
    membership = membership_of(user)
    if membership is None or Role.ADMIN not in membership.roles:
        raise PermissionDenied
    return membership


def user_columns() -> list[Column]:
    return [
        Column(gettext_lazy("User name"), lambda m: m.user.get_username()),
        Column(gettext_lazy("Name"), lambda m: m.user.get_full_name()),
        Column(gettext_lazy("E-mail address"), lambda m: m.user.email),
        Column(gettext_lazy("Roles"), lambda m: ", ".join(m.role_labels)),
        Column(gettext_lazy("Two-step verification"), lambda m: _("set up") if m.has_app else _("not set up")),
        Column(gettext_lazy("Status"), lambda m: _("active") if m.user.is_active else _("switched off")),
    ]


def user_list(request):
    membership = _require_admin(request.user)
    members = corporation_user_list(membership)
    export_format = requested_format(request)
    if export_format:
        # Colleagues' names and e-mail addresses are personal data too: the download is recorded.
        personal_data_export_record(
            actor=request.user, corporation=membership.corporation, subject_type="user", subject_ids=[],
            what="users of the corporation", export_format=export_format, purpose="account_management",
            rows=len(members),
        )
        return export_response(export_format=export_format, name="users", columns=user_columns(), rows=members)
    return render(request, "accounts/user_list.html", {"members": members, "nav": "users"})


@require_http_methods(["GET", "POST"])
def user_create(request):
    membership = _require_admin(request.user)
    form = UserCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        user = services.user_create(
            admin=request.user,
            membership=membership,
            username=data["username"],
            email=data["email"],
            roles=data["roles"],
            first_name=data["first_name"],
            last_name=data["last_name"],
        )
        target = corporation_user_get(membership, user.pk)
        services.password_link_send(admin=request.user, membership=membership, target=target, request=request)
        messages.success(
            request,
            _("%(name)s can log in once they chose a password with the link sent to %(email)s.")
            % {"name": user.get_username(), "email": user.email},
        )
        return redirect("accounts_user_detail", user_id=user.pk)
    return render(
        request,
        "accounts/user_create.html",
        {"form": form, "nav": "users", "mfa_role_labels": mfa_role_labels()},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def user_detail(request, user_id: int):
    membership = _require_admin(request.user)
    target = corporation_user_get(membership, user_id)
    form = UserRolesForm(request.POST or None, initial={"roles": target.roles})
    if request.method == "POST" and form.is_valid():
        try:
            services.user_roles_set(
                admin=request.user, membership=membership, target=target, roles=form.cleaned_data["roles"]
            )
        except ValidationError as exc:
            form.add_error("roles", exc)
        else:
            messages.success(request, _("The roles are saved."))
            return redirect("accounts_user_detail", user_id=user_id)
    context = {
        "target": target,
        "form": form,
        "nav": "users",
        "needs_app": mfa.role_requires_mfa(target.roles),
        "mfa_role_labels": mfa_role_labels(),
        "is_self": target.user_id == request.user.pk,
    }
    return render(request, "accounts/user_detail.html", context, status=400 if form.errors else 200)


@require_POST
def user_active(request, user_id: int):
    membership = _require_admin(request.user)
    target = corporation_user_get(membership, user_id)
    is_active = request.POST.get("is_active") == "1"
    try:
        services.user_active_set(admin=request.user, membership=membership, target=target, is_active=is_active)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("The account is switched on.") if is_active else _("The account is switched off."))
    return redirect("accounts_user_detail", user_id=user_id)


@require_POST
def user_mfa_reset(request, user_id: int):
    membership = _require_admin(request.user)
    target = corporation_user_get(membership, user_id)
    services.mfa_reset(admin=request.user, membership=membership, target=target)
    messages.success(
        request,
        _("Two-step verification is reset. %(name)s sets up an app at the next login.")
        % {"name": target.user.get_username()},
    )
    return redirect("accounts_user_detail", user_id=user_id)


@require_POST
def user_password_link(request, user_id: int):
    membership = _require_admin(request.user)
    target = corporation_user_get(membership, user_id)
    try:
        services.password_link_send(admin=request.user, membership=membership, target=target, request=request)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(
            request,
            _("An e-mail with a link to choose a password is sent to %(email)s.") % {"email": target.user.email},
        )
    return redirect("accounts_user_detail", user_id=user_id)
