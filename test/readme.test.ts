// The README's examples run exactly as written, in order (the later ones read the file the first
// one writes), each as its own process importing the package by name.
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const examples = [...readme.matchAll(/<!-- example: (\w+) -->\n```js\n([\s\S]*?)```/g)].map((m) => ({ name: m[1]!, code: m[2]! }));

t.test('the README has its four examples', async (t) => {
  t.same(examples.map((e) => e.name), ['encode', 'decode', 'transcode', 'relay']);
});

for (const example of examples) {
  t.test(`README example "${example.name}" runs as written`, async (t) => {
    // `-e` resolves 'webcodecs-streams' from the working directory: the package's self-reference.
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', example.code], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    t.equal(result.status, 0, result.stderr);
    t.ok(result.stdout.length > 0, `printed: ${result.stdout.trim()}`);
  });
}
