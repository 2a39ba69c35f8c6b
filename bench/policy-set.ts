// The access-control part of a bench gateway's config: the interim grant (one user, `buckets: [bench]`)
// or the policy set — 100 users, 500 rules, a CEL condition on a third of them (180). The bench
// user is one of the 100, in three of the ten groups: 121 rules to decide over per request, most failing
// on their resource glob or action; four conditions run (an allow's, then three denies').

export interface BenchUser {
  accessKey: string;
  /** The config reads the secret from this environment variable. */
  secretEnv: string;
}

export const POLICY_SET = { users: 100, groups: 10, rulesPerGroup: 40, benchGroups: 3 } as const;

const key = (id: string, secretEnv: string): string => `{ access_key_id: ${id}, secret_access_key: \${env:${secretEnv}} }`;

function interimGrantYaml(bucket: string, user: BenchUser): string {
  return `users:
  - name: bench
    access_keys: [ ${key(user.accessKey, user.secretEnv)} ]
    buckets: [ ${bucket} ]
`;
}

/**
 * Rule `j` of group `g`'s policy, as a team writes them: one allow over the bucket and one deny from
 * blocked networks (both conditional: the two whose conditions run on the bench's GETs), the team's
 * prefixes, other buckets, a delete ban. Rules 0, 1 and every sixth carry a condition: 8 of 40.
 */
function groupRule(bucket: string, g: number, j: number): string {
  if (j === 0) return `{ effect: allow, actions: [read, write, list], resources: ["${bucket}/*"], when: 'request.method in ["GET", "HEAD", "PUT"]' }`;
  if (j === 1) return `{ effect: deny, actions: ["*"], resources: ["${bucket}/*"], when: 'request.sourceIp.inCidr(["203.0.113.0/24", "2001:db8::/32"]) || ("x-tenant" in request.headers && request.headers["x-tenant"] == "blocked-${g}")' }`;
  if (j % 6 === 0) return `{ effect: allow, actions: [read, list], resources: ["${bucket}/team-${g}-${j}/*"], when: 'request.time.getHours() >= 6 && principal.groups.exists(x, x == "g${g}")' }`;
  if (j % 5 === 3) return `{ effect: deny, actions: [delete], resources: ["${bucket}/*"] }`;
  return `{ effect: allow, actions: [read, write, delete, list], resources: ["${bucket}/team-${g}-${j}/*", "archive-${g}/${j}/*"] }`;
}

function policySetYaml(bucket: string, user: BenchUser): string {
  const { users, groups, rulesPerGroup, benchGroups } = POLICY_SET;
  const groupName = (g: number): string => `g${g}`;
  const lines = ['groups:', ...Array.from({ length: groups }, (_, g) => `  - { name: ${groupName(g)}, policies: [${groupName(g)}-rules] }`), 'users:'];
  const benchIn = Array.from({ length: benchGroups }, (_, g) => groupName(g)).join(', ');
  lines.push(`  - { name: bench, groups: [${benchIn}], policies: [home], access_keys: [ ${key(user.accessKey, user.secretEnv)} ] }`);
  for (let u = 1; u < users; u++) {
    const id = `AKIABENCH${String(u).padStart(11, '0')}`;
    lines.push(`  - { name: user-${u}, groups: [${groupName(u % groups)}], policies: [home], access_keys: [ { access_key_id: ${id}, secret_access_key: secret-of-user-${u}-0123456789 } ] }`);
  }
  lines.push('policies:');
  for (let g = 0; g < groups; g++) {
    lines.push(`  - name: ${groupName(g)}-rules`, '    rules:', ...Array.from({ length: rulesPerGroup }, (_, j) => `      - ${groupRule(bucket, g, j)}`));
  }
  // One templated rule bound once per user (the 100 that make 500), each with its condition: 180 of 500 in all.
  lines.push('  - name: home', '    rules:', `      - { effect: allow, actions: [read, write, delete, list], resources: ["home/\${principal.name}/*"], when: 'request.sourceIp.inCidr("127.0.0.0/8")' }`);
  return `${lines.join('\n')}\n`;
}

export type AccessSet = 'interim grant' | 'policy set';

/** The users/groups/policies part of a bench gateway's config. */
export function accessYaml(set: AccessSet, bucket: string, user: BenchUser): string {
  return (set === 'policy set' ? policySetYaml : interimGrantYaml)(bucket, user);
}

/** Rules of the set as bound (the home policy once per user) and how many carry a condition: read from the YAML it makes. */
export function policySetCounts(): { rules: number; conditioned: number } {
  const yaml = policySetYaml('bench', { accessKey: 'x', secretEnv: 'X' });
  const groupRules = yaml.split('\n').filter((l) => l.startsWith('      - {'));
  const home = groupRules.pop()!;
  const conditioned = (l: string): number => (l.includes(' when: ') ? 1 : 0);
  return {
    rules: groupRules.length + POLICY_SET.users,
    conditioned: groupRules.reduce((n, l) => n + conditioned(l), 0) + POLICY_SET.users * conditioned(home),
  };
}
