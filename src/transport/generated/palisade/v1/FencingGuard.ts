// Original file: proto/palisade/v1/client.proto

import type { Long } from '@grpc/proto-loader';

/**
 * A write applies only while `name` is held with exactly `token` (else FAILED_PRECONDITION,
 * reason STALE_FENCING_TOKEN): a stale holder's writes are refused by the store itself.
 */
export interface FencingGuard {
  'name'?: (string);
  'token'?: (number | string | Long);
}

/**
 * A write applies only while `name` is held with exactly `token` (else FAILED_PRECONDITION,
 * reason STALE_FENCING_TOKEN): a stale holder's writes are refused by the store itself.
 */
export interface FencingGuard__Output {
  'name': (string);
  'token': (string);
}
