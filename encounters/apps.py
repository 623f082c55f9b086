from django.apps import AppConfig


class EncountersConfig(AppConfig):
    name = "encounters"

    def ready(self):
        # outreach (a lower layer) signals the attempts it recorded; this app codes the unsuccessful ones.
        from encounters import receivers
        from outreach.signals import attempts_recorded

        attempts_recorded.connect(receivers.on_attempts_recorded, dispatch_uid="encounters.attempts_recorded")
