// The state machine's snapshot image: encoding in steps (snapshot-encoder.ts), decoding with
// every field checked (snapshot-decoder.ts), the layout and its versions (snapshot-format.ts).
export { RECORDS_PER_STEP, encodeSnapshot, encodeSnapshotAsync } from './snapshot-encoder.js';
export { decodeSnapshot } from './snapshot-decoder.js';
export { SNAPSHOT_FORMAT_VERSION, SNAPSHOT_MAGIC, type StateImage } from './snapshot-format.js';
