from clientbase import app_config


class ReportsConfig(app_config.App):
    name = "clientbase.reports"
    label = "reports"
    verbose_name = "Service reports"
