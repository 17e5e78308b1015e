// Who a caller can be on the client API: the roles a token or a certificate names. Its own
// module because both the guard (auth.ts) and the token file (token-file.ts) read it.
export const Role = {
  Reader: 'reader',
  Operator: 'operator',
  Admin: 'admin',
  /** A cluster member's own certificate (CN = its node id). */
  Node: 'node',
} as const;
export type Role = (typeof Role)[keyof typeof Role];

/** The roles a person or a tool can hold (a token, or a user certificate). */
export const USER_ROLES: readonly Role[] = [Role.Reader, Role.Operator, Role.Admin];
const ALL_ROLES: ReadonlySet<string> = new Set(Object.values(Role));

export function isRole(s: string): s is Role {
  return ALL_ROLES.has(s);
}
