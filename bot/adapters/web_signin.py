"""Web chat sign-in with the school's identity provider: OpenID Connect (Microsoft Entra ID, Google
Workspace) through Authlib's Starlette client.

    /auth/signin                 the one configured provider, or a choice of them
    /auth/{provider}/signin      authorization code flow with PKCE (S256), state and nonce
    /auth/{provider}/callback    code exchanged; the ID token checked (signature against the provider's
                                 JWKS, iss, aud, exp, nonce); the person's tenant matched to a school
    /auth/signout                (POST) forgets the sign-in

The deployment registers one app with each provider (POLICYBOT_OIDC_ENTRA_* / POLICYBOT_OIDC_GOOGLE_*);
each org file says which tenants (Entra `tid`) or Workspace domains (Google `hd`) are its staff
(`platforms: entra_tenants / google_domains`). A person whose tenant no school here lists is refused.

Two signed cookies (itsdangerous, keyed from the server's secret): the flow's state (SameSite=Lax: the
provider's redirect back is a cross-site navigation; ten minutes) and the session (SameSite=Strict,
SESSION_HOURS), which names the person (issuer, sub, e-mail, name), their tenant and their school.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import html
import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from authlib.integrations.base_client import OAuthError
from authlib.integrations.starlette_client import OAuth
from authlib.oidc.core import CodeIDToken
from itsdangerous import BadSignature, URLSafeTimedSerializer
from joserfc.errors import ExpiredTokenError, JoseError
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bot.config import Settings
from bot.core.chat import Sender
from bot.errors import ConfigError
from bot.reading.documents import Organisation

log = logging.getLogger(__name__)

SESSION_COOKIE = "policybot_web_session"
STATE_COOKIE = "policybot_web_signin"
SESSION_HOURS = 12  # a school day; then the person signs in again
STATE_SECONDS = 600  # from leaving for the provider to coming back
LEEWAY_S = 60  # clock skew allowed on exp/iat
ENTRA_TEMPLATE = "{tenantid}"
UNREACHABLE = "Your school's sign-in service could not be reached. Try again in a minute."  # Entra's multi-tenant discovery names its issuer with this placeholder


@dataclass(frozen=True)
class Provider:
    name: str  # "entra" or "google": the path segment and the Authlib client's name
    label: str  # shown on the button
    issuer: str
    client_id: str
    client_secret: str
    tenant_claim: str  # "tid" (Entra) or "hd" (Google Workspace)
    platform_kind: str  # the org file's list of allowed values: platforms.entra_tenants / google_domains


@dataclass(frozen=True)
class Identity:
    """A signed-in person, as kept in the session cookie."""

    provider: str
    issuer: str
    sub: str
    email: str
    name: str
    tenant: str
    org: str

    def sender(self) -> Sender:
        # The tenant is the sender's workspace: one key per person per tenant (rate limits, pseudonyms).
        return Sender("web", self.sub, workspace=self.tenant, display_name=self.name, email=self.email,
                      org_hint=self.org)


class SignInRefused(Exception):
    """A sign-in that came back but cannot be accepted; the message is for the person."""

    def __init__(self, message: str, status: int = 403) -> None:
        super().__init__(message)
        self.status = status


def providers(settings: Settings) -> list[Provider]:
    """The providers whose client id is set."""
    found = []
    if settings.oidc_entra_client_id:
        found.append(Provider("entra", "Microsoft (school account)", settings.oidc_entra_issuer,
                              settings.oidc_entra_client_id, settings.oidc_entra_client_secret.get_secret_value(),
                              "tid", "entra_tenants"))
    if settings.oidc_google_client_id:
        found.append(Provider("google", "Google (school account)", settings.oidc_google_issuer,
                              settings.oidc_google_client_id, settings.oidc_google_client_secret.get_secret_value(),
                              "hd", "google_domains"))
    return found


def check_settings(settings: Settings) -> list[Provider]:
    """The configured providers, or ConfigError: production needs sign-in for a web chat that serves a
    school, a client secret for each client id, an https issuer (http only on this machine) and the
    public address the providers redirect back to."""
    found = providers(settings)
    production = settings.environment == "production"
    if production and settings.web_org and not found:
        raise ConfigError("the web chat needs sign-in in production: set POLICYBOT_OIDC_ENTRA_CLIENT_ID and "
                          "POLICYBOT_OIDC_ENTRA_CLIENT_SECRET (Microsoft Entra ID) or POLICYBOT_OIDC_GOOGLE_"
                          "CLIENT_ID and _CLIENT_SECRET (Google Workspace), or leave POLICYBOT_WEB_ORG empty to "
                          "keep the web chat off (README: Web chat sign-in)")
    for p in found:
        key = f"POLICYBOT_OIDC_{p.name.upper()}"
        if not p.client_secret:
            raise ConfigError(f"{key}_CLIENT_ID is set but {key}_CLIENT_SECRET is empty")
        url = urlsplit(p.issuer)
        if url.scheme != "https" and not (url.scheme == "http" and url.hostname in ("127.0.0.1", "localhost")):
            raise ConfigError(f"{key}_ISSUER must be an https:// address (got {p.issuer!r})")
    if production and found and not settings.public_url.startswith("https://"):
        raise ConfigError("sign-in in production needs POLICYBOT_PUBLIC_URL=https://<this server> (the address "
                          "registered with the identity provider as <public url>/auth/<provider>/callback)")
    return found


class SignIn:
    """The sign-in routes and the session they leave; *orgs* is read at each sign-in (the index may
    change), *clock* is the time ID tokens are checked against (seconds since the epoch)."""

    def __init__(self, settings: Settings, secret: bytes, orgs: Callable[[], dict[str, Organisation]],
                 clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self.providers = {p.name: p for p in check_settings(settings)}
        self.orgs = orgs
        self.clock = clock
        key = hmac.new(secret, b"web chat sign-in", hashlib.sha256).hexdigest()
        self._session = URLSafeTimedSerializer(key, salt="web session")
        self._state = URLSafeTimedSerializer(key, salt="web sign-in state")
        self.oauth = OAuth()
        for p in self.providers.values():
            self.oauth.register(p.name, client_id=p.client_id, client_secret=p.client_secret,
                                server_metadata_url=p.issuer.rstrip("/") + "/.well-known/openid-configuration",
                                client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256",
                                               "token_endpoint_auth_method": "client_secret_post", "timeout": 15})

    @property
    def required(self) -> bool:
        return bool(self.providers)

    def routes(self) -> list[BaseRoute]:
        return [Route("/auth/signin", self.choose), Route("/auth/{provider}/signin", self.start),
                Route("/auth/{provider}/callback", self.callback),
                Route("/auth/signout", self.signout, methods=["POST"])]

    # ---- who is signed in ----

    def identity(self, request: Request) -> Identity | None:
        """Who the session cookie names, while their school still lists their tenant (an org file that
        drops it, or a provider no longer configured, ends the session at the next request)."""
        raw = request.cookies.get(SESSION_COOKIE)
        if not raw:
            return None
        try:
            who = Identity(**self._session.loads(raw, max_age=SESSION_HOURS * 3600))
        except (BadSignature, TypeError):
            return None
        provider = self.providers.get(who.provider)
        org = self.orgs().get(who.org)
        if provider is None or org is None or (provider.platform_kind, who.tenant) not in org.platform_ids:
            return None
        if self.settings.web_org and who.org != self.settings.web_org:
            return None
        return who

    def session_value(self, who: Identity) -> str:
        """The signed session cookie's value for *who* (set by the callback)."""
        return self._session.dumps(asdict(who))

    def describe(self, request: Request) -> dict[str, Any]:
        """What the page needs: whether sign-in is required, who is signed in, where to sign in."""
        who = self.identity(request) if self.required else None
        return {"required": self.required, "url": "/auth/signin",
                "user": {"name": who.name, "email": who.email} if who else None,
                "providers": [{"label": p.label, "url": f"/auth/{p.name}/signin"} for p in self.providers.values()]}

    # ---- the flow ----

    async def choose(self, request: Request) -> Response:
        if len(self.providers) == 1:
            return RedirectResponse(f"/auth/{next(iter(self.providers))}/signin", status_code=302)
        links = "".join(f'<p><a href="/auth/{p.name}/signin">{html.escape(p.label)}</a></p>'
                        for p in self.providers.values())
        return _page("Sign in", "<p>Sign in with your school account:</p>" + (links or
                     "<p>Sign-in is not set up on this server.</p>"), 200 if links else 404)

    async def start(self, request: Request) -> Response:
        provider = self.providers.get(request.path_params["provider"])
        if provider is None:
            return _page("Sign in", "<p>No such sign-in on this server.</p>", 404)
        flow = _FlowRequest(request, {})
        try:
            await self._metadata(provider)
            response: Response = await self._client(provider).authorize_redirect(
                flow, self._redirect_uri(request, provider))
        except SignInRefused as refused:
            return _page("Sign in", f"<p>{html.escape(str(refused))}</p>", refused.status)
        except httpx.HTTPError as exc:
            log.warning("sign-in: %s discovery failed (%s)", provider.name, exc.__class__.__name__)
            return _page("Sign in", f"<p>{UNREACHABLE}</p>", 502)
        response.set_cookie(STATE_COOKIE, self._state.dumps(flow.session), max_age=STATE_SECONDS, httponly=True,
                            samesite="lax", secure=self.settings.secure_cookies, path="/auth")
        return response

    async def callback(self, request: Request) -> Response:
        provider = self.providers.get(request.path_params["provider"])
        if provider is None:
            return _page("Sign in", "<p>No such sign-in on this server.</p>", 404)
        response: Response
        try:
            who = await self._complete(request, provider)
        except SignInRefused as refused:
            log.info("sign-in refused: %s", refused)
            response = _page("Sign-in refused", f"<p>{html.escape(str(refused))}</p>"
                                                '<p><a href="/auth/signin">Try again</a> · <a href="/">Back to the chat</a></p>',
                             refused.status)
        else:
            log.info("sign-in: a member of %s signed in through %s", who.org, provider.name)
            response = RedirectResponse("/", status_code=303)
            response.set_cookie(SESSION_COOKIE, self.session_value(who), max_age=SESSION_HOURS * 3600,
                                httponly=True, samesite="strict", secure=self.settings.secure_cookies)
        response.delete_cookie(STATE_COOKIE, path="/auth")
        return response

    async def signout(self, request: Request) -> Response:
        response = JSONResponse({"signed_out": True})
        response.delete_cookie(SESSION_COOKIE)
        return response

    async def _complete(self, request: Request, provider: Provider) -> Identity:
        try:
            state = self._state.loads(request.cookies.get(STATE_COOKIE, ""), max_age=STATE_SECONDS)
        except BadSignature:
            state = None
        if not isinstance(state, dict) or not state:
            raise SignInRefused("This sign-in took too long or was started in another browser. Sign in again.", 400)
        published = request.query_params.get("iss")  # RFC 9207: who sent this answer, when the provider says
        with _refusals():
            metadata = await self._metadata(provider)
            if published is not None and published != metadata.get("issuer"):
                raise SignInRefused("This answer came from another identity provider than the one this sign-in "
                                    "went to. Sign in again.", 401)
            token = await self._client(provider).authorize_access_token(
                _FlowRequest(request, state), **await self._verification(provider))
        claims = token.get("userinfo")
        if not claims:  # no id_token, or no nonce kept: never sign in on an access token alone
            raise SignInRefused("The identity provider sent no ID token.", 401)
        return self._identity(provider, dict(claims))

    async def check(self, provider_name: str, token: dict[str, Any], nonce: str) -> Identity:
        """The person a token response names, checked exactly as a sign-in's (the callback's own step,
        for tokens that did not come through it); SignInRefused if it cannot be accepted."""
        provider = self.providers[provider_name]
        with _refusals():
            claims = await self._client(provider).parse_id_token(
                token, nonce=nonce, **await self._verification(provider))
        return self._identity(provider, dict(claims))

    def _client(self, provider: Provider) -> Any:
        """Authlib's Starlette client for *provider*. Any: types-Authlib leaves create_client and most of
        the client's methods unannotated."""
        return self.oauth.create_client(provider.name)  # type: ignore[no-untyped-call]

    async def _verification(self, provider: Provider) -> dict[str, Any]:
        """Authlib's ID token checks, at this server's clock, with this server's claims options."""
        return {"claims_cls": _claims_at(self.clock), "leeway": LEEWAY_S,
                "claims_options": await self._claims_options(provider)}

    def _identity(self, provider: Provider, claims: dict[str, Any]) -> Identity:
        tenant = str(claims.get(provider.tenant_claim) or "")
        if not tenant:
            what = "a Google Workspace (school) account" if provider.name == "google" else "a school account"
            raise SignInRefused(f"Sign in with {what}: this account has no {provider.tenant_claim!r} "
                                "(organisation) in its sign-in.")
        org = self._org_for(provider, tenant)
        email = _email(provider, claims)
        return Identity(provider.name, str(claims["iss"]), str(claims["sub"]), email,
                        str(claims.get("name") or email), tenant, org)

    def _org_for(self, provider: Provider, tenant: str) -> str:
        orgs = self.orgs()
        pid = (provider.platform_kind, tenant)
        if self.settings.web_org:
            candidates = [self.settings.web_org] if self.settings.web_org in orgs else []
        else:
            candidates = sorted(orgs)
        matched = [slug for slug in candidates if pid in orgs[slug].platform_ids]
        if len(matched) != 1:
            which = f"the tenant {tenant}" if provider.tenant_claim == "tid" else f"the domain {tenant}"
            serves = orgs[self.settings.web_org].name if self.settings.web_org in orgs else "its schools"
            raise SignInRefused(f"Your account belongs to {which}, which this server does not answer for "
                                f"({serves}). If you work here, ask your IT lead to add it to your school's "
                                f"org.yaml (platforms: {provider.platform_kind}).")
        return matched[0]

    async def _claims_options(self, provider: Provider) -> dict[str, Any]:
        """What Authlib checks in the ID token besides its signature and nonce: exactly this issuer, this
        client among its audiences (Authlib's default checks only azp), an expiry and a subject."""
        issuer = str((await self._metadata(provider)).get("issuer", ""))
        if ENTRA_TEMPLATE in issuer:  # multi-tenant Entra: the issuer names the token's own tenant
            def tenant_issuer(claims: dict[str, Any], value: object) -> bool:
                return value == issuer.replace(ENTRA_TEMPLATE, str(claims.get("tid", "")))

            iss: dict[str, Any] = {"essential": True, "validate": tenant_issuer}
        else:
            iss = {"essential": True, "value": issuer}
        return {"iss": iss, "aud": {"essential": True, "value": provider.client_id},
                "exp": {"essential": True}, "sub": {"essential": True}}

    async def _metadata(self, provider: Provider) -> dict[str, Any]:
        """The provider's discovery document (fetched once), whose issuer must be the one configured
        (OpenID Connect Discovery 1.0, section 4.3)."""
        metadata: dict[str, Any] = await self._client(provider).load_server_metadata()
        if not _same_issuer(provider.issuer, str(metadata.get("issuer", ""))):
            log.error("sign-in: %s's discovery document names issuer %r, not the configured %r", provider.name,
                      metadata.get("issuer"), provider.issuer)
            raise SignInRefused("This server's sign-in settings do not match the identity provider (its "
                                "issuer). Tell your IT lead.", 502)
        return metadata

    def _redirect_uri(self, request: Request, provider: Provider) -> str:
        base = self.settings.public_url.rstrip("/") or str(request.base_url).rstrip("/")
        return f"{base}/auth/{provider.name}/callback"


