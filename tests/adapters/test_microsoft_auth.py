"""App-only Microsoft tokens through msal, unmocked, over real https to the login double."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from pipeline.adapters.microsoft_auth import ATTEMPTS, GRAPH_SCOPE, MicrosoftLogin
from pipeline.errors import ConfigError, GraphUnavailable
from tests.conftest import free_port
from tests.login_double import JWT_BEARER, LoginDouble, thumbprint

TENANT = "zorg-example.onmicrosoft.com"
CLIENT = "6f1c2d3e-4a5b-4c6d-8e7f-901234567890"
SECRET = "Synthetic~Secret.Value_0123456789abcdefXYZ"
SUBJECT = "repo:acme/mentoring:ref:refs/heads/main"


@pytest.fixture(autouse=True)
def no_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Neither the developer's nor a CI runner's credentials reach these tests."""
    for name in (
        "MICROSOFT_CERTIFICATE",
        "MICROSOFT_CERTIFICATE_PASSWORD",
        "MICROSOFT_CLIENT_SECRET",
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
        "GITHUB_REPOSITORY",
        "GITHUB_REF",
        "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE",
    ):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def tokens() -> set[str]:
    return set()


@pytest.fixture
def double(monkeypatch: pytest.MonkeyPatch, tokens: set[str]) -> Iterator[LoginDouble]:
    with LoginDouble(tokens=tokens) as login:
        for name, value in login.environ().items():
            monkeypatch.setenv(name, value)
        yield login


NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)  # the moment of the login


class Pem:
    """A throwaway self-signed RSA certificate, as the admin would register it."""

    def __init__(self, days: int = 30, common_name: str = "mentorflow") -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
        now = NOW  # valid around the login's moment, which the tests set
        self.certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=60))
            .not_valid_after(now + timedelta(days=days))
            .sign(self.key, hashes.SHA256())
        )
        self.cert_pem = self.certificate.public_bytes(serialization.Encoding.PEM).decode()
        self.thumbprint = thumbprint(self.certificate)

    def key_pem(self, password: str | None = None) -> str:
        encryption: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password.encode())
            if password
            else serialization.NoEncryption()
        )
        return self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
        ).decode()

    def both(self, password: str | None = None) -> str:
        return self.key_pem(password) + self.cert_pem


@pytest.fixture(scope="module")
def pem() -> Pem:
    return Pem()


@pytest.fixture(scope="module")
def other_pem() -> Pem:
    return Pem(common_name="someone else")


def one_line_without(error: BaseException, *hidden: str) -> str:
    """The message, after checking it is one line and shows none of the hidden texts."""
    text = str(error)
    assert text and "\n" not in text and "\r" not in text
    assert "Traceback" not in text
    for secret in hidden:
        assert secret not in text
        for line in secret.strip().splitlines():
            if "-----" not in line:  # the PEM armour itself is no secret
                assert line not in text
    return text


def login(sleeps: list[float] | None = None) -> MicrosoftLogin:
    return MicrosoftLogin(
        TENANT, CLIENT, sleep=(sleeps if sleeps is not None else []).append, now=NOW
    )


# Tokens


