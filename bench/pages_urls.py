"""URLconf for bench/pages_bench.py only: the real site plus /bench-hello/.

The hello-world view is the in-run baseline; it lives here so the real site never serves it.
"""

from django.http import HttpResponse
from django.urls import include, path


def hello(request):
    return HttpResponse("Hello, world")


urlpatterns = [
    path("bench-hello/", hello),
    path("", include("prepsite.urls")),
]
