// The OpenID Provider that the staff sign-on tests run against: oidc-provider (a certified
// OpenID Connect provider) on plain HTTP on the loopback address, with a sign-in page of its
// own, accounts read from a JSON file on every sign-in, and automatic consent.
//
//   node provider.mjs --config <path-to-json>
//
// The configuration (tests/helpers/oidc_provider.py writes it):
//   port            the loopback port; the issuer is http://127.0.0.1:<port>
//   clients         [{client_id, client_secret, redirect_uris, post_logout_redirect_uris,
//                     backchannel_logout_uri?, backchannel_logout_session_required}]
//   jwks            {keys: [private RSA JWK, …]}: the provider signs with the first RS256 key
//   accounts_file   {sub: {password, claims: {name, email, groups}, amr, acr}}, read again
//                   on every sign-in and every account look-up
//   acr_values      optional: the acr values the provider announces
//
// Logs go to standard error; "listening on <issuer>" goes to standard output once it serves.

import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values: args } = parseArgs({ options: { config: { type: 'string' } } });
if (!args.config) {
  console.error('usage: node provider.mjs --config <path-to-json>');
  process.exit(2);
}
const config = JSON.parse(readFileSync(args.config, 'utf8'));
const issuer = `http://127.0.0.1:${config.port}`;

function readAccounts() {
  return JSON.parse(readFileSync(config.accounts_file, 'utf8'));
}

function accountFor(sub) {
  const accounts = readAccounts();
  return Object.hasOwn(accounts, sub) ? accounts[sub] : undefined;
}

function samePassword(given, expected) {
  const a = Buffer.from(String(given));
  const b = Buffer.from(String(expected));
  return a.length === b.length && timingSafeEqual(a, b);
}

async function findAccount(ctx, sub) {
  const entry = accountFor(sub);
  if (!entry) return undefined;
  return {
    accountId: sub,
    async claims() {
      const claims = entry.claims || {};
      return { sub, name: claims.name, email: claims.email, groups: claims.groups || [] };
    },
  };
}

const escapeHtml = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => ({
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
}[c]));

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

const loopback = new Set(['127.0.0.1', 'localhost', '[::1]']);

