# Parses each message file given with Python's email package in its strictest
# mode (policy.strict: every defect raises), and checks what RFC 5322 and
# RFC 2045 ask of a message the desk sends. Prints one line per problem.
import sys
from email import message_from_bytes, policy

for path in sys.argv[1:]:
    raw = open(path, "rb").read()
    try:
        message = message_from_bytes(raw, policy=policy.strict)
        for part in message.walk():
            part.get_content() if not part.is_multipart() else None
    except Exception as error:  # a defect raised under policy.strict
        print(f"{path}: {type(error).__name__}: {error}")
        continue
    for header in ("From", "To", "Date", "Message-ID", "Subject", "MIME-Version", "Content-Type"):
        if message[header] is None:
            print(f"{path}: no {header}")
    if str(message["MIME-Version"]).strip() != "1.0":
        print(f"{path}: MIME-Version is {message['MIME-Version']}")
    for number, line in enumerate(raw.split(b"\r\n" if b"\r\n" in raw else b"\n"), 1):
        if len(line) > 998:
            print(f"{path}: line {number} is {len(line)} bytes (RFC 5322 allows 998)")
        if any(byte > 127 for byte in line):
            print(f"{path}: line {number} is not 7-bit")
