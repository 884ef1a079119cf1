"""The staff pages of work orders."""

from django.urls import path

from clientbase.workorders import views

app_name = "workorders"

urlpatterns = [
    path("work-orders/", views.WorkOrderListView.as_view(), name="work-order-list"),
    path("work-orders/new/", views.WorkOrderCreateView.as_view(), name="work-order-create"),
    path("work-orders/<int:pk>/", views.WorkOrderDetailView.as_view(), name="work-order-detail"),
]
