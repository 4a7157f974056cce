"""App-only access tokens for Microsoft Graph, from msal: one login per run.

The app registration of mentorflow in the organisation's Microsoft Entra tenant proves
who it is with one of three credentials, chosen in this order:

1. MICROSOFT_CERTIFICATE: the PEM text of the private key and the certificate, or the
   path of a .pem file holding both; MICROSOFT_CERTIFICATE_PASSWORD if the key is
   encrypted. The SHA-1 thumbprint msal sends (x5t) is computed here, and the certificate
   rides along (x5c) for subject name/issuer authentication.
2. MICROSOFT_CLIENT_SECRET.
3. GitHub Actions OIDC federation, no secret at all: when ACTIONS_ID_TOKEN_REQUEST_URL and
   ACTIONS_ID_TOKEN_REQUEST_TOKEN are set (the workflow has `permissions: id-token:
   write`), a GitHub token for the audience api://AzureADTokenExchange is the client
   assertion. msal gets a callable, so it asks GitHub only when it sends a token request.

The login endpoint is https://login.microsoftonline.com unless MENTORFLOW_LOGIN_ENDPOINT
names another (a gateway, or the tests' double). msal accepts only https authorities (its
`canonicalize` refuses any other scheme), so a double is served over https, and
MENTORFLOW_LOGIN_CA names the PEM file of the certificate authority to trust for it. msal
is given its own HTTP session (`http_client`) with instance discovery off: it fetches the
tenant's OpenID configuration from the endpoint itself and posts to the token endpoint
named there, nothing else. That session puts a timeout on every request and tries a
bounded number of times on connection errors, 429 and 5xx (msal leaves retries to a
session it is given; its own throttle cache would answer a retry within seconds with the
same error).

Every failure is one line that names what to ask the Microsoft 365 admin for; no secret,
private key, assertion or token ever appears in one.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
import re
import time
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, cast
from urllib.parse import quote, urlsplit

import msal
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from pipeline.errors import ConfigError, GraphUnavailable

#: The one scope mentorflow asks for: every application permission granted to the app.
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
MICROSOFT_LOGIN = "https://login.microsoftonline.com"
GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
GITHUB_AUDIENCE = "api://AzureADTokenExchange"
TIMEOUT = (10.0, 30.0)  # seconds to connect, seconds to wait for an answer
ATTEMPTS = 4  # tries per request; the waits between them are 1, 2 and 4 seconds
RETRIED = frozenset({429, 500, 502, 503, 504})

Kind = Literal["certificate", "secret", "github"]

_PRIVATE_KEY = re.compile(
    r"-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----.+?-----END \1-----", re.DOTALL
)
_CERTIFICATE = re.compile(r"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)
_AADSTS = re.compile(r"AADSTS(\d+)")
_FILE_NAME = re.compile(r"\.(pem|crt|cer|key)$", re.IGNORECASE)

_TENANT_UNKNOWN = frozenset({90002, 900023})
_APP_UNKNOWN = frozenset({700016})
_SECRET_INVALID = frozenset({7000215, 70002})
_SECRET_EXPIRED = frozenset({7000222})
_CERTIFICATE_REFUSED = frozenset({700027, 700030, 50012})
_ASSERTION_TIME = frozenset({700024})
_NO_FEDERATED_MATCH = frozenset({70021, 700211, 700212, 700213, 7002138})


class _Unreachable(Exception):
    """The login endpoint did not answer within the tries; `reason` says how it failed."""

    def __init__(self, host: str, reason: str) -> None:
        super().__init__(reason)
        self.host = host
        self.reason = reason


class _Session(requests.Session):
    """msal's HTTP session: a timeout on every request, bounded retries, a trusted CA.

    Remembers the last error body with AADSTS codes (`last_error`): msal reports a tenant
    discovery that failed only as a ValueError of its own wording.
    """

    def __init__(
        self,
        endpoint: str,
        ca_file: str | None,
        timeout: tuple[float, float],
        attempts: int,
        sleep: Callable[[float], None],
    ) -> None:
        super().__init__()
        self.endpoint = endpoint
        self.ca_file = ca_file
        self.timeout = timeout
        self.attempts = attempts
        self.sleep = sleep
        self.count = 0  # HTTP requests made, retries included
        self.last_error: dict[str, Any] | None = None

    def request(  # type: ignore[override]
        self, method: str, url: str, *args: Any, **kwargs: Any
    ) -> requests.Response:
        kwargs["timeout"] = kwargs.get("timeout") or self.timeout
        if self.ca_file and url.startswith(self.endpoint + "/"):
            # Per request: REQUESTS_CA_BUNDLE would otherwise win over a session's verify.
            kwargs.setdefault("verify", self.ca_file)
        host = urlsplit(url).netloc
        for attempt in range(1, self.attempts + 1):
            self.count += 1
            try:
                response = super().request(method, url, *args, **kwargs)
            except requests.exceptions.SSLError:
                raise ConfigError(
                    f"The TLS certificate of {host} could not be verified: set "
                    "MENTORFLOW_LOGIN_CA to the certificate authority of "
                    "MENTORFLOW_LOGIN_ENDPOINT, or remove MENTORFLOW_LOGIN_ENDPOINT."
                    if url.startswith(self.endpoint + "/")
                    else f"The TLS certificate of {host} could not be verified: check the "
                    "computer's certificate authorities (REQUESTS_CA_BUNDLE)."
                ) from None
            except (requests.ConnectionError, requests.Timeout) as exc:
                if attempt == self.attempts:
                    raise _Unreachable(host, type(exc).__name__) from None
                self.sleep(2.0 ** (attempt - 1))
                continue
            if response.status_code in RETRIED:
                if attempt == self.attempts:
                    raise _Unreachable(host, f"HTTP {response.status_code}")
                self.sleep(_wait(response, attempt))
                continue
            if response.status_code >= 400:
                self.last_error = _error_body(response)
            return response
        raise AssertionError("unreachable")


def _wait(response: Any, attempt: int) -> float:
    try:
        return min(float(response.headers.get("Retry-After", "")), 60.0)
    except ValueError:
        return float(2 ** (attempt - 1))


def _error_body(response: Any) -> dict[str, Any] | None:
    try:
        body = response.json()
    except ValueError:
        return None
    return cast(dict[str, Any], body) if isinstance(body, dict) else None


def _codes(body: Mapping[str, Any] | None) -> list[int]:
    """The AADSTS codes of an error body: `error_codes`, else those in the description."""
    if not body:
        return []
    codes = body.get("error_codes")
    if isinstance(codes, list) and all(isinstance(c, int) for c in codes) and codes:
        return list(codes)
    return [int(c) for c in _AADSTS.findall(str(body.get("error_description", "")))]


class _Certificate:
    """The private key (as unencrypted PKCS#8 PEM for msal) and the leaf certificate."""

    def __init__(self, text: str, password: str | None) -> None:
        found = _PRIVATE_KEY.search(text)
        if not found:
            raise ConfigError(
                "MICROSOFT_CERTIFICATE holds no PEM private key: set it to the PEM text of the "
                "app's private key and certificate (-----BEGIN PRIVATE KEY----- … -----BEGIN "
                "CERTIFICATE-----), or to the path of a .pem file holding both."
            )
        certificates = _CERTIFICATE.findall(text)
        if not certificates:
            raise ConfigError(
                "MICROSOFT_CERTIFICATE holds a private key but no certificate: add the PEM "
                "text of the certificate registered on the app (-----BEGIN CERTIFICATE-----)."
            )
        key = _load_key(found[0].encode("ascii", "replace"), password)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ConfigError(
                "The private key in MICROSOFT_CERTIFICATE is not an RSA key: Microsoft Entra "
                "accepts only RSA certificates; ask the Microsoft 365 admin to register an "
                "RSA certificate on the app."
            )
        try:
            certificate = x509.load_pem_x509_certificate(certificates[0].encode("ascii"))
        except ValueError:
            raise ConfigError(
                "The certificate in MICROSOFT_CERTIFICATE cannot be read: set it to the PEM "
                "text of the certificate registered on the app (-----BEGIN CERTIFICATE-----)."
            ) from None
        if certificate.public_key() != key.public_key():
            raise ConfigError(
                "The private key and the certificate in MICROSOFT_CERTIFICATE do not belong "
                "together: put the key of the certificate registered on the app beside it."
            )
        self.thumbprint = certificate.fingerprint(hashes.SHA1()).hex().upper()
        self.expires = certificate.not_valid_after_utc
        self.public_pem = certificate.public_bytes(serialization.Encoding.PEM).decode("ascii")
        self.private_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode("ascii")

    def credential(self) -> dict[str, str]:
        return {
            "private_key": self.private_pem,
            "thumbprint": self.thumbprint,
            "public_certificate": self.public_pem,
        }


def _load_key(pem: bytes, password: str | None) -> Any:
    secret = password.encode("utf-8") if password else None
    try:
        return serialization.load_pem_private_key(pem, secret)
    except TypeError:
        if secret is None:
            raise ConfigError(
                "The private key in MICROSOFT_CERTIFICATE is encrypted: set its password in "
                "MICROSOFT_CERTIFICATE_PASSWORD."
            ) from None
        try:  # a password was given for a key that is not encrypted: it is not needed
            return serialization.load_pem_private_key(pem, None)
        except (TypeError, ValueError):
            pass
    except ValueError:
        if secret is not None:
            raise ConfigError(
                "MICROSOFT_CERTIFICATE_PASSWORD does not open the private key in "
                "MICROSOFT_CERTIFICATE: set the password the key was encrypted with."
            ) from None
    except Exception:  # cryptography's own errors for keys it cannot parse at all
        pass
    raise ConfigError(
        "The private key in MICROSOFT_CERTIFICATE cannot be read: set it to the PEM text of "
        "the app's private key and certificate, or to the path of a .pem file holding both."
    )


def _certificate_text(value: str) -> str:
    if "-----BEGIN" in value:
        return value.replace("\\n", "\n")  # a PEM pasted into one line of a .env file
    path = Path(value.strip()).expanduser()
    try:
        return path.read_text(encoding="ascii", errors="replace")
    except OSError:
        # The value is named only when it looks like a file name: it may be a pasted secret.
        looks_like_a_file = len(value) < 260 and _FILE_NAME.search(value.strip())
        named = f" ({path})" if looks_like_a_file else ""
        raise ConfigError(
            f"MICROSOFT_CERTIFICATE is neither PEM text nor a readable file{named}: set it to "
            "the PEM text of the app's private key and certificate, or to a .pem file's path."
        ) from None


class MicrosoftLogin:
    """App-only tokens for Microsoft Graph for one app in one tenant, one login per run.

    Reading the credential happens here (a ConfigError names what to set); talking to the
    login endpoint waits for the first `token()`.
    """

    def __init__(
        self,
        tenant: str,
        client_id: str,
        environ: Mapping[str, str] = os.environ,
        login_endpoint: str | None = None,
        *,
        timeout: tuple[float, float] = TIMEOUT,
        attempts: int = ATTEMPTS,
        sleep: Callable[[float], None] = time.sleep,
        now: datetime | None = None,
    ) -> None:
        """`now`: the moment the login happens, for the certificate's expiry (the real
        moment, not --today's: Microsoft judges the certificate when it is presented);
        the command line passes its clock in."""
        self.tenant = tenant.strip()
        self.client_id = client_id.strip()
        if not self.tenant or re.search(r"[\s/?#]", self.tenant):
            raise ConfigError(
                f"'{tenant}' is not a Microsoft 365 tenant: ask the Microsoft 365 admin for "
                "the Directory (tenant) ID of the organisation."
            )
        if not self.client_id or re.search(r"[\s/?#]", self.client_id):
            raise ConfigError(
                f"'{client_id}' is not an app's client ID: ask the Microsoft 365 admin for the "
                "Application (client) ID of mentorflow's app registration."
            )
        self._environ = environ
        endpoint = (
            login_endpoint or environ.get("MENTORFLOW_LOGIN_ENDPOINT") or MICROSOFT_LOGIN
        ).strip()
        self.endpoint = endpoint.rstrip("/")
        parts = urlsplit(self.endpoint)
        if parts.scheme != "https" or not parts.hostname:
            raise ConfigError(
                f"MENTORFLOW_LOGIN_ENDPOINT must be an https:// address (msal accepts no "
                f"other), not '{endpoint}'."
            )
        self._session = _Session(
            self.endpoint, environ.get("MENTORFLOW_LOGIN_CA") or None, timeout, attempts, sleep
        )
        self._certificate: _Certificate | None = None
        self._github_subject: str | None = None  # `sub` of the last GitHub token sent
        self.kind: Kind
        self._credential: Any
        if environ.get("MICROSOFT_CERTIFICATE", "").strip():
            self.kind = "certificate"
            self._certificate = _Certificate(
                _certificate_text(environ["MICROSOFT_CERTIFICATE"]),
                environ.get("MICROSOFT_CERTIFICATE_PASSWORD") or None,
            )
            if now is not None and self._certificate.expires <= now:
                raise ConfigError(
                    f"The certificate in MICROSOFT_CERTIFICATE (thumbprint "
                    f"{self._certificate.thumbprint}) expired on "
                    f"{self._certificate.expires:%Y-%m-%d}: ask the Microsoft 365 admin for a "
                    f"new certificate registered on app {self.client_id}."
                )
            self._credential = self._certificate.credential()
        elif environ.get("MICROSOFT_CLIENT_SECRET", "").strip():
            self.kind = "secret"
            self._credential = environ["MICROSOFT_CLIENT_SECRET"].strip()
        elif environ.get("ACTIONS_ID_TOKEN_REQUEST_URL") and environ.get(
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
        ):
            self.kind = "github"
            self._credential = {"client_assertion": self._github_assertion}
        else:
            raise ConfigError(
                "No Microsoft 365 credential: set MICROSOFT_CERTIFICATE (the PEM of the app's "
                "certificate and private key, or its path) or MICROSOFT_CLIENT_SECRET; on "
                "GitHub Actions, give the workflow `permissions: id-token: write` and ask the "
                "Microsoft 365 admin for a federated credential on the app instead."
            )
        self._app: Any = None

    @property
    def requests_made(self) -> int:
        """HTTP requests sent to the login endpoint and GitHub, retries included."""
        return self._session.count

    def describe(self) -> str:
        """Which credential is used, for messages: never the credential itself."""
        if self._certificate:
            return f"certificate {self._certificate.thumbprint}"
        return "client secret" if self.kind == "secret" else "GitHub Actions federation"

    def token(self) -> str:
        """An access token for Microsoft Graph; the first call logs in, later ones reuse it."""
        try:
            if self._app is None:
                self._app = self._build()
            result = self._app.acquire_token_for_client(scopes=[GRAPH_SCOPE])
        except _Unreachable as exc:
            raise GraphUnavailable(
                f"The Microsoft 365 login ({exc.host}) could not be reached after "
                f"{self._session.attempts} tries ({exc.reason}); nothing was read or sent. "
                "The next run tries again."
            ) from None
        if isinstance(result, dict) and isinstance(result.get("access_token"), str):
            return cast(str, result["access_token"])
        raise self._refused(result if isinstance(result, dict) else {})

    def _build(self) -> Any:
        try:
            return msal.ConfidentialClientApplication(
                self.client_id,
                client_credential=self._credential,
                authority=f"{self.endpoint}/{self.tenant}",
                # The tenant's OpenID configuration is read from the endpoint itself: no
                # question to login.microsoftonline.com about an unfamiliar host.
                instance_discovery=False,
                http_client=self._session,
            )
        except ValueError:
            error = self._session.last_error or {}
            codes = _codes(error)
            if set(codes) & _TENANT_UNKNOWN or error.get("error") == "invalid_tenant":
                raise self._unknown_tenant(codes[0] if codes else None) from None
            raise ConfigError(
                f"The login endpoint {self.endpoint} gave no OpenID configuration for tenant "
                f"'{self.tenant}': check MENTORFLOW_LOGIN_ENDPOINT, or remove it to use "
                f"{MICROSOFT_LOGIN}."
            ) from None

    def _unknown_tenant(self, code: int | None) -> ConfigError:
        return ConfigError(
            f"Microsoft 365 does not know the tenant '{self.tenant}'"
            f"{f' (AADSTS{code})' if code else ''}: ask the Microsoft 365 admin for the "
            "Directory (tenant) ID of the organisation."
        )

    def _refused(self, result: Mapping[str, Any]) -> ConfigError:
        codes = set(_codes(result))
        code = min(codes) if codes else None
        tag = f"AADSTS{code}" if code else str(result.get("error") or "no token")
        app = self.client_id
        if codes & _TENANT_UNKNOWN:
            return self._unknown_tenant(code)
        if codes & _APP_UNKNOWN:
            return ConfigError(
                f"The tenant '{self.tenant}' has no app with client ID {app} ({tag}): ask the "
                "Microsoft 365 admin for the Application (client) ID of mentorflow's app "
                "registration in that tenant."
            )
        if codes & _SECRET_EXPIRED:
            return ConfigError(
                f"The client secret in MICROSOFT_CLIENT_SECRET for app {app} has expired "
                f"({tag}): ask the Microsoft 365 admin for a new client secret (Certificates & "
                "secrets > New client secret) and put its Value in MICROSOFT_CLIENT_SECRET."
            )
        if codes & _SECRET_INVALID:
            return ConfigError(
                f"Microsoft 365 refused the client secret in MICROSOFT_CLIENT_SECRET for app "
                f"{app} ({tag}): ask the Microsoft 365 admin for the secret's Value (not its "
                "Secret ID) from the app's Certificates & secrets page."
            )
        if codes & _CERTIFICATE_REFUSED and self._certificate:
            return ConfigError(
                f"Microsoft 365 does not accept the certificate in MICROSOFT_CERTIFICATE for app "
                f"{app} ({tag}): ask the Microsoft 365 admin to upload that certificate "
                f"(thumbprint {self._certificate.thumbprint}) to the app's Certificates & "
                "secrets page."
            )
        if codes & _ASSERTION_TIME:
            return ConfigError(
                f"Microsoft 365 refused the login of app {app} as outside its valid time "
                f"({tag}): set this computer's clock right."
            )
        if codes & _NO_FEDERATED_MATCH or (self.kind == "github" and codes & _CERTIFICATE_REFUSED):
            return ConfigError(
                f"No federated credential of app {app} matches this GitHub workflow ({tag}): "
                "ask the Microsoft 365 admin to add one (Certificates & secrets > Federated "
                f"credentials) with issuer {GITHUB_ISSUER}, audience {GITHUB_AUDIENCE} and "
                f"subject {self._subject()}."
            )
        lookup = f" at {MICROSOFT_LOGIN}/error?code={code}" if code else ""
        return ConfigError(
            f"Microsoft 365 refused the login of app {app} in tenant '{self.tenant}' with "
            f"{self.describe()} ({tag}): ask the Microsoft 365 admin to look the code up{lookup}."
        )

    def _subject(self) -> str:
        """The subject to register: from GitHub's token, else from the workflow's context."""
        if self._github_subject:
            return self._github_subject
        repository = self._environ.get("GITHUB_REPOSITORY") or "OWNER/REPO"
        ref = self._environ.get("GITHUB_REF") or "refs/heads/main"
        return f"repo:{repository}:ref:{ref}"

    def _github_assertion(self) -> str:
        """A fresh GitHub OIDC token for Microsoft Entra; msal calls this per token request."""
        url = self._environ["ACTIONS_ID_TOKEN_REQUEST_URL"]
        separator = "&" if "?" in url else "?"
        audience = quote(GITHUB_AUDIENCE, safe="")
        headers = {
            "Authorization": f"Bearer {self._environ['ACTIONS_ID_TOKEN_REQUEST_TOKEN']}",
            "Accept": "application/json",
        }
        response = self._session.get(f"{url}{separator}audience={audience}", headers=headers)
        value = (_error_body(response) or {}).get("value") if response.ok else None
        if not isinstance(value, str) or not value:
            raise ConfigError(
                f"GitHub Actions gave mentorflow no OIDC token (HTTP {response.status_code}): "
                "give the workflow job that runs mentorflow `permissions: id-token: write`."
            )
        self._github_subject = _claim(value, "sub")
        return value


def _claim(token: str, name: str) -> str | None:
    """One claim of a JWT, unverified (for messages only: Microsoft Entra checks it)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, binascii.Error):
        return None
    value = claims.get(name) if isinstance(claims, dict) else None
    return value if isinstance(value, str) and value else None
