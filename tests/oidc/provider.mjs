// A real OpenID Connect provider on loopback for tests/test_oidc.py (npm package oidc-provider).
// Behaviour is chosen by environment variables:
//   OIDC_PORT            port on 127.0.0.1 (required)
//   OIDC_ID_TOKEN_TTL    lifetime of ID tokens in seconds (default 3600)
//   OIDC_CLOCK_OFFSET    seconds the provider's clock is off (negative: behind), so its tokens expire early
//   OIDC_FOREIGN_KEY=1   sign ID tokens with a key that the JWKS does not publish (tampering)
//   OIDC_AUDIENCE=ID     issue ID tokens for the client with that id instead (a wrong audience)
// Users log in on the provider's own interaction page (devInteractions) by their login name.
import { generateKeyPairSync } from 'node:crypto';
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const offset = Number(process.env.OIDC_CLOCK_OFFSET || 0) * 1000;
if (offset) {
  const realNow = Date.now;
  Date.now = () => realNow() + offset;
}
const issuer = `http://127.0.0.1:${port}`;

const USERS = {
  anna: { email: 'a@test.dk', email_verified: true, name: 'Anna Facilitator', groups: ['team-ledere'] },
  admin: { email: 'admin@test.dk', email_verified: true, name: 'Admin', groups: [] },
  chef: { email: 'a@test.dk', email_verified: true, name: 'Anna som chef', groups: ['forvaltning'] },
  ny: { email: 'ny@test.dk', email_verified: true, name: 'Ny Mødeleder', groups: ['team-ledere'] },
  gone: { email: 'gone@test.dk', email_verified: true, name: 'Gone', groups: ['team-ledere'] },
  fremmed: { email: 'fremmed@test.dk', email_verified: true, name: 'Fremmed', groups: [] },
  ubekraeftet: { email: 'admin@test.dk', email_verified: false, name: 'Ubekræftet', groups: [] },
};

function signingKey(kid) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig', alg: 'RS256' };
}

const forged = process.env.OIDC_FOREIGN_KEY === '1';
const published = signingKey('published');
const foreign = signingKey('published'); // same kid, another key: a forged signature
const jwks = { keys: [forged ? foreign : published] };

const configuration = {
  clients: [
    {
      client_id: 'spindelvaev',
      client_secret: 'spindelvaev-hemmelighed',
      redirect_uris: ['http://testserver/login/oidc/callback'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
    {
      client_id: 'anden-tjeneste',
      client_secret: 'anden-hemmelighed',
      redirect_uris: ['http://testserver/login/oidc/callback'],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    },
  ],
  jwks,
  pkce: { required: () => true },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
  conformIdTokenClaims: false, // the ID token carries the e-mail and groups, as Entra ID's does
  ttl: { IdToken: Number(process.env.OIDC_ID_TOKEN_TTL || 3600) },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const user = USERS[id];
    if (!user) return undefined;
    return { accountId: id, async claims() { return { sub: id, ...user }; } };
  },
  async loadExistingGrant(ctx) {
    // Consent is implied for these first-party clients.
    const grant = new ctx.oidc.provider.Grant({
      clientId: ctx.oidc.client.clientId,
      accountId: ctx.oidc.session.accountId,
    });
    grant.addOIDCScope('openid email profile');
    await grant.save();
    return grant;
  },
};

const provider = new Provider(issuer, configuration);
if (forged) {
  // Tokens are signed with the foreign key; the JWKS still publishes the real one.
  const { kty, n, e, kid, use, alg } = published;
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/jwks') ctx.body = { keys: [{ kty, n, e, kid, use, alg }] };
  });
}
if (process.env.OIDC_AUDIENCE) {
  // The ID token names another client as its audience; everything else stays as issued.
  const issue = provider.IdToken.prototype.issue;
  provider.IdToken.prototype.issue = function issueForAnother(options) {
    const real = this.client;
    this.client = new Proxy(real, {
      get: (target, name) => (name === 'clientId' ? process.env.OIDC_AUDIENCE : Reflect.get(target, name)),
    });
    return issue.call(this, options).finally(() => { this.client = real; });
  };
}
provider.listen(port, '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});
