// Who a request comes from, once authenticated, as Kubernetes' user.Info carries it.

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export const ANONYMOUS: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
export const AUTHENTICATED_GROUP = 'system:authenticated';
export const MASTERS_GROUP = 'system:masters';

/** Requests on the plain local port: trusted as Kubernetes' old insecure port was (cluster admin). */
export const LOCAL_ADMIN: UserInfo = { name: 'system:unsecured', groups: [MASTERS_GROUP, AUTHENTICATED_GROUP] };

/** Adds system:authenticated, as Kubernetes does for every user but the anonymous one. */
export function withAuthenticatedGroup(u: UserInfo): UserInfo {
  return u.groups.includes(AUTHENTICATED_GROUP) ? u : { ...u, groups: [...u.groups, AUTHENTICATED_GROUP] };
}
