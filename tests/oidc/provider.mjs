// A real OpenID provider (the `oidc-provider` package) for the single sign-on tests, on 127.0.0.1 only.
//
//   node provider.mjs            (after `npm ci` in this folder; tests/receiver/auth/test_oidc.py does both)
//
// Environment:
//   OIDC_PORT            the port (0 = any free one); the issuer is http://127.0.0.1:<port>
//   OIDC_CLIENTS         JSON array of static clients (client_id, client_secret, redirect_uris, ...)
//   OIDC_USERS           JSON object: login name -> {"groups": [...], "email": "..."}
//
// Sign-in uses the package's own development login form (any password; the login name picks the account);
// consent is given automatically. Prints one line `listening <issuer>` when ready.
import { generateKeyPairSync, randomBytes } from 'node:crypto';

import Provider from 'oidc-provider';

const host = '127.0.0.1';
const users = JSON.parse(process.env.OIDC_USERS || '{}');
const clients = JSON.parse(process.env.OIDC_CLIENTS || '[]');
const scopes = ['openid', 'profile', 'email', 'groups'];

const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomBytes(8).toString('hex'), use: 'sig', alg: 'RS256' };

async function findAccount(_ctx, id) {
  const user = users[id];
  if (!user) return undefined;
  return {
    accountId: id,
    async claims() {
      return { sub: id, preferred_username: id, name: id, email: user.email || `${id}@example.test`, groups: user.groups || [] };
    },
  };
}

async function loadExistingGrant(ctx) {  // consent is automatic: every requested scope and claim is granted
  const found = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
  if (found) return ctx.oidc.provider.Grant.find(found);
  const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
  grant.addOIDCScope(scopes.join(' '));
  grant.addOIDCClaims(['preferred_username', 'name', 'email', 'groups']);
  await grant.save();
  return grant;
}

const server = (await import('node:http')).createServer();
server.listen(Number(process.env.OIDC_PORT || 0), host, () => {
  const issuer = `http://${host}:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients,
    findAccount,
    loadExistingGrant,
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], email: ['email'], groups: ['groups'] },
    scopes,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true } },
    // Real providers often put only `sub` in the ID token when an access token is issued: the relying party
    // must fetch the other claims from the userinfo endpoint (oidc-provider's default, kept on purpose).
    conformIdTokenClaims: true,
  });
  provider.on('server_error', (_ctx, err) => console.error('server_error', err));
  server.on('request', provider.callback());
  console.log(`listening ${issuer}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
