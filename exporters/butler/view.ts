/**
 * Reads the Butler model and writes the butler catalog. Every series belongs
 * to one entity (a target, a manager, a remote file, a written file), so
 * each is an entity block re-rendered only when its version changes.
 * Nothing here depends on `now`.
 *
 * A manager or file Butler no longer shows, or a target discovery no longer
 * lists, is kept for the grace period only so its counters carry on should
 * it come back: its gauges (status, times, phases, target_up) are not
 * written, as their values are no longer current.
 */
import { familiesOf } from '../core/catalog.js';
import { toSeconds } from '../core/clock.js';
import type { MetricSource, SampleWriter } from '../core/exposition.js';
import { butlerCatalog as c } from './catalog.js';
import { isButlerConfig, renderMethod } from './file-phases.js';
import { RELOAD_RESULTS } from './manager-phases.js';
import { entityKey, type ButlerModel } from './model.js';

export interface ButlerViewOptions {
  /** Butler's [globals] scheduler-interval, as configured here. */
  schedulerIntervalSeconds: number;
  /** Butler's -config.retrieve-interval (butler.toml), as configured here. */
  retrieveIntervalSeconds: number;
}

export class ButlerView implements MetricSource {
  readonly families = familiesOf(c);

  constructor(
    private readonly model: ButlerModel,
    private readonly opts: ButlerViewOptions,
  ) {}

  collect(w: SampleWriter): void {
    for (const st of this.model.all()) {
      const { target } = st;
      const instance = target.instance;
      const removed = target.removedAt !== undefined;
      const entity = (name: string, write: (e: SampleWriter) => void) => w.entity(entityKey(instance, name), this.model.version(instance, name), write);

      entity('target', (e) => {
        if (removed) return;
        e.sample(c.butler_target_up, [instance], target.up ? 1 : 0);
        if (target.lastScrapeAt !== undefined) e.sample(c.butler_target_last_scrape_timestamp_seconds, [instance], toSeconds(target.lastScrapeAt));
        e.sample(c.butler_scheduler_interval_seconds, [instance], this.opts.schedulerIntervalSeconds);
      });

      for (const m of st.managers.values()) {
        entity(`m:${m.manager}`, (e) => {
          const labels = [instance, m.manager];
          if (!removed && m.missingSince === undefined) {
            if (m.status !== undefined) e.sample(c.butler_reload_status, labels, m.status);
            if (m.time !== undefined) e.sample(c.butler_reload_time, labels, toSeconds(m.time));
            if (m.lkg !== undefined) e.sample(c.butler_lkg, labels, toSeconds(m.lkg));
          }
          e.sample(c.butler_lkg_restores_total, labels, m.restores);
          for (const result of RELOAD_RESULTS) e.sample(c.butler_reloads_total, [instance, m.manager, result], m.reloads[result]);
        });
      }

      for (const f of st.remoteFiles.values()) {
        entity(`r:${f.file}`, (e) => {
          if (removed || f.missingSince !== undefined) return;
          const labels = [instance, f.file];
          if (f.status !== undefined) e.sample(c.butler_remote_status, labels, f.status);
          if (f.time !== undefined) e.sample(c.butler_remote_time, labels, toSeconds(f.time));
          if (f.mustache !== undefined) e.sample(c.butler_cfg_mustache, labels, f.mustache);
          if (f.render !== undefined) e.sample(c.butler_cfg_render, [instance, f.file, renderMethod(f.configFile)], f.render);
          if (isButlerConfig(f)) e.sample(c.butler_retrieve_interval_seconds, labels, this.opts.retrieveIntervalSeconds);
        });
      }

      for (const f of st.writtenFiles.values()) {
        entity(`w:${f.file}`, (e) => {
          if (removed || f.missingSince !== undefined) return;
          if (f.write !== undefined) e.sample(c.butler_write, [instance, f.file], f.write);
        });
      }
    }
  }
}
