"""E-mail notices, through an outbox: every message is written to ``outbox_message`` in the
same transaction as the change that causes it, and ``flask send-mail`` delivers it. A message
never holds the family's own words, name or phone number.

The changes that notify call these before they commit:

- ``request_sent(help_request)``: a new request: the team's notice, and the parent's
  confirmation when they gave an e-mail address;
- ``family_wrote(help_request)``: the family wrote on the status page: the owner, or the team;
- ``counsellor_wrote(help_request)``: a counsellor wrote to the family: the parent, when they
  gave an e-mail address, hears that a message waits on the status page.
"""

from pyydaapua.notices.outbox import counsellor_wrote, family_wrote, request_sent

__all__ = ["counsellor_wrote", "family_wrote", "request_sent"]
