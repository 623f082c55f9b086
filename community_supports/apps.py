from django.apps import AppConfig


class CommunitySupportsConfig(AppConfig):
    name = "community_supports"

    def ready(self):
        # benefits (a lower layer) signals an election removal; this app's receiver acts on it.
        from authorizations.signals import request_decided
        from benefits.signals import election_removed
        from community_supports import receivers, referral_receivers

        election_removed.connect(receivers.on_election_removed, dispatch_uid="community_supports.election_removed")
        # A decision on a request reaches the closed-loop referral around it (DOMAIN 9).
        request_decided.connect(
            referral_receivers.on_request_decided, dispatch_uid="community_supports.request_decided"
        )
