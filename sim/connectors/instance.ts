/**
 * One simulated Formal connector instance: a fake health port (GET /health,
 * GET /ready) and an OTLP sender on the real SDK, started and stopped like
 * the process it stands for. Each start is a new process — a new
 * MeterProvider, so counters begin again — on the same port, so discovery
 * never changes. While it runs, every `heartbeat_seconds` (staggered across
 * the fleet) it exports a heartbeat, memory wandering around its baseline,
 * connections opening and closing, and the Control Plane pings it received.
 */
import type { Logger } from '../../exporters/core/log.js';
import { formatAddress } from '../../exporters/connectors/targets.js';
import type { Schedule } from '../lib/schedule.js';
import type { ConnectorsSimConfig } from './config.js';
import { FakeConnector } from './fake-connector.js';
import { SdkConnector } from './sdk-connector.js';

export type Phase = 'down' | 'starting' | 'ready' | 'draining';

/** Memory a healthy instance never passes (the alert is at 90 %). */
const MEMORY_CEILING = 85;
/** Where the memory-high fault holds it. */
const MEMORY_HIGH = 95;
/** The Control Plane pings about every 10 s. */
const PING_PERIOD_SECONDS = 10;

export class SimInstance {
  version: string;
  port: number;
  /** Who holds it (a fault's name, or `churn`): nothing else touches it meanwhile. */
  heldBy: string | undefined;
  /** Faults on its telemetry. */
  sendsTelemetry = true;
  receivesPings = true;
  memoryHigh = false;
  /** When /ready last turned 200 (ms); 0 for the fleet already running when the simulator started. */
  private readySince: number | undefined;

  private health: FakeConnector | undefined;
  private otlp: SdkConnector | undefined;
  private stopBeating: (() => void) | undefined;
  private beating: Promise<void> = Promise.resolve();
  /** Starts and stops, one after the other. */
  private lifecycle: Promise<void> = Promise.resolve();
  private memory = 0;
  private active = 0;
  private readonly memoryBaseline: number;
  private readonly connectionBaseline: number;

  constructor(
    readonly connector: string,
    /** Place in the fleet: fixes its port and its baselines. */
    readonly index: number,
    private readonly config: ConnectorsSimConfig,
    private readonly schedule: Schedule,
    private readonly log: Logger,
  ) {
    this.version = config.version;
    this.port = config.base_port === 0 ? 0 : config.base_port + index;
    this.memoryBaseline = 35 + ((index * 7) % 25);
    this.connectionBaseline = 10 + ((index * 13) % 50);
  }

  /** `advertise_host:port`: its target in file_sd, and its service.instance.id, so the exporter joins the two. */
  get id(): string {
    return formatAddress(this.config.advertise_host, this.port);
  }

  get phase(): Phase {
    const mode = this.health?.mode;
    // The simulator never hangs an instance; a hung one would look down to a probe.
    return mode === undefined || mode === 'hung' ? 'down' : mode;
  }

  /** Starts the process (a no-op if it runs): the health port answers at once, in `mode`. */
  start(mode: 'starting' | 'ready', version = this.version): Promise<void> {
    return this.serially(async () => {
      if (this.health) return;
      this.health = await FakeConnector.start(mode, [this.config.host], this.port);
      this.readySince = mode === 'ready' ? 0 : undefined;
      this.port = this.health.port;
      this.version = version;
      this.otlp = new SdkConnector({
        url: this.config.otlp_url,
        protocol: this.config.otlp_protocol,
        attributes: { 'service.instance.id': this.id, ConnectorName: this.connector, 'service.version': version },
      });
      this.memory = this.memoryBaseline - 10;
      this.active = 0;
      this.stopBeating = this.schedule.every(this.config.heartbeat_seconds * 1000, () => (this.beating = this.beat()));
    });
  }

  /** What /ready says while it runs: 200 when `ready`, 503 otherwise. */
  setMode(mode: 'starting' | 'ready' | 'draining'): void {
    if (!this.health || this.health.mode === mode) return;
    this.health.mode = mode;
    this.readySince = mode === 'ready' ? Date.now() : undefined;
  }

  /** Ready for at least `seconds`: long enough for a prober that looks less often to have seen it ready. */
  readyFor(seconds: number): boolean {
    return this.phase === 'ready' && this.readySince !== undefined && Date.now() - this.readySince >= seconds * 1000;
  }

  /**
   * Stops the process (a no-op if it is down). `graceful`: its last readings
   * go out, then the port closes. `crash`: nothing more is sent.
   */
  stop(how: 'graceful' | 'crash'): Promise<void> {
    return this.serially(async () => {
      const { health, otlp } = this;
      if (!health || !otlp) return;
      this.health = undefined;
      this.otlp = undefined;
      this.readySince = undefined;
      this.stopBeating?.();
      if (how === 'crash') await otlp.crash();
      else await otlp.shutdown();
      await health.close();
    });
  }

  /** Resolves once an export under way has been answered: after a telemetry fault, nothing it forbids is still in flight. */
  quiet(): Promise<void> {
    return this.beating;
  }

  private async beat(): Promise<void> {
    const otlp = this.otlp;
    if (!otlp || !this.sendsTelemetry) return;
    const { opened, closed } = this.wander();
    otlp.heartbeat().memory(Math.round(this.memory * 10) / 10).connections(opened, closed, this.active);
    if (this.receivesPings) otlp.ping(Math.max(1, Math.round(this.config.heartbeat_seconds / PING_PERIOD_SECONDS)));
    try {
      await otlp.flush();
    } catch (err) {
      this.log.debug({ err: (err as Error).message, instance: this.id }, 'OTLP export failed; the next heartbeat tries again');
    }
  }

  /** Memory drifts back towards its baseline; connections open and close around theirs. */
  private wander(): { opened: number; closed: number } {
    if (this.memoryHigh) {
      this.memory = MEMORY_HIGH - 2 + Math.random() * 4;
    } else {
      const drift = (this.memoryBaseline - this.memory) * 0.3 + (Math.random() - 0.5) * 4;
      this.memory = Math.min(MEMORY_CEILING, Math.max(5, this.memory + drift));
    }
    const next = Math.max(0, Math.round(this.active + (this.connectionBaseline - this.active) * 0.3 + (Math.random() - 0.5) * 6));
    // Short-lived connections open and close within one interval.
    const turnover = Math.floor(Math.random() * 4);
    const opened = turnover + Math.max(0, next - this.active);
    const closed = turnover + Math.max(0, this.active - next);
    this.active = next;
    return { opened, closed };
  }

  private serially(step: () => Promise<void>): Promise<void> {
    const run = this.lifecycle.then(step);
    this.lifecycle = run.catch(() => undefined);
    return run;
  }
}
