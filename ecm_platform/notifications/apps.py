from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "ecm_platform.notifications"
    label = "notifications"
    verbose_name = "Notifications"
