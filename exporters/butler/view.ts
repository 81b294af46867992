/**
 * Reads the Butler model and writes the butler catalog. Every series belongs
 * to one entity (a target, a manager, a remote file, a written file), so
 * each is an entity block re-rendered only when its version changes.
 * Nothing here depends on `now`.
 */
import { familiesOf } from '../core/catalog.js';
import { toSeconds } from '../core/clock.js';
import type { MetricSource, SampleWriter } from '../core/exposition.js';
import { butlerCatalog as c } from './catalog.js';
import { renderMethod } from './file-phases.js';
import { RELOAD_RESULTS } from './manager-phases.js';
import type { ButlerModel } from './model.js';

export class ButlerView implements MetricSource {
  readonly families = familiesOf(c);

  constructor(
    private readonly model: ButlerModel,
    private readonly schedulerIntervalSeconds: number,
  ) {}

  collect(w: SampleWriter): void {
    for (const st of this.model.all()) {
      const { target, versions } = st;
      const instance = target.instance;
      const version = (entity: string) => versions.get(entity) ?? 0;

      w.entity(`${instance}\u0000target`, version('target'), (e) => {
        e.sample(c.butler_target_up, [instance], target.up ? 1 : 0);
        if (target.lastScrapeAt !== undefined) e.sample(c.butler_target_last_scrape_timestamp_seconds, [instance], toSeconds(target.lastScrapeAt));
        e.sample(c.butler_scheduler_interval_seconds, [instance], this.schedulerIntervalSeconds);
      });

      for (const m of st.managers.values()) {
        w.entity(`${instance}\u0000m:${m.manager}`, version(`m:${m.manager}`), (e) => {
          const labels = [instance, m.manager];
          if (m.status !== undefined) e.sample(c.butler_reload_status, labels, m.status);
          if (m.time !== undefined) e.sample(c.butler_reload_time, labels, toSeconds(m.time));
          if (m.lkg !== undefined) e.sample(c.butler_lkg, labels, toSeconds(m.lkg));
          e.sample(c.butler_lkg_restores_total, labels, m.restores);
          for (const result of RELOAD_RESULTS) e.sample(c.butler_reloads_total, [instance, m.manager, result], m.reloads[result]);
        });
      }

      for (const f of st.remoteFiles.values()) {
        w.entity(`${instance}\u0000r:${f.file}`, version(`r:${f.file}`), (e) => {
          const labels = [instance, f.file];
          if (f.status !== undefined) e.sample(c.butler_remote_status, labels, f.status);
          if (f.time !== undefined) e.sample(c.butler_remote_time, labels, toSeconds(f.time));
          if (f.mustache !== undefined) e.sample(c.butler_cfg_mustache, labels, f.mustache);
          if (f.render !== undefined) e.sample(c.butler_cfg_render, [instance, f.file, renderMethod(f.configFile)], f.render);
        });
      }

      for (const f of st.writtenFiles.values()) {
        w.entity(`${instance}\u0000w:${f.file}`, version(`w:${f.file}`), (e) => {
          if (f.write !== undefined) e.sample(c.butler_write, [instance, f.file], f.write);
        });
      }
    }
  }
}
