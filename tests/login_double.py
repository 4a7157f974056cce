"""Local doubles of the Microsoft identity platform's token endpoint and of GitHub's OIDC.

`LoginDouble` answers what msal asks for in an app-only client-credentials flow, over
https on 127.0.0.1 (msal accepts no http authority): the tenant's OpenID configuration
(`/{tenant}/v2.0/.well-known/openid-configuration`), instance discovery
(`/common/discovery/instance`, which msal skips with instance_discovery=False) and the
token endpoint (`POST /{tenant}/oauth2/v2.0/token`). It follows Microsoft's protocol
documentation (client credentials grant; a client_secret in the body or as HTTP Basic; a
client_assertion of type urn:ietf:params:oauth:client-assertion-type:jwt-bearer; a scope
ending in /.default) and refuses with the documented body
{"error", "error_description": "AADSTSnnnnn: ...", "error_codes": [n], ...}. The TLS
certificate is issued by a throwaway CA whose PEM file is `ca_file` (MENTORFLOW_LOGIN_CA).

Certificate assertions are checked as Microsoft documents them: an RS256 signature with the
certificate's SHA-1 thumbprint in `x5t` (or PS256 with `x5t#S256`), aud = the token
endpoint, iss = sub = client_id, exp in the future. A GitHub token is accepted as a
federated credential when GitHub's double signed it, its audience is
api://AzureADTokenExchange and its subject is registered on the app (case-sensitively).

`GithubOidcDouble` is GitHub Actions' ID token service: GET `url&audience=...` with
"Authorization: Bearer <request token>" answers {"value": <signed JWT>}.

Every access token issued goes into `tokens` (a set a Graph double may share).
"""

from __future__ import annotations

import base64
import hashlib
import ipaddress
import json
import secrets
import ssl
import sys
import tempfile
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
GITHUB_AUDIENCE = "api://AzureADTokenExchange"
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
SECRET_FIELDS = frozenset({"client_secret", "client_assertion"})


@dataclass
class Seen:
    """One request as a double received it; secrets and assertions are never kept."""

    method: str
    path: str
    query: dict[str, str]
    form: dict[str, str] = field(default_factory=dict)
    status: int = 0


@dataclass
class App:
    tenant: str
    client_id: str
    secret: str | None = None
    secret_expired: bool = False
    certificate: x509.Certificate | None = None
    federated_subjects: tuple[str, ...] = ()


@cache
def _key() -> rsa.RSAPrivateKey:
    """One RSA key per test process for the TLS CA, the server and GitHub (keygen is slow)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@cache
def _tls() -> tuple[bytes, bytes, bytes]:
    """(CA certificate, server certificate, server key) as PEM, for 127.0.0.1 and localhost."""
    key = _key()
    now = datetime.now(UTC)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mentorflow test login CA")])
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(ski, critical=False)
        .sign(key, hashes.SHA256())
    )
    server = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False
        )
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return (
        ca.public_bytes(serialization.Encoding.PEM),
        server.public_bytes(serialization.Encoding.PEM),
        key_pem,
    )


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def thumbprint(certificate: x509.Certificate) -> str:
    """The SHA-1 thumbprint as Microsoft Entra shows it (upper-case hex)."""
    return certificate.fingerprint(hashes.SHA1()).hex().upper()


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def _answer(self) -> None:
        parts = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        form: dict[str, str] = {}
        if self.command == "POST":
            form = {k: v[-1] for k, v in parse_qs(body.decode("utf-8", "replace")).items()}
        seen = Seen(
            self.command,
            unquote(parts.path),
            query,
            {k: ("<redacted>" if k in SECRET_FIELDS else v) for k, v in form.items()},
        )
        status, payload = self.server.owner.handle(
            self.command, seen.path, query, form, dict(self.headers.items())
        )
        seen.status = status
        with self.server.owner.lock:
            self.server.owner.requests.append(seen)
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(data)

    do_GET = _answer
    do_POST = _answer


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, owner: _Double) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.owner = owner

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that refuses the TLS certificate or hangs up is no test failure."""
        if not isinstance(sys.exc_info()[1], ssl.SSLError | ConnectionError):
            super().handle_error(request, client_address)


