/**
 * Runs one exporter definition in its own process, for tests that kill it
 * (`kill -9`) and start it again. Prints `READY <url>` (plus any extra
 * ports the instance exposes) once ready.
 *
 *   tsx test/support/exporter-main.ts <module> <export> <dataDir> [frozenClockMs|-] [key.path=value]...
 */
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { ManualClock, systemClock } from '../../exporters/core/clock.js';
import { loadConfig } from '../../exporters/core/config.js';
import { createLogger } from '../../exporters/core/log.js';
import { startExporter, type ExporterDefinition, type SectionBase } from '../../exporters/core/runtime.js';

const [modulePath, exportName, dataDir, clockArg, ...sets] = process.argv.slice(2);
const mod = (await import(pathToFileURL(resolve(modulePath!)).href)) as Record<string, ExporterDefinition>;
const def = mod[exportName!]!;
const section = loadConfig(def.configSchema, { sets: ['listen.host=127.0.0.1', 'listen.port=0', ...sets] }) as SectionBase;
const clock = clockArg && clockArg !== '-' ? new ManualClock(Number(clockArg)) : systemClock;
const running = await startExporter(def, section, { dataDir: dataDir!, clock, log: createLogger('warn'), env: {} });
const extra = running.instance as unknown as Record<string, unknown>;
const ports = Object.entries(extra).filter(([k, v]) => k.endsWith('Port') && typeof v === 'number').map(([k, v]) => `${k}=${String(v)}`);
process.stdout.write(`READY ${running.url} ${ports.join(' ')}\n`);
process.on('SIGTERM', () => void running.stop().then(() => process.exit(0)));
