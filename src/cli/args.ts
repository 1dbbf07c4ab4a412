// Command-line arguments: a command, positional arguments, and --options (with a value, as
// `--name value` or `--name=value`, or boolean). Unknown options are usage errors.
import { CliError, EXIT } from './exit-codes.js';

export interface ParsedArgs {
  positionals: string[];
  options: Map<string, string | true>;
}

/** `spec` maps each option name to whether it takes a value. */
export function parseArgs(argv: readonly string[], spec: Readonly<Record<string, boolean>>): ParsedArgs {
  const positionals: string[] = [];
  const options = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--') || arg === '--') {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (!Object.hasOwn(spec, name)) throw new CliError(EXIT.usage, `unknown option --${name} (see --help)`);
    if (!spec[name]) {
      options.set(name, true);
    } else if (eq >= 0) {
      options.set(name, arg.slice(eq + 1));
    } else {
      const value = argv[++i];
      if (value === undefined) throw new CliError(EXIT.usage, `--${name} needs a value`);
      options.set(name, value);
    }
  }
  return { positionals, options };
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.options.get(name);
  return typeof value === 'string' ? value : undefined;
}

/** A positive number, accepting k/M suffixes for bit rates (e.g. 800k, 2M). */
export function numberOption(args: ParsedArgs, name: string): number | undefined {
  const raw = stringOption(args, name);
  if (raw === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(raw);
  if (match === null) throw new CliError(EXIT.usage, `--${name} must be a positive number (got "${raw}")`);
  const scale = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6 }[match[2]!]!;
  const value = Number(match[1]) * scale;
  if (!(value > 0)) throw new CliError(EXIT.usage, `--${name} must be greater than 0`);
  return value;
}

/** WxH, e.g. 1280x720 (even numbers: every codec's 4:2:0 needs them). */
export function sizeOption(args: ParsedArgs, name: string): { width: number; height: number } | undefined {
  const raw = stringOption(args, name);
  if (raw === undefined) return undefined;
  const match = /^(\d+)x(\d+)$/.exec(raw);
  if (match === null || Number(match[1]) === 0 || Number(match[2]) === 0) {
    throw new CliError(EXIT.usage, `--${name} must be WIDTHxHEIGHT, e.g. 1280x720 (got "${raw}")`);
  }
  return { width: Number(match[1]), height: Number(match[2]) };
}
