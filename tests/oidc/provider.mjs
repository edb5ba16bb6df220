// A real OpenID Connect provider for the web chat sign-in tests: panva's oidc-provider (OpenID Certified),
// on 127.0.0.1 and a free port, with its own development login and consent pages.
//
//   node provider.mjs '<config JSON>'
//   config: {"clients": [{client_id, client_secret, redirect_uris}], "accounts": {"<login>": {claims}},
//            "id_token_ttl": seconds, "issuer_host": "127.0.0.1" | "localhost"}
//
// Prints one line, {"issuer": "http://127.0.0.1:<port>"}, once it listens; stops when stdin closes. The
// signing keys are static (jwks.json, test keys only), so two providers can share them.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import Provider from 'oidc-provider';

const here = dirname(fileURLToPath(import.meta.url));
const config = JSON.parse(process.argv[2] || '{}');
const jwks = JSON.parse(readFileSync(join(here, 'jwks.json'), 'utf8'));
const accounts = config.accounts || {};

const server = createServer();
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://${config.issuer_host || '127.0.0.1'}:${port}`;
  const provider = new Provider(issuer, {
    clients: (config.clients || []).map((c) => ({
      grant_types: ['authorization_code'], response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post', ...c,
    })),
    jwks,
    cookies: { keys: ['policybot-test-cookie-key'] },
    // Entra puts the tenant in `tid`, Google Workspace the domain in `hd`: both asked with `openid`.
    claims: { openid: ['sub', 'tid', 'hd'], email: ['email', 'email_verified'], profile: ['name', 'preferred_username'] },
    // As Entra and Google do: the e-mail and name are in the ID token itself, not only at userinfo.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    ttl: { IdToken: config.id_token_ttl || 3600 },
    findAccount: async (ctx, id) => (accounts[id]
      ? { accountId: id, claims: async () => ({ sub: id, ...accounts[id] }) }
      : undefined),
  });
  provider.on('server_error', (ctx, err) => console.error('server_error', err));
  server.on('request', provider.callback());
  console.log(JSON.stringify({ issuer }));
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
