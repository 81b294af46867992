import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import { silentLogger } from '../../core/log.js';
import { Rejections } from '../../core/self-metrics.js';
import { tempDir } from '../../../test/support/exporter.js';
import type { ButlerObservation } from '../observations.js';
import { LogFollower } from './log-follower.js';

const line = (code: number) =>
  `time="2026-01-30T12:00:00Z" level=error msg="HTTPReloader::Reload()[count=1][manager=prometheus]: received bad response from server. http_code=${code}"\n`;

/** A follower of one file whose commits fail while `failing` is set; `committed` gets the codes of what was committed. */
function follower() {
  const path = join(tempDir(), 'butler.log');
  writeFileSync(path, '');
  const state = { failing: false, committed: [] as number[] };
  const f = new LogFollower({
    files: [{ path, instance: 'butler-1:8080' }],
    positions: new Map(),
    clock: new ManualClock(),
    log: silentLogger,
    rejections: new Rejections(),
    ingest: async (observations: ButlerObservation[]) => {
      if (state.failing) throw new Error('SQLITE_IOERR: disk I/O error');
      for (const o of observations) if (o.kind === 'reload_logged') state.committed.push(o.code);
    },
  });
  return { path, state, poll: () => f.poll() };
}

describe('butler log follower', () => {
  it('reads lines again after their commit failed, so none is lost', async () => {
    const { path, state, poll } = follower();
    await poll();
    appendFileSync(path, line(503));
    state.failing = true;
    await poll();
    state.failing = false;
    await poll();
    appendFileSync(path, line(502));
    await poll();
    expect(state.committed).toEqual([503, 502]);
  });

  it('keeps where it started following when that first commit fails', async () => {
    const { path, state, poll } = follower();
    state.failing = true;
    await poll();
    state.failing = false;
    appendFileSync(path, line(500));
    await poll();
    expect(state.committed).toEqual([500]);
  });
});
