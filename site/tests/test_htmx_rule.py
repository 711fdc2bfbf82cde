from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from prepsite.htmx import for_htmx


@for_htmx("flashcard", use_partial="card")
@for_htmx("answer", use_partial="answer")
def page(request):
    return TemplateResponse(request, "page.html", {})


def request(**headers):
    r = RequestFactory().get("/", headers=headers)
    r.htmx = HtmxDetails(r)
    return r


def test_full_page_without_htmx():
    response = page(request())
    assert response.template_name == "page.html"
    assert "HX-Target" in response["Vary"]


def test_each_target_gets_its_partial():
    assert page(request(HX_Request="true", HX_Target="answer")).template_name == "page.html#answer"
    assert page(request(HX_Request="true", HX_Target="flashcard")).template_name == "page.html#card"


def test_unknown_target_and_history_restore_get_the_page():
    assert page(request(HX_Request="true", HX_Target="elsewhere")).template_name == "page.html"
    restore = request(HX_Request="true", HX_Target="answer", HX_History_Restore_Request="true")
    assert page(restore).template_name == "page.html"


def test_any_target_and_non_template_responses():
    any_target = for_htmx(use_partial="body")(lambda r: TemplateResponse(r, "p.html", {}))
    assert any_target(request(HX_Request="true")).template_name == "p.html#body"
    redirect = for_htmx(use_partial="body")(lambda r: HttpResponseRedirect("/x"))
    assert redirect(request(HX_Request="true")).status_code == 302
