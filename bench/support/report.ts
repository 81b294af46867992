/** Prints a benchmark's figures as an aligned table, ours beside the peer's. */
export interface Row {
  what: string;
  ours: string;
  peer: string;
  /** How many times better ours is (>1 better), or '' when not comparable. */
  ratio: string;
}

export function printTable(title: string, peerName: string, rows: Row[]): void {
  const header: Row = { what: 'measure', ours: 'fleetwatch', peer: peerName, ratio: 'ours vs peer' };
  const all = [header, ...rows];
  const width = (k: keyof Row) => Math.max(...all.map((r) => r[k].length));
  const line = (r: Row) => `| ${r.what.padEnd(width('what'))} | ${r.ours.padStart(width('ours'))} | ${r.peer.padStart(width('peer'))} | ${r.ratio.padStart(width('ratio'))} |`;
  console.log(`\n${title}\n`);
  console.log(line(header));
  console.log(`|${'-'.repeat(width('what') + 2)}|${'-'.repeat(width('ours') + 2)}:|${'-'.repeat(width('peer') + 2)}:|${'-'.repeat(width('ratio') + 2)}:|`);
  for (const r of rows) console.log(line(r));
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Milliseconds that `fn` takes, median of `runs`. */
export async function timeMs(runs: number, fn: () => unknown): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(times);
}

export const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
