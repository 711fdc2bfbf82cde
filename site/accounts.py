"""allauth adapter: mail through a job, and login limits that cannot lock an owner out."""

# allauth.account.stages cannot be the first allauth.account module imported (a circular import inside
# allauth); its internals go first, whatever order the system checks happen to load this adapter in.
from allauth.account.internal import flows  # noqa: F401, I001
from allauth.account import stages
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.models import EmailAddress
from allauth.core.internal import ratelimit
from django.contrib.sites.shortcuts import get_current_site

from . import mail


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix, email, context):
        request = context.get("request") or getattr(self, "request", None)
        ctx = {"email": email, "current_site": get_current_site(request), "request": request, **context}
        mail.send_later(self.render_mail(template_prefix, email, ctx))

    def get_login_stages(self):
        return [f"{__name__}.EmailVerificationStage" if path == "allauth.account.stages.EmailVerificationStage"
                else path for path in super().get_login_stages()]

    def _get_login_attempts_cache_key(self, request, **credentials):
        # allauth's per-key limit, counted per account *and* IP: guesses from elsewhere do not
        # lock the owner out of their own IP. The account-wide limit below is looser, and login
        # by emailed code stays open when it trips.
        return f"{super()._get_login_attempts_cache_key(request, **credentials)}:{ratelimit.get_ip(request)}"

    def pre_authenticate(self, request, **credentials):
        super().pre_authenticate(request, **credentials)
        account = super()._get_login_attempts_cache_key(request, **credentials)
        self._account_rl_usage = ratelimit.consume(request, app="allauth.account", action="login_failed_account",
                                                   key=account)
        if not self._account_rl_usage:
            self._rollback_login_failed_rl_usage()
            raise self.validation_error("too_many_login_attempts")

    def _rollback_login_failed_rl_usage(self):
        super()._rollback_login_failed_rl_usage()
        usage = getattr(self, "_account_rl_usage", None)
        if usage:
            usage.rollback()


class EmailVerificationStage(stages.EmailVerificationStage):
    """Verification is for accounts that signed up; staff, and accounts an admin or a command made, skip it."""

    def handle(self):
        user = self.login.user
        if user is not None and not self.login.signup and (
            user.is_staff or not EmailAddress.objects.filter(user=user).exists()
        ):
            return None, True
        return super().handle()