@contextlib.contextmanager
def _refusals() -> Iterator[None]:
    """What Authlib, joserfc and httpx raise on the way back, as a refusal the person can read."""
    try:
        yield
    except ExpiredTokenError as exc:
        raise SignInRefused("The sign-in had expired (its ID token is out of date; is this server's clock "
                            "right?). Sign in again.", 401) from exc
    except JoseError as exc:  # signature, iss, aud, nonce, azp: not a token for this server
        raise SignInRefused(f"The identity provider's answer could not be accepted ({exc.error}: "
                            f"{exc.description or 'invalid'}). Sign in again; if it keeps happening, tell "
                            "your IT lead.", 401) from exc
    except OAuthError as exc:
        raise SignInRefused(f"Sign-in did not complete ({exc.error or 'error'}"
                            f"{': ' + exc.description if exc.description else ''}).", 400) from exc
    except httpx.HTTPError as exc:
        log.warning("sign-in: the identity provider could not be reached (%s)", exc.__class__.__name__)
        raise SignInRefused(UNREACHABLE, 502) from exc


def _same_issuer(configured: str, published: str) -> bool:
    configured, published = configured.rstrip("/"), published.rstrip("/")
    if ENTRA_TEMPLATE in published:  # .../organizations/v2.0 or .../common/v2.0 publishes .../{tenantid}/v2.0
        head, _, tail = published.partition(ENTRA_TEMPLATE)
        return configured.startswith(head) and configured.endswith(tail)
    return configured == published


