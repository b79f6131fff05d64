/** The fields of an audit entry for storage tests: only the chain (account) and action vary. */
export const auditFields = (accountId: string | null, action: string) => ({
  time: new Date(0).toISOString(),
  accountId,
  actorPrincipalId: null,
  keyId: null,
  action,
  target: null,
  sourceIp: '127.0.0.1',
  outcome: 'success',
  detail: null,
});
