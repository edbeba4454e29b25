# Loopback SMTP sink for the boot tier (test/boot/lib/smtp.ts): STARTTLS required, AUTH required
# (only after TLS), one user whose password comes from SINK_PASSWORD; each accepted message is
# written to SINK_DIR as <n>.eml. Prints "ready" once listening.
import os, ssl, sys, time
from pathlib import Path
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

host, port, cert, key, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], Path(sys.argv[5])
user, password = os.environ["SINK_USER"].encode(), os.environ["SINK_PASSWORD"].encode()
ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
ctx.load_cert_chain(cert, key)
count = 0


def authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == user and auth_data.password == password
    with open(out / "auth.log", "a") as f:
        f.write(f"{mechanism} {'ok' if ok else 'refused'} tls={session.ssl is not None}\n")
    return AuthResult(success=ok)


class Sink:
    async def handle_DATA(self, server, session, envelope):
        global count
        count += 1
        (out / f"{count}.eml").write_bytes(envelope.original_content or envelope.content)
        return "250 OK"


c = Controller(Sink(), hostname=host, port=port, server_hostname="localhost", tls_context=ctx, require_starttls=True,
               authenticator=authenticate, auth_required=True, auth_require_tls=True)
c.start()
print("ready", flush=True)
while True:
    time.sleep(3600)
