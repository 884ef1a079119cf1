from clientbase import app_config


class WorkordersConfig(app_config.App):
    name = "clientbase.workorders"
    label = "workorders"
    verbose_name = "Work orders"
