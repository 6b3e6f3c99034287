/**
 * The node flags our servers run with (package.json's start, serve and
 * sync-server scripts spell the same): the tests and benches start the
 * server entries with these, so they measure and exercise what production
 * runs. --experimental-async-context-frame makes AsyncLocalStorage (used by
 * better-auth) follow promises without an async hook on every promise;
 * Node 24 does this by default (docs/decisions/011). --max-semi-space-size=2
 * keeps each young-generation collection short: loading a room allocates
 * megabytes that survive, and V8's default 16 MB semi-space copied them in
 * pauses of 10 to 15 ms (docs/decisions/022).
 */
export const SERVER_NODE_FLAGS = ['--experimental-async-context-frame', '--max-semi-space-size=2', '--import', 'tsx']
