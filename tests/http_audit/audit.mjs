// Runs the graphql-http server audits against KAM_AUDIT_URL and prints the results as JSON.
// KAM_AUDIT_HEADERS (a JSON object) is sent with every request, e.g. an Authorization header.
import { serverAudits } from 'graphql-http';

const url = process.env.KAM_AUDIT_URL;
if (!url) {
  console.error('KAM_AUDIT_URL is not set');
  process.exit(2);
}
const extraHeaders = JSON.parse(process.env.KAM_AUDIT_HEADERS || '{}');

function fetchFn(input, init = {}) {
  const headers = new Headers(init.headers);
  for (const [name, value] of Object.entries(extraHeaders)) {
    if (!headers.has(name)) headers.set(name, value);
  }
  return fetch(input, { ...init, headers, signal: AbortSignal.timeout(10_000) });
}

const results = [];
for (const audit of serverAudits({ url, fetchFn })) {
  const result = await audit.fn();
  results.push({ id: result.id, name: result.name, status: result.status, reason: result.reason ?? null });
}
console.log(JSON.stringify(results, null, 2));
