// The agent's start-up does not load the YAML parser unless a config file is given: loading it
// is a noticeable share of the time from spawn to 'node started' (issue 20).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

test('yaml is loaded by the first config file, not by loading the CLI', async () => {
  const yamlPath = require.resolve('yaml');
  await import('../../src/cli/program.js');
  assert.equal(require.cache[yamlPath], undefined, 'yaml was loaded with the CLI');
  const { parseConfigYaml } = await import('../../src/cli/config-file.js');
  assert.deepEqual(parseConfigYaml('id: n1\n', 'n1.yaml'), { settings: { id: 'n1' }, problems: [] });
  assert.notEqual(require.cache[yamlPath], undefined, 'yaml was not loaded by a config file');
});
