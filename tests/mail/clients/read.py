# How Python's email package reads a message: the subject, the text body
# and the attachments' names, as JSON. The reference the intake test
# compares `tickets` with (tests/cli/mail_clients.rs).
import email
import json
import sys
from email import policy

with open(sys.argv[1], "rb") as f:
    message = email.message_from_binary_file(f, policy=policy.default)
body = message.get_body(preferencelist=("plain", "html"))
text = body.get_content() if body is not None else ""
names = [part.get_filename() or "(unnamed)" for part in message.iter_attachments()]
print(json.dumps({"subject": str(message["subject"] or ""), "body": text.strip(), "attachments": names}))
