// The command line's exit codes (listed in --help) and the error that carries one.
import { ContainerError } from '../containers/container-error.js';

export const EXIT = {
  ok: 0,
  /** A bug or an unexpected failure: the message says what happened. */
  internal: 1,
  /** Wrong arguments. */
  usage: 2,
  /** The input file does not exist. */
  notFound: 3,
  /** A codec or format this machine cannot handle (the message names what it can). */
  unsupported: 4,
  /** The input is not media, or is corrupt or truncated. */
  corrupt: 5,
  /** Writing the output failed. */
  io: 6,
  /** Stopped by Ctrl-C (SIGINT). */
  interrupted: 130,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export const EXIT_CODE_HELP = `Exit codes:
  0    success
  1    unexpected internal error
  2    wrong arguments
  3    input file not found
  4    unsupported codec or format (the message lists what is supported)
  5    input is not media, or is corrupt or truncated
  6    cannot write the output
  130  interrupted (Ctrl-C); the partial output is removed unless --keep-partial`;

export class CliError extends Error {
  constructor(
    readonly exitCode: ExitCode,
    message: string,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

const CONTAINER_EXIT: Readonly<Record<ContainerError['code'], ExitCode>> = {
  'not-found': EXIT.notFound,
  'invalid-data': EXIT.corrupt,
  unsupported: EXIT.unsupported,
  'invalid-config': EXIT.unsupported,
  io: EXIT.io,
  cancelled: EXIT.interrupted,
};

/** The exit code and message for anything a command threw. */
export function describeFailure(error: unknown): { exitCode: ExitCode; message: string } {
  if (error instanceof CliError) return { exitCode: error.exitCode, message: error.message };
  if (error instanceof ContainerError) return { exitCode: CONTAINER_EXIT[error.code], message: error.message };
  if (error instanceof DOMException) {
    // Codec errors: a decoder failing on the input's bytes means the input is corrupt.
    if (error.name === 'EncodingError' || error.name === 'DataError') return { exitCode: EXIT.corrupt, message: `the input could not be decoded: ${error.message}` };
    if (error.name === 'NotSupportedError') return { exitCode: EXIT.unsupported, message: error.message };
  }
  return { exitCode: EXIT.internal, message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}