class _Double:
    """A server on 127.0.0.1:0 in a thread of its own, as a context manager."""

    scheme = "http"

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests: list[Seen] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def base(self) -> str:
        assert self._server is not None, "use the double as a context manager"
        return f"{self.scheme}://127.0.0.1:{self._server.server_address[1]}"

    def _wrap(self, server: _Server) -> None:
        pass

    def __enter__(self) -> Any:
        self._server = _Server(self)
        self._wrap(self._server)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def handle(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        form: dict[str, str],
        headers: dict[str, str],
    ) -> tuple[int, dict[str, Any]]:
        raise NotImplementedError


class GithubOidcDouble(_Double):
    """GitHub Actions' ID token service for one job (plain http on 127.0.0.1)."""

    def __init__(
        self,
        subject: str = "repo:acme/mentoring:ref:refs/heads/main",
        request_token: str | None = None,
    ) -> None:
        super().__init__()
        self.subject = subject
        self.request_token = request_token or secrets.token_urlsafe(24)
        self.fail_with: int | None = None  # answer every request with this status
        self.issued = 0
        self.key = _key()
        self.kid = _b64url(hashlib.sha256(b"github-oidc-double").digest()[:16])

    @property
    def url(self) -> str:
        """ACTIONS_ID_TOKEN_REQUEST_URL: it carries a query already, as GitHub's does."""
        return f"{self.base}/_apis/distributedtask/idtoken?api-version=2.0"

    def environ(self) -> dict[str, str]:
        """The variables a job with `permissions: id-token: write` sees."""
        return {
            "ACTIONS_ID_TOKEN_REQUEST_URL": self.url,
            "ACTIONS_ID_TOKEN_REQUEST_TOKEN": self.request_token,
        }

    def handle(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        form: dict[str, str],
        headers: dict[str, str],
    ) -> tuple[int, dict[str, Any]]:
        if method != "GET" or path != "/_apis/distributedtask/idtoken":
            return 404, {"message": "Not Found"}
        if self.fail_with is not None:
            return self.fail_with, {"message": "Refused by the test"}
        auth = {k.lower(): v for k, v in headers.items()}.get("authorization", "")
        scheme, _, given = auth.partition(" ")
        if scheme.lower() != "bearer" or given != self.request_token:
            return 401, {"message": "Unauthorized"}
        repository = self.subject.split(":")[1] if ":" in self.subject else "acme/mentoring"
        owner = repository.split("/")[0]
        now = datetime.now(UTC)
        claims = {
            "jti": str(uuid.uuid4()),
            "sub": self.subject,
            "aud": query.get("audience") or f"https://github.com/{owner}",
            "ref": "refs/heads/main",
            "repository": repository,
            "repository_owner": owner,
            "event_name": "schedule",
            "iss": GITHUB_ISSUER,
            "nbf": int((now - timedelta(seconds=5)).timestamp()),
            "iat": int(now.timestamp()),
            "exp": int((now + timedelta(minutes=5)).timestamp()),
        }
        value = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})
        with self.lock:
            self.issued += 1
        return 200, {"count": 1, "value": value}


