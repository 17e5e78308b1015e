/** Bytes that are not a protobuf message at all: the caller's fault, so INVALID_ARGUMENT. */
export class Undecodable {
  constructor(readonly cause: unknown) {}
}
