// Sizes of the snapshot image's sections that grow with writes (keys, history, remembered
// requests), so the encoder writes the image into one buffer allocated once. Exact for ASCII
// strings shorter than 128 characters (keys and values mostly are) and a few bytes per record
// over otherwise; longer or non-ASCII strings take more, and the encoder's buffer grows.
// Sizing walks the records in steps like the encoding after it.
import { varintBytes } from './binary.js';
import type { ClientRequests } from './dedup.js';
import { KvEventType, type KeyValue, type KvEvent } from './kv-history.js';
import type { RememberedOutcome } from './results.js';
import type { StateImage } from './snapshot-format.js';

/** A string of `s.length` ASCII characters, with its length. */
function strBytes(s: string): number {
  return s.length + varintBytes(s.length);
}

/** A record as writeKv writes it; every revision and version is at most the store's revision. */
function kvBytes(kv: KeyValue, revisionBytes: number): number {
  return strBytes(kv.key) + strBytes(kv.value) + 3 * revisionBytes;
}

/** Records sized between two yields: sizing one costs a small part of encoding it. */
const SIZES_PER_STEP = 4096;

/** Σ size(item) over `items`, in steps. */
function* sizeInSteps<T>(items: readonly T[], size: (item: T) => number): Generator<void, number, void> {
  let n = 0;
  for (let i = 0; i < items.length; i++) {
    n += size(items[i]);
    if ((i + 1) % SIZES_PER_STEP === 0) yield;
  }
  return n;
}

export function* kvSectionBytes(img: StateImage): Generator<void, number, void> {
  const revisionBytes = varintBytes(img.revision);
  const records = yield* sizeInSteps(img.kvs, (kv) => kvBytes(kv, revisionBytes));
  return revisionBytes + varintBytes(img.kvs.length) + records;
}

export function* historySectionBytes(img: StateImage): Generator<void, number, void> {
  const revisionBytes = varintBytes(img.revision);
  const eventBytes = (e: KvEvent) => 1 + revisionBytes + (e.type === KvEventType.Put ? kvBytes(e.kv, revisionBytes) : strBytes(e.key));
  return varintBytes(img.history.length) + (yield* sizeInSteps(img.history, eventBytes));
}

export function* dedupSectionBytes(img: StateImage): Generator<void, number, void> {
  const revisionBytes = varintBytes(img.revision);
  const clientBytes = (c: ClientRequests<RememberedOutcome>) => {
    let n = strBytes(c.clientId) + varintBytes(c.requests.length);
    for (const [requestId, o] of c.requests) n += strBytes(requestId) + outcomeBytes(o, revisionBytes);
    return n;
  };
  return varintBytes(img.dedup.length) + (yield* sizeInSteps(img.dedup, clientBytes));
}

/** An outcome as writeOutcome writes it. */
function outcomeBytes(o: RememberedOutcome, revisionBytes: number): number {
  switch (o.type) {
    case 'put':
      return 1 + revisionBytes;
    case 'delete':
      return 2 + revisionBytes;
    case 'cas':
      return 2 + 2 * revisionBytes;
    case 'writeRefused':
      return 2 + revisionBytes + strBytes(o.detail);
    case 'sessionCreated':
      return 1 + strBytes(o.session) + varintBytes(o.ttlMs);
    default: {
      const never: never = o;
      throw new Error(`unknown remembered outcome ${JSON.stringify(never)}`);
    }
  }
}
