from django.apps import AppConfig


class CommunitySupportsConfig(AppConfig):
    name = "community_supports"

    def ready(self):
        # benefits (a lower layer) signals an election removal; this app's receiver acts on it.
        from benefits.signals import election_removed
        from community_supports import receivers

        election_removed.connect(receivers.on_election_removed, dispatch_uid="community_supports.election_removed")