const configuration = {
  clients: config.clients.map((client) => ({
    client_id: client.client_id,
    client_secret: client.client_secret,
    redirect_uris: client.redirect_uris,
    post_logout_redirect_uris: client.post_logout_redirect_uris || [],
    ...(client.backchannel_logout_uri ? {
      backchannel_logout_uri: client.backchannel_logout_uri,
      backchannel_logout_session_required: client.backchannel_logout_session_required !== false,
    } : {}),
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'RS256',
  })),
  jwks: config.jwks,
  findAccount,
  // acr, amr and auth_time ride on the openid scope, so that every ID token carries them
  // (oidc-provider otherwise adds amr only when the claims parameter asks for it).
  claims: {
    openid: ['sub', 'acr', 'amr', 'auth_time'],
    profile: ['name'],
    email: ['email'],
    groups: ['groups'],
    acr: null,
    amr: null,
    auth_time: null,
    sid: null,
  },
  // name, email and groups go into the ID token, not only to the userinfo endpoint.
  conformIdTokenClaims: false,
  acrValues: config.acr_values || ['urn:example:pwd', 'urn:example:mfa'],
  pkce: { required: () => true },
  clockTolerance: 5,
  clientBasedCORS: () => false,
  cookies: {
    keys: [randomBytes(32).toString('hex')],
    // Plain HTTP on loopback: oidc-provider marks cookies Secure only on HTTPS requests.
    long: { httpOnly: true, sameSite: 'lax' },
    short: { httpOnly: true, sameSite: 'lax' },
  },
  interactions: {
    url: (ctx, interaction) => `/interaction/${interaction.uid}`,
  },
  features: {
    devInteractions: { enabled: false },
    backchannelLogout: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      // The confirmation page submits itself (and signs out of the provider's session too,
      // logout=yes), so a browser goes from the client to the post-logout URI in one chain;
      // without scripts it shows one "Sign out" button.
      async logoutSource(ctx, form) {
        const withChoice = form.replace('</form>',
          '<input type="hidden" name="logout" value="yes"/><button type="submit">Sign out</button></form>');
        ctx.body = page('Sign out', `<h1>Sign out</h1>
${withChoice}
<script>document.forms[0].submit();</script>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Signed out', '<h1>Signed out</h1>\n<p>You have signed out.</p>');
      },
    },
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    const rows = Object.entries(out)
      .map(([key, value]) => `<dt>${escapeHtml(key)}</dt><dd>${escapeHtml(value)}</dd>`).join('\n');
    ctx.body = page('Error', `<h1>Error</h1>\n<dl>\n${rows}\n</dl>`);
  },
  ttl: {
    AccessToken: 10 * 60,
    AuthorizationCode: 60,
    IdToken: 10 * 60,
    Interaction: 10 * 60,
    Session: 60 * 60,
    Grant: 60 * 60,
  },
  // Back-channel logout POSTs go to the test's own receiver on the loopback address, which
  // oidc-provider's guard against server-side request forgery would refuse.
  fetch(url, options) {
    const { dispatcher, ...rest } = options;
    if (loopback.has(new URL(url).hostname)) return globalThis.fetch(url, rest);
    return globalThis.fetch(url, options);
  },
};

const provider = new Provider(issuer, configuration);

for (const event of ['server_error', 'backchannel.error', 'grant.error', 'end_session.error']) {
  provider.on(event, (ctx, error) => console.error(`${event}:`, error?.stack || error || ctx));
}

function signInPage(uid, { username = '', error = '' } = {}) {
  const problem = error ? `<p id="problem" role="alert">${escapeHtml(error)}</p>\n` : '';
  const described = error ? ' aria-describedby="problem"' : '';
  return page('Sign in', `<h1>Sign in</h1>
${problem}<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<p><label for="username">Username</label><br>
<input id="username" name="username" autocomplete="username" required value="${escapeHtml(username)}"${described}${username ? '' : ' autofocus'}></p>
<p><label for="password">Password</label><br>
<input id="password" name="password" type="password" autocomplete="current-password" required${described}${username ? ' autofocus' : ''}></p>
<p><button type="submit">Sign in</button></p>
</form>
<form method="post" action="/interaction/${escapeHtml(uid)}/cancel">
<p><button type="submit">Cancel</button></p>
</form>`);
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res, status, html) {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(html);
}

// Consent is given at once: a grant for every scope and claim the client asked for.
async function grantConsent(req, res, details) {
  const { prompt, grantId, session, params } = details;
  const grant = grantId
    ? await provider.Grant.find(grantId)
    : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
  if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
  if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(prompt.details.missingResourceScopes || {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  await provider.interactionFinished(req, res, { consent: { grantId: await grant.save() } }, {
    mergeWithLastSubmission: true,
  });
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, page('Error', '<h1>Error</h1><p>Unknown sign-in.</p>'));
  if (details.prompt.name === 'consent') return grantConsent(req, res, details);
  if (req.method === 'GET' && !action) return send(res, 200, signInPage(uid));
  if (req.method === 'POST' && action === 'cancel') {
    return provider.interactionFinished(req, res, {
      error: 'access_denied', error_description: 'The person cancelled the sign-in.',
    }, { mergeWithLastSubmission: false });
  }
  if (req.method === 'POST' && action === 'login') {
    const form = await readForm(req);
    const username = form.get('username') || '';
    const entry = accountFor(username);
    if (!entry || !samePassword(form.get('password') || '', entry.password)) {
      return send(res, 401, signInPage(uid, { username, error: 'Wrong username or password.' }));
    }
    const login = { accountId: username, remember: true };
    if (entry.amr) login.amr = entry.amr;
    if (entry.acr) login.acr = entry.acr;
    return provider.interactionFinished(req, res, { login }, { mergeWithLastSubmission: false });
  }
  return send(res, 405, page('Error', '<h1>Error</h1><p>Not allowed.</p>'));
}

const handle = provider.callback();
const route = /^\/interaction\/([\w-]+)(?:\/(login|cancel))?\/?(?:\?.*)?$/;

const server = createServer(async (req, res) => {
  const match = route.exec(req.url);
  if (!match) return handle(req, res);
  try {
    return await interaction(req, res, match[1], match[2]);
  } catch (error) {
    console.error('interaction:', error?.stack || error);
    const expired = error?.name === 'SessionNotFound';
    return send(res, expired ? 400 : 500, page('Error', `<h1>Error</h1><p>${escapeHtml(
      expired ? 'This sign-in has expired or was finished already. Start again.' : 'Something went wrong.',
    )}</p>`));
  }
});

server.listen(config.port, '127.0.0.1', () => {
  console.log(`listening on ${issuer}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close(() => process.exit(0));
    server.closeAllConnections();
  });
}
