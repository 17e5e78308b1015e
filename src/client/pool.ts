// One gRPC channel per endpoint, created on first use, and the order in which to try them: the
// endpoint that answered last goes first, so a client sticks to a working node.
import * as grpc from '@grpc/grpc-js';
import { loadClientProto } from '../transport/client-proto.js';
import type { PalisadeClient as Stub } from '../transport/generated/palisade/v1/Palisade.js';
import { channelCredentialsFor, channelOptionsFor, type ClientTls } from './credentials.js';

export type { Stub };

// Reconnect quickly: a restarted node should be usable again within a fraction of a second.
// Retries are ours (same request id on every endpoint), so grpc-js's own are off.
const CHANNEL_OPTIONS: grpc.ChannelOptions = {
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1000,
  'grpc.enable_retries': 0,
};

export class EndpointPool {
  private readonly stubs = new Map<string, Stub>();
  private preferred = 0;
  private closed = false;
  private readonly credentials: grpc.ChannelCredentials;
  private readonly options: grpc.ChannelOptions;

  constructor(
    readonly endpoints: readonly string[],
    tls: ClientTls | undefined,
    token?: string,
  ) {
    this.credentials = channelCredentialsFor(tls);
    this.options = { ...CHANNEL_OPTIONS, ...channelOptionsFor(tls, token) };
  }

  /** Every endpoint once, starting with the one that answered last. */
  order(): string[] {
    const n = this.endpoints.length;
    return Array.from({ length: n }, (_, k) => this.endpoints[(this.preferred + k) % n]);
  }

  prefer(endpoint: string): void {
    const i = this.endpoints.indexOf(endpoint);
    if (i >= 0) this.preferred = i;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  stub(endpoint: string): Stub {
    if (this.closed) throw new Error('client is closed');
    let stub = this.stubs.get(endpoint);
    if (stub === undefined) {
      const { Palisade } = loadClientProto().palisade.v1;
      stub = new Palisade(endpoint, this.credentials, this.options);
      this.stubs.set(endpoint, stub);
    }
    return stub;
  }

  close(): void {
    this.closed = true;
    for (const stub of this.stubs.values()) stub.close();
    this.stubs.clear();
  }
}