def test_a_client_secret_gets_one_token_per_run(
    double: LoginDouble, tokens: set[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    double.register_app(TENANT, CLIENT, secret=SECRET)
    monkeypatch.setenv("MICROSOFT_CLIENT_SECRET", SECRET)
    microsoft = login()
    assert microsoft.kind == "secret"
    assert microsoft.describe() == "client secret"
    token = microsoft.token()
    assert token in tokens
    assert [microsoft.token() for _ in range(5)] == [token] * 5
    assert double.issued == 1 and double.token_requests == 1
    posted = [seen for seen in double.requests if seen.method == "POST"]
    assert posted[0].form["grant_type"] == "client_credentials"
    assert posted[0].form["scope"] == GRAPH_SCOPE
    assert posted[0].form["client_secret"] == "<redacted>"  # the log keeps no secret


def test_a_certificate_gets_a_token_signed_with_its_key(
    double: LoginDouble, tokens: set[str], pem: Pem, monkeypatch: pytest.MonkeyPatch
) -> None:
    double.register_app(TENANT, CLIENT, certificate_pem=pem.cert_pem)
    monkeypatch.setenv("MICROSOFT_CERTIFICATE", pem.both())
    microsoft = login()
    assert microsoft.kind == "certificate"
    assert microsoft.describe() == f"certificate {pem.thumbprint}"
    assert microsoft.token() in tokens
    microsoft.token()
    assert double.issued == 1
    (posted,) = [seen for seen in double.requests if seen.method == "POST"]
    assert posted.form["client_assertion_type"] == JWT_BEARER
    assert "client_secret" not in posted.form


def test_an_encrypted_key_in_a_pem_file_is_opened_with_its_password(
    double: LoginDouble, tokens: set[str], pem: Pem, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    double.register_app(TENANT, CLIENT, certificate_pem=pem.cert_pem)
    path = tmp_path / "mentorflow.pem"
    path.write_text(pem.both(password="synthetic-pass"))
    monkeypatch.setenv("MICROSOFT_CERTIFICATE", str(path))
    monkeypatch.setenv("MICROSOFT_CERTIFICATE_PASSWORD", "synthetic-pass")
    assert login().token() in tokens


def test_the_certificate_comes_before_the_secret(
    double: LoginDouble, pem: Pem, monkeypatch: pytest.MonkeyPatch
) -> None:
    double.register_app(TENANT, CLIENT, secret=SECRET, certificate_pem=pem.cert_pem)
    monkeypatch.setenv("MICROSOFT_CERTIFICATE", pem.both())
    monkeypatch.setenv("MICROSOFT_CLIENT_SECRET", SECRET)
    microsoft = login()
    assert microsoft.kind == "certificate"
    microsoft.token()


def test_github_actions_federation_needs_no_secret(
    double: LoginDouble, tokens: set[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    double.register_app(TENANT, CLIENT, federated_subjects=[SUBJECT])
    for name, value in double.github.environ().items():
        monkeypatch.setenv(name, value)
    microsoft = login()
    assert microsoft.kind == "github"
    assert microsoft.describe() == "GitHub Actions federation"
    assert double.github.issued == 0  # nothing is asked before the first token
    token = microsoft.token()
    assert token in tokens
    assert microsoft.token() == token
    assert double.issued == 1 and double.github.issued == 1
    (asked,) = double.github.requests
    assert asked.query["audience"] == "api://AzureADTokenExchange"
    assert asked.query["api-version"] == "2.0"


def test_a_secret_comes_before_github_federation(
    double: LoginDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    double.register_app(TENANT, CLIENT, secret=SECRET, federated_subjects=[SUBJECT])
    for name, value in double.github.environ().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("MICROSOFT_CLIENT_SECRET", SECRET)
    microsoft = login()
    assert microsoft.kind == "secret"
    microsoft.token()
    assert double.github.issued == 0


# What to ask the admin for


def test_an_unknown_tenant_asks_for_the_tenant_id(
    double: LoginDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    double.register_app("someone-else.onmicrosoft.com", CLIENT, secret=SECRET)
    monkeypatch.setenv("MICROSOFT_CLIENT_SECRET", SECRET)
    with pytest.raises(ConfigError) as caught:
        login().token()
    text = one_line_without(caught.value, SECRET)
    assert f"does not know the tenant '{TENANT}'" in text
    assert "AADSTS90002" in text and "Directory (tenant) ID" in text
    assert double.token_requests == 0


def test_an_app_missing_from_the_tenant_asks_for_the_client_id(
    double: LoginDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    double.register_app(TENANT, "00000000-0000-0000-0000-000000000001", secret=SECRET)
    monkeypatch.setenv("MICROSOFT_CLIENT_SECRET", SECRET)
    with pytest.raises(ConfigError) as caught:
        login().token()
    text = one_line_without(caught.value, SECRET)
    assert "AADSTS700016" in text and "Application (client) ID" in text and CLIENT in text


def test_a_wrong_secret_asks_for_the_secret_value(
    double: LoginDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    double.register_app(TENANT, CLIENT, secret="the-right-one")
    monkeypatch.setenv("MICROSOFT_CLIENT_SECRET", SECRET)
    with pytest.raises(ConfigError) as caught:
        login().token()
    text = one_line_without(caught.value, SECRET, "the-right-one")
    assert "AADSTS7000215" in text
    assert "secret's Value (not its Secret ID)" in text and "MICROSOFT_CLIENT_SECRET" in text


def test_an_expired_secret_asks_for_a_new_one(
    double: LoginDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    double.register_app(TENANT, CLIENT, secret=SECRET, secret_expired=True)
    monkeypatch.setenv("MICROSOFT_CLIENT_SECRET", SECRET)
    with pytest.raises(ConfigError) as caught:
        login().token()
    text = one_line_without(caught.value, SECRET)
    assert "has expired (AADSTS7000222)" in text and "new client secret" in text


def test_an_unregistered_certificate_names_its_thumbprint(
    double: LoginDouble, pem: Pem, other_pem: Pem, monkeypatch: pytest.MonkeyPatch
) -> None:
    double.register_app(TENANT, CLIENT, certificate_pem=other_pem.cert_pem)
    monkeypatch.setenv("MICROSOFT_CERTIFICATE", pem.both())
    with pytest.raises(ConfigError) as caught:
        login().token()
    text = one_line_without(caught.value, pem.key_pem())
    assert "AADSTS700027" in text
    assert f"upload that certificate (thumbprint {pem.thumbprint})" in text


def test_an_app_without_any_certificate_refuses_one_too(
    double: LoginDouble, pem: Pem, monkeypatch: pytest.MonkeyPatch
) -> None:
    double.register_app(TENANT, CLIENT, secret=SECRET)
    monkeypatch.setenv("MICROSOFT_CERTIFICATE", pem.both())
    with pytest.raises(ConfigError, match="AADSTS700027"):
        login().token()


def test_an_unmatched_workflow_names_the_subject_to_register(
    double: LoginDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    double.register_app(TENANT, CLIENT, federated_subjects=[SUBJECT])
    double.github.subject = "repo:acme/mentoring:environment:production"
    for name, value in double.github.environ().items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as caught:
        login().token()
    text = one_line_without(caught.value, double.github.request_token)
    assert "AADSTS700213" in text
    assert "subject repo:acme/mentoring:environment:production" in text
    assert "issuer https://token.actions.githubusercontent.com" in text
    assert "audience api://AzureADTokenExchange" in text


def test_a_subject_differing_only_in_case_is_refused(
    double: LoginDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    double.register_app(TENANT, CLIENT, federated_subjects=[SUBJECT.replace("acme", "Acme")])
    for name, value in double.github.environ().items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError, match=f"AADSTS7002138.*subject {SUBJECT}"):
        login().token()


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_github_token_request_asks_for_the_id_token_permission(
    double: LoginDouble, monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    double.register_app(TENANT, CLIENT, federated_subjects=[SUBJECT])
    for name, value in double.github.environ().items():
        monkeypatch.setenv(name, value)
    double.github.fail_with = status
    with pytest.raises(ConfigError) as caught:
        login().token()
    text = one_line_without(caught.value, double.github.request_token)
    assert f"(HTTP {status})" in text and "`permissions: id-token: write`" in text
    assert double.token_requests == 0


def test_a_wrong_github_request_token_is_refused(
    double: LoginDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    double.register_app(TENANT, CLIENT, federated_subjects=[SUBJECT])
    monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_URL", double.github.url)
    monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "not-the-job-token")
    with pytest.raises(ConfigError, match=r"\(HTTP 401\).*id-token: write"):
        login().token()


def test_no_credential_says_what_to_set() -> None:
    with pytest.raises(ConfigError) as caught:
        login()
    text = one_line_without(caught.value)
    for name in ("MICROSOFT_CERTIFICATE", "MICROSOFT_CLIENT_SECRET", "id-token: write"):
        assert name in text


def test_only_half_of_github_s_variables_is_no_credential(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_URL", "https://example.invalid/?api-version=2.0")
    with pytest.raises(ConfigError, match="id-token: write"):
        login()


# Certificates that cannot be used


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC", r"neither PEM text nor a readable file:"),
        ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "no PEM private key"),
        ("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "no certificate"),
    ],
)
def test_a_malformed_certificate_is_a_config_error(
    monkeypatch: pytest.MonkeyPatch, text: str, says: str
) -> None:
    monkeypatch.setenv("MICROSOFT_CERTIFICATE", text)
    with pytest.raises(ConfigError, match=says):
        login()


def test_a_missing_pem_file_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MICROSOFT_CERTIFICATE", str(tmp_path / "absent.pem"))
    with pytest.raises(ConfigError, match=r"absent\.pem"):
        login()


def test_a_garbled_key_is_a_config_error(pem: Pem, monkeypatch: pytest.MonkeyPatch) -> None:
    garbled = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n" + pem.cert_pem
    monkeypatch.setenv("MICROSOFT_CERTIFICATE", garbled)
    with pytest.raises(ConfigError) as caught:
        login()
    assert "private key in MICROSOFT_CERTIFICATE cannot be read" in one_line_without(caught.value)


def test_a_wrong_password_is_a_config_error(pem: Pem, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MICROSOFT_CERTIFICATE", pem.both(password="synthetic-pass"))
    monkeypatch.setenv("MICROSOFT_CERTIFICATE_PASSWORD", "a-wrong-guess")
    with pytest.raises(ConfigError) as caught:
        login()
    text = one_line_without(caught.value, "a-wrong-guess", "synthetic-pass", pem.key_pem())
    assert "MICROSOFT_CERTIFICATE_PASSWORD does not open the private key" in text


def test_an_encrypted_key_without_its_password_asks_for_it(
    pem: Pem, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MICROSOFT_CERTIFICATE", pem.both(password="synthetic-pass"))
    with pytest.raises(ConfigError, match="set its password in MICROSOFT_CERTIFICATE_PASSWORD"):
        login()


def test_a_key_of_another_certificate_is_a_config_error(
    pem: Pem, other_pem: Pem, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MICROSOFT_CERTIFICATE", pem.key_pem() + other_pem.cert_pem)
    with pytest.raises(ConfigError, match="do not belong together"):
        login()


def test_an_expired_certificate_asks_for_a_new_one(monkeypatch: pytest.MonkeyPatch) -> None:
    old = Pem(days=-1)
    monkeypatch.setenv("MICROSOFT_CERTIFICATE", old.both())
    with pytest.raises(ConfigError) as caught:
        login()
    text = one_line_without(caught.value, old.key_pem())
    assert f"(thumbprint {old.thumbprint}) expired on" in text and "new certificate" in text


# The endpoint


def test_a_plain_http_endpoint_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MICROSOFT_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("MENTORFLOW_LOGIN_ENDPOINT", "http://127.0.0.1:9")
    with pytest.raises(ConfigError, match="must be an https:// address"):
        login()


def test_an_untrusted_endpoint_certificate_is_a_config_error(
    double: LoginDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    double.register_app(TENANT, CLIENT, secret=SECRET)
    monkeypatch.setenv("MICROSOFT_CLIENT_SECRET", SECRET)
    monkeypatch.delenv("MENTORFLOW_LOGIN_CA")
    with pytest.raises(ConfigError, match="MENTORFLOW_LOGIN_CA"):
        login().token()


def test_an_unreachable_endpoint_is_tried_again_next_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MICROSOFT_CLIENT_SECRET", SECRET)
    monkeypatch.setenv("MENTORFLOW_LOGIN_ENDPOINT", f"https://127.0.0.1:{free_port()}")
    sleeps: list[float] = []
    microsoft = login(sleeps)
    with pytest.raises(GraphUnavailable) as caught:
        microsoft.token()
    text = one_line_without(caught.value, SECRET)
    assert f"could not be reached after {ATTEMPTS} tries" in text and "next run" in text
    assert sleeps == [1.0, 2.0, 4.0]
    assert microsoft.requests_made == ATTEMPTS


def test_a_login_service_that_keeps_failing_is_tried_a_bounded_number_of_times(
    double: LoginDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    double.register_app(TENANT, CLIENT, secret=SECRET)
    monkeypatch.setenv("MICROSOFT_CLIENT_SECRET", SECRET)
    microsoft = login()
    double.fail_next = [503] * 10
    with pytest.raises(GraphUnavailable, match=r"\(HTTP 503\).*next run tries again"):
        microsoft.token()
    assert microsoft.requests_made == ATTEMPTS


def test_a_passing_failure_is_tried_again(
    double: LoginDouble, tokens: set[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    double.register_app(TENANT, CLIENT, secret=SECRET)
    monkeypatch.setenv("MICROSOFT_CLIENT_SECRET", SECRET)
    microsoft = login()
    double.fail_next = [503, 500]  # the OpenID configuration twice, then all is well
    assert microsoft.token() in tokens
    assert double.issued == 1


# The double itself refuses what the real endpoint refuses


def post_token(double: LoginDouble, **form: str) -> requests.Response:
    return requests.post(
        double.token_endpoint(TENANT), data=form, verify=double.ca_file, timeout=10
    )


def test_the_double_wants_a_default_scope(double: LoginDouble) -> None:
    double.register_app(TENANT, CLIENT, secret=SECRET)
    answer = post_token(
        double,
        grant_type="client_credentials",
        client_id=CLIENT,
        client_secret=SECRET,
        scope="https://graph.microsoft.com/Mail.Send",
    )
    assert answer.status_code == 400
    body = answer.json()
    assert body["error"] == "invalid_scope" and body["error_codes"] == [70011]
    assert body["error_description"].startswith("AADSTS70011: ")


def test_the_double_wants_a_credential(double: LoginDouble) -> None:
    double.register_app(TENANT, CLIENT, secret=SECRET)
    answer = post_token(
        double, grant_type="client_credentials", client_id=CLIENT, scope=GRAPH_SCOPE
    )
    assert answer.status_code == 401 and answer.json()["error_codes"] == [7000218]


def assertion(pem: Pem, audience: str, **changes: object) -> str:
    now = datetime.now(UTC)
    claims: dict[str, object] = {
        "aud": audience,
        "iss": CLIENT,
        "sub": CLIENT,
        "jti": "synthetic",
        "nbf": int(now.timestamp()) - 5,
        "exp": int(now.timestamp()) + 600,
    }
    claims.update(changes)
    x5t = jwt.utils.base64url_encode(pem.certificate.fingerprint(hashes.SHA1())).decode()
    return jwt.encode(claims, pem.key, algorithm="RS256", headers={"x5t": x5t})


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({}, None),
        ({"aud": "https://login.microsoftonline.com/elsewhere/oauth2/v2.0/token"}, 50027),
        ({"exp": 1_700_000_000}, 700024),
        ({"sub": "someone-else"}, 50048),
    ],
)
def test_the_double_checks_certificate_assertions(
    double: LoginDouble, pem: Pem, changes: dict[str, object], code: int | None
) -> None:
    double.register_app(TENANT, CLIENT, certificate_pem=pem.cert_pem)
    answer = post_token(
        double,
        grant_type="client_credentials",
        client_id=CLIENT,
        scope=GRAPH_SCOPE,
        client_assertion_type=JWT_BEARER,
        client_assertion=assertion(pem, double.token_endpoint(TENANT), **changes),
    )
    if code is None:
        assert answer.status_code == 200 and answer.json()["access_token"] in double.tokens
    else:
        assert answer.status_code == 401 and answer.json()["error_codes"] == [code]


def test_the_double_checks_the_signature_against_the_registered_certificate(
    double: LoginDouble, pem: Pem, other_pem: Pem
) -> None:
    double.register_app(TENANT, CLIENT, certificate_pem=pem.cert_pem)
    forged = assertion(other_pem, double.token_endpoint(TENANT))
    header, _, rest = forged.partition(".")
    genuine_header = assertion(pem, double.token_endpoint(TENANT)).partition(".")[0]
    answer = post_token(
        double,
        grant_type="client_credentials",
        client_id=CLIENT,
        scope=GRAPH_SCOPE,
        client_assertion_type=JWT_BEARER,
        client_assertion=f"{genuine_header}.{rest}",  # the right x5t, the wrong key
    )
    assert header != genuine_header
    assert answer.status_code == 401
    assert answer.json()["error_description"].startswith(
        "AADSTS700027: Client assertion failed signature validation."
    )


def test_an_unreachable_github_token_service_is_tried_again_next_run(
    double: LoginDouble, monkeypatch: pytest.MonkeyPatch
) -> None:
    double.register_app(TENANT, CLIENT, federated_subjects=[SUBJECT])
    url = f"http://127.0.0.1:{free_port()}/_apis/distributedtask/idtoken?api-version=2.0"
    monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_URL", url)
    monkeypatch.setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "synthetic-job-token")
    with pytest.raises(GraphUnavailable, match="next run tries again"):
        login().token()
    assert double.token_requests == 0
