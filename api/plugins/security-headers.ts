// Security headers on every response (API, portal pages, /docs) through @fastify/helmet. The CSP allows what the
// portal and swagger-ui load: this origin's scripts and styles (swagger-ui sets inline styles), Stripe.js and its
// frames for card entry, data: images. No page may be framed. HSTS only when the public URL is https: sent over
// plain http it would do nothing useful, and on a dev host it would pin localhost to https.
import helmet from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'", 'https://js.stripe.com'],
  frameSrc: ['https://js.stripe.com', 'https://hooks.stripe.com'],
  connectSrc: ["'self'", 'https://api.stripe.com'],
  imgSrc: ["'self'", 'data:', 'https://*.stripe.com'],
  styleSrc: ["'self'", "'unsafe-inline'"],
  fontSrc: ["'self'", 'data:'],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export default fp(async function securityHeaders(app: FastifyInstance, opts: { publicUrl: string }) {
  await app.register(helmet, {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'same-origin' },
    // Stripe.js opens cross-origin popups (3-D Secure): keep the default COOP from breaking them
    crossOriginOpenerPolicy: { policy: 'same-origin-allow-popups' },
    crossOriginEmbedderPolicy: false,
    hsts: opts.publicUrl.startsWith('https:') ? { maxAge: 180 * 24 * 3600, includeSubDomains: true } : false,
  });
});