class LoginDouble(_Double):
    """login.microsoftonline.com for the apps registered on it, over https."""

    scheme = "https"

    def __init__(
        self, tokens: set[str] | None = None, github: GithubOidcDouble | None = None
    ) -> None:
        super().__init__()
        self.tokens: set[str] = tokens if tokens is not None else set()
        self.apps: dict[tuple[str, str], App] = {}
        self.tenants: set[str] = set()
        self.issued = 0  # access tokens issued
        self.token_requests = 0  # POSTs to a token endpoint, refused ones included
        self.fail_next: list[int] = []  # statuses (e.g. 503) for the next requests, in order
        self._own_github = github is None
        self.github = github if github is not None else GithubOidcDouble()
        self._folder = tempfile.TemporaryDirectory(prefix="login-double-")
        ca, server, key = _tls()
        folder = Path(self._folder.name)
        (folder / "ca.pem").write_bytes(ca)
        (folder / "server.pem").write_bytes(server + key)
        self.ca_file = str(folder / "ca.pem")

    @property
    def url(self) -> str:
        """What MENTORFLOW_LOGIN_ENDPOINT is set to."""
        return self.base

    def environ(self) -> dict[str, str]:
        """The variables that point mentorflow at this double."""
        return {"MENTORFLOW_LOGIN_ENDPOINT": self.url, "MENTORFLOW_LOGIN_CA": self.ca_file}

    def token_endpoint(self, tenant: str) -> str:
        return f"{self.url}/{tenant}/oauth2/v2.0/token"

    def register_tenant(self, tenant: str) -> None:
        self.tenants.add(tenant)

    def register_app(
        self,
        tenant: str,
        client_id: str,
        secret: str | None = None,
        secret_expired: bool = False,
        certificate_pem: str | bytes | None = None,
        federated_subjects: Iterable[str] = (),
    ) -> App:
        certificate = None
        if certificate_pem is not None:
            pem = certificate_pem.encode() if isinstance(certificate_pem, str) else certificate_pem
            certificate = x509.load_pem_x509_certificate(pem)
        app = App(tenant, client_id, secret, secret_expired, certificate, tuple(federated_subjects))
        self.tenants.add(tenant)
        self.apps[(tenant, client_id)] = app
        return app

    def _wrap(self, server: _Server) -> None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(Path(self._folder.name) / "server.pem"))
        server.socket = context.wrap_socket(
            server.socket, server_side=True, do_handshake_on_connect=False
        )

    def __enter__(self) -> LoginDouble:
        if self._own_github:
            self.github.__enter__()
        super().__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        super().__exit__(kind, value, traceback)
        if self._own_github:
            self.github.__exit__(kind, value, traceback)
        self._folder.cleanup()

    # The protocol

    def handle(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        form: dict[str, str],
        headers: dict[str, str],
    ) -> tuple[int, dict[str, Any]]:
        with self.lock:
            failure = self.fail_next.pop(0) if self.fail_next else None
            if method == "POST" and path.endswith("/oauth2/v2.0/token"):
                self.token_requests += 1
        if failure is not None:
            return failure, _error(
                "temporarily_unavailable", 50033, "A transient error has occurred. Try again."
            )
        segments = [s for s in path.split("/") if s]
        if method == "GET" and path == "/common/discovery/instance":
            return self._instance_discovery(query)
        if (
            method == "GET"
            and len(segments) == 4
            and segments[1:] == ["v2.0", ".well-known", "openid-configuration"]
        ):
            return self._openid_configuration(segments[0])
        if len(segments) == 4 and segments[1:] == ["oauth2", "v2.0", "token"]:
            if method != "POST":
                return 405, _error(
                    "invalid_request",
                    900561,
                    f"The endpoint only accepts (POST, OPTIONS) requests. Received a {method} "
                    "request.",
                )
            return self._token(segments[0], form, headers)
        return 404, {"error": "not_found", "error_description": f"No such path: {path}"}

    def _unknown_tenant(self, tenant: str) -> tuple[int, dict[str, Any]]:
        return 400, _error(
            "invalid_tenant",
            90002,
            f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID "
            "and are signing into the correct cloud. Check with your subscription "
            "administrator, this may happen if there are no active subscriptions for the "
            "tenant.",
        )

    def _instance_discovery(self, query: dict[str, str]) -> tuple[int, dict[str, Any]]:
        endpoint = urlsplit(query.get("authorization_endpoint", ""))
        tenant = next((s for s in endpoint.path.split("/") if s), "common")
        host = urlsplit(self.url).netloc
        return 200, {
            "tenant_discovery_endpoint": (
                f"{self.url}/{tenant}/v2.0/.well-known/openid-configuration"
            ),
            "api-version": "1.1",
            "metadata": [{"preferred_network": host, "preferred_cache": host, "aliases": [host]}],
        }

    def _openid_configuration(self, tenant: str) -> tuple[int, dict[str, Any]]:
        if tenant not in self.tenants:
            return self._unknown_tenant(tenant)
        base = f"{self.url}/{tenant}"
        return 200, {
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "private_key_jwt",
                "client_secret_basic",
            ],
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "response_modes_supported": ["query", "fragment", "form_post"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "issuer": f"{base}/v2.0",
            "request_uri_parameter_supported": False,
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
            "http_logout_supported": True,
            "frontchannel_logout_supported": True,
            "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nbf", "tid"],
            "kerberos_endpoint": f"{base}/kerberos",
            "tenant_region_scope": "EU",
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com",
        }

    def _token(
        self, tenant: str, form: dict[str, str], headers: dict[str, str]
    ) -> tuple[int, dict[str, Any]]:
        if tenant not in self.tenants:
            return self._unknown_tenant(tenant)
        if form.get("grant_type") != "client_credentials":
            return 400, _error(
                "unsupported_grant_type",
                70003,
                f"The app requested an unsupported grant type '{form.get('grant_type', '')}'.",
            )
        client_id, secret = form.get("client_id"), form.get("client_secret")
        auth = {k.lower(): v for k, v in headers.items()}.get("authorization", "")
        if auth.lower().startswith("basic "):
            decoded = base64.b64decode(auth[6:]).decode("utf-8", "replace")
            basic_id, _, basic_secret = decoded.partition(":")
            client_id = client_id or unquote(basic_id.replace("+", " "))
            secret = secret or unquote(basic_secret.replace("+", " "))
        for name, value in (("client_id", client_id), ("scope", form.get("scope"))):
            if not value:
                return 400, _error(
                    "invalid_request",
                    900144,
                    f"The request body must contain the following parameter: '{name}'.",
                )
        assert client_id is not None
        app = self.apps.get((tenant, client_id))
        if app is None:
            return 400, _error(
                "unauthorized_client",
                700016,
                f"Application with identifier '{client_id}' was not found in the directory "
                f"'{tenant}'. This can happen if the application has not been installed by the "
                "administrator of the tenant or consented to by any user in the tenant. You "
                "may have sent your authentication request to the wrong tenant.",
            )
        scopes = form["scope"].split()
        if len(scopes) != 1 or not scopes[0].endswith("/.default"):
            return 400, _error(
                "invalid_scope",
                70011,
                f"The provided value for the input parameter 'scope' is not valid. The scope "
                f"{form['scope']} is not valid.",
            )
        assertion = form.get("client_assertion")
        if secret:
            refused = self._check_secret(app, secret)
        elif assertion:
            if form.get("client_assertion_type") != JWT_BEARER:
                return 400, _error(
                    "invalid_request",
                    900144,
                    "The request body must contain the following parameter: "
                    "'client_assertion_type'.",
                )
            refused = self._check_assertion(app, tenant, assertion)
        else:
            return 401, _error(
                "invalid_client",
                7000218,
                "The request body must contain the following parameter: 'client_assertion' or "
                "'client_secret'.",
            )
        if refused:
            return refused
        token = "login-double-" + secrets.token_urlsafe(32)
        with self.lock:
            self.issued += 1
            self.tokens.add(token)
        return 200, {
            "token_type": "Bearer",
            "expires_in": 3599,
            "ext_expires_in": 3599,
            "access_token": token,
        }

    def _check_secret(self, app: App, secret: str) -> tuple[int, dict[str, Any]] | None:
        if app.secret is None or not secrets.compare_digest(app.secret, secret):
            return 401, _error(
                "invalid_client",
                7000215,
                "Invalid client secret provided. Ensure the secret being sent in the request "
                "is the client secret value, not the client secret ID, for a secret added to "
                f"app '{app.client_id}'.",
            )
        if app.secret_expired:
            return 401, _error(
                "invalid_client",
                7000222,
                f"The provided client secret keys for app '{app.client_id}' are expired. "
                "Visit the Azure portal to create new keys for your app: "
                "https://aka.ms/NewClientSecret, or consider using certificate credentials for "
                "added security: https://aka.ms/certCreds.",
            )
        return None

    def _check_assertion(
        self, app: App, tenant: str, assertion: str
    ) -> tuple[int, dict[str, Any]] | None:
        try:
            header = jwt.get_unverified_header(assertion)
            unverified = jwt.decode(assertion, options={"verify_signature": False})
        except jwt.PyJWTError:
            return 401, _error("invalid_client", 50027, "JWT token is invalid or malformed.")
        if unverified.get("iss") == GITHUB_ISSUER:
            return self._check_federated(app, assertion)
        return self._check_certificate(app, tenant, assertion, header)

    def _check_certificate(
        self, app: App, tenant: str, assertion: str, header: dict[str, Any]
    ) -> tuple[int, dict[str, Any]] | None:
        certificate = app.certificate
        algorithm = header.get("alg")
        digest: hashes.HashAlgorithm
        if algorithm == "RS256" and "x5t" in header:
            presented, digest = header["x5t"], hashes.SHA1()
        elif algorithm == "PS256" and "x5t#S256" in header:
            presented, digest = header["x5t#S256"], hashes.SHA256()
        else:
            return 401, _error(
                "invalid_client",
                50027,
                "JWT token is invalid or malformed: the header needs alg RS256 with x5t, or "
                "PS256 with x5t#S256.",
            )
        expected = _b64url(certificate.fingerprint(digest)) if certificate else None
        presented = str(presented).rstrip("=")  # msal sends the thumbprint padded
        if certificate is None or presented != expected:
            used = _hex_thumbprint(str(presented))
            return 401, _error(
                "invalid_client",
                700027,
                "The certificate with identifier used to sign the client assertion is not "
                "registered on application. [Reason - The key was not found., Thumbprint of key "
                f"used by client: '{used}', Please visit the Azure Portal, Graph Explorer or "
                "directly use MS Graph to see configured keys for app Id "
                f"'{app.client_id}'.]",
            )
        try:
            claims = jwt.decode(
                assertion,
                certificate.public_key(),  # type: ignore[arg-type]
                algorithms=[algorithm],
                audience=self.token_endpoint(tenant),
                options={"require": ["exp", "aud", "iss", "sub"]},
            )
        except jwt.PyJWTError as exc:
            return _assertion_refused(exc)
        if claims["iss"] != claims["sub"]:
            return 401, _error(
                "invalid_client", 50048, "Subject mismatches Issuer claim in the client assertion."
            )
        if claims["iss"] != app.client_id:
            return 401, _error(
                "invalid_client",
                50027,
                "JWT token is invalid or malformed: unexpected issuer "
                f"'{claims['iss']}' for client_id '{app.client_id}'.",
            )
        return None

    def _check_federated(self, app: App, assertion: str) -> tuple[int, dict[str, Any]] | None:
        try:
            claims = jwt.decode(
                assertion,
                self.github.key.public_key(),
                algorithms=["RS256"],
                audience=GITHUB_AUDIENCE,
                issuer=GITHUB_ISSUER,
                options={"require": ["exp", "aud", "iss", "sub"]},
            )
        except jwt.InvalidAudienceError:
            return 400, _error(
                "invalid_request",
                700212,
                "No matching federated identity record found for presented assertion audience. "
                "Please check your federated identity credential Subject, Audience and Issuer "
                "against the presented assertion.",
            )
        except jwt.PyJWTError as exc:
            return _assertion_refused(exc)
        subject = str(claims["sub"])
        if subject in app.federated_subjects:
            return None
        if subject.lower() in {s.lower() for s in app.federated_subjects}:
            return 400, _error(
                "invalid_request",
                7002138,
                "No matching federated identity record found for presented assertion subject "
                f"'{subject}'. The subject matches with case-insensitive comparison, but not "
                "with case-sensitive comparison. Check your federated identity credential "
                "Subject, Audience and Issuer against the presented assertion.",
            )
        return 400, _error(
            "invalid_request",
            700213,
            "No matching federated identity record found for presented assertion subject "
            f"'{subject}'. Check your federated identity credential Subject, Audience and "
            "Issuer against the presented assertion.",
        )


