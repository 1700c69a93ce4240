// A local OpenID Connect provider (oidc-provider) for single sign-on tests: it signs in whoever the test
// names next (no login page), grants the scopes without a consent page, and gives each person's claims.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface Person {
  email: string;
  roles: string[];
}

export async function localOidcProvider(o: { clientId: string; clientSecret: string; redirectUri: string }) {
  const people = new Map<string, Person>();
  let next: string | null = null;
  let provider: Provider | null = null;
  const server = createServer((req, res) => {
    if (req.url?.startsWith('/interaction/')) {
      void provider!.interactionFinished(
        req,
        res,
        { login: { accountId: next } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    provider!.callback()(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  provider = new Provider(issuer, {
    clients: [
      {
        client_id: o.clientId,
        client_secret: o.clientSecret,
        redirect_uris: [o.redirectUri],
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'roles'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, i: { uid: string }) => `/interaction/${i.uid}` },
    findAccount: (_ctx: unknown, id: string) => {
      const p = people.get(id);
      return p
        ? { accountId: id, claims: () => ({ sub: id, email: p.email, email_verified: true, roles: p.roles }) }
        : undefined;
    },
    loadExistingGrant: async (ctx: {
      oidc: { client: { clientId: string }; session: { accountId: string } };
    }) => {
      const grant = new provider!.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  return {
    issuer,
    /** who the next sign-in is, with their directory claims */
    signInAs(id: string, p: Person) {
      people.set(id, p);
      next = id;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Follows the browser's redirects through the provider (carrying its cookies) until it sends us back. */
export async function followToCallback(start: string, callbackPrefix: string): Promise<string> {
  const jar = new Map<string, string>();
  let url = start;
  for (let i = 0; i < 10; i++) {
    if (url.startsWith(callbackPrefix)) return url;
    const r = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
    });
    for (const c of r.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const at = pair!.indexOf('=');
      jar.set(pair!.slice(0, at), pair!.slice(at + 1));
    }
    const loc = r.headers.get('location');
    if (!loc) throw new Error(`no redirect from ${url}: ${r.status} ${await r.text()}`);
    url = new URL(loc, url).href;
  }
  throw new Error('too many redirects');
}
