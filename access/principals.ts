// Who may sign requests: every gateway user's access keys, looked up by key id. The only place that
// holds users' secrets; nothing outside access/ sees one.
import type { UserConfig } from '../core/config/types.ts';

export interface Principal {
  /** The user's name: what grants and the audit speak of. */
  name: string;
}

export interface KeyHolder {
  principal: Principal;
  secret: string;
}

export class Principals {
  private readonly keys = new Map<string, KeyHolder>();

  constructor(users: readonly UserConfig[]) {
    for (const u of users) {
      const principal = { name: u.name };
      for (const k of u.accessKeys) this.keys.set(k.accessKeyId, { principal, secret: k.secretAccessKey });
    }
  }

  byAccessKey(accessKeyId: string): KeyHolder | undefined {
    return this.keys.get(accessKeyId);
  }
}
