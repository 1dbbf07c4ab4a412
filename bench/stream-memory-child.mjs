// Runs one stream-memory measurement in a fresh process (RSS never shrinks back after earlier
// work in the same process, so a shared process would report its history, not this case).
// Prints the case result as JSON on stdout.
import { streamMemoryCase } from './cases/stream-memory.mjs';

const [width, height, frames, highWaterMark, readableHighWaterMark] = process.argv.slice(2).map(Number);
const result = await streamMemoryCase({ width, height, frames, highWaterMark, readableHighWaterMark });
process.stdout.write(JSON.stringify(result));
