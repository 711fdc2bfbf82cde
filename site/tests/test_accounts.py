"""Sign-up, password reset and sign-in: mail as a job, no enumeration, limits that cannot lock the owner out."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import Client, override_settings

from prepsite.jobs import run_pending
from prepsite.models import Job

NO_MAIL_SERVER = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1",
                  "EMAIL_PORT": 9, "EMAIL_TIMEOUT": 1}
SIGNUP = {"email": "carol@example.com", "username": "carol", "password1": "a-long-unusual-passphrase",
          "password2": "a-long-unusual-passphrase"}


@pytest.fixture(autouse=True)
def fresh_limits():
    cache.clear()
    yield
    cache.clear()


def client_from(ip):
    return Client(REMOTE_ADDR=ip)


@pytest.mark.django_db(transaction=True)
def test_signup_mails_a_verification_link_through_a_job(client):
    response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    assert mail.outbox == []  # nothing sent inside the request
    job = Job.objects.get(kind="email")
    assert job.state == Job.State.QUEUED and job.payload["to"] == ["carol@example.com"]
    run_pending()
    job.refresh_from_db()
    assert job.state == Job.State.DONE and job.progress == 100
    assert len(mail.outbox) == 1 and "/accounts/confirm-email/" in mail.outbox[0].body
    assert "_auth_user_id" not in client.session  # mandatory verification: not signed in yet


@pytest.mark.django_db(transaction=True)
@override_settings(**NO_MAIL_SERVER, JOB_RETRY_DELAYS=[0])
def test_signup_and_reset_with_no_mail_server_never_500(client, user):
    signup = client.post("/accounts/signup/", SIGNUP)
    reset = client.post("/accounts/password/reset/", {"email": "alice@example.com"})
    assert signup.status_code == 302 and reset.status_code == 302
    carol = get_user_model().objects.get(username="carol")
    assert EmailAddress.objects.filter(user=carol, verified=False).exists()  # a whole account, waiting for mail
    run_pending()
    jobs = list(Job.objects.filter(kind="email"))
    assert len(jobs) == 2  # the verification link and the reset link
    for job in jobs:
        assert job.state == Job.State.FAILED and job.attempts == 2
        assert "Connection refused" in job.failure or "ConnectionRefused" in job.failure


@pytest.mark.django_db(transaction=True)
def test_signup_does_not_reveal_a_registered_address(client, user):
    fresh = client.post("/accounts/signup/", SIGNUP)
    taken = Client().post("/accounts/signup/", {**SIGNUP, "email": "alice@example.com", "username": "alicia"})
    assert (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"])
    run_pending()
    to_alice = [message for message in mail.outbox if message.to == ["alice@example.com"]]
    assert len(to_alice) == 1  # the owner hears that someone tried


def fail_login(client, login="alice", times=1):
    for _ in range(times):
        response = client.post("/accounts/login/", {"login": login, "password": "wrong-guess"})
    return response


@pytest.mark.django_db
def test_guesses_from_one_ip_do_not_lock_the_owner_out(user):
    attacker = client_from("203.0.113.7")
    locked = fail_login(attacker, times=6)
    assert b"Too many failed login attempts" in locked.content
    still_locked = attacker.post("/accounts/login/", {"login": "alice", "password": "correct-horse-battery"})
    assert still_locked.status_code == 200 and "_auth_user_id" not in attacker.session
    owner = client_from("198.51.100.2")
    signed_in = owner.post("/accounts/login/", {"login": "alice", "password": "correct-horse-battery"})
    assert signed_in.status_code == 302 and owner.session["_auth_user_id"] == str(user.pk)


@pytest.mark.django_db(transaction=True)
def test_account_wide_limit_leaves_a_login_code_by_email(user):
    for n in range(31):
        fail_login(client_from(f"203.0.113.{n}"))
    owner = client_from("198.51.100.2")
    refused = owner.post("/accounts/login/", {"login": "alice", "password": "correct-horse-battery"})
    assert b"Too many failed login attempts" in refused.content
    code = owner.post("/accounts/login/code/", {"email": "alice@example.com"})
    assert code.status_code == 302 and code["Location"] == "/accounts/login/code/confirm/"
    run_pending()
    assert mail.outbox and mail.outbox[-1].to == ["alice@example.com"]


@pytest.mark.django_db
def test_admin_login_goes_through_allauth(client, user, django_user_model):
    response = client.get("/admin/login/?next=/admin/questions/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2Fquestions%2F"
    assert client.post("/admin/login/", {"username": "alice", "password": "x"}).status_code == 405
    assert client.get("/admin/login/?next=https://evil.example/")["Location"].endswith("next=%2Fadmin%2F")
    client.force_login(user)
    refused = client.get("/admin/login/")
    assert refused.status_code == 200 and b"The admin is for staff" in refused.content
    staff = django_user_model.objects.create_user("stella", "stella@example.com", "pw", is_staff=True)
    client.force_login(staff)
    assert client.get("/admin/login/?next=/admin/questions/")["Location"] == "/admin/questions/"


@pytest.mark.django_db(transaction=True)
def test_signed_up_account_signs_in_only_after_verifying(client):
    client.post("/accounts/signup/", SIGNUP)
    early = Client().post("/accounts/login/", {"login": "carol", "password": SIGNUP["password1"]})
    assert early["Location"] == "/accounts/confirm-email/"
    run_pending()
    link = next(line for message in mail.outbox for line in message.body.splitlines() if "/confirm-email/" in line)
    path = link[link.index("/accounts/"):].strip()
    assert client.post(path).status_code == 302
    later = Client()
    assert later.post("/accounts/login/", {"login": "carol", "password": SIGNUP["password1"]}).status_code == 302
    assert later.session["_auth_user_id"]
