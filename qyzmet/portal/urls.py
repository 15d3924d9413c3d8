"""The applicant portal, mounted at /portal/."""

from django.urls import path

from .views import cabinet, catalogue, open_data, request, signin

app_name = "portal"
urlpatterns = [
    path("", catalogue.catalogue, name="catalogue"),
    path("services/<slug:act>/<slug:slug>/", catalogue.service, name="service"),
    path("services/<slug:act>/<slug:slug>/apply/", catalogue.start, name="start"),
    path("open-data/", open_data.page, name="open-data"),
    path("open-data/figures.csv", open_data.download_csv, name="open-data-csv"),
    path("open-data/figures.json", open_data.download_json, name="open-data-json"),
    path("login/", signin.sign_in, name="login"),
    path("login/eds/", signin.sign_in_eds, name="login-eds"),
    path("logout/", signin.sign_out, name="logout"),
    path("drafts/<int:draft_id>/", request.draft, name="draft"),
    path("drafts/<int:draft_id>/check/", request.check, name="check"),
    path("drafts/<int:draft_id>/pay/", request.pay, name="pay"),
    path("drafts/<int:draft_id>/sign/", request.sign, name="sign"),
    path("drafts/<int:draft_id>/submit/", request.submit, name="submit"),
    path("drafts/<int:draft_id>/attachments/<int:attachment_id>/", request.attachment, name="attachment"),
    path(
        "drafts/<int:draft_id>/attachments/<int:attachment_id>/delete/",
        request.delete_attachment,
        name="delete-attachment",
    ),
    path("cabinet/", cabinet.cabinet, name="cabinet"),
    path("cabinet/applications/<str:number>/", cabinet.application, name="application"),
    path("cabinet/applications/<str:number>/summary.txt", cabinet.summary, name="summary"),
    path("cabinet/applications/<str:number>/questionnaire/", cabinet.questionnaire, name="questionnaire"),
    path("cabinet/applications/<str:number>/answer/", cabinet.answer, name="answer"),
    path("cabinet/applications/<str:number>/document.pdf", cabinet.document, name="document"),
    path(
        "cabinet/applications/<str:number>/documents/<int:pk>/",
        cabinet.issued_document,
        name="issued-document",
    ),
]
