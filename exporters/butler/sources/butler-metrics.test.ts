import { describe, expect, it } from 'vitest';
import { parseExposition } from '../exposition-parser.js';
import { butlerSnapshot, NotButlerError } from './butler-metrics.js';

/** What a Butler with one manager and two files serves (names and labels from internal/metrics/metrics.go). */
const BUTLER = `# HELP butler_lastknowngood_cached Did butler cache the known good configuration
# TYPE butler_lastknowngood_cached gauge
butler_lastknowngood_cached{manager="prometheus"} 1
# HELP butler_lastknowngood_restored Did butler restore the known good configuration
# TYPE butler_lastknowngood_restored gauge
butler_lastknowngood_restored{manager="prometheus"} 0
# HELP butler_local_remote_insync Are the remote and local repo files the same
# TYPE butler_local_remote_insync gauge
butler_local_remote_insync{manager="alertmanager"} 1
# HELP butler_localconfig_reload_count butler reload counter
# TYPE butler_localconfig_reload_count gauge
butler_localconfig_reload_count{manager="prometheus"} 2
# HELP butler_localconfig_reload_success Did butler successfully reload prometheus
# TYPE butler_localconfig_reload_success gauge
butler_localconfig_reload_success{manager="prometheus"} 1
# HELP butler_localconfig_reload_time Time that butler successfully reload prometheus
# TYPE butler_localconfig_reload_time gauge
butler_localconfig_reload_time{manager="prometheus"} 1.7672256e+09
# HELP butler_localconfig_render_success Did butler successfully render the prometheus.yml
# TYPE butler_localconfig_render_success gauge
butler_localconfig_render_success{config_file="prometheus.yml",repo="cfg.example.com"} 1
butler_localconfig_render_success{config_file="rules/alerts.yml",repo="cfg.example.com"} 0
# HELP butler_localconfig_write_success Did butler successfully write the configuration
# TYPE butler_localconfig_write_success gauge
butler_localconfig_write_success{config_file="prometheus.yml"} 1
# HELP butler_remoterepo_config_valid Is the butler configuration valid
# TYPE butler_remoterepo_config_valid gauge
butler_remoterepo_config_valid{config_file="prometheus.yml",repo="cfg.example.com"} 1
butler_remoterepo_config_valid{config_file="prometheus.yml",repo="local"} 0
butler_remoterepo_config_valid{config_file="rules/alerts.yml",repo="cfg.example.com"} 0
# HELP butler_remoterepo_contact_retry Did butler retry contact the remote repository
# TYPE butler_remoterepo_contact_retry gauge
butler_remoterepo_contact_retry{config_file="alerts.yml",repo="prometheus"} 3
# HELP butler_remoterepo_contact_success Did butler successfully contact the remote repository
# TYPE butler_remoterepo_contact_success gauge
butler_remoterepo_contact_success{config_file="/butler/butler.toml",repo="cfg.example.com"} 1
butler_remoterepo_contact_success{config_file="prometheus.yml",repo="cfg.example.com"} 1
butler_remoterepo_contact_success{config_file="rules/alerts.yml",repo="cfg.example.com"} 1
# HELP butler_remoterepo_contact_time Time that butler successfully contacted the remote repository
# TYPE butler_remoterepo_contact_time gauge
butler_remoterepo_contact_time{config_file="/butler/butler.toml",repo="cfg.example.com"} 1.7672256e+09
# HELP go_goroutines Number of goroutines that currently exist.
# TYPE go_goroutines gauge
go_goroutines 14
# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.
# TYPE process_start_time_seconds gauge
process_start_time_seconds 1.76722e+09
`;

describe("Butler's metrics", () => {
  it('become managers, remote files and written files', () => {
    const snap = butlerSnapshot(parseExposition(BUTLER));
    expect(snap.processStartSeconds).toBe(1767220000);
    expect(Object.fromEntries(snap.managers)).toEqual({
      prometheus: { cached: 1, restored: 0, reloadCount: 2, reloadSuccess: 1, reloadTimeSeconds: 1767225600 },
      alertmanager: {},
    });
    expect(Object.fromEntries(snap.remoteFiles)).toEqual({
      'cfg.example.com/butler/butler.toml': { repo: 'cfg.example.com', configFile: '/butler/butler.toml', contactSuccess: 1, contactTimeSeconds: 1767225600 },
      'cfg.example.com/prometheus.yml': { repo: 'cfg.example.com', configFile: 'prometheus.yml', contactSuccess: 1, renderSuccess: 1, configValid: 1 },
      'cfg.example.com/rules/alerts.yml': { repo: 'cfg.example.com', configFile: 'rules/alerts.yml', contactSuccess: 1, renderSuccess: 0, configValid: 0 },
    });
    expect(Object.fromEntries(snap.writtenFiles)).toEqual({ 'prometheus.yml': { file: 'prometheus.yml', writeSuccess: 1 } });
  });

  it('refuses a Butler family without its labels', () => {
    expect(() => butlerSnapshot(parseExposition('butler_localconfig_reload_count 3\n'))).toThrow(NotButlerError);
    expect(() => butlerSnapshot(parseExposition('butler_remoterepo_contact_success{repo="r"} 1\n'))).toThrow(/no "config_file" label/);
  });
});
