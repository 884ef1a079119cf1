"""The staff pages of work orders, quotes and invoices."""

from django.urls import path

from clientbase.workorders import views

app_name = "workorders"

urlpatterns = [
    path("work-orders/", views.WorkOrderListView.as_view(), name="work-order-list"),
    path("work-orders/new/", views.WorkOrderCreateView.as_view(), name="work-order-create"),
    path("work-orders/<int:pk>/", views.WorkOrderDetailView.as_view(), name="work-order-detail"),
    path("work-orders/<int:pk>/edit/", views.WorkOrderUpdateView.as_view(), name="work-order-update"),
    path("work-orders/<int:pk>/status/", views.WorkOrderStepView.as_view(), name="work-order-step"),
    path("quotes/", views.QuoteListView.as_view(), name="quote-list"),
    path("quotes/new/", views.QuoteCreateView.as_view(), name="quote-create"),
    path("quotes/<int:pk>/", views.QuoteDetailView.as_view(), name="quote-detail"),
    path("quotes/<int:pk>/send/", views.QuoteSendView.as_view(), name="quote-send"),
    path("quotes/<int:pk>/approve/", views.QuoteApproveView.as_view(), name="quote-approve"),
    path("invoices/", views.InvoiceListView.as_view(), name="invoice-list"),
    path("invoices/new/", views.InvoiceCreateView.as_view(), name="invoice-create"),
    path("invoices/<int:pk>/", views.InvoiceDetailView.as_view(), name="invoice-detail"),
    path("invoices/<int:pk>/issue/", views.InvoiceIssueView.as_view(), name="invoice-issue"),
]
