// Who may sign requests: every gateway user's access keys, looked up by key id. The only place that
// holds users' secrets; nothing outside access/ sees one. A user may hold several keys side by side
// (rotation); a disabled key, or one past its `expires`, is as unknown as one never issued — AWS
// answers InvalidAccessKeyId for an inactive key too.
import type { UserConfig } from '../core/config/types.ts';

export interface Principal {
  /** The user's name: what policies and the audit speak of. */
  name: string;
}

export interface KeyHolder {
  principal: Principal;
  secret: string;
  disabled: boolean;
  /** Epoch milliseconds from which the key no longer signs. */
  expiresAt?: number;
}

export class Principals {
  private readonly keys = new Map<string, KeyHolder>();

  constructor(users: readonly UserConfig[]) {
    for (const u of users) {
      const principal = { name: u.name };
      for (const k of u.accessKeys) {
        this.keys.set(k.accessKeyId, { principal, secret: k.secretAccessKey, disabled: k.disabled === true, ...(k.expires !== undefined && { expiresAt: Date.parse(k.expires) }) });
      }
    }
  }

  /** The holder of a key that may sign at `now`. */
  active(accessKeyId: string, now: Date): KeyHolder | undefined {
    const k = this.keys.get(accessKeyId);
    if (!k || k.disabled || (k.expiresAt !== undefined && now.getTime() >= k.expiresAt)) return undefined;
    return k;
  }

  /** Any configured key, active or not: a signature chain that an active key started goes on. */
  byAccessKey(accessKeyId: string): KeyHolder | undefined {
    return this.keys.get(accessKeyId);
  }
}
