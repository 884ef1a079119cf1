from django.apps import AppConfig


class WorkordersConfig(AppConfig):
    name = "clientbase.workorders"
    label = "workorders"
    verbose_name = "Work orders"

    def ready(self) -> None:
        from clientbase.customers.views import CustomerSection, register_customer_section
        from clientbase.pages import NavItem, register_nav_item
        from clientbase.workorders.views import customer_section

        register_nav_item(
            NavItem("work-orders", "Work orders", "workorders:work-order-list", "workorders.WorkOrder")
        )
        register_customer_section(
            CustomerSection(
                key="work-orders",
                title="Work orders",
                template_name="workorders/_partials/customer_work_orders.html",
                context=customer_section,
            )
        )
