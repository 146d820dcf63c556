"""What attendance tells the floors above it, which this app never imports.

Django's signals are synchronous: a receiver runs inside the transaction that records the attendance, so what it
writes is saved, or rolled back, with it.
"""

from django.dispatch import Signal

# A no-show is recorded on a case under the order route (keyword arguments: actor, meeting). fees proposes a fee
# case when the service charges fees (fees/receivers.py).
no_show_under_order = Signal()
