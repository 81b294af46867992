// The package ships no types; this is the part the benchmark uses.
declare module '@elastic/mockopampserver' {
  class MockOpAMPServer {
    constructor(opts: { logLevel?: string; hostname?: string; port?: number });
    start(): Promise<void>;
    close(): Promise<void>;
    readonly endpoint: string;
  }
  const mod: { MockOpAMPServer: typeof MockOpAMPServer };
  export default mod;
}
