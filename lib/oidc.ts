// Staff single sign-on through OpenID Connect (openid-client): the authorization code flow with PKCE, state
// and nonce. The provider's metadata is discovered once, on the first sign-in. Plain http is allowed only
// to a provider on this machine (a test's local provider); anything else must be https.
import * as client from 'openid-client';
import type { OidcConfig } from './config.js';

export interface OidcStart {
  url: URL;
  state: string;
  codeVerifier: string;
  nonce: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function oidcClient(c: OidcConfig, redirectUri: string) {
  let config: Promise<client.Configuration> | undefined;
  const discover = () => {
    const issuer = new URL(c.issuer);
    const insecure = issuer.protocol === 'http:' && LOOPBACK.has(issuer.hostname);
    config ??= client
      .discovery(issuer, c.clientId, c.clientSecret, undefined, {
        execute: insecure ? [client.allowInsecureRequests] : [],
      })
      .catch((e) => {
        config = undefined; // try again next time: the provider may have been down
        throw e;
      });
    return config;
  };
  return {
    async start(): Promise<OidcStart> {
      const cfg = await discover();
      const codeVerifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      const url = client.buildAuthorizationUrl(cfg, {
        redirect_uri: redirectUri,
        scope: 'openid email profile',
        response_type: 'code',
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        nonce,
      });
      return { url, state, codeVerifier, nonce };
    },
    /** The signed-in person's claims: the ID token's, with userinfo's where the ID token leaves them out. */
    async finish(callbackUrl: URL, s: { state: string; codeVerifier: string; nonce: string }) {
      const cfg = await discover();
      const tokens = await client.authorizationCodeGrant(cfg, callbackUrl, {
        pkceCodeVerifier: s.codeVerifier,
        expectedState: s.state,
        expectedNonce: s.nonce,
        idTokenExpected: true,
      });
      const claims: Record<string, unknown> = { ...tokens.claims() };
      if (claims[c.roleClaim] === undefined || claims.email === undefined) {
        const info = await client.fetchUserInfo(cfg, tokens.access_token, String(claims.sub));
        for (const [k, v] of Object.entries(info)) claims[k] ??= v;
      }
      return claims;
    },
  };
}
