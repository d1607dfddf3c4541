// Runs graphql-http's GraphQL-over-HTTP server audits against a live endpoint and
// prints one JSON array of results: {id, name, status, reason?, response?}, where
// status is "ok", or "error" / "warn" / "notice" for a failed MUST / SHOULD / MAY.
//
// Usage: FLOWGATE_TOKEN=<jwt> node graphql_http_audit.mjs <npm prefix with graphql-http> <endpoint URL>
// Every request carries `Authorization: Bearer $FLOWGATE_TOKEN` and `GraphQL-Require-Preflight: 1`:
// the audit is a non-browser client, and like any such client it tells the gateway's CSRF prevention
// (graph/csrf.py) that no browser could have sent its GETs cross-site unpreflighted.

import { createRequire } from 'node:module';
import { join } from 'node:path';

const [prefix, url] = process.argv.slice(2);
const token = process.env.FLOWGATE_TOKEN;
if (!prefix || !url || !token) {
  console.error('usage: FLOWGATE_TOKEN=<jwt> node graphql_http_audit.mjs <npm prefix> <endpoint URL>');
  process.exit(2);
}
// Resolve the package from the prefix it was installed into, as `require` would there.
const { auditServer } = createRequire(join(prefix, 'package.json'))('graphql-http');

function fetchFn(input, init = {}) {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${token}`);
  headers.set('graphql-require-preflight', '1');
  return fetch(input, { ...init, headers });
}

// The failing response as far as it can still be read (an audit may have consumed the body).
async function describeResponse(response) {
  const body = response.bodyUsed ? null : await response.text();
  return { status: response.status, contentType: response.headers.get('content-type'), body };
}

const results = await auditServer({ url, fetchFn });
const described = await Promise.all(
  results.map(async ({ id, name, status, reason, response }) =>
    status === 'ok' ? { id, name, status } : { id, name, status, reason, response: await describeResponse(response) },
  ),
);
process.stdout.write(JSON.stringify(described));