def _email(provider: Provider, claims: dict[str, Any]) -> str:
    """The person's e-mail: Google's only when verified; Entra's `email`, else the sign-in name (UPN)."""
    if provider.name == "google":
        return str(claims.get("email", "")) if claims.get("email_verified") is True else ""
    return str(claims.get("email") or claims.get("preferred_username") or "")


def _claims_at(clock: Callable[[], float]) -> type[CodeIDToken]:
    """Authlib's ID token claims for the code flow, checked at *clock*'s time."""

    class ClaimsAt(CodeIDToken):
        def validate(self, now: Any = None, leeway: int = 0) -> None:
            super().validate(now=lambda: int(clock()), leeway=leeway)

    return ClaimsAt


class _FlowRequest:
    """What Authlib's Starlette client reads of a request: its query, method and a session dict. The flow's
    state lives in its own cookie rather than in request.session, so that the SLT dashboard's session
    (SameSite=Strict, which the provider's cross-site redirect back would not carry) is left alone."""

    def __init__(self, request: Request, session: dict[str, Any]) -> None:
        self.scope = request.scope
        self.query_params: QueryParams = request.query_params
        self.session = session


def _page(title: str, body: str, status: int) -> HTMLResponse:
    doc = (f'<!doctype html><html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" '
           f'content="width=device-width, initial-scale=1"><title>{html.escape(title)} — policybot</title>'
           f'<link rel="stylesheet" href="/static/web/chat.css"></head><body><main class="signin-page">'
           f"<h1>{html.escape(title)}</h1>{body}</main></body></html>")
    return HTMLResponse(doc, status_code=status, headers={
        "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'", "Cache-Control": "no-store"})

