from clientbase import app_config


class TransferConfig(app_config.App):
    name = "clientbase.transfer"
    label = "transfer"
    verbose_name = "Import and export"
