"""The back office, mounted at /office/: inbox, task pages and their actions, dashboard."""

from django.urls import path

from . import views

app_name = "office"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("applications/<str:number>/", views.task, name="task"),
    path("applications/<str:number>/complete/", views.complete, name="complete"),
    path("applications/<str:number>/assign/", views.assign, name="assign"),
    path("applications/<str:number>/conclusion/", views.answer_conclusion, name="answer-conclusion"),
    path("applications/<str:number>/pause/", views.pause, name="pause"),
    path("applications/<str:number>/resume/", views.resume, name="resume"),
]
