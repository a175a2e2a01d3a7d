/**
 * The token scopes kvs knows, part of its wire contract: the service checks them and the CLI
 * mints only these. Write does not imply read: a token needs both to do both.
 */
export const SCOPES = ['kvs:read', 'kvs:write', 'kvs:admin', 'kvs:metrics'] as const;

/** One of the SCOPES. */
export type Scope = (typeof SCOPES)[number];