def _assertion_refused(exc: jwt.PyJWTError) -> tuple[int, dict[str, Any]]:
    """How the token endpoint refuses a client assertion that does not verify."""
    if isinstance(exc, jwt.InvalidSignatureError):
        return 401, _error(
            "invalid_client", 700027, "Client assertion failed signature validation."
        )
    if isinstance(exc, jwt.ExpiredSignatureError | jwt.ImmatureSignatureError):
        return 401, _error(
            "invalid_client", 700024, "Client assertion is not within its valid time range."
        )
    return 401, _error("invalid_client", 50027, f"JWT token is invalid or malformed: {exc}.")


def _hex_thumbprint(x5t: str) -> str:
    try:
        return base64.urlsafe_b64decode(x5t + "=" * (-len(x5t) % 4)).hex().upper()
    except ValueError:
        return x5t


def _error(error: str, code: int, description: str) -> dict[str, Any]:
    """An error body as the Microsoft identity platform documents it."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%SZ")
    trace, correlation = str(uuid.uuid4()), str(uuid.uuid4())
    return {
        "error": error,
        "error_description": (
            f"AADSTS{code}: {description}\r\nTrace ID: {trace}\r\n"
            f"Correlation ID: {correlation}\r\nTimestamp: {now}"
        ),
        "error_codes": [code],
        "timestamp": now,
        "trace_id": trace,
        "correlation_id": correlation,
        "error_uri": f"https://login.microsoftonline.com/error?code={code}",
    }
