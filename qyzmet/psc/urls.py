"""The service centre's pages, mounted at /psc/."""

from django.urls import path

from . import views

app_name = "psc"
urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:code>/", views.queue, name="queue"),
    path("<slug:code>/tickets/", views.issue_ticket, name="issue-ticket"),
    path("<slug:code>/call/", views.call_next, name="call-next"),
    path("<slug:code>/accept/", views.accept, name="accept"),
    path("<slug:code>/storage/", views.storage, name="storage"),
    path("<slug:code>/acceptances/<str:number>/", views.acceptance, name="acceptance"),
    path("<slug:code>/acceptances/<str:number>/receipt/", views.receipt, name="receipt"),
    path("<slug:code>/acceptances/<str:number>/receipt.pdf", views.receipt_pdf, name="receipt-pdf"),
    path("<slug:code>/acceptances/<str:number>/receive/", views.receive, name="receive"),
    path("<slug:code>/acceptances/<str:number>/send-result/", views.send_result, name="send-result"),
    path("<slug:code>/acceptances/<str:number>/hand-over/", views.hand_over, name="hand-over"),
    path("<slug:code>/acceptances/<str:number>/return/", views.return_uncollected, name="return"),
    path("<slug:code>/acceptances/<str:number>/resubmit/", views.resubmit, name="resubmit"),
]
