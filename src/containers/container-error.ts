// The one error type of the containers: `code` says what kind of failure it was (the CLI maps
// codes to exit codes), `message` says what happened and what to do.
export type ContainerErrorCode =
  /** The input file does not exist. */
  | 'not-found'
  /** The input is not a media file libavformat understands, or it is corrupt or truncated. */
  | 'invalid-data'
  /** No demuxer/muxer for this format, or a codec the format cannot hold. */
  | 'unsupported'
  /** The muxer's tracks or chunks do not fit together (missing config, unknown track, ...). */
  | 'invalid-config'
  /** Reading or writing failed (permissions, disk full, the source stream errored). */
  | 'io'
  /** close(), cancel() or abort() stopped the work. */
  | 'cancelled';

export class ContainerError extends Error {
  readonly code: ContainerErrorCode;

  constructor(code: ContainerErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ContainerError';
    this.code = code;
  }
}
