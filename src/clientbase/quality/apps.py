from clientbase import app_config


class QualityConfig(app_config.App):
    name = "clientbase.quality"
    label = "quality"
    verbose_name = "Data quality"
