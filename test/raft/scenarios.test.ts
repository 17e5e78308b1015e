// Golden scenario scripts: test/raft/testdata/*.txt hold commands and their expected output
// (format in scenario-runner.ts). REWRITE_GOLDEN=1 rewrites the outputs; review the diff by
// reading it — a golden file must show the right behaviour, not just what the code does.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatScript, parseScript, runScript, ScenarioRunner } from './scenario-runner.js';

const TESTDATA = join(dirname(fileURLToPath(import.meta.url)), 'testdata');
const rewrite = process.env['REWRITE_GOLDEN'] === '1';

describe('golden scenarios', () => {
  for (const name of readdirSync(TESTDATA)
    .filter((f) => f.endsWith('.txt'))
    .sort()) {
    test(name, () => {
      const path = join(TESTDATA, name);
      const text = readFileSync(path, 'utf8');
      const actual = formatScript(runScript(text));
      if (rewrite) {
        writeFileSync(path, actual);
        return;
      }
      assert.equal(actual, text, `${name} differs; rerun with REWRITE_GOLDEN=1 and review the diff`);
    });
  }
});

describe('scenario script format', () => {
  test('parse and format round-trip, comments kept with their command', () => {
    const text = '# setup\nnodes a b\n----\nok\n\n# go\nelect a\n----\na: leader term=1 lead=a\n\n# the end\n';
    const script = parseScript(text);
    assert.deepEqual(
      script.blocks.map((b) => [b.comments, b.command, b.output]),
      [
        [['# setup'], 'nodes a b', ['ok']],
        [['# go'], 'elect a', ['a: leader term=1 lead=a']],
      ],
    );
    assert.deepEqual(script.trailer, ['# the end']);
    assert.equal(formatScript(script), text);
  });

  test('a command without a separator is a format error', () => {
    assert.throws(() => parseScript('nodes a\nstatus\n'), /expected "----"/);
  });

  test('errors thrown by a command are part of its output', () => {
    const r = new ScenarioRunner();
    assert.deepEqual(r.run('status'), ['error: no cluster: start with "nodes"']);
    r.run('nodes a b c');
    assert.deepEqual(r.run('propose a x'), ['error: proposal dropped: no leader known']);
    assert.deepEqual(r.run('frobnicate'), ['error: unknown command frobnicate']);
  });
});
