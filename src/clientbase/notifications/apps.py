from clientbase import app_config


class NotificationsConfig(app_config.App):
    name = "clientbase.notifications"
    label = "notifications"
    verbose_name = "Notifications"
