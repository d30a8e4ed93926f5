// What each driver can enforce of the neutral policy kinds. Data, not code: a new driver adds a row.
export const capabilities = {
  caddy: {
    rateLimit: 'stock Caddy has no rate limiting handler (the Debian build lists none)',
    'auth.jwt': 'stock Caddy has no JWT validation handler',
  },
  kong: {},
  apisix: {},
  traefik: {
    'auth.key': 'Traefik has no key-auth middleware without a plugin',
    'auth.jwt': 'Traefik has no JWT middleware without a plugin',
  },
};

/** The reason a driver cannot enforce a policy spec, or undefined when it can. */
export function unsupported(driver, spec) {
  const table = capabilities[driver] || {};
  for (const kind of Object.keys(spec || {})) {
    if (kind === 'x-gitway-ignore') continue;
    if (table[kind]) return { feature: kind, reason: table[kind] };
    const sub = spec[kind] && spec[kind].type ? `${kind}.${spec[kind].type}` : undefined;
    if (sub && table[sub]) return { feature: sub, reason: table[sub] };
    if (kind === 'vendor' && spec.vendor && !spec.vendor[driver]) return { feature: 'vendor', reason: `the vendor policy has no entry for ${driver} (it has ${Object.keys(spec.vendor).join(', ')})` };
  }
  return undefined;
}
