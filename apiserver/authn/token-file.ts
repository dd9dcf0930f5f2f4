// --token-auth-file: static bearer tokens, one per line as CSV `token,user,uid[,"group1,group2"]`,
// the format Kubernetes reads (and the seeds' token.csv uses).
import { timingSafeEqual } from 'node:crypto';
import type { TokenAuthenticator } from '../../component-base/authn/authenticator.js';
import type { UserInfo } from '../../component-base/authn/user.js';

/** Splits one CSV line: commas separate, double quotes enclose, "" is a quote inside quotes. */
export function csvFields(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(field);
      field = '';
    } else field += c;
  }
  if (quoted) throw new Error('unterminated quote');
  out.push(field);
  return out;
}

export class TokenFile {
  private readonly users = new Map<string, UserInfo>();

  /** Throws, naming the line, on a record with fewer than three fields or an empty token or user. */
  constructor(text: string) {
    const lines = text.split(/\r?\n/);
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (!line.trim()) continue;
      let fields: string[];
      try {
        fields = csvFields(line);
      } catch (err) {
        throw new Error(`token file line ${i + 1}: ${(err as Error).message}`);
      }
      if (fields.length < 3) throw new Error(`token file line ${i + 1}: needs at least 3 fields (token,user,uid), has ${fields.length}`);
      const [token, name, uid, groups] = fields.map((f) => f.trim()) as [string, string, string, string | undefined];
      if (!token || !name) throw new Error(`token file line ${i + 1}: empty token or user`);
      this.users.set(token, { name, uid, groups: groups ? groups.split(',').map((g) => g.trim()).filter(Boolean) : [] });
    }
  }

  get size(): number {
    return this.users.size;
  }

  /** The user of `token`, compared in constant time against each known token. */
  lookup(token: string): UserInfo | undefined {
    const wanted = Buffer.from(token);
    let found: UserInfo | undefined;
    for (const [t, u] of this.users) {
      const b = Buffer.from(t);
      if (b.length === wanted.length && timingSafeEqual(b, wanted)) found = u;
    }
    return found;
  }
}

export function tokenFileAuthenticator(file: TokenFile): TokenAuthenticator {
  return { authenticateToken: async (token) => file.lookup(token) };
}
