// Original file: proto/palisade/v1/client.proto


export interface PauseResponse {
  'paused'?: (boolean);
}

export interface PauseResponse__Output {
  'paused': (boolean);
}
