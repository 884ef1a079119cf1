from clientbase import app_config


class ContractsConfig(app_config.App):
    name = "clientbase.contracts"
    label = "contracts"
    verbose_name = "Service contracts"
