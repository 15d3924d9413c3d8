from django.urls import path

from . import views

app_name = "regulations"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("regulations.json", views.catalogue_json, name="catalogue-json"),
    path("regulations/<slug:act>/<slug:slug>/", views.regulation_detail, name="detail"),
    path("regulations/<slug:act>/<slug:slug>.json", views.regulation_json, name="json"),
    path("regulations/<slug:act>/<slug:slug>/<slug:flow>.bpmn", views.regulation_bpmn, name="bpmn"),
]
