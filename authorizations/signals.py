"""What authorizations tells the apps above it (ARCHITECTURE layering: a signal is the only way
down-to-up). Receivers call their own app's services explicitly."""

from django.dispatch import Signal

# Sent inside every decision's transaction once its member letter and its DOMAIN 5.3 requester
# notice are recorded (a withdrawal and a member leaving the plan, which have neither, too), with
# plan, request, action
# (rules.Action) and requester_notice (the RequesterNotice recorded for this decision, or None):
# a closed-loop referral around the request
# learns of the decision, and counts that notice as its own for the same event instead of sending
# a second one (DOMAIN 9). A receiver that fails rolls the decision back.
request_decided = Signal()
