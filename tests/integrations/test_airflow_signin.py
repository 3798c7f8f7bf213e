"""The Airflow plugin signs Airflow users in to LineageLens, in a real Airflow 3 api-server (simple auth manager):
signed in to Airflow, the browser opens the plugin page, follows its embedded UI (``/lineagelens/open``) to the
receiver's ``/api/v1/auth/airflow`` and ends with a LineageLens session for ``airflow:<user>`` with the role
the plugin's ``[lineagelens] role_map`` gives. Forged, expired and replayed tokens are refused, and the
plugin's own server-side reads keep using their API key."""

from __future__ import annotations

import json
import re
import subprocess
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests

from lineagelens.integrations.airflow.signin import SignInSettings, mint_token
from tests.integrations.conftest import AirflowHome, provider_env
from tests.integrations.support import Receiver, free_port, http, stop_process, wait_for

pytestmark = pytest.mark.timeout(600)

SECRET = "airflow-signin-e2e-shared-secret-0123456789"
USERS = {"admin": ("admin", "lineagelens-e2e-admin"), "ada": ("viewer", "lineagelens-e2e-ada")}


@pytest.fixture(scope="module")
def receiver(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Receiver]:
    receiver = Receiver(tmp_path_factory.mktemp("receiver-airflow-signin"),
                        settings={"AIRFLOW_SHARED_SECRET": SECRET}).start()
    yield receiver
    receiver.stop()


@dataclass
class Airflow:
    url: str

    def browser(self, user: str) -> requests.Session:
        """A browser signed in to Airflow as ``user`` (Airflow's ``_token`` cookie, as its login page sets it)."""
        status, _, body = http("POST", f"{self.url}/auth/token", headers={"Content-Type": "application/json"},
                               body=json.dumps({"username": user, "password": USERS[user][1]}).encode())
        assert status in (200, 201), body
        session = requests.Session()
        session.cookies.set("_token", json.loads(body)["access_token"], domain="127.0.0.1", path="/")
        return session


@pytest.fixture(scope="module")
def airflow(airflow_home: AirflowHome, receiver: Receiver) -> Iterator[Airflow]:
    """``airflow api-server`` with the plugin pointed at the receiver: reads with a read-only API key, signs users
    in with the shared secret; Airflow's admin maps to editor, everyone else to the default viewer."""
    passwords = airflow_home.home / "signin-passwords.json"
    passwords.write_text(json.dumps({name: password for name, (_, password) in USERS.items()}), encoding="utf-8")
    port = free_port()
    env = airflow_home.env(**provider_env(receiver.url), AIRFLOW__LINEAGELENS__API_KEY=receiver.read_key,
                           AIRFLOW__LINEAGELENS__SHARED_SECRET=SECRET, AIRFLOW__LINEAGELENS__ROLE_MAP="admin=editor",
                           AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS=",".join(f"{n}:{r}" for n, (r, _) in USERS.items()),
                           AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE=str(passwords),
                           AIRFLOW__API__WORKERS="1", AIRFLOW__API__BASE_URL=f"http://127.0.0.1:{port}")
    log_path = airflow_home.home / "api-server-signin.log"
    with log_path.open("wb") as out:
        proc = subprocess.Popen([airflow_home.airflow, "api-server", "--host", "127.0.0.1", "--port", str(port)],
                                env=env, cwd=airflow_home.home, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    try:
        wait_for(f"http://127.0.0.1:{port}/api/v2/monitor/health", proc, log_path, timeout=120)
        yield Airflow(url=f"http://127.0.0.1:{port}")
    finally:
        stop_process(proc)


def open_embedded_ui(airflow: Airflow, browser: requests.Session) -> str:
    """Load the plugin page and follow its iframe to the plugin's sign-in redirect: the receiver URL it names."""
    page = browser.get(f"{airflow.url}/lineagelens/", timeout=30)
    assert page.status_code == 200, page.text[:500]
    assert "receiver ready" in page.text  # the plugin's own reads use its API key
    frame = re.search(r'<iframe [^>]*data-src="([^"]+)"', page.text)
    assert frame is not None, page.text[:2000]
    redirect = browser.get(urllib.parse.urljoin(page.url, frame.group(1).replace("&amp;", "&")),
                           allow_redirects=False, timeout=30)
    assert redirect.status_code == 302, redirect.text[:500]
    assert redirect.headers["Cache-Control"] == "no-store"
    return str(redirect.headers["Location"])


def test_the_embedded_ui_signs_the_airflow_user_in(airflow: Airflow, receiver: Receiver) -> None:
    browser = airflow.browser("admin")
    target = open_embedded_ui(airflow, browser)
    assert target.startswith(f"{receiver.url}/api/v1/auth/airflow?token=") and target.endswith("&next=%2F")
    answer = browser.get(target, allow_redirects=False, timeout=10)
    assert answer.status_code == 302 and answer.headers["Location"] == "/"
    cookies = answer.headers["Set-Cookie"]
    assert "lineagelens_session=" in cookies and "SameSite=Strict" in cookies and "HttpOnly" in cookies
    # the browser now has a LineageLens session: no second password
    me = browser.get(f"{receiver.url}/api/v1/auth/me", timeout=10)
    assert me.status_code == 200
    assert me.json() == {"user": {"name": "airflow:admin", "role": "editor"}, "via": "session"}
    assert browser.get(f"{receiver.url}/api/v1/namespaces", timeout=10).status_code == 200
    # an editor's write needs the session's CSRF token, as every cookie session does
    csrf = browser.cookies.get("lineagelens_csrf", domain="127.0.0.1")
    assert csrf
    # the same sign-in URL again (a replay from history or a log) is refused
    again = requests.get(target, allow_redirects=False, timeout=10)
    assert again.status_code == 401 and "already used" in again.json()["message"]
    audit = requests.get(f"{receiver.url}/api/v1/audit", params={"actor": "airflow:admin"},
                         headers=receiver.auth(), timeout=10).json()
    assert [e["action"] for e in audit["entries"]] == ["auth.login"]


def test_an_airflow_user_without_a_mapping_is_a_viewer(airflow: Airflow, receiver: Receiver) -> None:
    browser = airflow.browser("ada")
    target = open_embedded_ui(airflow, browser)
    assert browser.get(target, allow_redirects=False, timeout=10).status_code == 302
    assert browser.get(f"{receiver.url}/api/v1/auth/me", timeout=10).json()["user"] == {"name": "airflow:ada",
                                                                                         "role": "viewer"}


def test_the_sign_in_route_of_the_plugin_needs_airflow_authentication(airflow: Airflow) -> None:
    assert requests.get(f"{airflow.url}/lineagelens/open?next=/", allow_redirects=False, timeout=30).status_code == 401


def test_forged_and_expired_tokens_are_refused(receiver: Receiver) -> None:
    forged = mint_token(SignInSettings(shared_secret="not-the-shared-secret-" * 2), "admin")
    expired = mint_token(SignInSettings(shared_secret=SECRET), "admin", now=0)
    for token, message in ((forged, "Signature verification failed"), (expired, "expired")):
        session = requests.Session()
        answer = session.get(f"{receiver.url}/api/v1/auth/airflow", params={"token": token, "next": "/"},
                             allow_redirects=False, timeout=10)
        assert answer.status_code == 401 and message in answer.json()["message"]
        assert "lineagelens_session" not in session.cookies
        assert session.get(f"{receiver.url}/api/v1/auth/me", timeout=10).status_code == 401

