"""The public register: search, verification pages, the chain head and the signed heads."""

from django.urls import path

from . import views

app_name = "registry"
urlpatterns = [
    path("", views.search, name="search"),
    path("verify/", views.verify, name="verify"),
    path("verify/<str:number>/", views.verify_number, name="verify-number"),
    path("verify/<str:number>/pdf/", views.entry_pdf, name="entry-pdf"),
    path("verify/<str:number>/decisions/<int:seq>.pdf", views.decision_pdf, name="decision-pdf"),
    path("head/", views.head, name="head"),
    path("heads/", views.heads, name="heads"),
    path("heads.jsonl", views.heads_file, name="heads-file"),
]
