"""Email leaves through a job, so a slow or absent mail server never fails a request."""

from django.core.mail import EmailMessage, EmailMultiAlternatives
from django_tasks import task

from . import jobs
from .models import Job


def send_later(message: EmailMessage, user=None) -> Job:
    payload = {
        "subject": message.subject,
        "body": message.body,
        "from_email": message.from_email,
        "to": list(message.to),
        "subtype": message.content_subtype,
        "alternatives": [[content, mimetype] for content, mimetype in getattr(message, "alternatives", [])],
        "headers": dict(message.extra_headers),
    }
    return Job.start(send_email, kind="email", payload=payload, user=user)


@task()
def send_email(job_id: str) -> str:
    return jobs.run(job_id, _send)


def _send(job: Job) -> None:
    data = job.payload
    job.report(10, f"Sending to {len(data['to'])} recipient(s)")
    message = EmailMultiAlternatives(data["subject"], data["body"], data["from_email"], data["to"],
                                     headers=data["headers"])
    message.content_subtype = data["subtype"]
    for content, mimetype in data["alternatives"]:
        message.attach_alternative(content, mimetype)
    message.send()
