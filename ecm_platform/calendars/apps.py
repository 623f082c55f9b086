from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    name = "ecm_platform.calendars"
    label = "calendars"
    verbose_name = "Holiday calendars and decision timeframes"
