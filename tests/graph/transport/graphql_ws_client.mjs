// Subscribes to `masterFlowChanged(flowId)` with the npm `graphql-ws` client (over `ws`) and prints, as one
// JSON line, the first outcome: {"next": <payload>} for the first push, {"closed": <code>} when the server
// closes the socket, {"complete": true} when it ends the subscription.  Exits 0 once it has printed, 1 when
// nothing happens within TIMEOUT_MS.
//
// Usage: FLOWGATE_TOKEN=<jwt> node graphql_ws_client.mjs <npm prefix with graphql-ws and ws> <ws URL> <flow ID>
// The token travels in the connection_init payload's `Authorization`, as `Bearer <token>`.

import { createRequire } from 'node:module';
import { join } from 'node:path';

const TIMEOUT_MS = 10_000;
const QUERY = 'subscription ($flowId: UUID!) { masterFlowChanged(flowId: $flowId) { flowId name } }';

const [prefix, url, flowId] = process.argv.slice(2);
const token = process.env.FLOWGATE_TOKEN;
if (!prefix || !url || !flowId || token === undefined) {
  console.error('usage: FLOWGATE_TOKEN=<jwt> node graphql_ws_client.mjs <npm prefix> <ws URL> <flow ID>');
  process.exit(2);
}
// Resolve the packages from the prefix they were installed into, as `require` would there.
const require = createRequire(join(prefix, 'package.json'));
const { createClient } = require('graphql-ws');
const WebSocket = require('ws');

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${token}` },
  retryAttempts: 0,
});

function finish(outcome) {
  process.stdout.write(`${JSON.stringify(outcome)}\n`);
  process.exit(0);
}

client.subscribe(
  { query: QUERY, variables: { flowId } },
  {
    next: (payload) => finish({ next: payload }),
    // graphql-ws reports a close by the server as an error holding the CloseEvent.
    error: (error) => finish(typeof error?.code === 'number' ? { closed: error.code } : { error: String(error) }),
    complete: () => finish({ complete: true }),
  },
);
setTimeout(() => {
  console.error(`nothing happened within ${TIMEOUT_MS} ms`);
  process.exit(1);
}, TIMEOUT_MS);
