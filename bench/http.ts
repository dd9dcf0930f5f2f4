// HTTP helpers the apiserver benchmarks share.
import type { Pool } from 'undici';

/** POSTs `body` as JSON; created (201) or already there (409) are both fine for a benchmark's set-up. */
export async function post(pool: Pool, path: string, body: unknown): Promise<void> {
  const res = await pool.request({ method: 'POST', path, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const text = await res.body.text();
  if (res.statusCode !== 201 && res.statusCode !== 409) throw new Error(`POST ${path}: ${res.statusCode} ${text.slice(0, 200)}`);
}

/** Prints a benchmark's rows as a markdown table, for BENCHMARKS.md. */
export function printMarkdown(header: string[], rows: string[][]): void {
  console.log('\nmarkdown:');
  console.log(`| ${header.join(' | ')} |\n|${header.map(() => '---').join('|')}|`);
  for (const r of rows) console.log(`| ${r.join(' | ')} |`);
}
