// The option table (server/node-options.ts) is consistent with itself: what --help and the
// problems show as defaults and examples is accepted by the checks the same table drives.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { coerceOption, optionSpec } from '../../src/cli/agent-options.js';
import { validateNodeConfig, type NodeConfigInput } from '../../src/server/config.js';
import {
  NODE_OPTIONS,
  OptionKind,
  isChoice,
  wholeOption,
  type OptionName,
  type OptionSpec,
  type WholeOptionName,
} from '../../src/server/node-options.js';

const entries = Object.entries(NODE_OPTIONS) as [OptionName, OptionSpec][];

describe('the option table', () => {
  test('flags are unique kebab-case names, the config names they come from in camelCase', () => {
    const flags = entries.map(([, o]) => o.flag);
    assert.deepEqual(new Set(flags).size, flags.length);
    for (const [name, o] of entries) {
      assert.match(o.flag, /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, name);
      assert.equal(
        o.flag.replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase()),
        name,
      );
    }
  });

  test('every whole number has a range that holds its default and its example', () => {
    for (const [name, o] of entries.filter(([, o]) => o.kind === OptionKind.Int)) {
      assert.ok(o.min !== undefined && o.max !== undefined && o.min <= o.max, name);
      const problems: string[] = [];
      if (o.default !== undefined) assert.equal(wholeOption(name as WholeOptionName, o.default, problems), o.default, name);
      assert.equal(wholeOption(name as WholeOptionName, o.example, problems), Number(o.example), name);
      assert.deepEqual(problems, [], name);
    }
  });

  test('choices hold the default and the example; defaults are given only with a kind that has them', () => {
    for (const [name, o] of entries.filter(([, o]) => o.choices !== undefined)) {
      assert.ok(isChoice(name, o.example), name);
      if (o.default !== undefined) assert.ok(isChoice(name, o.default), name);
    }
    for (const [name, o] of entries.filter(([, o]) => o.default !== undefined)) {
      assert.equal(typeof o.default, o.kind === OptionKind.String ? 'string' : 'number', name);
    }
  });

  test("every example passes the agent's shape check for its flag", () => {
    for (const [name, o] of entries) {
      const spec = optionSpec(o.flag);
      assert.ok(spec !== undefined, name);
      const { problem } = coerceOption(spec, o.example, o.flag);
      assert.equal(problem, undefined, name);
    }
  });
});

describe('the config input types derived from the table', () => {
  test('an embedder gives each option by its config name, in the kinds the table allows', () => {
    const input: NodeConfigInput = {
      id: 'n1',
      heartbeatMs: '50',
      hookTimeoutMs: 5000,
      peers: new Map([['n1', '127.0.0.1:7101']]),
      failback: 'true',
      check: async () => true,
      tls: { certFile: 'c', keyFile: 'k', caFile: 'a' },
    };
    // @ts-expect-error a flag's spelling is not a config name
    const kebab: NodeConfigInput = { 'hook-timeout-ms': 5000 };
    // @ts-expect-error the agent's TLS flags are one `tls` object for an embedder
    const tlsFlag: NodeConfigInput = { tlsCert: 'c' };
    // @ts-expect-error a switch is not a number
    const wrongKind: NodeConfigInput = { failback: 1 };
    assert.equal(validateNodeConfig({ ...input, tls: undefined, listen: '127.0.0.1:0', dataDir: './d' }).problems.length, 0);
    assert.ok(
      [kebab, tlsFlag, wrongKind].every((i) =>
        validateNodeConfig(i).problems.some((p) => p.includes('unknown setting') || p.includes('failback')),
      ),
    );
  });
});
