"""The back office, mounted at /office/: inbox, task pages and their actions, dashboard, reception."""

from django.urls import path

from . import conformance_views, figures_views, reception_views, register_views, views

app_name = "office"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("conformance/", conformance_views.conformance, name="conformance"),
    path("figures/", figures_views.figures_page, name="figures"),
    path("applications/<str:number>/", views.task, name="task"),
    path("applications/<str:number>/complete/", views.complete, name="complete"),
    path("applications/<str:number>/assign/", views.assign, name="assign"),
    path("applications/<str:number>/sign/", views.sign, name="sign"),
    path("applications/<str:number>/attachments/<int:pk>/", views.attachment, name="attachment"),
    path("applications/<str:number>/conclusion/", views.answer_conclusion, name="answer-conclusion"),
    path("applications/<str:number>/pause/", views.pause, name="pause"),
    path("applications/<str:number>/resume/", views.resume, name="resume"),
    path("applications/<str:number>/answers/<int:file_id>/", views.pause_file, name="pause-file"),
    path("applications/<str:number>/document.pdf", views.closing_document, name="closing-document"),
    path("applications/<str:number>/documents/<int:pk>.pdf", views.document, name="document"),
    path("applications/<str:number>/scans/<int:scan>/", reception_views.scan, name="reception-scan"),
    path("register/", register_views.register, name="register"),
    path("register/<str:number>/", register_views.register_entry, name="register-entry"),
    path("register/<str:number>/change/", register_views.change, name="register-change"),
    path(
        "register/<str:number>/proposals/<int:pk>/",
        register_views.decide_proposal,
        name="register-proposal",
    ),
    path("reception/", reception_views.start, name="reception"),
    path("reception/submit/", reception_views.submit, name="reception-submit"),
    path("reception/accepted/<str:number>/", reception_views.accepted, name="reception-accepted"),
    path("reception/accepted/<str:number>/receipt.pdf", reception_views.receipt, name="reception-receipt"),
    path(
        "reception/registrations/<int:pk>/",
        reception_views.registration_page,
        name="reception-registration",
    ),
    path("reception/refusals/<str:number>/", reception_views.refusal, name="reception-refusal"),
    path(
        "reception/refusals/<str:number>/receipt.pdf",
        reception_views.refusal_pdf,
        name="reception-refusal-pdf",
    ),
]
