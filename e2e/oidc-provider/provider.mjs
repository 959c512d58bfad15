// A real OpenID Connect provider (panva's oidc-provider) on a loopback port, for Tillit's OIDC
// sign-in tests (crates/tillit-web/tests/oidc.rs). Test use only: development signing keys and
// the built-in development login/consent pages, which accept any login with any password.
//
//   node provider.mjs --client-id ID --client-secret SECRET --redirect-uri URL
//
// Prints `ISSUER http://127.0.0.1:<port>` once it listens, and exits when stdin closes (so it
// dies with the test that started it).
//
// Accounts are keyed by the login typed on the login page. Their claims are set by the test:
//   PUT /test/accounts/<login>   {"preferred_username": "...", "roles": ["Tillit.Admin"], ...}
// A login without claims set gets only `sub` (its login).

import http from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: args } = parseArgs({
  options: {
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'redirect-uri': { type: 'string' },
    port: { type: 'string', default: '0' },
  },
});
for (const required of ['client-id', 'client-secret', 'redirect-uri']) {
  if (!args[required]) {
    console.error(`provider.mjs: --${required} is required`);
    process.exit(2);
  }
}

/** login → claims (besides `sub`), as the test set them. */
const accounts = new Map();

const server = http.createServer();
await new Promise((resolve) => server.listen(Number(args.port), '127.0.0.1', resolve));
const issuer = `http://127.0.0.1:${server.address().port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: args['client-id'],
      client_secret: args['client-secret'],
      redirect_uris: [args['redirect-uri']],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  // `roles` comes with `openid`, as Entra ID's app roles come without a scope of their own.
  claims: {
    openid: ['sub', 'roles'],
    profile: ['name', 'preferred_username'],
    email: ['email', 'email_verified'],
  },
  // Put the claims in the ID token (as Entra ID does), not only behind the userinfo endpoint.
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  features: { devInteractions: { enabled: true } },
  cookies: { keys: ['oidc-provider-test-cookie-key'] },
  async findAccount(_ctx, id) {
    return {
      accountId: id,
      async claims() {
        return { ...(accounts.get(id) ?? {}), sub: id };
      },
    };
  },
});

const oidc = provider.callback();

async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

server.on('request', async (req, res) => {
  const m = req.url.match(/^\/test\/accounts\/([^/?]+)$/);
  if (m && req.method === 'PUT') {
    try {
      accounts.set(decodeURIComponent(m[1]), JSON.parse(await readBody(req)));
      res.writeHead(204).end();
    } catch (e) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(String(e));
    }
    return;
  }
  oidc(req, res);
});

console.log(`ISSUER ${issuer}`);

process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
process.stdin.on('close', () => process.exit(0));
process.on('SIGTERM', () => process.exit(0));
