#!/usr/bin/env node
// webcodecs-streams: the command line (transcode, info, demo, codecs), built on the library.
import { parseArgs } from './args.js';
import { CODECS_HELP, CODECS_OPTIONS, codecs } from './commands/codecs.js';
import { DEMO_HELP, DEMO_OPTIONS, demo } from './commands/demo.js';
import { INFO_HELP, INFO_OPTIONS, info } from './commands/info.js';
import { TRANSCODE_HELP, TRANSCODE_OPTIONS, transcode } from './commands/transcode.js';
import { CliError, describeFailure, EXIT, EXIT_CODE_HELP } from './exit-codes.js';
import type { ParsedArgs } from './args.js';

interface Command {
  run: (args: ParsedArgs) => Promise<void>;
  options: Readonly<Record<string, boolean>>;
  help: string;
  summary: string;
}

const COMMANDS: Readonly<Record<string, Command>> = {
  transcode: { run: transcode, options: TRANSCODE_OPTIONS, help: TRANSCODE_HELP, summary: 'decode a media file and encode it again (any format to any format)' },
  info: { run: info, options: INFO_OPTIONS, help: INFO_HELP, summary: "show a file's tracks and their WebCodecs configurations" },
  demo: { run: demo, options: DEMO_OPTIONS, help: DEMO_HELP, summary: 'encode a synthetic test pattern and tone to a file' },
  codecs: { run: codecs, options: CODECS_OPTIONS, help: CODECS_HELP, summary: 'list the codecs this machine can encode and decode' },
};

const HELP = `Usage: webcodecs-streams <command> [arguments] [--help]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`)
  .join('\n')}

Run webcodecs-streams <command> --help for a command's options.

${EXIT_CODE_HELP}`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(HELP + '\n');
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = COMMANDS[name];
  try {
    if (command === undefined) throw new CliError(EXIT.usage, `unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')}`);
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${command.help}\n\n${EXIT_CODE_HELP}\n`);
      return EXIT.ok;
    }
    await command.run(parseArgs(rest, command.options));
    return EXIT.ok;
  } catch (error) {
    const { exitCode, message } = describeFailure(error);
    process.stderr.write(`webcodecs-streams ${name}: ${message}\n`);
    return exitCode;
  }
}

process.exitCode = await main(process.argv.slice(2));
