"""The agent's API as the CLI uses it: plain reads, and writes signed by the user's wallet
(the API's EIP-712 `Request`, agent/api/auth.py) with a fresh one-time nonce. The API's
one-sentence `detail` becomes the user's one-line error."""

import os
import time

import httpx

from agent.cli_user.errors import UserError

API_ENV = "NMRX_API_URL"
TIMEOUT = 30.0
EXPIRY = 300  # seconds a signed request stays valid (the API takes at most an hour)


def api_url(flag: str | None, settings) -> str:
    return (flag or os.environ.get(API_ENV) or settings.api_url).rstrip("/")


class Api:
    def __init__(self, url: str):
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=TIMEOUT)

    def request(self, method: str, path: str, raw: bool = False, **kw):
        try:
            response = self.http.request(method, path, **kw)
        except httpx.TransportError:
            raise UserError(f"the agent API at {self.url} does not answer; start it "
                            f"(`make run`) or set {API_ENV} / --api-url") from None
        if response.status_code >= 400:
            try:
                detail = response.json().get("detail")
            except ValueError:
                detail = None
            raise UserError(f"the agent API refused ({response.status_code}): "
                            f"{detail or response.text.strip()[:200] or 'no reason given'}")
        return response.text if raw else response.json()

    def text(self, path: str, **params) -> str:
        """A non-JSON answer (CSV)."""
        return self.request("GET", path, raw=True, params=_present(params))

    def get(self, path: str, **params) -> dict:
        return self.request("GET", path, params=_present(params))

    def signed_post(self, account, path: str, action: str, params: dict) -> dict:
        """POST `params` signed by `account` for `action`, on the domain the API serves."""
        from agent.api.auth import sign_api_request

        domain = self.get("/v1/auth/domain")["api"]["domain"]
        nonce = self.get("/v1/auth/nonce", address=account.address)["nonce"]
        body = sign_api_request(account.key, domain["chainId"], domain["verifyingContract"],
                                action, params, nonce, int(time.time()) + EXPIRY)
        return self.request("POST", path, json=body)


def _present(params: dict) -> dict:
    return {k: v for k, v in params.items() if v is not None}
