// What every authenticator answers: who is asking, and how they proved it.

export interface Identity {
  /** The gateway user's name; absent for anonymous access (allowed only under open_access). */
  principal?: string;
  /** The access key the request was signed with: the account id the client is shown (Owner/ID). */
  accessKeyId?: string;
  /** Authenticated by query string: those X-Amz-* parameters must not be forwarded. */
  presigned: boolean;
  /** Set by the form authenticator; header and query signatures are told apart by `presigned`. */
  postForm?: true;
}

/** How the identity proved itself, as policy conditions see it (principal.authMethod). */
export function authMethod(identity: Identity): 'anonymous' | 'post-form' | 'presigned' | 'sigv4' {
  if (identity.principal === undefined) return 'anonymous';
  if (identity.postForm) return 'post-form';
  return identity.presigned ? 'presigned' : 'sigv4';
}
