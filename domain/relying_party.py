"""Whether a WebAuthn relying party (the hall, for passkeys) is fit for production. A browser
binds each passkey to the RP id and checks the origin: a hall that ships with `localhost` or an
IP address registers credentials no customer's phone can use on the real domain, and an origin
over plain http lets anybody on the path relay a login ceremony. Pure rules."""

from __future__ import annotations

from ipaddress import ip_address
from urllib.parse import urlsplit

# The Android app signs its passkey responses with this origin (its signing key's hash), not an
# https one: the only non-https origin a production hall may list.
ANDROID_APP_ORIGIN = "android:apk-key-hash:"


def _local_host(host: str) -> str | None:
    """Why `host` cannot name a production relying party, or None."""
    host = host.strip().lower().rstrip(".")
    if not host:
        return "is empty"
    if host == "localhost" or host.endswith(".localhost"):
        return "is localhost"
    try:
        ip_address(host.strip("[]"))
    except ValueError:
        return None
    return "is an IP address"


def relying_party_problems(rp_id: str, origins: list[str]) -> list[str]:
    """Each reason the RP id and origins are unfit for production, naming the variable."""
    problems = []
    rp = rp_id.strip().lower().rstrip(".")
    why = _local_host(rp)
    if why:
        problems.append(
            f"TELEHALL_WEBAUTHN_RP_ID {why} ({rp_id!r}): set the hall's registrable domain"
        )
    if not origins:
        problems.append("TELEHALL_WEBAUTHN_ORIGINS is empty: list the hall's https origins")
    for origin in origins:
        if origin.startswith(ANDROID_APP_ORIGIN):
            continue
        parts = urlsplit(origin)
        host = parts.hostname or ""
        if parts.scheme != "https":
            problems.append(f"TELEHALL_WEBAUTHN_ORIGINS has {origin!r}, which is not https")
        elif local := _local_host(host):
            problems.append(f"TELEHALL_WEBAUTHN_ORIGINS has {origin!r}, whose host {local}")
        elif not why and host != rp and not host.endswith("." + rp):
            problems.append(
                f"TELEHALL_WEBAUTHN_ORIGINS has {origin!r}, which is not on {rp_id!r} "
                "(browsers refuse a passkey there)"
            )
    return problems
